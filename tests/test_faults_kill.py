"""Ingest killed with SIGKILL at random points, and queries made while an ingest runs.

Invariants: a rerun converges to exactly the chunks of a clean ingest; a reader only ever sees, per
article, one committed version, whose sentences sit verbatim at their offsets in that version's text.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import rag.ingest.pipeline as pipeline
from rag.index.state import committed_versions, read_registry
from rag.index.store import chunks_collection, documents_collection
from rag.ingest.pipeline import ingest
from rag.retrieve.hybrid import HybridRetriever
from tests.conftest import ROOT, make_settings

pytestmark = pytest.mark.slow
CITIES = ["Ghent", "Graz", "Brno", "Cork", "Riga", "Oslo", "Lille", "Turin"]


def article(i: int, version: int) -> str:
    """A short article; version 2 changes the figures of every second one."""
    city = CITIES[i % len(CITIES)]
    cost = 100 + i + (1000 if version == 2 and i % 2 == 0 else 0)
    return (f"Works {i} approved in {city}\n\n"
            f"The council of {city} approved works package {i} on Monday at a cost of {cost} million euros.\n\n"
            f"Mayor number {i} said construction would start in {2026 + i % 5}.\n")


def write_version(corpus: Path, version: int, n: int = 30) -> None:
    """Version 1: articles 0..n-1. Version 2: figures changed, the last 5 deleted, 5 new ones added."""
    for p in corpus.glob("*.txt"):
        p.unlink()
    ids = range(n) if version == 1 else [*range(n - 5), *range(n, n + 5)]
    for i in ids:
        (corpus / f"w{i:03d}.txt").write_text(article(i, version), encoding="utf-8")


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def run(args: list[str], data: Path, server: tuple[str, int]) -> subprocess.Popen:
    """`python -m rag.cli ARGS` against the Chroma server, writing in batches of 3 chunks (many commits)."""
    env = {**os.environ, "RAG_DATA_DIR": str(data), "RAG_INGEST_BATCH_CHUNKS": "3", "PYTHONPATH": str(ROOT),
           "CHROMA_HOST": server[0], "CHROMA_PORT": str(server[1]), "RAG_COLLECTION": "killed"}
    return subprocess.Popen([sys.executable, "-m", "rag.cli", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def check_reader(retriever: HybridRetriever, versions: dict[int, set[str]]) -> int:
    """Query as a reader would; every passage is one committed version, sentences verbatim in it."""
    seen = 0
    for q in ("What did the council of Ghent approve?", "How much did works package 4 cost?"):
        for p in retriever.retrieve(q, top_k=8):
            text = retriever.original_text(p.source, p.doc_sha256)
            if text is None:  # committed anew between retrieval and this check: fine, it was committed
                continue
            assert p.doc_sha256 in versions[int(p.source.rpartition("/")[2][1:4])]
            assert all(text[s.start : s.end] == s.text for s in p.sentences)
            seen += 1
    return seen


@pytest.mark.server
def test_faults_kill__sigkill_at_random_points_then_rerun_converges(chroma_server, tmp_path: Path) -> None:
    """The ingest runs in another process against a Chroma server, so this process reads live meanwhile."""
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    corpus.mkdir()
    write_version(corpus, 1)
    host, port = chroma_server
    settings = make_settings(data, chroma_host=host, chroma_port=port, collection="killed")
    ingest([corpus], settings)
    write_version(corpus, 2)
    versions = {i: {sha(article(i, 1)), sha(article(i, 2))} for i in range(35)}
    retriever = HybridRetriever(settings)
    rng = random.Random(1234)
    interrupted = seen = 0
    for _ in range(3):
        proc = run(["ingest", "--prune", str(corpus)], data, chroma_server)
        # Startup takes 1-2 s and the whole ingest a few more: kills land during startup or mid-ingest (with
        # 2-8 s, a faster ingest had finished before the first kill and the later runs had nothing left to do).
        deadline = time.monotonic() + rng.uniform(1.0, 4.5)
        while time.monotonic() < deadline:
            seen += check_reader(retriever, versions)  # queries during the ingest
        interrupted += proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        seen += check_reader(retriever, versions)  # and after the kill: the last complete state
    assert interrupted >= 1 and seen > 0
    final = run(["ingest", "--prune", str(corpus)], data, chroma_server)
    assert final.wait(timeout=300) == 0, final.stderr.read() if final.stderr else ""

    fresh = make_settings(tmp_path / "fresh")
    ingest([corpus], fresh)
    assert set(chunks_collection(settings).get()["ids"]) == set(chunks_collection(fresh).get()["ids"])
    records = read_registry(documents_collection(settings))
    assert set(committed_versions(records)) == set(records) == {f"{corpus.name}/{p.name}" for p in corpus.glob("*.txt")}
    keyword = retriever.keyword_index()
    assert sorted(keyword.ids) == sorted(chunks_collection(fresh).get()["ids"])


def test_faults_kill__queries_during_ingest_see_only_committed_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_version(corpus, 1, n=12)
    settings = make_settings(tmp_path / "data", ingest_batch_chunks=1)
    ingest([corpus], settings)
    retriever = HybridRetriever(settings)
    old = {f"{corpus.name}/{p.name}": sha(p.read_text(encoding="utf-8")) for p in corpus.glob("*.txt")}
    write_version(corpus, 2, n=12)
    new = {f"{corpus.name}/{p.name}": sha(p.read_text(encoding="utf-8")) for p in corpus.glob("*.txt")}

    real_write = pipeline.write_chunks
    between: list[list] = []  # what a reader saw right after new chunks landed, before their commit

    def write_then_query(collection, chunks, vectors, docs):
        real_write(collection, chunks, vectors, docs)
        source = chunks[0].source
        passages = retriever.retrieve(f"works package {int(source.rpartition('/')[2][1:4])} cost", top_k=8)
        between.append([(p.source, p.doc_sha256, source) for p in passages])
        time.sleep(0.02)

    monkeypatch.setattr(pipeline, "write_chunks", write_then_query)
    errors: list[BaseException] = []
    worker = threading.Thread(target=lambda: _run_catching(errors, ingest, [corpus], settings, prune=True))
    worker.start()
    seen = 0
    while worker.is_alive():
        for p in retriever.retrieve("How much did the council approve?", top_k=8):
            assert p.doc_sha256 in {old.get(p.source), new.get(p.source)}
            seen += 1
    worker.join()
    assert not errors and seen and between
    for rows in between:
        for source, version, writing in rows:
            if source == writing and source in old:
                assert version == old[source]  # its new chunks exist but are not committed yet
    after = retriever.retrieve("works package 4 cost", top_k=8)
    assert after and all(p.doc_sha256 == new[p.source] for p in after)


def _run_catching(errors: list[BaseException], fn, *args, **kwargs) -> None:
    try:
        fn(*args, **kwargs)
    except BaseException as exc:  # surfaced by the test thread
        errors.append(exc)
