"""Bad corpus files: each is skipped with a reason or ingested whole, and nothing else is lost or corrupted."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

import rag.ingest.pipeline as pipeline
from rag.index.records import ChunkRecord
from rag.index.state import committed_versions, read_article_texts, read_registry
from rag.index.store import chunks_collection, documents_collection
from rag.ingest.pipeline import ingest
from rag.retrieve.hybrid import HybridRetriever
from tests.conftest import make_settings

GOOD = "Harbour plans approved\n\nThe council in Ghent approved the new harbour plan on Monday, officials said.\n"


def fake_embed(_model, texts: list[str]) -> np.ndarray:
    """Deterministic unit vectors: these tests check what is stored, not what is similar."""
    out = np.zeros((len(texts), 384), np.float32)
    for i, t in enumerate(texts):
        out[i] = np.random.default_rng(int(hashlib.sha1(t.encode()).hexdigest()[:8], 16)).normal(size=384)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture
def fast_embed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "embed_texts", fake_embed)


def stored(settings) -> dict[str, list[tuple[str, dict]]]:
    """source -> [(chunk text, metadata)] of every chunk in the store."""
    got = chunks_collection(settings).get(include=["documents", "metadatas"])
    out: dict[str, list] = {}
    for text, meta in zip(got["documents"], got["metadatas"], strict=True):
        out.setdefault(meta["source"], []).append((text, meta))
    return out


def assert_consistent(settings, corpus: Path) -> None:
    """Every chunk is committed, and every stored sentence (offsets in the chunk, text from the registry's
    copy of the article) sits at its offsets in the file on disk."""
    registry = documents_collection(settings)
    records = read_registry(registry)
    committed = committed_versions(records)
    assert set(committed) == set(records)  # no placeholder left
    for source, chunks in stored(settings).items():
        original = Path(records[source].path).read_text(encoding="utf-8")  # the file, found via its record
        kept = read_article_texts(registry, [source])[source]
        for _, meta in chunks:
            record = ChunkRecord.from_metadata(meta, kept)
            assert all(s.text for s in record.sentences)
            assert record.version == committed[source]
            for sentence in record.sentences:
                assert original[sentence.start:sentence.end] == sentence.text


BAD_FILES = [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\n\t\n", "empty file"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (contains NUL bytes)"),
    ("noise.txt", bytes(range(128, 256)) * 8, "binary or undecodable file (no text encoding fits its bytes)"),
]


@pytest.mark.parametrize(("name", "raw", "reason"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_faults_files__bad_file_is_skipped_with_reason_and_good_one_kept(
    fast_embed, tmp_path: Path, name: str, raw: bytes, reason: str
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD, encoding="utf-8")
    (corpus / name).write_bytes(raw)
    settings = make_settings(tmp_path / "data")
    report = ingest([corpus], settings)
    assert report.added == ["corpus/good.txt"]
    assert [(s.path.name, s.reason.startswith(reason)) for s in report.skipped] == [(name, True)]
    assert set(stored(settings)) == {"corpus/good.txt"}
    assert_consistent(settings, corpus)


def test_faults_files__five_megabyte_article_is_ingested_whole(fast_embed, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    paragraph = "The committee in Brno met again on Tuesday and discussed the budget at length. " * 6
    body = "\n\n".join(f"Session {i}: {paragraph}" for i in range(10_500))
    (corpus / "huge.txt").write_text("Budget marathon in Brno\n\n" + body + "\n", encoding="utf-8")
    assert (corpus / "huge.txt").stat().st_size > 5_000_000
    settings = make_settings(tmp_path / "data", chunk_size=512)
    report = ingest([corpus], settings)
    chunks = stored(settings)["corpus/huge.txt"]
    assert report.added == ["corpus/huge.txt"] and len(chunks) == report.chunks_written > 1000
    assert_consistent(settings, corpus)
    assert any("Session 10499:" in text for text, _ in chunks)  # the end is not lost


def test_faults_files__too_large_file_is_skipped_with_the_setting_named(fast_embed, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "big.txt").write_text("x. " * 400_000, encoding="utf-8")
    report = ingest([corpus], make_settings(tmp_path / "data", max_file_bytes=1_000_000))
    assert [s.reason for s in report.skipped] == ["1,200,000 bytes, over the 1,000,000-byte limit (RAG_MAX_FILE_BYTES)"]


LEGACY_FILES = [  # not UTF-8: read with the detected encoding (they used to be skipped)
    ("latin1.txt", "Le café de Genève a fermé.".encode("latin-1"), "Le café de Genève a fermé."),
    ("cp1252.txt", "Café owners welcome “terrace season” rules — €40 a month.".encode("cp1252"),
     "Café owners welcome “terrace season” rules — €40 a month."),
]


@pytest.mark.parametrize(("name", "raw", "text"), LEGACY_FILES, ids=[f[0] for f in LEGACY_FILES])
def test_faults_files__legacy_encoding_is_ingested_as_decoded_text(
    fast_embed, tmp_path: Path, name: str, raw: bytes, text: str
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / name).write_bytes(raw)
    settings = make_settings(tmp_path / "data")
    report = ingest([corpus], settings)
    assert report.added == [f"corpus/{name}"] and report.skipped == []
    # The stored original is the decoded text, so citation offsets index into it.
    assert read_article_texts(documents_collection(settings), [f"corpus/{name}"]) == {f"corpus/{name}": text}


def test_faults_files__boilerplate_only_article_is_registered_without_chunks(fast_embed, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD, encoding="utf-8")
    (corpus / "chrome.txt").write_text(
        "Sign up for our daily newsletter\n\nAdvertisement\n\nScroll to top\n\nSubscribe now\n", encoding="utf-8")
    settings = make_settings(tmp_path / "data")
    report = ingest([corpus], settings)
    assert sorted(report.added) == ["corpus/chrome.txt", "corpus/good.txt"]
    assert set(stored(settings)) == {"corpus/good.txt"}
    assert ingest([corpus], settings).wrote is False
    assert_consistent(settings, corpus)


def test_faults_files__file_replaced_while_ingesting_keeps_the_version_read_then_rerun_updates(
    fast_embed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(GOOD, encoding="utf-8")
    (corpus / "b.txt").write_text(GOOD.replace("Ghent", "Graz"), encoding="utf-8")
    replaced = GOOD.replace("Monday", "Friday") + "\nA second vote is planned for June.\n"
    real_chunk = pipeline.chunk_document

    def chunk_then_replace(cleaned, *args, **kwargs):
        (corpus / "a.txt").write_text(replaced, encoding="utf-8")  # the file changes under the ingest
        return real_chunk(cleaned, *args, **kwargs)

    monkeypatch.setattr(pipeline, "chunk_document", chunk_then_replace)
    settings = make_settings(tmp_path / "data")
    ingest([corpus], settings)
    monkeypatch.setattr(pipeline, "chunk_document", real_chunk)
    registry = read_article_texts(documents_collection(settings), ["corpus/a.txt"])
    assert registry == {"corpus/a.txt": GOOD}  # stored text and chunks are both the version read
    assert all("Monday" in t for t, _ in stored(settings)["corpus/a.txt"])
    assert ingest([corpus], settings).updated == ["corpus/a.txt"]
    assert_consistent(settings, corpus)
    fresh = make_settings(tmp_path / "fresh")
    ingest([corpus], fresh)
    assert set(chunks_collection(settings).get()["ids"]) == set(chunks_collection(fresh).get()["ids"])


def test_faults_files__deleted_file_then_prune_leaves_no_trace(fast_embed, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(GOOD, encoding="utf-8")
    (corpus / "b.txt").write_text(GOOD.replace("Ghent", "Graz"), encoding="utf-8")
    settings = make_settings(tmp_path / "data")
    ingest([corpus], settings)
    (corpus / "b.txt").unlink()
    assert ingest([corpus], settings).removed == []  # without --prune nothing is dropped
    assert ingest([corpus], settings, prune=True).removed == ["corpus/b.txt"]
    assert set(stored(settings)) == {"corpus/a.txt"}
    assert "corpus/b.txt" not in documents_collection(settings).get()["ids"]
    keyword = HybridRetriever(settings).keyword_index()
    assert (set(keyword.sources) == {"corpus/a.txt"} and keyword.search("Graz harbour", 5) == []) or all(
        cid in set(chunks_collection(settings).get()["ids"]) for cid, _ in keyword.search("Graz harbour", 5))
    assert_consistent(settings, corpus)
