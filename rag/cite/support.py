"""How well a quote matches a claim: content-word coverage (`rag.text.coverage`: stemmed, stop-worded,
rarer words weigh more, numbers must match), optionally lifted by embedding similarity. Used to rank the
quotes worth checking; whether a quote states the claim is decided by rag.cite.checks.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from rag.models import Embed, Passage, Sentence
from rag.text import PARAGRAPH_SEPARATOR, content_terms, coverage


@dataclass(frozen=True)
class QuoteCandidate:
    """A contiguous span of one passage (one sentence or two adjacent ones) that may be quoted."""

    passage: Passage
    sentence: Sentence


def quote_candidates(passage: Passage) -> list[QuoteCandidate]:
    """Single sentences of the passage, plus adjacent pairs that are contiguous in the file."""
    sents = passage.sentences
    out = [QuoteCandidate(passage, s) for s in sents]
    for a, b in itertools.pairwise(sents):
        gap = _gap_text(passage.text, a, b)
        # Only within one paragraph: there the passage text is the original text, gap characters included.
        if gap is not None and len(gap) == b.start - a.end <= 2 and PARAGRAPH_SEPARATOR not in gap:
            out.append(QuoteCandidate(passage, Sentence(a.start, b.end, a.text + gap + b.text)))
    return out


def _gap_text(text: str, a: Sentence, b: Sentence) -> str | None:
    """The characters between sentences `a` and `b` as they appear in `text`, or None if not found."""
    i = text.find(a.text)
    if i < 0:
        return None
    j = text.find(b.text, i + len(a.text))
    return text[i + len(a.text): j] if j >= 0 else None


def partial_coverage(claim: str, quote: str, idf: dict[str, float] | None = None) -> float:
    """Like `rag.text.coverage`, but a number the quote lacks only counts as missing: the quote may state
    one part of a fact merged from several."""
    claim_terms = set(content_terms(claim))
    if not claim_terms:
        return 0.0
    quote_terms = set(content_terms(quote))
    weight = (lambda t: idf.get(t, 1.0)) if idf else (lambda t: 1.0)
    return sum(weight(t) for t in claim_terms & quote_terms) / sum(weight(t) for t in claim_terms)


def ranked_quotes(claim: str, passage: Passage, idf: dict[str, float] | None = None,
                  claim_vec: np.ndarray | None = None, embed: Embed | None = None,
                  partial: bool = False) -> list[tuple[float, Sentence]]:
    """Every quotable span of `passage` (and its collapsed copies from the same source) with its score,
    best first; spans sharing no content word with the claim are left out. `partial`: rank the spans as
    parts of a merged fact (`partial_coverage`)."""
    candidates = quote_candidates(passage) + [
        QuoteCandidate(copy, s) for copy in passage.copies for s in copy.sentences
    ]
    candidates = [c for c in candidates if c.passage.source == passage.source]
    if not candidates:
        return []
    cover = partial_coverage if partial else coverage
    lex = np.array([cover(claim, c.sentence.text, idf) for c in candidates])
    score = lex
    if embed is not None and claim_vec is not None:
        vecs = embed([c.sentence.text for c in candidates])
        score = np.where(lex > 0, 0.6 * lex + 0.4 * np.clip(vecs @ claim_vec, 0, 1), 0.0)
    order = np.argsort(-score, kind="stable")
    return [(float(score[i]), candidates[i].sentence) for i in order if score[i] > 0]


def best_support(claim: str, passage: Passage, idf: dict[str, float] | None = None,
                 claim_vec: np.ndarray | None = None, embed: Embed | None = None) -> tuple[float, Sentence | None]:
    """The best-supporting quote for `claim` in `passage` and its score in [0, 1].

    Lexical coverage is primary; embedding similarity (when given) lifts paraphrases. A pair of
    sentences must beat the best single sentence clearly to be preferred (short quotes read better).
    """
    candidates = quote_candidates(passage) + [
        QuoteCandidate(copy, s) for copy in passage.copies for s in copy.sentences
    ]
    candidates = [c for c in candidates if c.passage.source == passage.source]
    if not candidates:
        return 0.0, None
    lex = np.array([coverage(claim, c.sentence.text, idf) for c in candidates])
    score = lex
    if embed is not None and claim_vec is not None:
        vecs = embed([c.sentence.text for c in candidates])
        cos = vecs @ claim_vec
        score = np.where(lex > 0, 0.6 * lex + 0.4 * np.clip(cos, 0, 1), 0.0)
    pair_penalty = np.array([0.05 if c.sentence not in c.passage.sentences else 0.0 for c in candidates])
    best = int(np.argmax(score - pair_penalty))
    return float(score[best]), candidates[best].sentence
