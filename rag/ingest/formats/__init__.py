"""Article formats: turn the bytes of one file into extracted article text plus metadata.

One small module per format, each wrapping a well-kept library:
`text` (charset-normalizer), `html` (trafilatura), `pdf` (pypdf), `records` (.jsonl/.json/.csv exports),
`feed` (feedparser). Readers take bytes and return `Article`s; they raise `ExtractionError` with a
user-facing reason when a file holds no readable article. They never touch the disk or the network
(see rag/ingest/loader.py and rag/ingest/fetch.py) and never clean or chunk.

The text an `Article` carries is what gets stored and cited (`text[start:end] == quote` holds on it),
so readers build it once, deterministically: headline first, then paragraphs separated by blank lines.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace

# Suffix -> format name. `.xml` is read as a feed only when it is one (see feed.py).
FORMAT_BY_SUFFIX: dict[str, str] = {
    ".txt": "text", ".md": "text",
    ".html": "html", ".htm": "html",
    ".pdf": "pdf",
    ".jsonl": "jsonl", ".json": "json", ".csv": "csv",
    ".rss": "feed", ".atom": "feed", ".xml": "feed",
}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(FORMAT_BY_SUFFIX)


@dataclass(frozen=True)
class Article:
    """Extracted text of one article and the metadata its format gave."""

    text: str
    title: str | None = None
    publisher: str | None = None
    date: str | None = None  # ISO 8601
    url: str | None = None
    author: str | None = None
    pages: tuple[int, ...] = ()  # PDF: start offset of each page in `text`
    key: str | None = None  # id of the record or entry inside a multi-article file; None = the whole file
    fingerprint: str | None = None  # what identifies this article's version when the file holds several


@dataclass(frozen=True)
class BadRecord:
    """A record of an export, or an entry of a feed, that holds no usable article, and why."""

    number: int
    reason: str


def with_fingerprint(article: Article) -> Article:
    """`article` with a fingerprint of its text and metadata (its version inside a multi-article file)."""
    meta = [article.text, article.title, article.date, article.url, article.publisher, article.author]
    return replace(article, fingerprint=hashlib.sha256(json.dumps(meta, ensure_ascii=False).encode()).hexdigest())


def compose(title: str | None, paragraphs: list[str]) -> str:
    """Headline (unless the body already starts with it) and paragraphs, separated by blank lines.

    Paragraphs are whitespace-normalised and empty ones dropped; the cleaner then reads the first line
    as the headline, as it does for plain-text articles.
    """
    paras = [" ".join(p.split()) for p in paragraphs]
    paras = [p for p in paras if p]
    head = " ".join((title or "").split())
    if head and (not paras or paras[0] != head):
        paras.insert(0, head)
    return "\n\n".join(paras)


def clean_meta(value: object) -> str | None:
    """A metadata value as a one-line string, or None when empty."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value if v not in (None, ""))
    text = " ".join(str(value).split())
    return text or None
