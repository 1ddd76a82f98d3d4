"""Quantity and degree read from a spaCy parse, for the quantifier check (rag.cite.quantifiers).

- `quantities`: the quantifying words of a text with their strength on one scale ("some" < "many" < "most" <
  "all"; "sometimes" < "often" < "usually" < "always"), only where the parse uses them as quantifiers: "most
  women" and "most of its territory" count, the superlative "the most devastating" does not, nor "as many as
  5 million" (a number's bound, checked as a number);
- `superlatives`: the superlative adjectives of a text, each marked bounded when it sits inside "one of",
  "some of" or "among" ("among the most devastating": one of several, not the most).

Does not compare the two texts (rag.cite.quantifiers does) nor read numbers as shares (rag.cite.numbers).
"""

from __future__ import annotations

# Strength on the scale of how much of a set (or how often) a claim speaks of. A claim may weaken its quote
# ("most" -> "some") but not strengthen it ("some" / "many" / "a fifth" -> "most"). Rank 4, the universals, is
# the older check's (lexicon.UNIVERSALS: the word itself must be in the quote).
STRENGTH = {
    "some": 1, "several": 1, "few": 1, "certain": 1, "sometimes": 1, "occasionally": 1,
    "many": 2, "numerous": 2, "often": 2, "frequently": 2, "much": 2, "scores": 2, "dozens": 2, "hundreds": 2,
    "thousands": 2, "lots": 2, "regularly": 2,
    "most": 3, "majority": 3, "mostly": 3, "largely": 3, "mainly": 3, "predominantly": 3, "usually": 3,
    "generally": 3, "typically": 3, "bulk": 3,
}
# Words that bound a superlative to a group ("one of the most", "among the biggest").
_BOUNDING_HEADS = frozenset({"one", "some", "several", "many", "few", "two", "three", "four", "five", "any"})


def quantities(doc) -> dict[str, int]:
    """Quantifying word (lower case) -> its strength (`STRENGTH`), for the words used as quantifiers."""
    out: dict[str, int] = {}
    for tok in doc:
        low = tok.lower_
        if low not in STRENGTH:
            continue
        if low in ("most", "much") and tok.dep_ == "advmod" and tok.head.pos_ in ("ADJ", "ADV"):
            continue  # degree: "the most devastating", "much larger"
        if _number_bound(tok):
            continue  # "as many as 5 million": the number is the claim, and the numbers check compares it
        if low == "majority" and not any(c.lower_ == "of" for c in tok.children):
            continue  # "won a majority" (a vote), not "the majority of MEPs"
        out[low] = max(out.get(low, 0), STRENGTH[low])
    return out


def _number_bound(tok) -> bool:
    """ "as many as 5 million", "as much as 40 percent": an upper bound on a number, not a share."""
    i = tok.i
    doc = tok.doc
    before = doc[i - 1].lower_ if i > 0 else ""
    after = doc[i + 1].lower_ if i + 1 < len(doc) else ""
    return before == "as" and after == "as"


def superlatives(doc) -> dict[str, bool]:
    """Superlative adjective or adverb (lemma, lower case) -> whether "one of" / "among" bounds it."""
    out: dict[str, bool] = {}
    for tok in doc:
        if tok.tag_ in ("JJS", "RBS") and tok.lower_ in ("most", "least"):
            if tok.dep_ != "advmod" or tok.head.pos_ not in ("ADJ", "ADV"):
                continue  # "most women": a quantity, not a degree
            word = tok.head  # "the most prominent": the degree is of "prominent"
        elif tok.tag_ in ("JJS", "RBS"):
            word = tok
        else:
            continue
        lemma = word.lower_
        out[lemma] = out.get(lemma, False) or _bounded(word)
    return out


def _bounded(word) -> bool:
    """Whether a superlative stands inside "among ..." or "<one / some / a number> of ..." (its ancestors)."""
    for anc in [word, *list(word.ancestors)[:4]]:
        if anc.lower_ == "among" and anc.dep_ == "prep":
            return True
        if anc.lower_ == "of" and anc.dep_ == "prep" and (anc.head.lower_ in _BOUNDING_HEADS or anc.head.like_num
                                                           or anc.head.lower_ == "number"):
            return True  # "One of Ukraine's most prominent politicians": "of" hangs on "One"
    return False
