"""Ingest throughput against model-only embedding throughput on exactly the texts ingest embeds.

Issue 11 asks that ingest run at >= 90 % of what the embedding model alone achieves. Each round embeds the
chunk texts of a synthetic corpus (bench/synth.py) with the configured embedder (model only), then ingests
the same corpus into a fresh store (load, clean, chunk, embed, write, commit, BM25 sync), alternating which
goes first, so load from other jobs hits both alike. Prints chunks/s for each and their ratio per round.

Run:  PYTHONPATH=. .venv/bin/python bench/bench_ingest_rate.py [--articles 300] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synth import write_corpus  # noqa: E402


def main() -> None:
    """Alternate model-only embedding and full ingest of one corpus; print the rates and their ratio."""
    from rag.index.embeddings import build_embed_model, embed_texts
    from rag.index.records import indexed_text
    from rag.ingest.chunker import chunk_document
    from rag.ingest.cleaner import clean_document, shared_keys, split_paragraphs
    from rag.ingest.loader import load_documents
    from rag.ingest.pipeline import ingest
    from rag.settings import RagSettings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        write_corpus(corpus, args.articles, 7)
        base = RagSettings(_env_file=None, data_dir=Path(tmp) / "unused")
        docs, _ = load_documents([corpus], base.max_file_bytes, base)
        shared = shared_keys([[p.key for p in split_paragraphs(d.text)] for d in docs])
        texts = [indexed_text(c.title, c.text) for d in docs
                 for c in chunk_document(clean_document(d, shared), base.chunk_size, base.chunk_overlap)]
        model = build_embed_model(base)
        embed_texts(model, texts[:64])  # warm the session once, untimed
        model_rates, ingest_rates = [], []
        for r in range(args.rounds):
            order = ("model", "ingest") if r % 2 == 0 else ("ingest", "model")
            for what in order:
                t = time.perf_counter()
                if what == "model":
                    embed_texts(model, texts)
                    model_rates.append(len(texts) / (time.perf_counter() - t))
                else:
                    settings = RagSettings(_env_file=None, data_dir=Path(tmp) / f"store{r}")
                    report = ingest([corpus], settings)
                    assert report.chunks_written == len(texts), (report.chunks_written, len(texts))
                    ingest_rates.append(len(texts) / (time.perf_counter() - t))
            print(f"round {r + 1}: model {model_rates[-1]:.1f} chunks/s, ingest {ingest_rates[-1]:.1f} chunks/s, "
                  f"ratio {ingest_rates[-1] / model_rates[-1]:.2f}", file=sys.stderr, flush=True)
    ratios = [i / m for i, m in zip(ingest_rates, model_rates, strict=True)]
    print(f"{args.articles} articles, {len(texts)} chunks, {args.rounds} alternating rounds\n")
    print("| what | chunks/s (median) | min..max |\n|---|---:|---:|")
    print(f"| embedding model only | {statistics.median(model_rates):.1f} | "
          f"{min(model_rates):.1f}..{max(model_rates):.1f} |")
    print(f"| full ingest | {statistics.median(ingest_rates):.1f} | {min(ingest_rates):.1f}..{max(ingest_rates):.1f} |")
    print(f"\ningest / model, per round: {', '.join(f'{x:.2f}' for x in ratios)}; "
          f"median {statistics.median(ratios):.2f} (target >= 0.90)")


if __name__ == "__main__":
    main()
