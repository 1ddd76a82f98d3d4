import shutil
from pathlib import Path

import pytest

import rag.ingest.pipeline as pipeline
from rag.index.store import chunks_collection, documents_collection
from rag.ingest.pipeline import ingest
from tests.conftest import make_settings


def _chunk_ids(settings) -> set[str]:
    return set(chunks_collection(settings).get(include=[])["ids"])


def test_ingest__rerun_on_unchanged_files_writes_nothing(corpus: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    first = ingest([corpus], settings)
    before = _chunk_ids(settings)
    second = ingest([corpus], settings)
    assert len(first.added) == 5 and first.chunks_written == len(before) > 0
    assert second.wrote is False and second.chunks_written == 0 and len(second.unchanged) == 5
    assert _chunk_ids(settings) == before


def test_ingest__changed_file_replaces_only_its_chunks(corpus: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    ingest([corpus], settings)
    target = corpus / "001_8637233b93c6c890.txt"
    target.write_text(target.read_text(encoding="utf-8") + "\nThe envoy later flew to Oslo for talks.\n",
                      encoding="utf-8")
    report = ingest([corpus], settings)
    assert report.updated == ["corpus/001_8637233b93c6c890.txt"] and len(report.unchanged) == 4
    stored = chunks_collection(settings).get(where={"source": "corpus/001_8637233b93c6c890.txt"},
                                             include=["documents"])
    assert any("Oslo" in d for d in stored["documents"])
    fresh = make_settings(tmp_path / "fresh")
    ingest([corpus], fresh)
    assert _chunk_ids(settings) == _chunk_ids(fresh)


def test_ingest__prune_removes_deleted_files(corpus: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    ingest([corpus], settings)
    (corpus / "002_181e4f12115521e5.txt").unlink()
    kept = ingest([corpus], settings)
    assert kept.removed == [] and "corpus/002_181e4f12115521e5.txt" in documents_collection(settings).get()["ids"]
    pruned = ingest([corpus], settings, prune=True)
    assert pruned.removed == ["corpus/002_181e4f12115521e5.txt"]
    assert chunks_collection(settings).get(where={"source": "corpus/002_181e4f12115521e5.txt"})["ids"] == []


def test_ingest__crash_midway_then_rerun_converges_to_exact_chunk_set(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path / "data", ingest_batch_chunks=1)  # one article per store write
    real_write = pipeline.write_chunks
    calls = {"n": 0}

    def flaky_write(collection, chunks, vectors, docs):
        calls["n"] += 1
        if calls["n"] == 3:
            half = len(chunks) // 2  # half a batch lands, then the process "dies"
            real_write(collection, chunks[:half], vectors[:half], docs)
            raise KeyboardInterrupt("killed")
        return real_write(collection, chunks, vectors, docs)

    monkeypatch.setattr(pipeline, "write_chunks", flaky_write)
    with pytest.raises(KeyboardInterrupt):
        ingest([corpus], settings)
    monkeypatch.setattr(pipeline, "write_chunks", real_write)
    partial = _chunk_ids(settings)
    ingest([corpus], settings)
    fresh = make_settings(tmp_path / "fresh")
    ingest([corpus], fresh)
    assert partial < _chunk_ids(settings)
    assert _chunk_ids(settings) == _chunk_ids(fresh)


def test_ingest__skips_bad_files_with_warning_and_indexes_the_rest(corpus: Path, tmp_path: Path) -> None:
    (corpus / "broken.txt").write_bytes(b"\xff\xfe\x00\x00garbage")
    (corpus / "notes.pdf").write_bytes(b"%PDF-1.4")
    skipped: list[str] = []
    report = ingest([corpus], make_settings(tmp_path / "data"), on_skip=lambda s: skipped.append(s.path.name))
    assert len(report.added) == 5
    assert sorted(skipped) == ["broken.txt", "notes.pdf"]


def test_ingest__article_added_later_sharing_chrome_recleans_earlier_one(corpus: Path, tmp_path: Path) -> None:
    """Chrome is detected across articles, so adding a second same-publisher article re-cleans the first."""
    settings = make_settings(tmp_path / "data")
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(corpus / "000_c4712fde8296b1f4.txt", alone)
    ingest([alone], settings)
    docs = lambda: chunks_collection(settings).get(  # noqa: E731
        where={"source": "alone/000_c4712fde8296b1f4.txt"}, include=["documents"])["documents"]
    assert any("We are facing unprecedented challenges" in d for d in docs())
    shutil.copy(corpus / "003_eaebfa045854f265.txt", alone)
    report = ingest([alone], settings)
    assert report.updated == ["alone/000_c4712fde8296b1f4.txt"]
    assert not any("We are facing unprecedented challenges" in d for d in docs())
