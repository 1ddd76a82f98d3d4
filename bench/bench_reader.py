"""Answer latency of the offline readers on the 50-article lee corpus (built from gensim's wheel): the first
question after start (spaCy and the reader weights load) and warm p50/p95 over the questions of a set.

Run: .venv/bin/python bench/bench_reader.py [--dataset eval/questions_lee_dev.jsonl] [--reader learned]
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

from bench.stats import pct  # noqa: E402
from rag.answering import Pipeline  # noqa: E402
from rag.eval.corpora import build_lee  # noqa: E402
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
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in args.dataset.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = build_lee(Path(tmp) / "lee")
        settings = RagSettings(_env_file=None, data_dir=Path(tmp) / "data", corpus_dir=corpus, reader=args.reader)
        ingest([corpus], settings)
        pipeline = Pipeline(settings)
        pipeline.retriever  # noqa: B018  (open the index, untimed: a UI or CLI does this at start)
        t0 = time.perf_counter()
        pipeline.answer(questions[0])
        first = time.perf_counter() - t0
        times = _answer_times(pipeline, questions[1:])
        print(f"reader={args.reader} corpus=lee (50 articles) questions={len(questions)}")
        print(f"first question after start: {first * 1000:.0f} ms (spaCy load + first parses)")
        print(f"later questions (each seen once): p50 {statistics.median(times) * 1000:.0f} ms, "
              f"p95 {pct(times, 95) * 1000:.0f} ms")
        times = _answer_times(pipeline, questions[1:])
        print(f"repeated questions (parse cache warm): p50 {statistics.median(times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
