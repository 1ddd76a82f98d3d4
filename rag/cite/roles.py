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
from rag.cite.additions import spelling_variant
from rag.cite.coref import REFERRING
from rag.cite.entities import acronym_stated, entity_stated
from rag.cite.facts import ACCORDING, STEM, Facts


def check_roles(c: Facts, q: Facts, resolved: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """The first role failure of claim facts `c` against quote facts `q`, as ("role", detail), else None.
    `resolved`: the words of claim names the quote refers to by a pronoun or description (rag.cite.coref), so
    that "the two countries have not held talks" is Russia and Ukraine not holding them."""
    for verb, subjects in c.subjects.items():
        names = {w for w in subjects if w in c.name_words} - lexicon.RANKS
        # A metonym the claim uses for an actor is that actor ("Kyiv and Moscow accused" = Ukraine and Russia).
        subjects = subjects | {m for w in subjects for m in lexicon.METONYMS.get(w, ())}
        # The actor's own words, names and nouns: a title both share is no agreement ("Prince Harry" is not
        # "Prince William", "US President Bush" not "South African President Mbeki").
        nouns = {w for w in subjects - c.name_words
                 if w in c.words and w not in lexicon.LIGHT_WORDS | lexicon.UNITS | lexicon.RANKS}
        # The sentences of the quote that have this verb (or, for a reporting verb, any reporting verb): the
        # claim's actor noun found there has another role in them; in another sentence it may be another mention.
        verbs = {verb} | (lexicon.REPORTING if verb in lexicon.REPORTING else set())
        near = {w for v in verbs for w in q.verb_sentences.get(v, ())}
        # Each quote on its own: two merged quotes must not lend one verb two different actors; but when the
        # claim's verb is only matched to the quotes' reporting verbs, one quote naming its speaker suffices.
        conflict, agreed = None, False
        for quote_subjects in q.per_quote_subjects or [{**q.inherited, **q.subjects}]:
            pooled = verb not in quote_subjects
            quoted = quote_subjects.get(verb) or (
                {s for v, ss in quote_subjects.items() if v in lexicon.REPORTING for s in ss}
                if verb in lexicon.REPORTING else set())
            if verb in lexicon.REPORTING:  # "according to Ukrainian officials, Fox News reported": both are sources
                quoted = quoted | quote_subjects.get(ACCORDING, set())
            # A rank both share is no agreement between two names ("Prince Harry" / "Prince William"); for an
            # unnamed actor it is the actor ("a senior judge is poised").
            shared = (subjects & quoted) - (lexicon.RANKS if names else set())
            agreed |= pooled and bool(shared)
            # A swap when the quote has the claim's actor (its name or its noun: "the corruption taskforce asked"
            # where the quote's taskforce is to be investigated) in another role, or gives the verb another
            # named actor ("Zelensky expressed anger" where Trump did); an unnamed actor in the quote ("the
            # envoy") is left to the entity check.
            # (a noun in lemma form anywhere in the quote, as before verify6, when the actor has no name)
            lemma_nouns = set() if names else {w for w in subjects if w in c.lemmas
                                               and w not in lexicon.LIGHT_WORDS | lexicon.UNITS}
            if names and names <= resolved and quoted <= REFERRING:
                continue  # the quote's "they" / "the two countries" acted, and stands for the claim's names
            if quoted and not shared and (names & q.words or nouns & near or lemma_nouns & q.words
                                          or (names and _other_name(quoted, subjects, q))):
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
            if not quote_anchors.get(name):
                continue
            # Each place the claim gives the name, not just one of them: "the Basque parliament ... a Basque state"
            # has the state right and the parliament wrong.
            for anchor in anchors - quote_anchors[name]:
                if anchor[1] in lexicon.SYMMETRIC and anchor[1] not in c.purposive:
                    continue
                # A nationality on the claim's noun that the claim leaves out replaced the claim's ("the Spanish
                # parliament"); other names must be the claim's own, put elsewhere.
                absent = set() if anchor[0] == "amod" else {anchor}
                holders = sorted(n for n, a in quote_anchors.items()
                                 if anchor in a and n != name and anchor not in c.anchors.get(n, absent))
                if holders:
                    return "role", f"the quote gives '{anchor[0]} {anchor[1]}' to {holders[0]}, not {name}"
    for verb, label, text in c.bindings:
        clauses = q.clauses.get(verb, [])
        if clauses and verb in _TELLING:
            # Where and when something was said belongs to the whole report: "In an interview with Time, Trump
            # said" for "he was quoted in an interview with Time saying"; "on Truth Social" for "Trump wrote on".
            clauses = clauses + [cl for v in sorted(_TELLING - {verb}) for cl in q.clauses.get(v, [])]
        if clauses and _named_by_epithet(text, c.epithets.get(text, set()), clauses, q.text):
            continue
        # With the persons of that clause's own quote: another quote's "Alexander Vinnik" is not whom this
        # quote's "swapped" was about.
        if clauses and not any(entity_stated(label, text, Facts(text=cl, persons=q.clause_persons.get(cl, q.persons)))
                               for cl in clauses):
            return "role", f"the quote does not say '{verb}' of {label} '{text}'"
    return None


_TELLING = lexicon.REPORTING | {"write", "post", "quote"}


def _other_name(quoted: set[str], subjects: set[str], q: Facts) -> bool:
    """Whether the quote's actor words hold a name that is none of the claim's actor words, nor a spelling
    variant of one ("Zelensky" / "Zelenskyy"), nor spelled out by a claim's acronym."""
    others = (quoted & q.name_words) - lexicon.RANKS - subjects
    if any(acronym_stated(s.upper(), q.text) for s in subjects):
        return False  # "the WFP estimates" for "the World Food Program estimates"
    return any(not any(spelling_variant(o, {s}) or spelling_variant(s, {o}) for s in subjects) for o in others)


def _named_by_epithet(name: str, epithets: set[str], clauses: list[str], quotes: str) -> bool:
    """Whether a clause of the verb names the claim's `name` by a noun the claim gives it ("investigate the
    taskforce" for "investigate Ceja, the taskforce ...") and a sentence of the quotes names it by both
    ("The corruption taskforce, codenamed Ceja"): the quotes' own alias, as the passage's are for entities."""
    folded = aliases.haystack(name).strip()
    stems = {STEM.stemWord(e) for e in epithets}
    in_clause = any(STEM.stemWord(w) in stems for cl in clauses for w in cl.split())
    return in_clause and aliases.narrowing_stated(folded, stems, STEM.stemWord, quotes)
