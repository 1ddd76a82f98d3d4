"""How well a quote supports a claim: content-word coverage (stemmed, stop-worded, rarer words weigh
more), numbers that must match, and optionally embedding similarity. Used to pick quotes and to
reject citations that do not back their sentence.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from rag.ingest.chunker import PARAGRAPH_SEPARATOR
from rag.models import Passage, Sentence

_STEM = Stemmer.Stemmer("english")
_STOP = set(STOPWORDS_EN) | {
    "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "did", "does", "do", "said",
    "say", "says", "according", "article", "articles", "also", "would", "could", "much", "many",
}
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
                 "eight": "8", "nine": "9", "ten": "10", "twelve": "12", "fifty": "50", "hundred": "100"}
# Snowball stems regular forms only; news prose leans on these irregular past tenses.
_IRREGULAR = dict(
    pair.split(":")
    for pair in (
        "met:meet said:say held:hold took:take left:leave told:tell went:go made:make gave:give "
        "came:come began:begin won:win lost:lose paid:pay sent:send spoke:speak wrote:write "
        "thought:think brought:bring bought:buy fought:fight sought:seek struck:strike fell:fall "
        "rose:rise ran:run led:lead sat:sit saw:see knew:know found:find kept:keep felt:feel heard:hear "
        "stood:stand became:become chose:choose drew:draw flew:fly grew:grow meant:mean sold:sell "
        "spent:spend threw:throw wore:wear built:build dealt:deal forgot:forget got:get hung:hang "
        "laid:lay lent:lend shook:shake shot:shoot slid:slide spun:spin stuck:stick swept:sweep "
        "taught:teach tore:tear woke:wake withdrew:withdraw undertook:undertake"
    ).split()
)
# Casualty reports say the same thing many ways; count them as one word.
_SYNONYMS = {"dead": "die", "death": "die", "deaths": "die", "killed": "die", "kill": "die", "killing": "die",
             "swapped": "exchange", "swap": "exchange", "traded": "exchange"}
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’.-]*[A-Za-z]|[A-Za-z]|\d[\d,.]*\d|\d")

Embed = Callable[[list[str]], np.ndarray]


@lru_cache(maxsize=4096)
def content_terms(text: str) -> tuple[str, ...]:
    """Stemmed content words of `text`, numbers normalised ("5,000" -> "5000", "four" -> "4")."""
    out: list[str] = []
    for tok in _TOKEN.findall(text):
        low = tok.lower().replace("’", "'").strip(".'-")
        if low.endswith("'s"):
            low = low[:-2]
        if not low or low in _STOP:
            continue
        if low[0].isdigit():
            out.append(low.replace(",", "").rstrip("."))
        elif low in _NUMBER_WORDS:
            out.append(_NUMBER_WORDS[low])
        else:
            low = low.replace(".", "")
            low = _SYNONYMS.get(low, low)
            out.append(_STEM.stemWord(_IRREGULAR.get(low, low)))
    return tuple(out)


def numbers_in(text: str) -> set[str]:
    """Numbers mentioned in `text`, normalised."""
    return {t for t in content_terms(text) if t[0].isdigit()}


def coverage(claim: str, quote: str, idf: dict[str, float] | None = None) -> float:
    """Share of the claim's content words (weighted by idf) that the quote contains; 0 on a number clash."""
    claim_terms = set(content_terms(claim))
    if not claim_terms:
        return 0.0
    quote_terms = set(content_terms(quote))
    missing_numbers = {t for t in claim_terms if t[0].isdigit()} - quote_terms
    if missing_numbers:
        return 0.0
    weight = (lambda t: idf.get(t, 1.0)) if idf else (lambda t: 1.0)
    total = sum(weight(t) for t in claim_terms)
    return sum(weight(t) for t in claim_terms if t in quote_terms) / total


def idf_weights(texts: Sequence[str]) -> dict[str, float]:
    """Inverse document frequency of content words over `texts` (smoothed, always > 0)."""
    df: dict[str, int] = {}
    for text in texts:
        for term in set(content_terms(text)):
            df[term] = df.get(term, 0) + 1
    n = max(len(texts), 1)
    return {t: math.log(1 + n / c) for t, c in df.items()}


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
