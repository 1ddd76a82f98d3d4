"""What is stored per chunk and per article, and the only place that knows the metadata keys.

Ingest writes these records, retrieval and the index state read them; nobody else spells a key. A chunk
record carries everything needed to cite from the chunk (its span and sentences in the original file)
and the version of the article it was cut from (see rag/index/state.py). An article record is the
registry entry: the commit of one article version. Does not talk to Chroma.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rag.models import Passage, Sentence
from rag.text import PARAGRAPH_SEPARATOR

# Chunk metadata keys.
SOURCE = "source"
TITLE = "title"
START = "start"
END = "end"
DOC_SHA256 = "doc_sha256"
VERSION = "version"
SENTENCES = "sentences"
# Metadata the embedder and LLM prompts should not see (offsets and bookkeeping).
HIDDEN_CHUNK_KEYS = [START, END, SENTENCES, DOC_SHA256, VERSION]


def indexed_text(title: str, text: str) -> str:
    """What dense and keyword search see of a chunk: its article's title, then its text."""
    return f"{title}{PARAGRAPH_SEPARATOR}{text}"


@dataclass(frozen=True)
class ChunkRecord:
    """The stored metadata of one chunk."""

    source: str
    title: str
    start: int
    end: int
    doc_sha256: str
    version: str  # clean signature of the article version the chunk was cut from
    sentences: list[Sentence]

    def to_metadata(self) -> dict[str, Any]:
        """Chroma metadata (flat scalars: sentences are JSON-encoded)."""
        return {
            SOURCE: self.source, TITLE: self.title, START: self.start, END: self.end,
            DOC_SHA256: self.doc_sha256, VERSION: self.version,
            SENTENCES: json.dumps([[s.start, s.end, s.text] for s in self.sentences], ensure_ascii=False),
        }

    @classmethod
    def from_metadata(cls, meta: dict[str, Any] | None) -> ChunkRecord:
        """Decode stored metadata; missing keys read as empty."""
        meta = meta or {}
        return cls(
            source=str(meta.get(SOURCE, "")), title=str(meta.get(TITLE, "")),
            start=int(meta.get(START, 0)), end=int(meta.get(END, 0)),
            doc_sha256=str(meta.get(DOC_SHA256, "")), version=str(meta.get(VERSION, "")),
            sentences=[Sentence(int(s), int(e), t) for s, e, t in json.loads(meta.get(SENTENCES) or "[]")],
        )

    def passage(self, chunk_id: str, text: str, score: float = 0.0) -> Passage:
        """The chunk as a retrieved passage."""
        return Passage(id=chunk_id, source=self.source, title=self.title, text=text, start=self.start,
                       end=self.end, sentences=self.sentences, score=score, doc_sha256=self.doc_sha256)


def chunk_source(meta: dict[str, Any] | None) -> str:
    """The article a chunk belongs to, read without decoding its sentences."""
    return str((meta or {}).get(SOURCE, ""))


def chunk_title(meta: dict[str, Any] | None) -> str:
    """The title of a chunk's article, read without decoding its sentences."""
    return str((meta or {}).get(TITLE, ""))


def chunk_version(meta: dict[str, Any] | None) -> str:
    """The article version a chunk was cut from, read without decoding its sentences."""
    return str((meta or {}).get(VERSION, ""))


def source_filter(sources: list[str]) -> dict[str, Any]:
    """Chroma `where` clause selecting the chunks of `sources`."""
    return {SOURCE: sources[0]} if len(sources) == 1 else {SOURCE: {"$in": sources}}


@dataclass(frozen=True)
class ArticleRecord:
    """The registry's record of one article; the stored document is the original text."""

    sha256: str
    title: str
    path: str
    keys: list[str]  # paragraph fingerprints, to spot paragraphs shared with other articles
    version: str  # '' for a placeholder written before the first commit
    n_chunks: int = 0
    pending: bool = False  # superseded chunks may still be stored (a run was killed before deleting them)

    def to_metadata(self) -> dict[str, Any]:
        """Chroma metadata."""
        return {"sha256": self.sha256, TITLE: self.title, "path": self.path, "keys": ",".join(self.keys),
                VERSION: self.version, "n_chunks": self.n_chunks, "pending": int(self.pending)}

    @classmethod
    def from_metadata(cls, meta: dict[str, Any] | None) -> ArticleRecord:
        """Decode stored metadata; missing keys read as empty."""
        meta = meta or {}
        return cls(
            sha256=str(meta.get("sha256", "")), title=str(meta.get(TITLE, "")), path=str(meta.get("path", "")),
            keys=[k for k in str(meta.get("keys", "")).split(",") if k], version=str(meta.get(VERSION, "")),
            n_chunks=int(meta.get("n_chunks", 0)), pending=bool(meta.get("pending", 0)),
        )

    @property
    def committed(self) -> bool:
        """False for a placeholder of an article whose first version was never committed."""
        return bool(self.version)
