"""The quantifier check: "all / every / always / none / only" in the claim must be in the quote, and "one of
the most" (or "some of", "a number of") must not become a superlative."""

from __future__ import annotations

import re

from rag.cite import lexicon
from rag.cite.facts import Facts


def check_quantifiers(c: Facts, q: Facts) -> tuple[str, str] | None:
    """The first quantifier failure of claim facts `c` against quote facts `q`, else None."""
    claim = c.text
    for word in lexicon.UNIVERSALS:
        if word in c.words and word not in q.words:
            return "quantifiers", f"'{word}' is not in the quote"
    if _one_of_the(q.text) and not _one_of_the(claim) and re.search(r"\b(most|best|largest|biggest|\w+est)\b",
                                                                     claim.lower()):
        return "quantifiers", "'one of the ...' became a superlative"
    return None


def _one_of_the(text: str) -> bool:
    return bool(re.search(r"\b(one|some|among) of the\b|\ba number of\b", text.lower()))
