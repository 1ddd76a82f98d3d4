"""Issue 14 part 1: an article is identified by its folder (or a collection name) plus its path inside it,
so nothing is lost when names repeat across folders or when another folder is pruned."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.errors import CollectionConflictError
from rag.index.state import read_article_texts, read_registry
from rag.index.store import documents_collection
from rag.ingest.pipeline import ingest
from tests.conftest import SEEDS, make_settings, source_file

COL_A = "Ferry operators in Brest cancelled 14 crossings on Monday because of a storm.\n"
COL_B = "The Lyon metro opened its new line D extension to Oullins on Saturday morning.\n"


def _folder(parent: Path, name: str, files: dict[str, str]) -> Path:
    folder = parent / name
    folder.mkdir(parents=True)
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    return folder


def test_identity__same_file_name_in_two_folders_is_two_articles(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    col_a = _folder(tmp_path, "colA", {"article.txt": COL_A})
    col_b = _folder(tmp_path, "colB", {"article.txt": COL_B})
    first = ingest([col_a], settings)
    second = ingest([col_b], settings)
    assert first.added == ["colA/article.txt"]
    assert second.added == ["colB/article.txt"] and second.updated == [] and second.removed == []
    registry = documents_collection(settings)
    texts = read_article_texts(registry, ["colA/article.txt", "colB/article.txt"])
    assert texts == {"colA/article.txt": COL_A, "colB/article.txt": COL_B}
    assert source_file("colA/article.txt", settings) == col_a / "article.txt"


def test_identity__prune_in_another_folder_keeps_the_seeds(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    ingest([SEEDS], settings)
    mine = _folder(tmp_path, "myfolder", {"a.txt": COL_A, "b.txt": COL_B})
    ingest([mine], settings)
    (mine / "b.txt").unlink()
    report = ingest([mine], settings, prune=True)
    assert report.removed == ["myfolder/b.txt"]
    ids = set(read_registry(documents_collection(settings)))
    assert {f"seeds/{p.name}" for p in SEEDS.glob("*.txt")} <= ids and "myfolder/a.txt" in ids


def test_identity__subfolders_keep_their_relative_path(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    news = _folder(tmp_path, "news", {"2024/article.txt": COL_A, "2025/article.txt": COL_B})
    assert sorted(ingest([news], settings).added) == ["news/2024/article.txt", "news/2025/article.txt"]


def test_identity__collection_name_files_a_folder_under_it(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    folder = _folder(tmp_path, "tmp123", {"article.txt": COL_A})
    assert ingest([folder], settings, collection="wire").added == ["wire/article.txt"]


def test_identity__two_folders_with_one_name_never_replace_each_other(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    one = _folder(tmp_path / "x", "articles", {"article.txt": COL_A})
    two = _folder(tmp_path / "y", "articles", {"article.txt": COL_B})
    ingest([one], settings)
    with pytest.raises(CollectionConflictError) as err:
        ingest([two], settings)
    assert str(err.value) == (
        f"The collection 'articles' already holds articles from {one.resolve()}, not {two.resolve()}. "
        "Pass --collection NAME to ingest this folder as another collection, or --collection articles if it "
        "is the same folder, moved.")
    assert ingest([two], settings, collection="articles-y").added == ["articles-y/article.txt"]
    registry = documents_collection(settings)
    texts = list(read_article_texts(registry, sorted(read_registry(registry))).values())
    assert COL_A in texts and COL_B in texts  # nothing lost


def test_identity__moved_folder_is_the_same_collection_when_named(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    old = _folder(tmp_path / "old", "articles", {"article.txt": COL_A})
    ingest([old], settings)
    moved = tmp_path / "new" / "articles"
    moved.parent.mkdir()
    shutil.move(old, moved)
    report = ingest([moved], settings, collection="articles")
    assert report.unchanged == ["articles/article.txt"] and report.added == []


def test_identity__delete_removes_one_article_and_its_chunks(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    folder = _folder(tmp_path, "col", {"a.txt": COL_A, "b.txt": COL_B})
    ingest([folder], settings)
    report = ingest([], settings, remove=["col/a.txt"])
    assert report.removed == ["col/a.txt"]
    assert set(read_registry(documents_collection(settings))) == {"col/b.txt"}
    assert (folder / "a.txt").exists()  # the file is the user's: deleting from the index leaves it


def test_identity__progress_is_reported_per_chunk(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", ingest_step_chunks=2)
    folder = _folder(tmp_path, "col", {"long.txt": "Headline\n\n" + "\n\n".join(
        f"Paragraph {i} says the council met on day {i} to discuss the harbour budget at length." for i in range(60))})
    calls: list[tuple[int, int]] = []
    report = ingest([folder], settings, on_progress=lambda done, total: calls.append((done, total)))
    assert report.chunks_written > 4
    done = [d for d, _ in calls]
    assert done == sorted(done) and calls[-1] == (report.chunks_written, report.chunks_written)
    assert len({d for d in done}) > 2  # moves several times inside one article, not once per article


def test_identity__each_skip_is_reported_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = _folder(tmp_path, "col", {"a.txt": COL_A})
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    seen: list[str] = []
    with caplog.at_level("WARNING"):
        ingest([folder], make_settings(tmp_path / "data"), on_skip=lambda s: seen.append(s.reason))
    assert len(seen) == 1 and "photo.jpg" not in caplog.text
    with caplog.at_level("WARNING"):
        ingest([folder], make_settings(tmp_path / "data2"))
    assert caplog.text.count("photo.jpg") == 1  # nobody reports it: logged, once
