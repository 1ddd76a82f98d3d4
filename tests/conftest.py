"""Shared fixtures: every test runs with its own data dir and no LLM or Chroma server configured."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag.ingest.pipeline import ingest
from rag.settings import RagSettings, get_settings
from tests.processes import free_port, stop, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

_ENV_TO_CLEAR = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CHROMA_HOST", "CHROMA_PORT", "CHROMA_TOKEN",
                 "TIKTOKEN_CACHE_DIR", "NLTK_DATA")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's .env, LLM keys or data dir."""
    for name in _ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    for name in list(__import__("os").environ):
        if name.startswith("RAG_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(SEEDS))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))  # no stray .env is picked up
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def make_settings(data_dir: Path, **overrides) -> RagSettings:
    """Settings for a test-owned data dir, ignoring the environment's .env."""
    return RagSettings(_env_file=None, data_dir=data_dir, corpus_dir=SEEDS, **overrides)


@pytest.fixture(scope="session")
def seeded_settings(tmp_path_factory: pytest.TempPathFactory) -> RagSettings:
    """Settings whose index holds the five seed articles (ingested once per test session)."""
    settings = make_settings(tmp_path_factory.mktemp("seeded"))
    ingest([SEEDS], settings)
    return settings


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of the seeds."""
    target = tmp_path / "corpus"
    shutil.copytree(SEEDS, target)
    return target


def seed_text(source: str) -> str:
    """The original text of a seed article, by id (`seeds/<file>`, as citations name it) or by file name."""
    collection, sep, rel = source.partition("/")
    if sep and collection != SEEDS.name:
        raise KeyError(f"{source} is not a seed article (its collection is {collection})")
    return (SEEDS / (rel if sep else source)).read_text(encoding="utf-8")


def seed_id(name: str) -> str:
    """The article id of a seed file: its folder's name, then its path inside the folder."""
    return f"{SEEDS.name}/{name}"


def source_file(source: str, settings: RagSettings) -> Path:
    """The file an indexed article was read from, resolved through its registry record (not its id)."""
    from rag.index.records import ArticleRecord
    from rag.index.store import documents_collection

    got = documents_collection(settings).get(ids=[source], include=["metadatas"])
    assert got["ids"], f"{source} is not indexed"
    return Path(ArticleRecord.from_metadata(got["metadatas"][0]).path)


# -- Chroma server (tests/test_chroma_server.py, tests/test_faults_kill.py) --------------------------


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):
    """(host, port) of a real Chroma server started from the venv's `chroma` CLI; stopped afterwards."""
    chroma = Path(sys.executable).parent / "chroma"
    port = free_port()
    log = tmp_path_factory.mktemp("chroma-log") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(chroma), "run", "--path", str(tmp_path_factory.mktemp("chroma-db")), "--host", "127.0.0.1",
             "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc=proc, log=log)
        yield "127.0.0.1", port
    finally:
        stop(proc)
