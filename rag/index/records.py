"""What is stored per chunk and per article, and the only place that knows the metadata keys.

Ingest writes these records, retrieval and the index state read them; nobody else spells a key. A chunk
record carries everything needed to cite from the chunk (its span and sentences in the original file)
and the version of the article it was cut from (see rag/index/state.py). An article record is the
registry entry: the commit of one article version. Does not talk to Chroma.

A chunk stores its sentences as offsets only ([[start, end], ...] into the original file): their text is
the original article's text at those offsets, which the registry holds once per article. Storing the text
again in every chunk cost 3.6 KB per chunk (bench/bench_disk.py). The registry keeps that original text
zlib-compressed (base64, as its Chroma document): nothing searches it, and Chroma indexes every document
three times over (its string index and a trigram full-text index), which made the plain text cost 3.5 KB
per chunk.
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass
from typing import Any

from rag.models import Passage, Sentence
from rag.text import PARAGRAPH_SEPARATOR

# Chunk metadata keys.
SOURCE = "source"
TITLE = "title"
START = "start"
END = "end"
VERSION = "version"
SENTENCES = "sentences"
PUBLISHER = "publisher"
DATE = "date"
URL = "url"
PAGE_STARTS = "page_starts"  # PDF: JSON [[offset, page], ...] of the pages a chunk overlaps
# Article-only keys.
COLLECTION = "collection"
ROOT = "root"
AUTHOR = "author"
FORMAT = "format"
PAGES = "pages"


def _opt(meta: dict[str, Any], key: str) -> str | None:
    # Chroma stores no None: missing metadata is written as '' and read back as None.
    return str(meta.get(key) or "") or None


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
    publisher: str | None = None
    date: str | None = None
    url: str | None = None
    page_starts: tuple[tuple[int, int], ...] = ()

    def to_metadata(self) -> dict[str, Any]:
        """Chroma metadata (flat scalars: sentence offsets are JSON-encoded, their text is not stored)."""
        return {
            SOURCE: self.source, TITLE: self.title, START: self.start, END: self.end,
            VERSION: self.version,  # the article's sha256 is in its registry record, which commits this version
            SENTENCES: json.dumps([[s.start, s.end] for s in self.sentences], separators=(",", ":")),
            PUBLISHER: self.publisher or "", DATE: self.date or "", URL: self.url or "",
            PAGE_STARTS: json.dumps([list(p) for p in self.page_starts], separators=(",", ":")),
        }

    @classmethod
    def from_metadata(cls, meta: dict[str, Any] | None, original: str = "", doc_sha256: str = "") -> ChunkRecord:
        """Decode stored metadata; missing keys read as empty. Sentence texts are cut from `original`, the
        text of the article version the chunk was cut from (empty strings when it is not given), whose
        sha256 (from the registry record committing that version) is `doc_sha256`."""
        meta = meta or {}
        return cls(
            source=str(meta.get(SOURCE, "")), title=str(meta.get(TITLE, "")),
            start=int(meta.get(START, 0)), end=int(meta.get(END, 0)),
            doc_sha256=doc_sha256, version=str(meta.get(VERSION, "")),
            sentences=[Sentence(int(s), int(e), original[int(s) : int(e)])
                       for s, e in json.loads(meta.get(SENTENCES) or "[]")],
            publisher=_opt(meta, PUBLISHER), date=_opt(meta, DATE), url=_opt(meta, URL),
            page_starts=tuple((int(o), int(p)) for o, p in json.loads(meta.get(PAGE_STARTS) or "[]")),
        )

    def passage(self, chunk_id: str, text: str, score: float = 0.0) -> Passage:
        """The chunk as a retrieved passage, with its article's metadata."""
        return Passage(id=chunk_id, source=self.source, title=self.title, text=text, start=self.start,
                       end=self.end, sentences=self.sentences, score=score, doc_sha256=self.doc_sha256,
                       publisher=self.publisher, date=self.date, url=self.url,
                       page_starts=list(self.page_starts))


def chunk_page_starts(pages: tuple[int, ...], start: int, end: int) -> tuple[tuple[int, int], ...]:
    """(offset, page) of each PDF page overlapping `start:end`: the page holding `start`, then every page
    beginning inside the span. Bounded by the chunk, so a 500-page PDF does not copy its page table into
    every chunk."""
    out: list[tuple[int, int]] = []
    for number, offset in enumerate(pages, start=1):
        if offset <= start:
            out = [(offset, number)]
        elif offset < end:
            out.append((offset, number))
        else:
            break
    return tuple(out)


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


def encode_article_text(text: str) -> str:
    """The registry document holding an article's original text ('' stays '': a placeholder's)."""
    # base64, not the denser base85: CPython decodes base85 in Python, 0.2 ms per article per query.
    return base64.b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii") if text else ""


def decode_article_text(document: str | None) -> str:
    """The original text from a registry document written by `encode_article_text`."""
    return zlib.decompress(base64.b64decode(document)).decode("utf-8") if document else ""


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
    collection: str = ""  # folder identity or user-given name; --prune works per collection
    root: str = ""  # absolute folder the article's id is relative to ('' for a URL)
    publisher: str | None = None
    date: str | None = None
    url: str | None = None
    author: str | None = None
    format: str = "text"
    pages: tuple[int, ...] = ()  # PDF page start offsets in the stored text

    def to_metadata(self) -> dict[str, Any]:
        """Chroma metadata."""
        return {"sha256": self.sha256, TITLE: self.title, "path": self.path, "keys": ",".join(self.keys),
                VERSION: self.version, "n_chunks": self.n_chunks, "pending": int(self.pending),
                COLLECTION: self.collection, ROOT: self.root, PUBLISHER: self.publisher or "",
                DATE: self.date or "", URL: self.url or "", AUTHOR: self.author or "", FORMAT: self.format,
                PAGES: ",".join(str(p) for p in self.pages)}

    @classmethod
    def from_metadata(cls, meta: dict[str, Any] | None) -> ArticleRecord:
        """Decode stored metadata; missing keys read as empty."""
        meta = meta or {}
        return cls(
            sha256=str(meta.get("sha256", "")), title=str(meta.get(TITLE, "")), path=str(meta.get("path", "")),
            keys=[k for k in str(meta.get("keys", "")).split(",") if k], version=str(meta.get(VERSION, "")),
            n_chunks=int(meta.get("n_chunks", 0)), pending=bool(meta.get("pending", 0)),
            collection=str(meta.get(COLLECTION, "")), root=str(meta.get(ROOT, "")),
            publisher=_opt(meta, PUBLISHER), date=_opt(meta, DATE), url=_opt(meta, URL),
            author=_opt(meta, AUTHOR), format=str(meta.get(FORMAT) or "text"),
            pages=tuple(int(p) for p in str(meta.get(PAGES, "")).split(",") if p),
        )

    @property
    def committed(self) -> bool:
        """False for a placeholder of an article whose first version was never committed."""
        return bool(self.version)
