from pathlib import Path

import pytest

from rag.errors import MissingPathError
from rag.ingest.loader import load_documents


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary file (contains NUL bytes)"),
        ("noise.txt", bytes(range(128, 256)) * 4, "binary or undecodable file (no text encoding fits its bytes)"),
        ("empty.txt", b"   \n\n", "empty file"),
        ("photo.jpg", b"\xff\xd8\xff", "unsupported file type '.jpg' (supported: .txt .md .html .htm .pdf .jsonl "
                                        ".json .csv .rss .atom .xml)"),
    ],
)
def test_load_documents__skips_unusable_file_with_reason(tmp_path: Path, name: str, content: bytes,
                                                         reason: str) -> None:
    (tmp_path / "good.txt").write_text("A real article about a meeting in Paris.", encoding="utf-8")
    (tmp_path / name).write_bytes(content)
    docs, skipped = load_documents([tmp_path], max_bytes=10_000)
    assert [d.source for d in docs] == [f"{tmp_path.name}/good.txt"]
    assert [(s.path.name, s.reason) for s in skipped] == [(name, reason)]


def test_load_documents__reads_latin1_instead_of_rejecting_it(tmp_path: Path) -> None:
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 au lait".encode("latin-1"))
    docs, skipped = load_documents([tmp_path], max_bytes=10_000)
    assert [d.text for d in docs] == ["Café au lait"] and skipped == []


def test_load_documents__skips_file_over_size_limit_naming_the_limit(tmp_path: Path) -> None:
    (tmp_path / "big.md").write_text("word " * 100, encoding="utf-8")
    docs, skipped = load_documents([tmp_path], max_bytes=100)
    assert docs == []
    assert skipped[0].reason == "500 bytes, over the 100-byte limit (RAG_MAX_FILE_BYTES)"


def test_load_documents__missing_path_raises_before_reading_anything(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("A real article.", encoding="utf-8")
    with pytest.raises(MissingPathError) as err:
        load_documents([tmp_path, tmp_path / "nope"], max_bytes=100)
    assert str(err.value) == f"no such file or folder: {tmp_path / 'nope'}"
    with pytest.raises(MissingPathError) as err:
        load_documents([tmp_path / "a", tmp_path / "b"], max_bytes=100)
    assert str(err.value) == f"no such files or folders: {tmp_path / 'a'}, {tmp_path / 'b'}"


def test_load_documents__strips_bom_and_keeps_markdown(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes("\ufeff# Title\n\nBody text here.".encode())
    docs, _ = load_documents([tmp_path], max_bytes=10_000)
    assert docs[0].text == "# Title\n\nBody text here."
