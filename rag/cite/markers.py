"""Find and strip citation markers in model output, and split answers into sentences.

Understands what models actually write: [1], [1, 2], [1-3], [1][2], 【1】, (Source 2), "Source 2".
"""

from __future__ import annotations

import re

from rag.ingest.chunker import split_sentences

_BRACKET = re.compile(r"\s*[\[【]\s*((?:source\s*)?\d+(?:\s*(?:,|-|–|and)\s*(?:source\s*)?\d+)*)\s*[\]】]",
                      re.IGNORECASE)
_PAREN_SOURCE = re.compile(r"\s*\(\s*sources?\s*(\d+(?:\s*(?:,|and)\s*\d+)*)\s*\)", re.IGNORECASE)
_PROSE_SOURCE = re.compile(r"\b(?:according to |as (?:stated|reported) in )?(?:source|passage)\s+(\d+)\b,?\s*",
                           re.IGNORECASE)


def _expand(group: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*(?:,|and)\s*", re.sub(r"(?i)source\s*", "", group)):
        if not part:
            continue
        range_match = re.fullmatch(r"(\d+)\s*[-–]\s*(\d+)", part)
        if range_match:
            lo, hi = int(range_match.group(1)), int(range_match.group(2))
            numbers.extend(range(lo, hi + 1) if 0 < hi - lo < 20 else [lo, hi])
        elif part.strip().isdigit():
            numbers.append(int(part))
    return numbers


def extract_markers(sentence: str) -> tuple[str, list[int]]:
    """The sentence with every citation marker removed, and the numbers it cited, in order."""
    numbers: list[int] = []

    def take(match: re.Match[str]) -> str:
        numbers.extend(_expand(match.group(1)))
        return ""

    text = _BRACKET.sub(take, sentence)
    text = _PAREN_SOURCE.sub(take, text)
    text = _PROSE_SOURCE.sub(take, text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    text = re.sub(r"\s{2,}", " ", text).strip()
    if text:
        text = text[0].upper() + text[1:]
    seen: list[int] = []
    for n in numbers:
        if n not in seen:
            seen.append(n)
    return text, seen


def split_answer_sentences(text: str) -> list[str]:
    """Split an answer into sentences, keeping each sentence's trailing markers with it."""
    # Move markers that follow the full stop ("... Friday. [1]") before the split point.
    text = re.sub(r"([.!?][\"”’)]*)((?:\s*[\[【][^\]】]{1,40}[\]】])+)", r"\2\1", text)
    parts: list[str] = []
    for block in re.split(r"\n\s*\n|\n(?=\s*[-*•]\s)", text):
        block = re.sub(r"^\s*[-*•]\s+", "", block.strip())
        if block:
            parts.extend(s.text.strip() for s in split_sentences(block) if s.text.strip())
    return parts
