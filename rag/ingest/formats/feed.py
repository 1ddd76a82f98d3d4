"""RSS and Atom feeds (.rss, .atom, and .xml files that are feeds) through feedparser.

Each entry is one article: its full content when the feed carries it (`content:encoded`, Atom
`content`), else its summary, flattened from HTML to paragraphs; plus title, link, author, the
published (or updated) date as ISO 8601, and the feed's own title as publisher. Entries are keyed by
their guid/id (else link, else position), so a feed file that gains new entries keeps the old keys.
feedparser is given bytes, never a URL or path, so parsing cannot fetch anything.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

import feedparser

from rag.errors import ExtractionError
from rag.ingest.formats import Article, BadRecord, clean_meta, compose, with_fingerprint
from rag.ingest.formats.html import fragment_to_text
from rag.ingest.formats.records import safe_key

_FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf", b"<rdf")


def is_feed(raw: bytes) -> bool:
    """True when the XML's root element is rss, feed (Atom) or rdf:RDF (RSS 1.0)."""
    head = raw[:2048].lower()
    return any(root in head for root in _FEED_ROOTS)


def _iso(parsed: object) -> str | None:
    if not parsed:
        return None
    try:  # feedparser normalises dates to a UTC struct_time
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC).isoformat()  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None


def _body(entry: feedparser.FeedParserDict) -> str:
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    if contents:
        return max(contents, key=len)
    return entry.get("summary", "") or entry.get("description", "")


def read_feed(raw: bytes) -> list[Article | BadRecord]:
    """One article per entry of an RSS/Atom feed, and entries without text as bad records."""
    parsed = feedparser.parse(raw, resolve_relative_uris=False, sanitize_html=True)
    if not parsed.entries:
        problem = f" ({parsed.bozo_exception})" if parsed.get("bozo") else ""
        raise ExtractionError(f"not an RSS/Atom feed, or a feed without entries{problem}")
    publisher = clean_meta(parsed.feed.get("title"))
    out: list[Article | BadRecord] = []
    seen: set[str] = set()
    for number, entry in enumerate(parsed.entries, start=1):
        title = clean_meta(entry.get("title"))
        paragraphs = fragment_to_text(_body(entry))
        if not paragraphs:
            out.append(BadRecord(number, f"entry {number}: no content or summary"))
            continue
        key = safe_key(entry.get("id") or entry.get("link") or "") or str(number)
        if key in seen:
            out.append(BadRecord(number, f"entry {number}: duplicate id '{key}'"))
            continue
        seen.add(key)
        out.append(with_fingerprint(Article(
            text=compose(title, paragraphs), title=title, publisher=publisher,
            date=_iso(entry.get("published_parsed") or entry.get("updated_parsed")),
            url=clean_meta(entry.get("link")), author=clean_meta(entry.get("author")), key=key,
        )))
    return out
