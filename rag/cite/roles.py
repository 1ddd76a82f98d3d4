"""The role checks: the claim's actors are the quote's.

- who did a verb: when the quote has the claim's verb, its subject (or passive agent) is the claim's, per
  quote for merged quotes ("Lavrov called the meeting productive" when Ushakov did);
- names trading places: the quote gives a name's place ("Greig's bid") to another name of the claim;
- attachment: a place, time or person the claim ties to a verb ("arrested in Cyprus") is in a clause of
  the quote headed by that verb.

Does not compare objects (an object is named in too many ways) or resolve pronouns.
"""

from __future__ import annotations

from rag.cite import aliases, lexicon
from rag.cite.entities import entity_stated
from rag.cite.facts import STEM, Facts


def check_roles(c: Facts, q: Facts) -> tuple[str, str] | None:
    """The first role failure of claim facts `c` against quote facts `q`, as ("role", detail), else None."""
    for verb, subjects in c.subjects.items():
        names = {w for w in subjects if w in c.name_words}
        # A metonym the claim uses for an actor is that actor ("Kyiv and Moscow accused" = Ukraine and Russia).
        subjects = subjects | {m for w in subjects for m in lexicon.METONYMS.get(w, ())}
        # Each quote on its own: two merged quotes must not lend one verb two different actors; but when the
        # claim's verb is only matched to the quotes' reporting verbs, one quote naming its speaker suffices.
        conflict, agreed = None, False
        for quote_subjects in q.per_quote_subjects or [{**q.inherited, **q.subjects}]:
            pooled = verb not in quote_subjects
            quoted = quote_subjects.get(verb) or (
                {s for v, ss in quote_subjects.items() if v in lexicon.REPORTING for s in ss}
                if verb in lexicon.REPORTING else set())
            agreed |= pooled and bool(subjects & quoted)
            # A swap only when the quote names the claim's actor in another role; an unnamed actor in the
            # quote ("the envoy") is left to the entity check.
            # Without a name, the claim's subject noun must be in the quote in another role ("the corruption
            # taskforce complained" where the quote's taskforce is complained about).
            named = names or {w for w in subjects if w in c.lemmas and w not in lexicon.LIGHT_WORDS | lexicon.UNITS}
            if named and quoted and not subjects & quoted and named & q.words:
                conflict = conflict or (pooled, quoted)
        if conflict and not (conflict[0] and agreed):
            return "role", (f"'{verb}' has subject {sorted(subjects)} in the claim, "
                            f"{sorted(conflict[1])} in the quote")
    for name, anchors in c.anchors.items():
        # Two names of the claim trading places ("rejected Greig's bid in favour of Ridgeway" when it was
        # Ridgeway's bid): the quote gives this name another place, and the claim's place to another name
        # of the claim that the claim puts elsewhere. Symmetric verbs ("A met B" = "B met A") are exempt
        # unless a purpose clause says who acted ("met him to offer him a place").
        for quote_anchors in q.per_quote_anchors or [q.anchors]:
            if not quote_anchors.get(name) or anchors & quote_anchors[name]:
                continue
            for anchor in anchors:
                if anchor[1] in lexicon.SYMMETRIC and anchor[1] not in c.purposive:
                    continue
                holders = sorted(n for n, a in quote_anchors.items()
                                 if anchor in a and n != name and anchor not in c.anchors.get(n, {anchor}))
                if holders:
                    return "role", f"the quote gives '{anchor[0]} {anchor[1]}' to {holders[0]}, not {name}"
    for verb, label, text in c.bindings:
        clauses = q.clauses.get(verb, [])
        if clauses and _named_by_epithet(text, c.epithets.get(text, set()), clauses, q.text):
            continue
        # With the persons of that clause's own quote: another quote's "Alexander Vinnik" is not whom this
        # quote's "swapped" was about.
        if clauses and not any(entity_stated(label, text, Facts(text=cl, persons=q.clause_persons.get(cl, q.persons)))
                               for cl in clauses):
            return "role", f"the quote does not say '{verb}' of {label} '{text}'"
    return None


def _named_by_epithet(name: str, epithets: set[str], clauses: list[str], quotes: str) -> bool:
    """Whether a clause of the verb names the claim's `name` by a noun the claim gives it ("investigate the
    taskforce" for "investigate Ceja, the taskforce ...") and a sentence of the quotes names it by both
    ("The corruption taskforce, codenamed Ceja"): the quotes' own alias, as the passage's are for entities."""
    folded = aliases.haystack(name).strip()
    stems = {STEM.stemWord(e) for e in epithets}
    in_clause = any(STEM.stemWord(w) in stems for cl in clauses for w in cl.split())
    return in_clause and aliases.narrowing_stated(folded, stems, STEM.stemWord, quotes)
