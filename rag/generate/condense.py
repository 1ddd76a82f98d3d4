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
    """Heuristic: refers back to something ("it", "they", "that") or is too short to stand alone."""
    return bool(_REFERRING.search(question)) or len(content_terms(question)) < 3


def condense_offline(question: str, history: History | None) -> str:
    """Prefix a follow-up with the previous user question, so retrieval sees what 'it' refers to."""
    pairs = normalize_history(history)
    if not pairs or not is_follow_up(question):
        return question
    previous = pairs[-1][0].strip()
    return f"{previous} {question}" if previous else question


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
