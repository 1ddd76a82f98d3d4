"""Find and strip citation markers in model output, and split answers into sentences.

Understands what models actually write: [1], [1, 2], [1-3], [1][2], 【1】, 【1†source】, (Source 2),
"According to Source 2, ...", "Passage 3 says that ...", "... as reported in Source 1", and a [1 never closed.
"""

from __future__ import annotations

import re

from rag.text import split_sentences, squash_spaces

_BRACKET = re.compile(
    r"\s*[\[【]\s*((?:(?:source|passage)\s*)?\d+(?:\s*(?:,|-|–|and)\s*(?:(?:source|passage)\s*)?\d+)*)"
    r"(?:†[^\]】]*)?\s*[\]】]",  # 【1†source】 is how some OpenAI tools cite
    re.IGNORECASE,
)
# An opened marker the model never closed ("[1 [1]", "... hours [2"): the numbers it meant, and no text of the claim.
_UNCLOSED = re.compile(r"\s*[\[【]\s*(\d+(?:\s*,\s*\d+)*)\s*(?=$|[\s\[【.,;:!?])(?![^\[【\]】]*[\]】])")
_NUMS = r"(\d+(?:\s*(?:,|and|&)\s*\d+)*)"
_REF = rf"(?:the\s+)?(?:sources?|passages?)\s*{_NUMS}\b"
_VERB = r"(?:says|said|states|stated|reports|reported|notes|noted|mentions|mentioned|indicates|explains|shows|confirms)"
# Models also cite in words ("According to Source 2, ...", "Passage 3 says that ..."); each pattern takes the
# whole phrase so the sentence still reads well without it. Order matters: longest phrasings first.
_PROSE = [re.compile(p, re.IGNORECASE) for p in (
    rf"\s*\(\s*(?:see\s+|cf\.?\s+)?{_REF}\s*\)",                                   # "(Source 2)", "(see passage 1)"
    rf"^\s*(?:according to|as (?:stated|reported|noted|mentioned|described) in|per|in|from)\s+{_REF}\s*,?\s*",
    rf"^\s*{_REF}\s+{_VERB}(?:\s+that)?\s*,?\s*",                                     # "Source 2 says that ..."
    rf",?\s*(?:as\s+)?(?:according to|(?:stated|reported|noted|mentioned|described)\s+in|per)\s+{_REF}",
    rf"\s+(?:in|from)\s+{_REF}(?=\s*[.!?]*\s*$)",                                        # "... in Source 2."
    rf"\b{_REF}\s*,?\s*",                                                                 # anything left
)]


def _expand(group: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*(?:,|and|&)\s*", re.sub(r"(?i)(?:source|passage)\s*", "", group)):
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

    text = _UNCLOSED.sub(take, _BRACKET.sub(take, sentence))
    for pattern in _PROSE:
        text = pattern.sub(take, text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    text = squash_spaces(text)
    if text:
        text = text[0].upper() + text[1:]
    seen: list[int] = []
    for n in numbers:
        if n not in seen:
            seen.append(n)
    return text, seen


# Title abbreviations that stand before a name ("Staff-Insp.", "Det. Sgt.", "Gen."): never a sentence end.
_TITLE_END = re.compile(r"(?:^|[\s-])(?:Insp|Supt|Sgt|Det|Const|Gen|Lt|Col|Capt|Cmdr|Maj|Adm|Brig|Cpl|Sen|Rep|Gov|"
                        r"Prof|Rev|Dr|Mr|Mrs|Ms|Hon)\.$")


def split_answer_sentences(text: str) -> list[str]:
    """Split an answer into sentences, keeping each sentence's trailing markers with it."""
    # Move markers that follow the full stop ("... Friday. [1]", "... 'Vladimir, STOP!' [1]") before the split
    # point; a quotation may close with a plain single quote too.
    text = re.sub(r"([.!?][\"'”’)]*)((?:\s*[\[【][^\]】]{1,40}[\]】])+)", r"\2\1", text)
    parts: list[str] = []
    for block in re.split(r"\n\s*\n|\n(?=\s*[-*•]\s)", text):
        block = re.sub(r"^\s*[-*•]\s+", "", block.strip())
        if block:
            parts.extend(s.text.strip() for s in split_sentences(block) if s.text.strip())
    # A title the splitter took for a sentence end ("Staff-Insp. Gary Ellis said ..."): a piece of one or two
    # words ending in an abbreviation, or any piece ending in a title's abbreviation before a name ("Reading
    # from a report, Staff-Insp. Gary Ellis said ..."), without a marker, belongs to the sentence it opens.
    joined: list[str] = []
    for part in parts:
        if joined and (re.fullmatch(r"(?:\S+\s)?[A-Z][\w-]{0,12}\.", joined[-1])
                       or (_TITLE_END.search(joined[-1]) and part[:1].isupper())):
            joined[-1] = f"{joined[-1]} {part}"
        else:
            joined.append(part)
    return joined
