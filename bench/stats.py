"""Small measuring helpers the benchmarks share: percentiles and bytes on disk."""

from __future__ import annotations

from pathlib import Path


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def du(path: Path) -> int:
    """Bytes under `path`."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
