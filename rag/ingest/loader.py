"""Read articles from files, folders and URLs.

Each file is read by the reader of its format (rag/ingest/formats/): `.txt`/`.md` (any detectable
encoding), `.html`/`.htm`, `.pdf`, `.jsonl`/`.json`/`.csv` exports (one article per record), RSS/Atom
feeds (`.rss`, `.atom`, `.xml`; one article per entry). Strings such as `https://...` are fetched
(rag/ingest/fetch.py). The text stored for an article is the EXTRACTED text, so citations index into it.

A path that does not exist raises `MissingPathError` before anything is read (an ingest that silently
read nothing could prune a whole index). Anything else that cannot be an article (binary, empty, too
large, unsupported type, a bad record, a refused URL) is reported as skipped with a reason, and the
rest is still read. Does not clean or chunk.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ExtractionError, IngestError, MissingPathError
from rag.ingest.formats import FORMAT_BY_SUFFIX, SUPPORTED_SUFFIXES, Article, BadRecord
from rag.ingest.formats.feed import is_feed, read_feed
from rag.ingest.formats.html import read_html
from rag.ingest.formats.pdf import read_pdf
from rag.ingest.formats.records import FieldNames, read_records
from rag.ingest.formats.text import decode_text
from rag.models import SourceDocument
from rag.settings import RagSettings, get_settings

__all__ = ["SUPPORTED_SUFFIXES", "Skipped", "is_url", "load_documents", "read_file"]

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class Skipped:
    """A file (or URL, or record of an export) that was not ingested, and why."""

    path: Path | str
    reason: str


def is_url(target: Path | str) -> bool:
    """True for a `scheme://...` string (a URL to fetch), False for a file system path."""
    return isinstance(target, str) and bool(_URL.match(target))


def _unsupported(path: Path) -> Skipped:
    return Skipped(path, f"unsupported file type '{path.suffix or '(none)'}' "
                         f"(supported: {' '.join(SUPPORTED_SUFFIXES)})")


def _candidate_files(paths: Iterable[Path]) -> tuple[list[Path], list[Skipped]]:
    files: list[Path] = []
    skipped: list[Skipped] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue
                if child.suffix.lower() in SUPPORTED_SUFFIXES:
                    files.append(child)
                else:
                    skipped.append(_unsupported(child))
        elif path.suffix.lower() in SUPPORTED_SUFFIXES:
            files.append(path)
        else:
            skipped.append(_unsupported(path))
    return files, skipped


def _field_names(settings: RagSettings) -> FieldNames:
    return FieldNames(
        text=settings.record_text_fields, title=settings.record_title_fields, date=settings.record_date_fields,
        url=settings.record_url_fields, publisher=settings.record_publisher_fields,
        author=settings.record_author_fields, id=settings.record_id_fields,
    )


def _document(path: Path, article: Article, sha256: str, fmt: str) -> SourceDocument:
    source = path.name if article.key is None else f"{path.name}#{article.key}"
    return SourceDocument(
        source=source, path=path, text=article.text, sha256=sha256, title=article.title,
        publisher=article.publisher, date=article.date, url=article.url, author=article.author,
        pages=article.pages, format=fmt, original_path=path,
    )


def _articles(raw: bytes, fmt: str, settings: RagSettings) -> list[Article | BadRecord]:
    if fmt == "text":
        return [Article(text=decode_text(raw))]
    if fmt == "html":
        return [read_html(raw)]
    if fmt == "pdf":
        return [read_pdf(raw)]
    if fmt in ("jsonl", "json", "csv"):
        return read_records(raw, fmt, _field_names(settings), settings.max_file_bytes)
    if not is_feed(raw):
        raise ExtractionError("XML file that is not an RSS or Atom feed")
    return read_feed(raw)


def read_file(path: Path, max_bytes: int, settings: RagSettings | None = None
              ) -> tuple[list[SourceDocument], list[Skipped]]:
    """The articles in one file (several for an export or a feed), and what was skipped, with reasons."""
    settings = settings or get_settings()
    fmt = FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        return [], [_unsupported(path)]
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return [], [Skipped(path, f"{size:,} bytes, over the {max_bytes:,}-byte limit (RAG_MAX_FILE_BYTES)")]
        with path.open("rb") as fh:
            raw = fh.read(max_bytes + 1)  # the file may have grown since stat()
    except OSError as exc:
        return [], [Skipped(path, f"unreadable: {exc.strerror or exc}")]
    if len(raw) > max_bytes:
        return [], [Skipped(path, f"over the {max_bytes:,}-byte limit (RAG_MAX_FILE_BYTES)")]
    if not raw.strip():
        return [], [Skipped(path, "empty file")]
    try:
        results = _articles(raw, fmt, settings)
    except ExtractionError as exc:
        return [], [Skipped(path, str(exc))]
    docs: list[SourceDocument] = []
    skipped: list[Skipped] = []
    file_sha = hashlib.sha256(raw).hexdigest()
    for result in results:
        if isinstance(result, BadRecord):
            skipped.append(Skipped(path, result.reason))
        elif not result.text.strip():
            skipped.append(Skipped(path, "empty file"))
        else:
            # A whole-file article is versioned by its bytes (as before formats existed, so existing indexes
            # stay unchanged); a record or feed entry by its own content, so editing one re-indexes only it.
            sha = result.fingerprint if result.key is not None and result.fingerprint else file_sha
            docs.append(_document(path, result, sha, fmt))
    return docs, skipped


def check_paths(paths: Iterable[Path | str]) -> None:
    """Raise `MissingPathError` naming every given file or folder that does not exist (URLs are not checked)."""
    missing = [str(p) for p in paths if not is_url(p) and not Path(p).exists()]
    if len(missing) == 1:
        raise MissingPathError(f"no such file or folder: {missing[0]}")
    if missing:
        raise MissingPathError(f"no such files or folders: {', '.join(missing)}")


def load_documents(paths: Iterable[Path | str], max_bytes: int, settings: RagSettings | None = None
                   ) -> tuple[list[SourceDocument], list[Skipped]]:
    """Every readable article under `paths` (files, folders, http(s) URLs), plus what was skipped and why.

    Raises `MissingPathError` when a given path does not exist. `settings` supplies record field names
    and URL rules (default: the environment's settings). Two articles with the same source key (the same
    file name in different folders) would share a citation key, so the later one is skipped.
    """
    targets = list(paths)
    check_paths(targets)
    settings = settings or get_settings()
    urls = [t for t in targets if is_url(t)]
    files, skipped = _candidate_files(Path(t) for t in targets if not is_url(t))
    docs: dict[str, SourceDocument] = {}

    def add(doc: SourceDocument, where: Path | str) -> None:
        if doc.source in docs:
            what = f"'{doc.source}' was already ingested from another file" if "#" in doc.source else \
                f"another file named '{doc.source}' was already ingested"
            skipped.append(Skipped(where, what))
        else:
            docs[doc.source] = doc

    for path in files:
        found, bad = read_file(path, max_bytes, settings)
        skipped.extend(bad)
        for doc in found:
            add(doc, path)
    if urls:
        from rag.ingest.fetch import load_url  # httpx is only imported when a URL is given

        for url in urls:
            try:
                add(load_url(str(url), settings.model_copy(update={"max_file_bytes": max_bytes})), str(url))
            except IngestError as exc:
                skipped.append(Skipped(str(url), str(exc)))
    return list(docs.values()), skipped
