"""Plain data types passed along the pipeline: documents, chunks, passages, citations, answers."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

# Texts -> unit-length embeddings, one row per text (the answerer's cached embedder).
Embed = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class SourceDocument:
    """One article as read from disk, text unmodified."""

    source: str  # file name, the key users see in citations
    path: Path
    text: str
    sha256: str


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article with its exact character offsets in the original file."""

    start: int
    end: int
    text: str


@dataclass
class Passage:
    """A retrieved chunk: its text plus every sentence in it, located in the original file."""

    id: str
    source: str
    title: str
    text: str
    start: int
    end: int
    sentences: list[Sentence]
    score: float = 0.0
    also_in: list[str] = field(default_factory=list)  # sources of near-duplicate passages collapsed into this
    copies: list[Passage] = field(default_factory=list, repr=False)  # those collapsed passages
    doc_sha256: str = ""  # version of the article the passage was read from (for the final quote check)


@dataclass(frozen=True)
class Citation:
    """A numbered citation: a verbatim quote and where it sits in its source file."""

    n: int
    source: str
    title: str
    quote: str
    start: int
    end: int
    support: str = "verified"  # "verified" or "partial" (the quote states part of its sentence; see rag.cite)
    checks: tuple[str, ...] = ()  # what was checked: rule names (rag.cite.checks.CHECKS), "llm", "verbatim"

    def to_dict(self) -> dict:
        """JSON-able form."""
        d = asdict(self)
        d["checks"] = list(self.checks)
        return d


@dataclass
class Answer:
    """What `answer()` returns: text with [n] markers, the citations they point at, and flags."""

    question: str
    text: str
    citations: list[Citation]
    abstained: bool
    answerer: str  # "extractive" or "llm:<model>"
    standalone_question: str = ""
    conflict: bool = False  # sources disagree and both sides are cited
    notice: str | None = None  # why the LLM's answer was replaced by the offline one (prompts.LLM_FALLBACK_NOTICE)
    passages: list[Passage] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-able form used by `rag ask --json`, the eval and the UI."""
        return {
            "question": self.question,
            "text": self.text,
            "abstained": self.abstained,
            "conflict": self.conflict,
            "answerer": self.answerer,
            "standalone_question": self.standalone_question,
            "notice": self.notice,
            "citations": [c.to_dict() for c in self.citations],
            "retrieved": [
                {"id": p.id, "source": p.source, "title": p.title, "score": round(p.score, 4),
                 "also_in": p.also_in}
                for p in self.passages
            ],
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }


@dataclass(frozen=True)
class TextDelta:
    """Streamed answer text to append to what is shown. Provisional: the final `Answer.text` replaces it."""

    text: str


@dataclass(frozen=True)
class StreamReset:
    """The text streamed so far is void (the model is retried, or replaced by the offline answer): clear it."""


StreamEvent = TextDelta | StreamReset


class AnswerStream:
    """An answer being produced. Iterating yields `StreamEvent`s (text deltas, resets); `.answer()` returns
    the final `Answer`, consuming whatever was not iterated yet. Both can be used on one stream.
    """

    def __init__(self, events: Generator[StreamEvent, None, Answer]) -> None:
        self._events = events
        self._answer: Answer | None = None

    def __iter__(self) -> Iterator[StreamEvent]:
        if self._answer is None:
            self._answer = yield from self._events

    def answer(self) -> Answer:
        """The final, verified answer."""
        for _ in self:
            pass
        assert self._answer is not None
        return self._answer
