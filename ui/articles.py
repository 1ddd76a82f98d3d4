"""The Articles tab: list the indexed articles, add files (drag and drop) or a URL, delete an article.

Uploads and URLs are untrusted input. An uploaded file's name is reduced to a safe base name and the file is
stored under the app's own upload folder (`RAG_DATA_DIR/uploads`, collection `uploads`), never where the
name points; a different article never overwrites another one of the same name (the new one gets
`-2`, `-3`, ...). Only the listed formats are accepted, and per-file (`RAG_MAX_FILE_BYTES`) and
per-request (`RAG_UI_MAX_REQUEST_BYTES`) size limits apply with a clear message. URLs go through
rag/ingest/fetch.py (http(s) only, no private addresses unless allowed, bounded redirects and size).
Everything shown is escaped. With `RAG_UI_READONLY=true` none of this is offered.
Does not build the Gradio layout (ui/app.py does).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

import rag
from rag.ingest.formats import SUPPORTED_SUFFIXES
from rag.models import ArticleInfo
from rag.settings import RagSettings
from rag.ui.sources import link_html

UPLOADS = "uploads"  # the collection uploaded files are filed under
READONLY_MESSAGE = ("Adding and deleting articles is turned off on this server (RAG_UI_READONLY=true). "
                    "Ask its administrator to add articles with `rag ingest`.")
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
_MAX_NAME = 120


@dataclass(frozen=True)
class FileResult:
    """What happened to one uploaded file or URL: added, updated, unchanged or skipped, and why."""

    name: str
    status: str  # "added", "updated", "unchanged", "skipped"
    detail: str = ""


def safe_name(name: str) -> str:
    """A base name that cannot leave the upload folder: no directories, no leading dots, only plain characters."""
    base = re.split(r"[\\/]", name or "")[-1]  # both separators: a Windows path arrives with backslashes
    base = _UNSAFE.sub("_", base).strip(" .")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[: _MAX_NAME - len(suffix) - 1] or "article"
    return f"{stem}.{suffix}" if suffix else stem


def _sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _destination(folder: Path, name: str, sha: str) -> Path:
    """Where an upload goes: its safe name, or the same name again when the content is the same file,
    else the first free `name-N.ext` (a different article is never overwritten)."""
    candidate = folder / name
    stem, suffix = candidate.stem, candidate.suffix
    n = 1
    while candidate.exists() and _sha(candidate) != sha:
        n += 1
        candidate = folder / f"{stem}-{n}{suffix}"
    if candidate.resolve().parent != folder.resolve():  # defence in depth: never write outside the folder
        raise ValueError(f"refusing to write outside the upload folder: {name}")
    return candidate


def store_uploads(files: list[tuple[Path, str]], settings: RagSettings
                  ) -> tuple[list[tuple[Path, str]], list[FileResult]]:
    """Copy accepted uploads (temp path, name the browser sent) into the upload folder.

    Returns (stored path, original name) per accepted file and a `skipped` result for each refused one
    (format, size). When the files together exceed the per-request limit, none is stored.
    """
    slots = _store(files, settings)
    return ([s for s in slots if not isinstance(s, FileResult)], [s for s in slots if isinstance(s, FileResult)])


def _store(files: list[tuple[Path, str]], settings: RagSettings) -> list[FileResult | tuple[Path, str]]:
    """store_uploads' work, in upload order: per file, its `skipped` result or (stored path, original name)."""
    total = 0
    slots: list[FileResult | tuple[Path, str, str]] = []
    for temp, original in files:
        name = safe_name(original)
        size = temp.stat().st_size
        total += size
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            slots.append(FileResult(original, "skipped", f"unsupported file type '{Path(name).suffix or '(none)'}' "
                                                         f"(supported: {' '.join(SUPPORTED_SUFFIXES)})"))
        elif size > settings.max_file_bytes:
            slots.append(FileResult(original, "skipped", f"{size:,} bytes, over the {settings.max_file_bytes:,}-"
                                                         "byte limit per file (RAG_MAX_FILE_BYTES)"))
        else:
            slots.append((temp, name, original))
    if total > settings.ui_max_request_bytes:
        why = (f"the files add up to {total:,} bytes, over the {settings.ui_max_request_bytes:,}-byte limit per "
               "upload (RAG_UI_MAX_REQUEST_BYTES); upload fewer at a time")
        return [s if isinstance(s, FileResult) else FileResult(s[2], "skipped", why) for s in slots]
    folder = settings.uploads_dir
    folder.mkdir(parents=True, exist_ok=True)
    out: list[FileResult | tuple[Path, str]] = []
    for slot in slots:
        if isinstance(slot, FileResult):
            out.append(slot)
            continue
        temp, name, original = slot
        target = _destination(folder, name, _sha(temp))
        if any(not isinstance(done, FileResult) and done[0] == target for done in out):
            # The same file twice in one upload is one article. Passed twice, the loader skipped the second as
            # a duplicate id, and that skip, keyed by the shared path, marked both skipped and deleted the file
            # the first had indexed.
            out.append(FileResult(original, "skipped", "the same file is already in this upload"))
            continue
        if not target.exists():
            shutil.copyfile(temp, target)
        out.append((target, original))
    return out


