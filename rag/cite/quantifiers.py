"""The quantifier check: a claim may not say more of a set, or more often, than its quote.

- "all / every / always / none / only" in the claim must be in the quote (`lexicon.UNIVERSALS`);
- a quantifier of the claim ("most", "the majority of", "many", "usually": rag.cite.scales) needs one at least
  as strong in the quote: "some women" / "a fifth of" / "many MEPs" do not state "most women" / "most of" /
  "the majority of MEPs"; a weaker claim passes ("most" -> "some");
- a superlative the quote bounds ("one of the most", "among the most devastating") stays bounded.
"""

from __future__ import annotations

import re

from rag.cite import lexicon
from rag.cite.facts import Facts, facts_of

_MAJORITY = 3  # strength of "most" (rag.cite.scales.STRENGTH)
_MANY = 2


_RATE = re.compile(rf"\b(?:every|each) ({lexicon.RATE_UNITS})\b", re.IGNORECASE)


def _rate_stated(word: str, claim: str, quote: str) -> bool:
    """Whether the claim's "every" / "each" only says a rate ("dying every week") the quote says as "a week" or
    "per week": then it quantifies nothing."""
    units = [m[1].lower() for m in _RATE.finditer(claim) if m[0].lower().startswith(word)]
    return bool(units) and all(re.search(rf"\b(?:a|an|per) {u}\b", quote, re.IGNORECASE) for u in units)


def _sentences(q: Facts) -> list[str]:
    """The quote's sentences as lower-cased words and their lemmas (a merged quote's parts are sentences too)."""
    parts = re.split(r"(?<=[.!?”\"])\s+", q.text)
    return [" ".join(re.findall(r"[\w'-]+", p.lower())) + " " + " ".join(sorted(facts_of(p).lemmas)) for p in parts]


def check_quantifiers(c: Facts, q: Facts) -> tuple[str, str] | None:
    """The first quantifier failure of claim facts `c` against quote facts `q`, else None."""
    claim = c.text
    for word in lexicon.UNIVERSALS:
        if word in c.words and word not in q.words and not _rate_stated(word, c.text, q.text):
            return "quantifiers", f"'{word}' is not in the quote"
    for word, nouns in c.universal_of.items():
        # The quote's "all" must be in a sentence about the same thing: "Russia rejects all of this" in one
        # merged quote does not state "all of Russia's strikes" of another that says "at least one of".
        if word in q.words and not any(word in s.split() and nouns & set(s.split()) for s in _sentences(q)):
            return "quantifiers", f"'{word}' is said of another thing in the quote"
    # "Security experts say" for "one security expert says": one source made many.
    if (single := sorted((c.plurals & q.singled) - q.plurals)):
        return "quantifiers", f"the quote has one '{single[0]}', the claim several"
    quoted = _quote_strength(q)
    for word, rank in sorted(c.quants.items()):
        if word not in q.quants and rank > quoted:
            return "quantifiers", f"'{word}' says more than the quote"
    for word, bounded in sorted(c.sups.items()):
        if not bounded and q.sups.get(word):
            return "quantifiers", f"the quote's '{word}' is one of several, the claim's is the one"
    if _one_of_the(q.text) and not _one_of_the(claim) and re.search(r"\b(most|best|largest|biggest|\w+est)\b",
                                                                     claim.lower()):
        return "quantifiers", "'one of the ...' became a superlative"
    return None


def _quote_strength(q: Facts) -> int:
    """The strongest quantity the quote states: its quantifiers, a universal (4), a share over half ("60 per
    cent": as "most"), or a count of ten or more (as "many": "150 members" are many)."""
    rank = max(q.quants.values(), default=0)
    if any(w in q.words for w in ("all", "every", "each", "always", "entire", "whole")):
        rank = 4
    for number, unit in q.quantities:
        value = _value(number)
        if unit == "percent" and value > 50:
            rank = max(rank, _MAJORITY)
        elif unit != "percent" and value >= 10 and not 1900 <= value <= 2100:  # a year counts nothing
            rank = max(rank, _MANY)
    return rank


def _value(number: str) -> float:
    try:
        return float(number)
    except ValueError:
        return 0.0


def _one_of_the(text: str) -> bool:
    return bool(re.search(r"\b(one|some|among) of the\b|\ba number of\b", text.lower()))
