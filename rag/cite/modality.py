"""The modality check: a hedge in the quote ("could", "may", "expected", "if", "depends", ...) on a word the
claim uses, or rewords (rag.cite.counterparts), is kept in the claim: some hedge on that word other than a
lone reported "would", or the quote's own hedge word anywhere in it."""

from __future__ import annotations

from rag.cite.counterparts import standing_for
from rag.cite.facts import Facts


def check_modality(c: Facts, q: Facts) -> tuple[str, str] | None:
    """("modality", detail) when the quote hedges a claim word the claim states as certain, else None."""
    # Per word: a hedge elsewhere in the claim ("would start") does not excuse "could reach" -> "reached".
    # The claim keeping the quote's own hedge word ("plans to cut", "is poised to") keeps the hedge, whatever
    # word the parser hangs it on.
    # Names are not hedged ("could put Moscow at odds"): predicates are.
    names = {lem for lem, pos, _ in c.content if pos == "PROPN"}
    # A hedged quote word the claim rewords ("expected to announce" -> "declared") is as hedged as the word:
    # each hedged quote word with the claim words standing for it (itself, a synonym, a stem).
    stand = standing_for(c, q)
    for lem in q.hedged & c.lemmas:
        stand.setdefault(lem, set()).add(lem)
    hedged = {lem for lem in q.hedged - names if stand.get(lem) and not _keeps_hedge(lem, c, q, stand[lem])}
    # A claim word under a hedge of its own keeps the quote's hedge, but not under a lone "would": in reported
    # speech "would" is the past of "will" ("Peskov announced that a meeting would be arranged" for "asked
    # whether a meeting could be arranged, Peskov said: 'Let's see'" states as certain what was a question).
    # The quote's own "would" kept by the claim passed above.
    hedged = {lem for lem in hedged
              if not any(w in c.hedged and c.hedge_of.get(w, set()) - {"would"} for w in stand[lem])}
    # "be" / "have" as auxiliaries ("forests were lost") assert nothing of their own; heading a clause they do.
    hedged = {lem for lem in hedged if lem not in ("be", "have") or lem in c.light_heads}
    hedged -= c.hedges  # a hedge word the claim keeps ("is poised to") is not stated as certain
    # Reported speech shifts "will" back to "would" ("declared that Ukraine would never recognize"): a claim
    # saying "will" keeps the quote's only hedge, when that hedge is this "would".
    if "will" in c.words:
        hedged = {lem for lem in hedged if q.hedge_of.get(lem, set()) != {"would"}}
    # A negated "would" ("would never recognize", "would not attend") states a refusal, not a possibility: a
    # claim that negates the word too ("her refusal to recognize", "did not attend") keeps what it says.
    hedged = {lem for lem in hedged
              if not (q.hedge_of.get(lem, set()) == {"would"} and lem in q.negated and lem in c.negated)}
    if hedged:
        return "modality", f"the quote hedges '{sorted(hedged)[0]}', the claim states it as certain"
    return None


def _keeps_hedge(lem: str, c: Facts, q: Facts, standing: set[str]) -> bool:
    """Whether the claim keeps one of the quote's hedge words on `lem`: on a claim word standing for it, or on a
    word the quote does not hedge (the parser hangs "is poised to" anywhere). A hedge the claim puts on another
    hedged word keeps that word's hedge only ("would reach ..., adding that both could then start" for "could
    reach ... could start": the reaching is stated as certain)."""
    for hedge in q.hedge_of.get(lem, set()) & c.hedges:
        on = {w for w, hedges in c.hedge_of.items() if hedge in hedges}
        if on & standing or not (on & q.hedged) - standing:
            return True
    return False
