"""Small measuring helpers the benchmarks share: percentiles, bytes on disk, and no parses from earlier runs."""

from __future__ import annotations

import os
from pathlib import Path


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def du(path: Path) -> int:
    """Bytes under `path`."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def no_stored_parses() -> None:
    """Turn off spaCy's on-disk parse cache (rag/disk_cache.py) for this process, unless the caller set it.

    It lives in RAG_MODEL_DIR, shared by every run: a benchmark run again would read back the parses of its
    previous run instead of measuring parsing. (Sentence vectors are cached in each run's own data dir.)
    Call before anything reads the settings.
    """
    os.environ.setdefault("RAG_PARSE_CACHE_ENTRIES", "0")
