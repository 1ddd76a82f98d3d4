"""The polarity check: a word the claim keeps positive is not negated in the quote, and the reverse (when
the quote negates nothing: negation moves between words in paraphrase); a negative claim needs a negative
quote; no claim word is the listed antonym (`lexicon.ANTONYMS`) or a WordNet antonym (rag.cite.thesaurus) of a
quote word the claim does not use. A claim word stands for the quote word it rewords (rag.cite.counterparts)."""

from __future__ import annotations

from rag.cite import lexicon, thesaurus
from rag.cite.counterparts import counterparts
from rag.cite.facts import Facts, word_stated


def check_polarity(c: Facts, q: Facts) -> tuple[str, str] | None:
    """The first polarity failure of claim facts `c` against quote facts `q`, as ("polarity", detail)."""
    # A claim word stands for the quote word it rewords too ("did not accept" -> "rejected" is the antonym
    # rule's; "would never acknowledge" -> "recognized" is this one's).
    stands = counterparts(c, q, own_word_first=True)
    for lem, _pos, text in c.content:
        if stands.get(lem, {lem}) & q.negated and lem not in c.negated:
            return "polarity", f"the quote negates '{text}'"
        # The claim negating a word the quote asserts counts only when the quote negates nothing: negation
        # moves between words in paraphrase ("if no ceasefire is reached" = "if it does not agree to one").
        # "unless" negates a condition without a negation cue ("without a response" = "unless there is a response").
        # Merged quotes: each quote that has the word must have moved the negation ("some progress has been
        # made" and another quote's "has yet to be reached" or "fail to make progress" do not state "no
        # progress had been made").
        near = [neg for lemmas, neg in q.per_quote_negated if lem in lemmas] or [q.negated]
        if lem in c.negated and lem in q.lemmas and not all(near) and "unless" not in q.words \
                and (lem not in q.negated or len(near) > 1):
            return "polarity", f"the claim negates '{text}', the quote does not"
    for lem in sorted(c.light_heads & q.negated - c.negated):  # "Iraq has weapons" for "cannot say that ... has"
        return "polarity", f"the quote negates '{lem}'"
    if c.negated - q.negated and any(w in c.words for w in lexicon.NEGATIONS) \
            and not any(w in q.words for w in lexicon.NEGATIONS | lexicon.NEGATIVE_WORDS):
        return "polarity", "the claim is negative, the quote is not"
    # The listed antonyms, and WordNet's in the word's common senses ("rise" / "fall", "win" / "lose").
    pos_of = {lem: pos for lem, pos, _ in c.content}
    for lem in sorted(c.lemmas):
        opposites = lexicon.ANTONYMS.get(lem, set()) | thesaurus.antonyms(lem, pos_of.get(lem, ""))
        for opposite in sorted(opposites):
            if opposite in q.lemmas and not word_stated(lem, lem, q):
                return "polarity", f"the claim says '{lem}', the quote '{opposite}'"
    return None
