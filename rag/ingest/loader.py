"""Read article files from disk.

Accepts UTF-8 `.txt` and `.md`; anything else (binary, undecodable, empty, too large, other
extensions) is reported as skipped with a reason instead of raising. Does not clean or chunk.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rag.models import SourceDocument

SUPPORTED_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class Skipped:
    """A file that was not ingested, and why."""

    path: Path
    reason: str


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
                    skipped.append(Skipped(child, f"unsupported file type '{child.suffix or '(none)'}'"))
        elif path.is_file():
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                files.append(path)
            else:
                skipped.append(Skipped(path, f"unsupported file type '{path.suffix or '(none)'}'"))
        else:
            skipped.append(Skipped(path, "no such file or directory"))
    return files, skipped


def read_document(path: Path, max_bytes: int) -> SourceDocument | Skipped:
    """Read one file as an article, or say why it cannot be one."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Skipped(path, f"larger than {max_bytes:,} bytes (RAG_MAX_FILE_BYTES)")
        raw = path.read_bytes()
    except OSError as exc:
        return Skipped(path, f"unreadable: {exc.strerror or exc}")
    if b"\x00" in raw:
        return Skipped(path, "binary file (contains NUL bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Skipped(path, f"not valid UTF-8 (byte {exc.start}); re-save the file as UTF-8")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return Skipped(path, "empty file")
    return SourceDocument(
        source=path.name, path=path, text=text, sha256=hashlib.sha256(raw).hexdigest()
    )


def load_documents(paths: Iterable[Path], max_bytes: int) -> tuple[list[SourceDocument], list[Skipped]]:
    """Every readable article under `paths`, plus the files skipped with their reasons.

    Two files with the same name in different folders would share a citation key, so the later
    one is skipped.
    """
    files, skipped = _candidate_files(paths)
    docs: dict[str, SourceDocument] = {}
    for path in files:
        result = read_document(path, max_bytes)
        if isinstance(result, Skipped):
            skipped.append(result)
        elif result.source in docs:
            skipped.append(Skipped(path, f"another file named '{result.source}' was already ingested"))
        else:
            docs[result.source] = result
    return list(docs.values()), skipped
