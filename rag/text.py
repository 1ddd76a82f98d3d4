"""Text helpers every stage shares, one implementation each: sentence splitting with exact offsets,
whitespace and typography normalisation, copy-spotting keys, and content terms for lexical scoring.

Ingest, retrieve, generate and cite all import from here, so "the same sentence" or "the same word"
means the same thing everywhere. Does not embed, parse or store anything.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from rag.models import Sentence

PARAGRAPH_SEPARATOR = "\n\n"

# Curly quotes and dashes as the plain characters people type.
_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-"})


@lru_cache(maxsize=1)
def _punkt():
    from llama_index.core.utils import globals_helper
    from nltk.tokenize import PunktTokenizer

    # llama-index ships nltk's punkt_tab data; this puts it on nltk's path (no download). Its own
    # tokenizer is untrained (splits "U.S. to"), so load the trained English parameters.
    globals_helper.wait_for_nltk_check()
    return PunktTokenizer("english")


def split_sentences(text: str, offset: int = 0) -> list[Sentence]:
    """Sentences of one paragraph with offsets shifted by `offset` (the paragraph's start in the file)."""
    return [Sentence(offset + s, offset + e, text[s:e]) for s, e in _punkt().span_tokenize(text)]


def squash_spaces(text: str) -> str:
    """Runs of whitespace as one space, trimmed."""
    return " ".join(text.split())


def fold(text: str) -> str:
    """Lower-cased, whitespace squashed, curly quotes and dashes made plain: for matching, never display."""
    return squash_spaces(text.translate(_TYPOGRAPHY)).lower()


def sentence_key(text: str) -> str:
    """Case-, punctuation- and whitespace-insensitive form of a sentence, to spot copies."""
    return " ".join(re.findall(r"\w+", text.lower()))


def safe_url(url: str | None) -> str:
    """`url` without user:password, query or fragment (they may carry credentials)."""
    if not url:
        return ""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


# -- content terms: the lexical view of a text used to score support and coverage ------------------

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
