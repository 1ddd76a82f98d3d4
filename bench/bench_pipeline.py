"""Benchmark on the seed corpus: cold ingest time, warm retrieval p50/p95, answer p50/p95 over 20 questions.

Run: .venv/bin/python bench/bench_pipeline.py   (prints a table; not a test)
"""

from __future__ import annotations

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
from rag.ingest.pipeline import ingest  # noqa: E402
from rag.settings import RagSettings  # noqa: E402

QUESTIONS = [
    "Where did Witkoff meet Putin?", "How long did the meeting between Witkoff and Putin last?",
    "Who was Ksenia Karelina exchanged for?", "Why was Karelina sentenced?",
    "How many people were killed in the attack on Kyiv?", "What did Klitschko say about territory?",
    "Who is Kirill Dmitriev?", "How much military aid did allies pledge in Brussels?",
    "What did JD Vance say about the negotiations?", "What did Rubio say in Paris?",
    "What did Trump say about Crimea?", "Who is Yuri Ushakov?", "What did Lavrov say?",
    "Where was Marc Fogel jailed?", "How many drones did Russia launch overnight?",
    "What did Trump post on Truth Social about Kyiv strikes?", "What is the capital of France?",
    "Who won the 2024 Super Bowl?", "What did Zelenskyy say about a North Korean missile?",
    "When did Russia annex Crimea?",
]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = RagSettings(_env_file=None, data_dir=Path(tmp), corpus_dir=ROOT / "seeds")
        t0 = time.perf_counter()
        report = ingest([ROOT / "seeds"], settings)
        cold = time.perf_counter() - t0
        rerun = ingest([ROOT / "seeds"], settings)
        pipe = Pipeline(settings)
        pipe.retriever.retrieve("warm up")
        retrieval, answers = [], []
        for q in QUESTIONS:
            t = time.perf_counter()
            pipe.retriever.retrieve(q)
            retrieval.append(time.perf_counter() - t)
        for q in QUESTIONS:
            t = time.perf_counter()
            pipe.answer(q)
            answers.append(time.perf_counter() - t)
    rows = [
        ("cold ingest, 5 seed articles (incl. model load)", f"{cold:.2f} s",
         f"{report.chunks_written} chunks, embedding {report.embed_seconds:.2f} s"),
        ("re-ingest unchanged", f"{rerun.seconds:.3f} s", f"{rerun.chunks_written} chunks written"),
        ("warm retrieval p50 / p95", f"{statistics.median(retrieval) * 1000:.0f} / {pct(retrieval, 95) * 1000:.0f} ms",
         f"{len(QUESTIONS)} questions, hybrid={settings.hybrid}"),
        ("answer p50 / p95", f"{statistics.median(answers) * 1000:.0f} / {pct(answers, 95) * 1000:.0f} ms",
         "extractive" if not settings.llm_enabled else settings.llm_model),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>14}  {note}")


if __name__ == "__main__":
    main()
