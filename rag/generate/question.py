"""What a question asks for, read from its wording (the rules reader's view; its parts come from
rag.generate.asking.split_compound): the kind of answer expected (an age, a number, a duration, a date, a
person, a place) and the attribute it asks about.
The offline answerer uses this to pick sentences and to abstain; no parser library ships the
question-type rules it needs and a dependency-parsing model would have to be downloaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from rag.generate.asking import GENERIC_COUNTS, main_question
from rag.text import content_terms

_NUMBER_WORDS = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|"
                 r"thousands?|millions?|billions?|first|second|third|fourth|fifth|once|twice")


@dataclass(frozen=True)
class AnswerType:
    """The shape of an answer. `pattern` finds it in a sentence; None when the parse does (a place, a date, a
    qualified noun: rag.generate.features.located_spans). With `mode` "require" only sentences holding one may
    answer, with "prefer" they answer when one is good enough (else any sentence may).
    `needs_subject`: the sentence must also name the question's subject ("How old is X?")."""

    name: str
    pattern: re.Pattern[str] | None
    mode: Literal["require", "prefer"]
    needs_subject: bool = False


_TYPES: tuple[tuple[re.Pattern[str], AnswerType], ...] = tuple(
    (re.compile(asks, re.IGNORECASE), AnswerType(name, looks_like and re.compile(looks_like), mode, needs_subject))
    for asks, name, looks_like, mode, needs_subject in (
        (r"^\s*how old\b|\bwhat (is|was) (his|her|their|the) age\b|\bage of\b", "age",
         r"\b\d{1,3}-year-old\b|,\s\d{1,3},|\b(?i:aged?)\s\d{1,3}\b", "require", True),
        # "What kind of embargo ...?": an embargo the sentence qualifies ("an arms embargo"), read from the parse
        (r"^\s*(in |of |for )?what (kinds?|types?|sorts?) of\b", "sort", None, "prefer", False),
        (r"^\s*(for )?how (long|many (hours|days|weeks|months|years))\b", "duration",
         # "a 30-year-old man" gives an age, not how long something lasted
         r"(?i)\b(hours?|days?|weeks?|months?|years?|minutes?|decades?)\b(?!-old)", "require", False),
        (r"^\s*how many times\b|\bhow often\b", "times",
         rf"(?i)\b(once|twice|(\d+|{_NUMBER_WORDS}) times|(first|second|third|fourth|fifth|\d+(st|nd|rd|th))"
         r"( [a-z]+)? (meeting|time|visit|round|trip|talks|call|with))\b", "require", False),
        (r"^\s*(in |by )?how (many|much)\b|\bwhat (number|percentage|amount|share|proportion|"
         r"(casualty |death |economic )?(figures?|toll|count|total))\b", "number",
         rf"\d|\b(?i:{_NUMBER_WORDS})\b", "require", False),
        # a date the question lacks, read from the parse (spaCy's DATE and TIME entities), as places are
        (r"^\s*(by )?when\b|\bwhat (day|date|year|month|time)\b|\bin which year\b", "date", None, "prefer", False),
        # a place the question lacks, read from the parse, as dates are
        (r"^\s*where\b|\bin which (city|country|town|place|hotel|building)\b", "place", None, "prefer", False),
        (r"^\s*who(m|se)?\b|\bwhich (person|official|politician|leader)\b", "person",
         # a name after "in/at/from/to/near/the" is a place or an institution, not a person
         r"(?<!\bin )(?<!\bat )(?<!\bfrom )(?<!\bto )(?<!\bnear )(?<!\bthe )([A-Z][a-z]+(?: [A-Z][a-z]+)+)",
         "prefer", False),
    )
)
# "What is the population of X?", "What was the weather like in X?": the attribute asked about.
_ATTRIBUTE = re.compile(
    r"^\s*what (?:is|was|are|were) (?:the |a |an )?(?:current |latest )?([a-z]+) (?:of|like|in|for)\b", re.IGNORECASE
)
# "How many people attended X?": the verb right after the counted noun (no auxiliary in between).
_AUXILIARY = r"did|do|does|were|was|are|is|have|has|had|will|would|could|can"
_COUNTED_VERB = re.compile(rf"^\s*how many [a-z]+ (?!(?:{_AUXILIARY})\b)([a-z]+)\b", re.IGNORECASE)
_NOT_NAMES = {
    "on", "in", "at", "by", "for", "the", "a", "an", "and", "but", "last", "next", "this", "that", "early", "late",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november", "december",
}
_NAME = re.compile(r"\b[A-Z][a-zA-Z’'-]+")
_QUESTION_START = re.compile(r"^\s*(?:what|which|who|whom|whose|where|when|why|how|in|by|according|did|does|do|"
                             r"is|was|are|were)\b", re.IGNORECASE)


def answer_type(question: str) -> AnswerType | None:
    """The kind of answer the question expects, when its wording says so."""
    main = main_question(question)
    return next((kind for asks, kind in _TYPES if asks.search(main)), None)


def names_in(question: str) -> set[str]:
    """Capitalised words of the question other than its first word ("Witkoff", "Putin", "Brussels")."""
    words = _NAME.findall(_QUESTION_START.sub("", question, count=1))
    names = {re.sub(r"[’']s$", "", w).strip("’'") for w in words}
    return {n for n in names if n.lower() not in {"i", "u.s", "the"}}


def focus_terms(question: str) -> list[str]:
    """Stemmed words naming the attribute or action asked about ("population", "weather", "attended"). When
    the passages never mention them, the articles cannot hold the answer, however similar the rest is."""
    out: list[str] = []
    for pattern in (_ATTRIBUTE, _COUNTED_VERB):
        m = pattern.search(question)
        if m and m.group(1).lower() not in GENERIC_COUNTS:  # "What is the name of X?": "name" is never printed
            out.extend(content_terms(m.group(1)))
    return out


def shows_type(kind: AnswerType, sentence: str, question_names: set[str]) -> bool:
    """Does `sentence` hold an answer of this kind (for 'person': one not already in the question)? For a kind
    with a `pattern` only (the others are read from the parse)."""
    if kind.pattern is None:
        raise ValueError(f"a {kind.name} answer is read from the parse (features.located_spans), not a pattern")
    if kind.name == "person":
        found = [m.group(1).split() for m in kind.pattern.finditer(sentence)]
        # "On Thursday", "Last March" are capitalised but nobody
        found = [[w for w in f if w.lower() not in _NOT_NAMES] for f in found]
        found = [f for f in found if len(f) >= 2]
        return any(not any(n in f for n in question_names) for f in found)
    if not kind.pattern.search(sentence):
        return False
    return not kind.needs_subject or not question_names or any(n in sentence for n in question_names)
