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
    """One article as read: its text (for HTML, PDF, exports and feeds, the EXTRACTED text, which is what
    citations index into) and whatever metadata its format carries. Only the first four fields are required.
    """

    source: str  # file name (or `<file>#<record>`, or host/path of a URL): the key users see in citations
    path: Path
    text: str
    sha256: str
    title: str | None = None  # headline from the format's metadata (the cleaner's first-line title otherwise)
    publisher: str | None = None  # site or outlet name
    date: str | None = None  # publication date, ISO 8601 (YYYY-MM-DD or a full timestamp)
    url: str | None = None  # canonical or final URL of the article
    author: str | None = None
    pages: tuple[int, ...] = ()  # PDF: offset in `text` where each page starts (see rag.ingest.formats.pdf.page_of)
    format: str = "text"  # text, html, pdf, json, jsonl, csv, feed or url
    original_path: Path | None = None  # the file the text was extracted from; None for a fetched URL
    collection: str = ""  # the folder identity (or user-given name) the article was ingested under
    root: Path | None = None  # the folder `source` is relative to (None for a URL)


@dataclass(frozen=True)
class ArticleInfo:
    """One indexed article as listed to users (rag.list_articles, the UI's Articles tab)."""

    source: str  # the id citations use: `<collection>/<relative path>`
    title: str
    collection: str
    n_chunks: int
    date: str | None = None
    publisher: str | None = None
    url: str | None = None
    format: str = "text"
    path: str = ""  # the file it was read from ('' or host/path for a URL)

    def to_dict(self) -> dict:
        """JSON-able form."""
        return asdict(self)


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
    publisher: str | None = None
    date: str | None = None  # ISO 8601
    url: str | None = None
    page_starts: list[tuple[int, int]] = field(default_factory=list)  # PDF: (offset, page) of pages in the chunk

    def page_at(self, offset: int) -> int | None:
        """PDF page (1-based) holding `offset` of the article text, when the passage knows its pages."""
        page = None
        for start, number in self.page_starts:
            if start > offset:
                break
            page = number
        return page


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
    publisher: str | None = None  # the article's metadata, when its format carried it
    date: str | None = None  # ISO 8601
    url: str | None = None
    page: int | None = None  # PDF page of the quote's start

    def to_dict(self) -> dict:
        """JSON-able form."""
        d = asdict(self)
        d["checks"] = list(self.checks)
        return d


@dataclass(frozen=True)
class ShortAnswer:
    """The direct answer span, verbatim in citation `n`'s quote and at `start:end` in its source file."""

    text: str
    n: int
    source: str
    start: int
    end: int

    def to_dict(self) -> dict:
        """JSON-able form."""
        return asdict(self)


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
    short_answer: ShortAnswer | None = None  # "St. Petersburg" [1]: the asked-for detail, when there is one
    notice: str | None = None  # why the LLM's answer was replaced by the offline one (prompts.LLM_FALLBACK_NOTICE)
    newer_source: str | None = None  # on a conflict with dated sources: the source of the most recent report
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
            "newer_source": self.newer_source,
            "short_answer": self.short_answer.to_dict() if self.short_answer else None,
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
