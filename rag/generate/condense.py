"""Turn a follow-up ("How long did it last?") into a standalone question for retrieval."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

    from rag.settings import RagSettings

from rag.text import content_terms

log = logging.getLogger(__name__)
_MARKER = re.compile(r"\[\d+\]")
CARRIED = " — "  # a condensed follow-up is its question, then this, then the names carried from earlier turns

_REFERRING = re.compile(
    r"\b(it|its|they|them|their|he|him|his|she|her|this|that|these|those|there|then|the meeting|the talks)\b",
    re.IGNORECASE,
)

History = Sequence[Any]


def normalize_history(history: History | None) -> list[tuple[str, str]]:
    """(user, assistant) pairs from either tuples/lists or Gradio-style {"role", "content"} messages."""
    pairs: list[tuple[str, str]] = []
    pending_user: str | None = None
    for item in history or []:
        if isinstance(item, dict):
            role, content = item.get("role"), item.get("content")
            text = content if isinstance(content, str) else _text_of(content)
            if role == "user":
                if pending_user is not None:
                    pairs.append((pending_user, ""))
                pending_user = text
            elif role == "assistant" and pending_user is not None:
                pairs.append((pending_user, text))
                pending_user = None
        elif isinstance(item, list | tuple) and len(item) == 2:
            pairs.append((str(item[0] or ""), str(item[1] or "")))
    if pending_user is not None:
        pairs.append((pending_user, ""))
    return pairs


def _text_of(content: Any) -> str:
    if isinstance(content, list):
        return " ".join(_text_of(c) for c in content)
    if isinstance(content, dict):
        return str(content.get("text", ""))
    return "" if content is None else str(content)


def is_follow_up(question: str) -> bool:
    """Heuristic: refers back to something ("it", "they", "that") or is too short to stand alone. A short question
    that names its own subject and says what happened stands alone ("Who was Karelina exchanged for?"; not "What
    about Kyiv?"): read as a follow-up, the earlier answer's names it carries would be taken as known, never the
    answer, and the right answer refused."""
    from rag import nlp

    if _REFERRING.search(question):
        return True
    if len(content_terms(question)) >= 3:
        return False
    whole = bool(_names(question, _CONTEXT_LABELS)) and any(t.pos_ == "VERB" for t in nlp.parse(question))
    return not whole


_PERSON_PRONOUNS = {"he", "she", "him", "her"}
_POSSESSIVES = {"his", "her"}
_CONTEXT_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT"}
_MAX_CONTEXT = 4  # names carried from earlier turns
_DURATION = re.compile(r"\b(hours?|days|weeks|months|years|minutes?)\b")  # "four hours" is no date for "that day"


def _names(text: str, labels: set[str]) -> list[str]:
    from rag import nlp

    # A name used as a modifier ("U.S. special envoy") is not what the sentence is about.
    return list(dict.fromkeys(e.text for e in nlp.parse(text).ents if e.label_ in labels
                              and (e.label_ == "PERSON" or e.root.dep_ not in {"compound", "amod"})))


def _context(question: str) -> tuple[str, list[str]]:
    """Split a condensed question into its text and the names carried after ' — '."""
    text, _, carried = question.partition(CARRIED)
    return text, [n for n in carried.split(", ") if n]


def condense_offline(question: str, history: History | None) -> str:
    """A follow-up made standalone from the conversation, using the parse (no model, no question pasting).

    "he/she/him/her/his" become the person the previous turn was about, "that day"/"then" its date, and
    the names the previous turn was about (its question's and its answer's first sentence's) are carried
    after " — ", so retrieval and the reader know what "it" is. Chains of follow-ups resolve turn by turn.
    """
    from rag import nlp

    pairs = normalize_history(history)[-3:]
    if not pairs or not is_follow_up(question):
        return question
    previous = condense_offline(pairs[-1][0], pairs[:-1])
    prev_text, carried = _context(previous)
    answer_head = split_answer_head(pairs[-1][1])
    names = list(dict.fromkeys([*_names(prev_text, _CONTEXT_LABELS), *carried, *_names(answer_head, _CONTEXT_LABELS),
                                *dates_of(answer_head)]))
    people = [n for n in [*_names(prev_text, {"PERSON"}), *carried, *_names(answer_head, {"PERSON"})] if n in names]
    dates = dates_of(answer_head) + dates_of(prev_text) + [c for c in carried if dates_of(c)]
    out: list[str] = []
    doc = nlp.parse(question)
    skip: set[int] = set()
    for tok in doc:
        if tok.i in skip:
            continue
        low = tok.lower_
        word = tok.text_with_ws
        if people and tok.tag_ == "PRP$" and low in _POSSESSIVES:
            word = f"{people[0]}'s{tok.whitespace_}"
        elif people and tok.tag_ == "PRP" and low in _PERSON_PRONOUNS:
            word = f"{people[0]}{tok.whitespace_}"
        elif dates and low == "that" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "day":
            word = f"on {dates[0]}{doc[tok.i + 1].whitespace_}"
            skip.add(tok.i + 1)
        out.append(word)
    resolved = "".join(out).strip()
    extra: list[str] = []
    for name in names:  # a surname stands for the full name
        if name.split()[-1] not in resolved and not any(name.split()[-1] in e for e in extra):
            extra.append(name)
    # The day is kept among the carried names even when several names came first: a third turn's "that day"
    # refers to the date the first answer gave ("Where ...?" -> "How long did it last?" -> "Who else did he meet
    # that day?"), and only what the second turn carries reaches the third.
    day = next((d for d in dates if d in extra), None)
    extra = [*[n for n in extra if n != day][: _MAX_CONTEXT - 1], day] if day else extra[:_MAX_CONTEXT]
    return f"{resolved}{CARRIED}{', '.join(extra)}" if extra else resolved


def dates_of(text: str) -> list[str]:
    """Dates (not durations) named in `text`: what "that day" and "then" can refer to later."""
    return [d for d in _names(text, {"DATE"}) if not _DURATION.search(d)]


def split_answer_head(answer: str) -> str:
    """The first sentence of an earlier answer, markers removed: what that answer was mainly about."""
    text = _MARKER.sub("", answer or "").strip()
    from rag.text import split_sentences

    sentences = split_sentences(text)
    return sentences[0].text if sentences else ""


def clean_condensed(text: str, max_chars: int = 500) -> str:
    """The question in a model's condense reply ("" when unusable): first line, no label or quotes."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    line = re.sub(r"(?i)^\s*(standalone question|question)\s*:\s*", "", lines[0]).strip().strip("\"'“”").strip()
    return line if 3 <= len(line) <= max_chars else ""


def condense_with_llm(llm: LLM, settings: RagSettings, question: str, history: History | None) -> str:
    """The model's standalone rewrite of a follow-up; the offline rewrite when it is not a follow-up or
    the model fails (one attempt, no retries: condensing is an optimisation and the answer call retries)."""
    from rag.generate import prompts
    from rag.generate.llm import LLMFailure, chat_messages, complete_chat

    offline = condense_offline(question, history)
    if offline == question:
        return question
    pairs = normalize_history(history)[-3:]
    convo = "\n".join(f"User: {u}\nAssistant: {_MARKER.sub('', a)[:500]}" for u, a in pairs)
    messages = chat_messages(prompts.CONDENSE_SYSTEM, prompts.CONDENSE_USER.format(history=convo, question=question))
    try:
        text = complete_chat(llm, messages, settings)
    except LLMFailure as failure:
        log.warning("condense failed, using the offline rewrite: %s", failure.reason)
        return offline
    return clean_condensed(text) or offline
