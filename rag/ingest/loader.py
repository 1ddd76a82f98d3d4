"""Read articles from files, folders and URLs.

Each file is read by the reader of its format (rag/ingest/formats/): `.txt`/`.md` (any detectable
encoding), `.html`/`.htm`, `.pdf`, `.jsonl`/`.json`/`.csv` exports (one article per record), RSS/Atom
feeds (`.rss`, `.atom`, `.xml`; one article per entry). Strings such as `https://...` are fetched
(rag/ingest/fetch.py). The text stored for an article is the EXTRACTED text, so citations index into it.

Identity: an article's id (`source`) is `<collection>/<path relative to the folder it was ingested
from>`, where the collection is that folder's name or a name the user gives (`--collection`). A file
given on its own counts as ingested from its parent folder. So `colA/article.txt` and
`colB/article.txt` are two articles, and `seeds/003_x.txt` stays readable in citations. Records of an
export or entries of a feed add `#<record id>`; a URL's id is its host and path.

A path that does not exist raises `MissingPathError` before anything is read (an ingest that silently
read nothing could prune a whole index). Anything else that cannot be an article (binary, empty, too
large, unsupported type, a bad record, a refused URL) is reported as skipped with a reason, and the
rest is still read. Does not clean or chunk.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
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

__all__ = ["SUPPORTED_SUFFIXES", "Skipped", "collection_scopes", "is_url", "load_documents", "read_file"]

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


def folder_root(path: Path) -> Path:
    """The folder an argument's articles are identified relative to: itself, or a file's parent."""
    return (path if path.is_dir() else path.parent).resolve()


def collection_name(path: Path, collection: str | None = None) -> str:
    """The collection a file or folder argument is ingested under: the user's name, else the folder's name."""
    name = (collection or folder_root(path).name or "root").strip().strip("/")
    return name.replace("/", "_") or "root"


def collection_scopes(paths: Iterable[Path | str], collection: str | None = None) -> dict[str, Path]:
    """Collection name -> absolute folder, for every FOLDER argument (files and URLs define no scope).

    `--prune` removes only articles of these collections, and ingest refuses to mix two different folders
    under one default name (see rag/ingest/pipeline.py).
    """
    return {collection_name(Path(p), collection): folder_root(Path(p))
            for p in paths if not is_url(p) and Path(p).is_dir()}


def _candidate_files(paths: Iterable[Path]) -> tuple[list[tuple[Path, Path]], list[Skipped]]:
    """(file, folder it is identified relative to) for every supported file, and the unsupported ones."""
    files: list[tuple[Path, Path]] = []
    skipped: list[Skipped] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue
                if child.suffix.lower() in SUPPORTED_SUFFIXES:
                    files.append((child, path))
                else:
                    skipped.append(_unsupported(child))
        elif path.suffix.lower() in SUPPORTED_SUFFIXES:
            files.append((path, path.parent))
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


def load_documents(paths: Iterable[Path | str], max_bytes: int, settings: RagSettings | None = None,
                   collection: str | None = None) -> tuple[list[SourceDocument], list[Skipped]]:
    """Every readable article under `paths` (files, folders, http(s) URLs), plus what was skipped and why.

    Raises `MissingPathError` when a given path does not exist. `settings` supplies record field names
    and URL rules (default: the environment's settings). Ids are `<collection>/<relative path>` (module
    docstring); `collection` overrides the folder names. Two articles that would get the same id (two
    folders of the same name given in one run) would share a citation key, so the later one is skipped.
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
                f"another file with the id '{doc.source}' was already ingested in this run " \
                f"(two folders named '{doc.collection}'? give one --collection NAME)"
            skipped.append(Skipped(where, what))
        else:
            docs[doc.source] = doc

    for path, root in files:
        found, bad = read_file(path, max_bytes, settings)
        skipped.extend(bad)
        name = collection_name(root, collection)
        rel = path.relative_to(root).as_posix()
        absolute = folder_root(root)
        for doc in found:
            key = doc.source[len(path.name):]  # '' or '#<record>'
            add(replace(doc, source=f"{name}/{rel}{key}", collection=name, root=absolute), path)
    if urls:
        from rag.ingest.fetch import load_url  # httpx is only imported when a URL is given

        for url in urls:
            try:
                doc = load_url(str(url), settings.model_copy(update={"max_file_bytes": max_bytes}))
                add(replace(doc, collection=doc.source.split("/", 1)[0]), str(url))  # a URL's collection: its host
            except IngestError as exc:
                skipped.append(Skipped(str(url), str(exc)))
    return list(docs.values()), skipped
