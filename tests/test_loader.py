from pathlib import Path

import pytest

from rag.ingest.loader import load_documents


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary file (contains NUL bytes)"),
        ("latin1.txt", "Caf\xe9 au lait".encode("latin-1"), "not valid UTF-8 (byte 3); re-save the file as UTF-8"),
        ("empty.txt", b"   \n\n", "empty file"),
        ("photo.jpg", b"\xff\xd8\xff", "unsupported file type '.jpg'"),
    ],
)
def test_load_documents__skips_unusable_file_with_reason(tmp_path: Path, name: str, content: bytes,
                                                         reason: str) -> None:
    (tmp_path / "good.txt").write_text("A real article about a meeting in Paris.", encoding="utf-8")
    (tmp_path / name).write_bytes(content)
    docs, skipped = load_documents([tmp_path], max_bytes=10_000)
    assert [d.source for d in docs] == ["good.txt"]
    assert [(s.path.name, s.reason) for s in skipped] == [(name, reason)]


def test_load_documents__skips_file_over_size_limit(tmp_path: Path) -> None:
    (tmp_path / "big.md").write_text("word " * 100, encoding="utf-8")
    docs, skipped = load_documents([tmp_path], max_bytes=100)
    assert docs == []
    assert skipped[0].reason == "larger than 100 bytes (RAG_MAX_FILE_BYTES)"


def test_load_documents__reports_missing_path(tmp_path: Path) -> None:
    docs, skipped = load_documents([tmp_path / "nope"], max_bytes=100)
    assert docs == [] and skipped[0].reason == "no such file or directory"


def test_load_documents__strips_bom_and_keeps_markdown(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes("\ufeff# Title\n\nBody text here.".encode())
    docs, _ = load_documents([tmp_path], max_bytes=10_000)
    assert docs[0].text == "# Title\n\nBody text here."