def _results(report, targets: list[tuple[str, str]]) -> list[FileResult]:
    """Per target (id prefix of its articles, name shown): its articles' fate from the ingest report."""
    fates = [("added", report.added), ("updated", report.updated), ("unchanged", report.unchanged)]
    out: list[FileResult] = []
    for prefix, shown in targets:
        def mine(source: str, prefix: str = prefix) -> bool:
            return source == prefix or source.startswith(prefix + "#")

        hit = False
        for status, sources in fates:
            for source in sources:
                if mine(source):
                    hit = True
                    detail = "already indexed, nothing changed" if status == "unchanged" else f"as {source}"
                    out.append(FileResult(shown, status, detail))
        if not hit:
            out.append(FileResult(shown, "skipped", "no article found in it"))
    return out


def add_uploads(files: list[tuple[Path, str]], settings: RagSettings,
                on_progress: Callable[[int, int], None] | None = None) -> list[FileResult]:
    """Store and index uploaded files; the results in upload order, one or more per file (skips say why)."""
    slots = _store(files, settings)
    stored = [s for s in slots if not isinstance(s, FileResult)]
    if not stored:
        return [s for s in slots if isinstance(s, FileResult)]
    skipped: dict[str, str] = {}
    report = rag.add_articles([p for p, _ in stored], settings, collection=UPLOADS, on_progress=on_progress,
                              on_skip=lambda s: skipped.setdefault(str(s.path), s.reason))
    results: list[FileResult] = []
    for slot in slots:
        if isinstance(slot, FileResult):
            results.append(slot)
            continue
        path, original = slot
        if str(path) in skipped:
            results.append(FileResult(original, "skipped", skipped[str(path)]))
            path.unlink(missing_ok=True)  # nothing of it was indexed: do not keep it around
        else:
            results.extend(_results(report, [(f"{UPLOADS}/{path.name}", original)]))
    return results


def add_url(url: str, settings: RagSettings, on_progress: Callable[[int, int], None] | None = None) -> FileResult:
    """Fetch and index one http(s) URL; the result says why when it is refused."""
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        return FileResult(url, "skipped", "only http:// and https:// addresses can be added")
    skipped: list[str] = []
    report = rag.add_articles([url], settings, on_progress=on_progress, on_skip=lambda s: skipped.append(s.reason))
    if skipped:
        return FileResult(url, "skipped", skipped[0])
    fates = [("added", report.added), ("updated", report.updated), ("unchanged", report.unchanged)]
    for status, sources in fates:
        if sources:
            return FileResult(url, status, f"as {sources[0]}")
    return FileResult(url, "skipped", "no article found")


def delete_article(source: str, settings: RagSettings) -> str:
    """Remove one article from the index (and its stored upload); a sentence saying what happened."""
    known = {a.source: a for a in rag.list_articles(settings)}
    if source not in known:
        return f"'{source}' is not in the index."
    rag.delete_articles([source], settings)
    path = Path(known[source].path)
    uploads = settings.uploads_dir.resolve()
    if known[source].collection == UPLOADS and path.is_file() and path.resolve().parent == uploads:
        still = [a for a in rag.list_articles(settings) if a.path == known[source].path]
        if not still:  # the other records of an export or feed keep their file
            path.unlink()
        return f"Deleted {source}."
    return f"Deleted {source} from the index (the file stays on disk; `rag ingest` would add it again)."


def results_html(results: list[FileResult]) -> str:
    """The per-file outcome list, escaped."""
    if not results:
        return ""
    rows = "".join(
        f"<li class='nr-res nr-res-{escape(r.status)}'><span class='nr-res-status'>{escape(r.status)}</span> "
        f"<span class='nr-res-name'>{escape(r.name)}</span>"
        f"{' — ' + escape(r.detail) if r.detail else ''}</li>"
        for r in results
    )
    return f"<ul class='nr-results'>{rows}</ul>"


def articles_html(articles: list[ArticleInfo]) -> str:
    """The articles table: title (linked when the article has an http(s) URL), date, publisher, id, chunks."""
    if not articles:
        return "<div class='nr-empty'>No articles are indexed yet. Add some below or with `rag ingest`.</div>"
    rows = []
    for a in articles:
        link = link_html(a.url, "↗")
        rows.append(
            f"<tr><td class='nr-a-title'>{escape(a.title or a.source)} {link}</td>"
            f"<td>{escape((a.date or '')[:10])}</td><td>{escape(a.publisher or '')}</td>"
            f"<td class='nr-a-id'>{escape(a.source)}</td><td class='nr-a-n'>{a.n_chunks}</td></tr>"
        )
    return ("<div class='nr-articles'><table><thead><tr><th>Title</th><th>Date</th><th>Source</th><th>Id</th>"
            "<th>Chunks</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>")
