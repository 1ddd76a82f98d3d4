"""Which quote word each claim word stands for: the same lemma, the same stem, a listed synonym
(`lexicon.SYNONYMS`) or a WordNet synonym or hypernym (rag.cite.thesaurus). The polarity and modality checks
ask here, so that a negation or hedge on a quote word carries over to the claim's rewording of it ("expected
to announce" -> "declared": the declaring is as hedged as the announcing was). Decides nothing itself.
"""

from __future__ import annotations

from rag.cite import lexicon, thesaurus
from rag.cite.facts import STEM, Facts


def counterparts(c: Facts, q: Facts, own_word_first: bool = False) -> dict[str, set[str]]:
    """Claim content lemma -> the quote lemmas it stands for (itself when the quote uses it; with
    `own_word_first`, only itself then)."""
    quote_words = {lem for lem, _, _ in q.content} | {text.lower() for _, _, text in q.content}
    out: dict[str, set[str]] = {}
    for lem, pos, _ in c.content:
        found = {lem} & q.lemmas
        if found and own_word_first:
            # For negation, the quote's own word is the one the claim uses: a synonym elsewhere in the quote is
            # another thing ("no exact figures for the number": the number is not negated because the figures
            # are). Not for hedges: a hedged synonym still hedges the claim's word (measured: two modality false
            # accepts when applied there).
            out.setdefault(lem, set()).update(found)
            continue
        stem = STEM.stemWord(lem)
        for qlem in quote_words:
            if qlem == lem:
                continue
            if STEM.stemWord(qlem) == stem or qlem in lexicon.synonyms(lem) \
                    or thesaurus.stated_by_synonym(lem, pos, {qlem}):
                found.add(qlem)
        out.setdefault(lem, set()).update(found)
    return out


def standing_for(c: Facts, q: Facts) -> dict[str, set[str]]:
    """Quote lemma -> the claim lemmas that stand for it (the inverse of `counterparts`)."""
    out: dict[str, set[str]] = {}
    for lem, quoted in counterparts(c, q).items():
        for qlem in quoted:
            out.setdefault(qlem, set()).add(lem)
    return out
