"""Scale benchmark: ingest and query synthetic corpora of growing size (bench/synth.py), one process per size.

Per size: ingest throughput (articles/s, chunks/s, share of time spent embedding), peak RSS, index size
on disk, re-ingest of an unchanged corpus, an incremental update of 1% of the articles, first-query
time of a fresh process (BM25 load), warm retrieval p50/p95, answer p50/p95 (offline answerer), and
hit@5 of planted facts (the planted sentence is in one of the 5 retrieved passages).

Run:  PYTHONPATH=. .venv/bin/python bench/bench_scale.py --sizes 5 1000 10000   (prints a table; not a test)
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stats import du, no_stored_parses, pct  # noqa: E402
from bench.synth import write_corpus  # noqa: E402

no_stored_parses()


def rss_mb() -> float:
    """Peak resident set size of this process so far, MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(n: int, queries: int, seed: int) -> dict:
    """Measure one corpus size in this process."""
    from rag.answering import Pipeline
    from rag.index.keyword import _cache
    from rag.ingest.pipeline import ingest
    from rag.retrieve.hybrid import HybridRetriever
    from rag.settings import RagSettings

    out: dict = {"n": n}
    with tempfile.TemporaryDirectory() as tmp:
        corpus, data = Path(tmp) / "corpus", Path(tmp) / "data"
        planted = write_corpus(corpus, n, seed)
        settings = RagSettings(_env_file=None, data_dir=data, corpus_dir=corpus)
        from rag.index.embeddings import build_embed_model
        build_embed_model(settings)  # model load is not ingest throughput
        t = time.perf_counter()
        report = ingest([corpus], settings)
        out["ingest_s"] = time.perf_counter() - t
        out["chunks"] = report.chunks_written
        out["embed_s"] = report.embed_seconds
        out["rss_ingest_mb"] = rss_mb()
        out["disk_mb"] = du(data) / 1e6
        out["bm25_mb"] = du(data / "bm25") / 1e6
        t = time.perf_counter()
        ingest([corpus], settings)
        out["reingest_s"] = time.perf_counter() - t

        rng = random.Random(seed)
        changed = rng.sample(sorted(p.name for p in corpus.iterdir()), max(1, n // 100))
        for name in changed:
            path = corpus / name
            path.write_text(path.read_text(encoding="utf-8") + "\nThe council will meet again next month.\n",
                            encoding="utf-8")
        t = time.perf_counter()
        upd = ingest([corpus], settings)
        out["update_n"] = len(upd.updated)
        out["update_s"] = time.perf_counter() - t

        _cache.clear()  # as a fresh process: BM25 comes from disk
        retriever = HybridRetriever(settings)
        t = time.perf_counter()
        retriever.retrieve("warm up question about the council")
        out["first_query_s"] = time.perf_counter() - t

        sample = rng.sample(planted, min(queries, len(planted)))
        latencies, hits = [], 0
        for fact in sample:
            t = time.perf_counter()
            passages = retriever.retrieve(fact.question, top_k=5)
            latencies.append(time.perf_counter() - t)
            hits += any(p.source == f"corpus/{fact.source}" and fact.sentence in p.text for p in passages)
        out["retrieve_p50_ms"] = statistics.median(latencies) * 1000
        out["retrieve_p95_ms"] = pct(latencies, 95) * 1000
        out["hit_at_5"] = hits / len(sample)
        out["queries"] = len(sample)

        pipe = Pipeline(settings)
        answers, correct = [], 0
        for fact in sample[:20]:
            t = time.perf_counter()
            res = pipe.answer(fact.question)
            answers.append(time.perf_counter() - t)
            correct += any(c.source == f"corpus/{fact.source}" and c.quote in fact.sentence for c in res.citations)
        out["answer_p50_ms"] = statistics.median(answers) * 1000
        out["answer_p95_ms"] = pct(answers, 95) * 1000
        out["answer_cites_fact"] = correct / len(answers)
        out["rss_peak_mb"] = rss_mb()
    return out


ROWS = [
    ("articles", "n", "{:.0f}"),
    ("chunks", "chunks", "{:.0f}"),
    ("ingest time (s)", "ingest_s", "{:.1f}"),
    ("ingest articles/s", "articles_per_s", "{:.1f}"),
    ("ingest chunks/s", "chunks_per_s", "{:.1f}"),
    ("embedding share of ingest", "embed_share", "{:.0%}"),
    ("peak RSS after ingest (MB)", "rss_ingest_mb", "{:.0f}"),
    ("peak RSS incl. queries (MB)", "rss_peak_mb", "{:.0f}"),
    ("index on disk (MB)", "disk_mb", "{:.1f}"),
    ("  of which BM25 (MB)", "bm25_mb", "{:.1f}"),
    ("re-ingest unchanged (s)", "reingest_s", "{:.2f}"),
    ("update 1% of articles (s)", "update_s", "{:.2f}"),
    ("first query, fresh process (s)", "first_query_s", "{:.2f}"),
    ("warm retrieval p50 (ms)", "retrieve_p50_ms", "{:.0f}"),
    ("warm retrieval p95 (ms)", "retrieve_p95_ms", "{:.0f}"),
    ("answer p50 (ms)", "answer_p50_ms", "{:.0f}"),
    ("answer p95 (ms)", "answer_p95_ms", "{:.0f}"),
    ("hit@5 planted facts", "hit_at_5", "{:.1%}"),
    ("answer cites planted fact", "answer_cites_fact", "{:.0%}"),
]


def table(results: list[dict]) -> str:
    """Results as a fixed-width table, one column per corpus size."""
    for r in results:
        r["articles_per_s"] = r["n"] / r["ingest_s"]
        r["chunks_per_s"] = r["chunks"] / r["ingest_s"]
        r["embed_share"] = r["embed_s"] / r["ingest_s"]
    width = max(len(name) for name, _, _ in ROWS)
    lines = []
    for name, key, fmt in ROWS:
        cells = [fmt.format(r[key]) for r in results]
        lines.append(f"{name:<{width}}  " + "  ".join(f"{c:>10}" for c in cells))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 1000])
    parser.add_argument("--queries", type=int, default=100, help="planted-fact questions per size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one, args.queries, args.seed)))
        return
    results = []
    for n in args.sizes:
        proc = subprocess.run([sys.executable, __file__, "--one", str(n), "--queries", str(args.queries),
                               "--seed", str(args.seed)], capture_output=True, text=True, check=True)
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(f"size {n} done: {json.dumps(results[-1])}", file=sys.stderr, flush=True)
    print(table(results))


if __name__ == "__main__":
    main()
