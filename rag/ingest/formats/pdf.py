"""PDF articles through pypdf: text page by page, with each page's start offset kept.

The stored text is the pages' text joined by blank lines; `Article.pages[i]` is where page i+1 starts
in it, so `page_of(pages, offset)` maps a citation's offset to its page number. Lines that pypdf returns
hard-wrapped are joined back into paragraphs (a line ends a paragraph when it is short or the page
says so with a blank line), so sentences are not cut at line ends. Metadata: the document's Title,
Author and CreationDate. Does not OCR: a scanned PDF without a text layer is refused with a reason.
"""

from __future__ import annotations

import bisect
import io
import re
from collections.abc import Sequence

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

from rag.errors import ExtractionError
from rag.ingest.formats import Article, clean_meta

PAGE_SEPARATOR = "\n\n"
_SHORT_LINE = 0.75  # a line shorter than this share of the page's longest line ends its paragraph
_HYPHEN_END = re.compile(r"[A-Za-z]-$")


def page_of(pages: Sequence[int], offset: int) -> int | None:
    """1-based page number holding character `offset` of the text, or None when there are no pages."""
    if not pages or offset < 0:
        return None
    return max(bisect.bisect_right(pages, offset), 1)


def _paragraphs(page_text: str) -> list[str]:
    lines = [" ".join(line.split()) for line in page_text.splitlines()]
    longest = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if not line:  # a blank line is a paragraph break the page itself shows
            if current:
                paragraphs.append(current)
            current = ""
            continue
        if not current:
            current = line
        elif _HYPHEN_END.search(current) and line[:1].islower():
            current += line  # "infra-" + "structure": keep the hyphen, no space
        else:
            current += " " + line
        if len(line) < _SHORT_LINE * longest:  # the last line of a paragraph, or a headline
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs


def read_pdf(raw: bytes) -> Article:
    """The text of every page (page starts in `pages`) and the document's metadata."""
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("encrypted PDF (a password is needed to read it)")
        page_texts = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except ExtractionError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise ExtractionError(f"not a readable PDF ({exc})") from exc
    except Exception as exc:  # pypdf raises many types on damaged files; the file is skipped either way
        raise ExtractionError(f"not a readable PDF ({type(exc).__name__})") from exc
    parts: list[str] = []
    starts: list[int] = []
    pos = 0
    for text in page_texts:
        body = "\n\n".join(_paragraphs(text))
        starts.append(pos)  # an empty page still gets a start, so page numbers stay the PDF's own
        parts.append(body)
        pos += len(body) + len(PAGE_SEPARATOR)
    full = PAGE_SEPARATOR.join(parts)
    if not full.strip():
        raise ExtractionError("no extractable text in the PDF (scanned pages need OCR, which is not supported)")
    title = clean_meta(info.title) if info else None
    date = None
    if info:
        try:
            created = info.creation_date
        except (ValueError, TypeError):
            created = None
        date = created.isoformat() if created else None
    return Article(text=full, title=title, date=date, author=clean_meta(info.author) if info else None,
                   pages=tuple(starts))
