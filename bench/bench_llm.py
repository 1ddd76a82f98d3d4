"""Time-to-first-token and answer time through the whole pipeline against a real local model server:
llama-cpp-python's OpenAI-compatible server running Gemma 3 270M Q4_K_M (from PyPI) on this CPU.

Run: make bench-llm   (needs the `llm` extra; or set LLAMA_SERVER_PYTHON to a venv where it is built)
Prints one line per question and a summary; not a test. Times include retrieval (~0.1 s) and verification.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.llama_server lives beside the tests that use it

from bench.stats import no_stored_parses  # noqa: E402

no_stored_parses()

from rag.answering import Pipeline  # noqa: E402
from rag.ingest.pipeline import ingest  # noqa: E402
from rag.models import TextDelta  # noqa: E402
from rag.settings import RagSettings  # noqa: E402
from tests.llama_server import MODEL_ALIAS, llama_server  # noqa: E402

QUESTIONS = [
    "Where did Witkoff meet Putin?", "How long did the meeting between Witkoff and Putin last?",
    "Who is Kirill Dmitriev?", "How many people were killed in the attack on Kyiv?",
    "What did Klitschko say about territory?", "Who won the 2024 Super Bowl?",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default: all cores)")
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--top-k", type=int, default=6, help="passages in the prompt")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="bench-llm-"))
    base = RagSettings(_env_file=None, data_dir=data, corpus_dir=ROOT / "seeds")
    ingest([ROOT / "seeds"], base)
    t_start = time.perf_counter()
    with llama_server(threads=args.threads) as url:
        print(f"server ready in {time.perf_counter() - t_start:.1f}s at {url}")
        settings = base.model_copy(update={"openai_base_url": url, "llm_model": MODEL_ALIAS, "top_k": args.top_k,
                                           "llm_max_tokens": args.max_tokens, "llm_timeout": 600.0,
                                           "llm_max_retries": 0})
        pipeline = Pipeline(settings)
        pipeline.answer("warm-up question about Putin")  # loads embeddings and the server's first prompt
        ttfts, totals = [], []
        for q in QUESTIONS:
            t0 = time.perf_counter()
            first = None
            stream = pipeline.answer_stream(q)
            for event in stream:
                if first is None and isinstance(event, TextDelta) and event.text:
                    first = time.perf_counter() - t0
            res = stream.answer()
            total = time.perf_counter() - t0
            ttfts.append(first or total)
            totals.append(total)
            outcome = "abstained" if res.abstained else f"{len(res.citations)} citation(s)"
            print(f"ttft {ttfts[-1]:6.2f}s  total {total:6.2f}s  {res.answerer:>22}  {outcome:>13}  "
                  f"{'fallback: ' + res.notice[:60] if res.notice else ''}  | {q}")
    print(f"median time to first token {statistics.median(ttfts):.2f}s, median answer time "
          f"{statistics.median(totals):.2f}s over {len(QUESTIONS)} questions (max_tokens={args.max_tokens}, "
          f"top_k={args.top_k}, threads={args.threads or 'all'})")


if __name__ == "__main__":
    main()
