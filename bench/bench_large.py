"""Benchmark: ingest ONE large generated article (default 3 MB) and report wall time, peak RSS and chunks.

Issue 14 asks that a 3 MB article ingests in under 30 s with under 600 MB RSS (it took 200 s and 1.5 GB).
The article is deterministic news-like prose from bench/synth.py's vocabulary: a headline, a dateline and
paragraphs of 2-5 sentences, written to a temp corpus and ingested with the real pipeline into a temp
data dir (offline embedder). Nothing is kept.

Run:      PYTHONPATH=$PWD .venv/bin/python bench/bench_large.py [--mb 3] [--profile out.prof]
Profile:  --profile writes a cProfile file (read it with `python -m pstats out.prof`) and prints the top
          functions by cumulative time, so the step that dominates is named.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from bench.synth import CITIES, DAYS, PEOPLE, filler_paragraph
from rag.ingest.pipeline import ingest
from rag.settings import RagSettings

TARGET_SECONDS = 30.0
TARGET_RSS_MB = 600.0


def large_article(size_bytes: int, seed: int = 3) -> str:
    """One news-like article of about `size_bytes` UTF-8 bytes (same seed -> same text)."""
    rng = random.Random(seed)
    parts = ["Regional council approves decade-long infrastructure plan",
             f"{rng.choice(CITIES).upper()} — {rng.choice(PEOPLE)} presented the plan on {rng.choice(DAYS)}."]
    size = sum(len(p) + 2 for p in parts)
    seen: set[str] = set()
    while size < size_bytes:
        para = filler_paragraph(rng, 2, 5)
        if para in seen:  # a real article does not repeat paragraphs; no step may profit from copies
            continue
        seen.add(para)
        parts.append(para)
        size += len(para.encode()) + 2
    return "\n\n".join(parts) + "\n"


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    """Generate, ingest, print the figures; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=3.0, help="article size in MB (default 3)")
    parser.add_argument("--profile", type=Path, help="write a cProfile file here and print the top entries")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        article = corpus / "large_article.txt"
        article.write_text(large_article(int(args.mb * 1_000_000)), encoding="utf-8")
        size = article.stat().st_size
        settings = RagSettings(_env_file=None, data_dir=Path(tmp) / "data", corpus_dir=corpus)
        rss_before = peak_rss_mb()
        profiler = cProfile.Profile() if args.profile else None
        t0, cpu0 = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        report = ingest([corpus], settings)
        if profiler:
            profiler.disable()
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        rss = peak_rss_mb()
        load = os.getloadavg()[0]

    print(f"article        {size:,} bytes, one file")
    print(f"wall time      {seconds:.1f} s   (target < {TARGET_SECONDS:.0f} s; embedding {report.embed_seconds:.1f} s)")
    # CPU-seconds do not depend on what else runs; wall time does (the load average says how much).
    print(f"CPU time       {cpu:.1f} s of this process (load average {load:.1f} on {os.cpu_count()} cores)")
    print(f"peak RSS       {rss:.0f} MB (before ingest {rss_before:.0f} MB; target < {TARGET_RSS_MB:.0f} MB)")
    print(f"chunks         {report.chunks_written}")
    if profiler and args.profile:
        profiler.dump_stats(str(args.profile))
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).sort_stats("cumulative").print_stats(30)
        print(buf.getvalue())
    ok = seconds < TARGET_SECONDS and rss < TARGET_RSS_MB
    print("OK" if ok else "MISSED TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
