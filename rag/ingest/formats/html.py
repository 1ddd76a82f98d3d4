"""HTML pages (.html, .htm, fetched URLs): main text and metadata through trafilatura.

trafilatura drops navigation, footers and comments and reads title, author, date, site name and the
canonical URL from the page's meta tags, JSON-LD and markup. The page is parsed, never rendered: its
scripts do not run, and markup that the page shows as text (`&lt;script&gt;`) stays literal text.
`fragment_to_text` turns small HTML snippets (feed entries, export fields) into paragraphs with lxml.
Does not fetch anything (see rag/ingest/fetch.py).
"""

from __future__ import annotations

import re

import lxml.html
import trafilatura
from lxml import etree

from rag.errors import ExtractionError
from rag.ingest.formats import Article, clean_meta, compose

# Elements that end a paragraph when a snippet is flattened to text.
_BLOCKS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header "
    "hr li main nav ol p pre section table tbody td th thead tr ul".split()
)
_DROP = ("script", "style", "noscript", "template", "iframe", "object", "svg")
_LOOKS_LIKE_HTML = re.compile(r"</?(?:p|br|div|span|a|em|strong|b|i|ul|ol|li|h[1-6]|blockquote|img)\b[^>]*>", re.I)


def read_html(raw: bytes | str, url: str | None = None) -> Article:
    """The article in an HTML page: its main text (headline first) and metadata.

    `url` is where the page came from, used when the page names no canonical URL.
    """
    doc = trafilatura.bare_extraction(
        raw, url=url, with_metadata=True, include_comments=False, include_tables=True,
        include_images=False, include_links=False, include_formatting=False, deduplicate=False,
    )
    body = getattr(doc, "text", None) if doc is not None else None
    if not body or not body.strip():
        raise ExtractionError("no article text found in the HTML page")
    title = clean_meta(doc.title)
    return Article(
        text=compose(title, body.split("\n")),
        title=title,
        publisher=clean_meta(doc.sitename) or clean_meta(doc.hostname),
        date=clean_meta(doc.date),
        url=clean_meta(doc.url) or url,
        author=clean_meta(doc.author),
    )


def looks_like_html(text: str) -> bool:
    """True when `text` carries HTML tags (an export or feed field with a formatted body)."""
    return bool(_LOOKS_LIKE_HTML.search(text))


def fragment_to_text(fragment: str) -> list[str]:
    """Paragraphs of an HTML snippet: tags removed, entities decoded, scripts and styles dropped."""
    if not fragment.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return [fragment]
    for bad in root.iter(*_DROP):
        bad.drop_tree()
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        line = " ".join("".join(current).split())
        if line:
            paragraphs.append(line)
        current.clear()

    def walk(el: etree._Element) -> None:
        block = isinstance(el.tag, str) and el.tag.lower() in _BLOCKS
        if block:
            flush()
        if el.text and not isinstance(el, etree._Comment):
            current.append(el.text)
        for child in el:
            walk(child)
        if block:
            flush()
        if el.tail and el is not root:
            current.append(el.tail)

    walk(root)
    flush()
    return paragraphs
