"""Every format end to end: ingest real-looking files, ask, and check each quote against the stored text."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag.answering import answer
from rag.index.state import read_article_texts
from rag.index.store import documents_collection
from rag.ingest.pipeline import ingest
from rag.settings import RagSettings
from tests.conftest import SEEDS, make_settings
from tests.pdfgen import BUDGET_REPORT, make_pdf

DATA = Path(__file__).parent / "data" / "formats"
RAG = [sys.executable, "-m", "rag.cli"]


@pytest.fixture(scope="module")
def formats_settings(tmp_path_factory: pytest.TempPathFactory) -> RagSettings:
    """An index holding the format fixtures plus a generated PDF."""
    corpus = tmp_path_factory.mktemp("formats") / "corpus"
    shutil.copytree(DATA, corpus)
    (corpus / "valmont_budget.pdf").write_bytes(make_pdf(BUDGET_REPORT, title="Valmont council passes 2025 budget"))
    settings = make_settings(tmp_path_factory.mktemp("formats-data"))
    report = ingest([corpus], settings)
    assert len(report.added) == 14 and len(report.skipped) == 2
    return settings


@pytest.mark.parametrize(
    ("question", "source", "fact"),
    [
        ("How many members does the Maritime Workers Union have?", "ferry_strike.html", "412"),
        ("How much will the renovation of the Sarrat bridge cost?", "valmont_budget.pdf", "18 million euros"),
        ("How many hydrogen trains did Northline Rail order?", "newsapi_export.json#1", "24"),
        ("How many workers will the Port Allard container terminal hire?", "harbour_news.rss#cc-harbour-8841", "90"),
        ("Where will Port Allard build its flood barrier?", "council_export.jsonl#cc-2025-0311", "Miller estuary"),
        ("By how much could olive oil prices rise?", "wire_export.csv#1", "15 per cent"),
        ("What fee will Valmont cafés pay for terrace tables?", "valmont_cp1252.txt", "€40"),
    ],
)
def test_each_format__answers_with_a_verbatim_quote_of_the_extracted_text(
        formats_settings: RagSettings, question: str, source: str, fact: str) -> None:
    source = f"corpus/{source}"
    res = answer(question, settings=formats_settings)
    assert not res.abstained, res.text
    stored = read_article_texts(documents_collection(formats_settings), [source])[source]
    cited = [c for c in res.citations if c.source == source]
    assert cited, [c.source for c in res.citations]
    assert all(stored[c.start:c.end] == c.quote for c in cited)
    assert any(fact in c.quote for c in cited), [c.quote for c in cited]
    # The article's metadata travels with its citations (and into to_dict()).
    if source.endswith(".pdf"):
        assert all(c.page == 1 + sum(c.start >= p for p in _pages(formats_settings, source)[1:]) for c in cited)
        assert all(c.to_dict()["page"] for c in cited)
    if source.endswith(".html"):
        assert all(c.url and c.publisher and c.date for c in cited), cited


def _pages(settings: RagSettings, source: str) -> tuple[int, ...]:
    from rag.index.records import ArticleRecord

    meta = documents_collection(settings).get(ids=[source], include=["metadatas"])["metadatas"][0]
    return ArticleRecord.from_metadata(meta).pages


def _cli(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "RAG_DATA_DIR": str(data_dir), "RAG_CORPUS_DIR": str(SEEDS), **env}
    return subprocess.run(RAG + args, capture_output=True, text=True, env=full, timeout=300)


def test_cli_ingest__missing_path_exits_2_with_one_line_error(tmp_path: Path) -> None:
    res = _cli(["ingest", str(SEEDS), "/nonexistent/articles"], tmp_path / "data")
    assert res.returncode == 2
    assert res.stderr.strip() == "Error: no such file or folder: /nonexistent/articles"
    assert not (tmp_path / "data").exists()  # nothing was opened or indexed


def test_cli_ingest__url_and_refusals_print_once(tmp_path: Path) -> None:
    page = DATA / "ferry_strike.html"
    server = subprocess.Popen([sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1",
                               "--directory", str(page.parent)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        line = server.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N (http://127.0.0.1:N/) ..."
        port = line.split(" port ")[1].split()[0]
        url = f"http://127.0.0.1:{port}/{page.name}"
        refused = _cli(["ingest", url, "ftp://files.example/a.txt"], tmp_path / "data")
        assert refused.returncode == 0, refused.stderr
        assert "0 added" in refused.stdout and "2 skipped" in refused.stdout
        assert refused.stderr.count("skipped") == 2  # each skip once (not again as a log warning)
        assert "a loopback address (set RAG_URL_ALLOW_PRIVATE=true to allow)" in refused.stderr
        allowed = _cli(["ingest", url], tmp_path / "data", RAG_URL_ALLOW_PRIVATE="true")
        assert allowed.returncode == 0, allowed.stderr
        assert "1 added" in allowed.stdout
    finally:
        server.terminate()
        server.wait(timeout=10)
