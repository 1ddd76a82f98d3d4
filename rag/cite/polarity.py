"""The polarity check: a word the claim keeps positive is not negated in the quote, and the reverse (when
the quote negates nothing: negation moves between words in paraphrase); a negative claim needs a negative
quote; no claim word is the listed antonym (`lexicon.ANTONYMS`) of a quote word the claim does not use."""

from __future__ import annotations

from rag.cite import lexicon
from rag.cite.facts import Facts, word_stated


def check_polarity(c: Facts, q: Facts) -> tuple[str, str] | None:
    """The first polarity failure of claim facts `c` against quote facts `q`, as ("polarity", detail)."""
    for lem, _pos, text in c.content:
        if lem in q.negated and lem not in c.negated and lem in c.lemmas:
            return "polarity", f"the quote negates '{text}'"
        # The claim negating a word the quote asserts counts only when the quote negates nothing: negation
        # moves between words in paraphrase ("if no ceasefire is reached" = "if it does not agree to one").
        # "unless" negates a condition without a negation cue ("without a response" = "unless there is a response").
        if lem in c.negated and lem not in q.negated and lem in q.lemmas and not q.negated and "unless" not in q.words:
            return "polarity", f"the claim negates '{text}', the quote does not"
    for lem in sorted(c.light_heads & q.negated - c.negated):  # "Iraq has weapons" for "cannot say that ... has"
        return "polarity", f"the quote negates '{lem}'"
    if c.negated - q.negated and any(w in c.words for w in lexicon.NEGATIONS) \
            and not any(w in q.words for w in lexicon.NEGATIONS | lexicon.NEGATIVE_WORDS):
        return "polarity", "the claim is negative, the quote is not"
    for lem in c.lemmas:
        for opposite in lexicon.ANTONYMS.get(lem, ()):
            if opposite in q.lemmas and not word_stated(lem, lem, q):
                return "polarity", f"the claim says '{lem}', the quote '{opposite}'"
    return None
