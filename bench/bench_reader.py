"""Answer latency of the offline readers on the 50-article lee corpus (built from gensim's wheel): the first
question after start (spaCy and the reader weights load; with --warm, after `Pipeline.warm()` as `rag ui` calls it
at start; with --prepared, also after `rag prepare` stored every sentence's parse and vector, in this run's own
files, and the in-memory caches were emptied, as in a new process) and warm p50/p95 over the questions of a set.

Run: .venv/bin/python bench/bench_reader.py [--dataset eval/questions_lee_dev.jsonl] [--reader learned] [--warm]
[--prepared]
(prints figures; not a test)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: `bench.stats` must import

from bench.stats import no_stored_parses, pct  # noqa: E402

no_stored_parses()
from rag.answering import Pipeline  # noqa: E402
from rag.eval.corpora import build_corpus  # noqa: E402
from rag.ingest.pipeline import ingest  # noqa: E402
from rag.settings import RagSettings  # noqa: E402


def _answer_times(pipeline: Pipeline, questions: list[str]) -> list[float]:
    """Seconds each question took to answer."""
    times = []
    for q in questions:
        t0 = time.perf_counter()
        pipeline.answer(q)
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=ROOT / "eval" / "questions_lee_dev.jsonl")
    parser.add_argument("--reader", choices=["rules", "learned"], default="learned")
    parser.add_argument("--warm", action="store_true",
                        help="call Pipeline.warm() first, as `rag ui` does at start (timed on its own)")
    parser.add_argument("--prepared", action="store_true",
                        help="run `rag prepare` first (timed on its own), into this run's own disk caches")
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in args.dataset.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = build_corpus("lee", Path(tmp) / "lee")
        settings = RagSettings(_env_file=None, data_dir=Path(tmp) / "data", corpus_dir=corpus, reader=args.reader,
                               **({"parse_cache_entries": 20_000} if args.prepared else {}))
        ingest([corpus], settings)
        prepared = None
        if args.prepared:
            from rag import nlp
            from rag.disk_cache import DiskCache
            from rag.prepare import prepare

            parse_cache = DiskCache(Path(tmp) / "parses.sqlite3", settings.parse_cache_entries)
            nlp._disk = lambda: parse_cache  # this run's own stored parses, none from earlier runs
            prepared = prepare(Pipeline(settings))
            nlp._cache = nlp._ParseCache(nlp._CACHE_SIZE)  # a new process: nothing parsed in memory
        pipeline = Pipeline(settings)
        pipeline.retriever  # noqa: B018  (open the index, untimed: a UI or CLI does this at start)
        warm = None
        if args.warm:
            t0 = time.perf_counter()
            pipeline.warm()
            warm = time.perf_counter() - t0
        t0 = time.perf_counter()
        pipeline.answer(questions[0])
        first = time.perf_counter() - t0
        times = _answer_times(pipeline, questions[1:])
        print(f"reader={args.reader} corpus=lee (50 articles) questions={len(questions)}")
        if prepared is not None:
            print(f"rag prepare: {prepared.sentences} sentences parsed and embedded in {prepared.seconds:.1f} s")
        if warm is None:
            print(f"first question after start: {first * 1000:.0f} ms (spaCy load + first parses)")
        else:
            print(f"warm-up at start (Pipeline.warm): {warm * 1000:.0f} ms; "
                  f"first question after it: {first * 1000:.0f} ms")
        print(f"later questions (each seen once): p50 {statistics.median(times) * 1000:.0f} ms, "
              f"p95 {pct(times, 95) * 1000:.0f} ms")
        times = _answer_times(pipeline, questions[1:])
        print(f"repeated questions (parse cache warm): p50 {statistics.median(times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
