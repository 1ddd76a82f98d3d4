"""Where the index's bytes go: ingest a synthetic corpus, then attribute the data dir to files, SQLite tables
and indexes (`dbstat`), Chroma metadata keys, the write-ahead log (embeddings_queue), the full-text index
and the HNSW files.

By default the chunk vectors are random unit vectors (`--real-embeddings` uses the model): the bytes on disk
do not depend on the values, and it turns a ~10-minute embedding run into seconds.

Run:  PYTHONPATH=. .venv/bin/python bench/bench_disk.py [--articles 2000] [--real-embeddings]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synth import write_corpus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--real-embeddings", action="store_true")
    args = parser.parse_args()

    import rag.ingest.pipeline as pipeline
    from rag.settings import RagSettings

    if not args.real_embeddings:
        rng = np.random.default_rng(0)

        def fake(_model, texts: list[str]) -> np.ndarray:
            v = rng.standard_normal((len(texts), 384)).astype(np.float32)
            return v / np.linalg.norm(v, axis=1, keepdims=True)

        pipeline.embed_texts = fake

    with tempfile.TemporaryDirectory() as tmp:
        corpus, data = Path(tmp) / "corpus", Path(tmp) / "data"
        write_corpus(corpus, args.articles)
        settings = RagSettings(_env_file=None, data_dir=data, corpus_dir=corpus)
        t = time.perf_counter()
        report = pipeline.ingest([corpus], settings)
        seconds = time.perf_counter() - t
        chunks = report.chunks_written
        corpus_bytes = sum(p.stat().st_size for p in corpus.iterdir())
        files = sorted((p for p in data.rglob("*") if p.is_file()), key=lambda p: -p.stat().st_size)
        total = sum(p.stat().st_size for p in files)
        print(f"{args.articles} articles ({corpus_bytes / 1e6:.1f} MB of text), {chunks} chunks, "
              f"ingest {seconds:.0f} s "
              f"({'model' if args.real_embeddings else 'random'} vectors); data dir {total / 1e6:.1f} MB = "
              f"{total / chunks / 1000:.1f} KB per chunk\n")
        print("| file | MB | KB per chunk |\n|---|---:|---:|")
        for p in files[:12]:
            print(f"| {p.relative_to(data)} | {p.stat().st_size / 1e6:.2f} | {p.stat().st_size / chunks / 1000:.2f} |")

        db = sqlite3.connect(str(data / "chroma" / "chroma.sqlite3"))
        try:
            rows = db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
        except sqlite3.OperationalError:
            rows = []
        if rows:
            print("\n| SQLite table or index (dbstat) | MB | KB per chunk |\n|---|---:|---:|")
            for name, size in rows[:16]:
                print(f"| {name} | {size / 1e6:.2f} | {size / chunks / 1000:.2f} |")
        meta = db.execute(
            "SELECT key, COUNT(*), SUM(LENGTH(COALESCE(string_value, ''))) FROM embedding_metadata "
            "GROUP BY key ORDER BY 3 DESC").fetchall()
        print("\n| metadata key (both collections) | rows | string bytes (MB) | bytes per row |\n|---|---:|---:|---:|")
        for key, n, size in meta:
            print(f"| {key} | {n} | {size / 1e6:.2f} | {size / max(n, 1):.0f} |")
        queue = db.execute(
            "SELECT COUNT(*), SUM(LENGTH(vector)), SUM(LENGTH(metadata)) FROM embeddings_queue").fetchone()
        print(f"\nembeddings_queue (write-ahead log): {queue[0]} rows, vectors {(queue[1] or 0) / 1e6:.2f} MB, "
              f"metadata JSON {(queue[2] or 0) / 1e6:.2f} MB")
        n_emb = db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
        print(f"embeddings rows: {n_emb}")
        for row in db.execute("SELECT name, sql FROM sqlite_master WHERE name LIKE 'embedding_fulltext_search%' "
                              "AND type='table' AND sql LIKE '%VIRTUAL%'"):
            print(f"full-text index: {row[1]}")
        db.close()
        what_if(data / "chroma" / "chroma.sqlite3", chunks, settings.collection_name)


def what_if(path: Path, chunks: int, name: str) -> None:
    """Bytes each cut would save: apply it to a copy of the SQLite file, VACUUM, compare."""
    import shutil

    def size_after(statements: list[str]) -> int:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "c.sqlite3"
            shutil.copy(path, copy)
            db = sqlite3.connect(str(copy))
            for sql in statements:
                db.execute(sql)
            db.commit()
            db.execute("VACUUM")
            db.close()
            return copy.stat().st_size

    registry = (f"SELECT e.id FROM embeddings e JOIN segments s ON e.segment_id = s.id "
                f"JOIN collections c ON s.collection = c.id WHERE c.name = '{name}-docs'")
    base = size_after([])
    cuts = [
        ("sentences JSON (sentence offsets)", ["DELETE FROM embedding_metadata WHERE key = 'sentences'"]),
        ("registry: original article text (chroma:document of the -docs collection)",
         [f"DELETE FROM embedding_metadata WHERE key = 'chroma:document' AND id IN ({registry})",
          f"DELETE FROM embedding_fulltext_search WHERE rowid IN ({registry})"]),
        ("Chroma's trigram full-text index (all documents)",
         ["DROP TABLE embedding_fulltext_search"]),
        ("embeddings_queue (write-ahead log)", ["DELETE FROM embeddings_queue"]),
        ("index on every string metadata value", ["DROP INDEX embedding_metadata_string_value"]),
    ]
    print(f"\nchroma.sqlite3 after VACUUM: {base / 1e6:.1f} MB ({base / chunks / 1000:.1f} KB per chunk); "
          f"saved by each cut alone (on a copy):\n")
    print("| cut | MB saved | KB per chunk saved |\n|---|---:|---:|")
    for label, statements in cuts:
        try:
            saved = base - size_after(statements)
        except sqlite3.OperationalError as exc:
            print(f"| {label} | n/a ({exc}) | |")
            continue
        print(f"| {label} | {saved / 1e6:.1f} | {saved / chunks / 1000:.2f} |")


if __name__ == "__main__":
    main()
