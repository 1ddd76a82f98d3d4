"""The Articles tab's handlers on untrusted input: names, sizes, formats, markup and URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.generate.features import candidates
from rag.settings import RagSettings
from rag.ui.app import ask_to_delete, build_app, cancel_delete, confirm_delete, fetch_url, upload_files
from rag.ui.articles import add_uploads, articles_html, safe_name, store_uploads
from tests.conftest import make_settings

ARTICLE = ("Harbour Board Names New Director\n\nThe Fenwick harbour board named Ada Kovac its new director "
           "on Friday, the board said in a statement.\n")


def _temp(tmp_path: Path, name: str, data: bytes | str) -> tuple[Path, str]:
    folder = tmp_path / "incoming" / str(len(list((tmp_path / "incoming").glob("*"))) if (tmp_path / "incoming")
                                         .exists() else "0")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "upload.bin"
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path, name


@pytest.fixture
def settings(tmp_path: Path) -> RagSettings:
    return make_settings(tmp_path / "data", max_file_bytes=2_000, ui_max_request_bytes=3_000)


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\win.ini.txt", "win.ini.txt"),
    ("/abs/path/article.md", "article.md"),
    (".hidden.txt", "hidden.txt"),
    ("<script>x</script>.html", "script_.html"),  # the slash in "</script>" cuts it to a base name
    ("", "article"),
])
def test_safe_name__never_leaves_the_upload_folder(name: str, expected: str) -> None:
    assert safe_name(name) == expected and "/" not in safe_name(name)


def test_store_uploads__traversal_name_is_stored_inside_the_upload_folder(tmp_path: Path, settings) -> None:
    stored, refused = store_uploads([_temp(tmp_path, "../../../evil.txt", ARTICLE)], settings)
    assert refused == [] and stored[0][0].resolve().parent == settings.uploads_dir.resolve()
    assert not (tmp_path / "evil.txt").exists()


def test_store_uploads__a_different_article_with_the_same_name_never_overwrites(tmp_path: Path, settings) -> None:
    first, _ = store_uploads([_temp(tmp_path, "a.txt", ARTICLE)], settings)
    again, _ = store_uploads([_temp(tmp_path, "a.txt", ARTICLE)], settings)
    other, _ = store_uploads([_temp(tmp_path, "a.txt", ARTICLE.replace("Kovac", "Novak"))], settings)
    assert first[0][0] == again[0][0] and other[0][0].name == "a-2.txt"
    assert "Kovac" in first[0][0].read_text(encoding="utf-8")


def test_store_uploads__only_listed_formats_and_sizes_with_clear_messages(tmp_path: Path, settings) -> None:
    stored, refused = store_uploads([_temp(tmp_path, "run.exe", b"MZ"), _temp(tmp_path, "big.txt", "x" * 2_500)],
                                    settings)
    assert stored == []
    assert refused[0].status == "skipped" and refused[0].detail.startswith("unsupported file type '.exe'")
    assert refused[1].detail == "2,500 bytes, over the 2,000-byte limit per file (RAG_MAX_FILE_BYTES)"


def test_add_uploads__the_same_file_twice_in_one_upload_is_added_once_and_kept(tmp_path: Path) -> None:
    # Twice in one upload, both copies were reported skipped and the stored file the first had indexed was deleted.
    import rag

    settings = make_settings(tmp_path / "data")
    results = add_uploads([_temp(tmp_path, "kovac.txt", ARTICLE), _temp(tmp_path, "kovac.txt", ARTICLE)], settings)
    assert [r.status for r in results] == ["added", "skipped"]  # in upload order
    assert results[1].detail == "the same file is already in this upload"
    assert (settings.uploads_dir / "kovac.txt").exists()
    assert "uploads/kovac.txt" in {a.source for a in rag.list_articles(settings)}


def test_add_uploads__results_come_in_upload_order(tmp_path: Path) -> None:
    # Refused files were listed first, whatever their place in the upload.
    settings = make_settings(tmp_path / "data")
    results = add_uploads([_temp(tmp_path, "kovac.txt", ARTICLE), _temp(tmp_path, "run.exe", b"MZ"),
                           _temp(tmp_path, "novak.txt", ARTICLE.replace("Kovac", "Novak"))], settings)
    assert [(r.name, r.status) for r in results] == [("kovac.txt", "added"), ("run.exe", "skipped"),
                                                     ("novak.txt", "added")]


def test_store_uploads__request_over_the_limit_stores_nothing(tmp_path: Path, settings) -> None:
    files = [_temp(tmp_path, f"{i}.txt", "y" * 1_500) for i in range(3)]
    stored, refused = store_uploads(files, settings)
    assert stored == [] and len(refused) == 3
    assert "over the 3,000-byte limit per upload (RAG_UI_MAX_REQUEST_BYTES)" in refused[0].detail
    assert not settings.uploads_dir.exists() or not any(settings.uploads_dir.iterdir())


def test_upload_then_delete__results_per_file_table_and_header_follow(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    import rag

    assert rag.article_count(settings) == 5  # the seeds, indexed on first use
    files = [str(_temp(tmp_path, "kovac.txt", ARTICLE)[0].rename(tmp_path / "kovac.txt")),
             str(_temp(tmp_path, "empty.txt", "  ")[0].rename(tmp_path / "empty.txt"))]
    result, table, _choices, header = upload_files(files, settings, progress=None)
    assert "added" in result and "uploads/kovac.txt" in result and "empty file" in result
    assert "uploads/kovac.txt" in table and "6 articles" in header  # 5 seeds + the upload
    again, *_ = upload_files([files[0]], settings, progress=None)
    assert "unchanged" in again
    question, row, pending = ask_to_delete("uploads/kovac.txt")  # Delete only asks
    assert "Delete uploads/kovac.txt from the index?" in question and row["visible"] and pending
    assert "uploads/kovac.txt" in table and rag.article_count(settings) == 6
    kept, row, pending = cancel_delete(pending)
    assert "Nothing was deleted. uploads/kovac.txt is kept." in kept and not row["visible"] and pending is None
    assert "6 articles" in header and (settings.uploads_dir / "kovac.txt").exists()
    *_, pending = ask_to_delete("uploads/kovac.txt")
    message, table, _choices, header, row, pending = confirm_delete(pending, settings)
    assert not row["visible"] and pending is None
    assert "Deleted uploads/kovac.txt." in message and "5 articles" in header and "kovac" not in table
    assert not (settings.uploads_dir / "kovac.txt").exists()


def test_fetch_url__refuses_non_http_and_private_addresses(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    assert "only http:// and https://" in fetch_url("file:///etc/passwd", settings, progress=None)[0]
    refused = fetch_url("http://127.0.0.1:9/x", settings, progress=None)[0]
    assert "skipped" in refused and ("private" in refused or "loopback" in refused), refused


def test_articles_html__markup_in_titles_is_text_and_only_http_links() -> None:
    from rag.models import ArticleInfo

    html = articles_html([ArticleInfo(source="u/a.html", title="<img src=x onerror=alert(1)>", collection="u",
                                      n_chunks=2, url="javascript:alert(1)")])
    assert "<img" not in html and "&lt;img" in html and "javascript:" not in html


def test_readonly__no_upload_url_or_delete_controls(tmp_path: Path) -> None:
    demo = build_app(make_settings(tmp_path / "data", ui_readonly=True))
    ids = {getattr(b, "elem_id", None) for b in demo.blocks.values()}
    assert "nr-readonly" in ids and not ids & {"nr-upload", "nr-url", "nr-delete", "nr-delete-confirm", "nr-add-files"}
    assert not any(d.get("api_name") in ("upload_files", "fetch_url", "remove_article", "confirm_delete")
                   for d in demo.config.get("dependencies", []))


def test_add_uploads__article_with_markup_is_indexed_as_text(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>Ferry fares rise</title><script>alert(1)</script></head><body><article>"
                    "<h1>Ferry fares rise</h1><p>Ferry fares on the Fenwick route will rise by 9 per cent in May, "
                    "the operator said on Tuesday in a statement to passengers.</p></article></body></html>",
                    encoding="utf-8")
    [result] = add_uploads([(page, "page.html")], settings)
    assert result.status == "added", result


def test_upload__the_new_articles_sentences_are_prepared_in_the_background(tmp_path: Path) -> None:
    import threading

    from rag.answering import Pipeline

    settings = make_settings(tmp_path / "data")
    path = _temp(tmp_path, "kovac.txt", ARTICLE)[0].rename(tmp_path / "kovac.txt")
    upload_files([str(path)], settings, progress=None)
    for thread in [t for t in threading.enumerate() if t.name == "prepare"]:
        thread.join(timeout=120)
    new = {c.text for batch in Pipeline(settings).retriever.all_passages() for c in candidates(batch)
           if "kovac" in c.evidence[0].source}
    assert new and Pipeline(settings)._disk.missing(sorted(new)) == []  # their vectors are on disk
