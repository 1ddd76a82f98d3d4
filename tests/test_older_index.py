"""An index written by an older pipeline version: every entry point says, in one line, how to re-ingest."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import rag.settings
from rag.answering import answer
from rag.errors import OlderIndexError
from rag.ingest.pipeline import ingest
from rag.ui.app import respond
from tests.conftest import SEEDS, make_settings

RAG = [sys.executable, "-m", "rag.cli"]


def _expected(data_dir: Path) -> str:  # the folder the old index was built from, as a command to run
    return ("The index was built by an older version of newsrag and must be rebuilt: "
            f"run `rag ingest {shlex.quote(str(SEEDS.resolve()))}`.")


@pytest.fixture
def old_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir holding only an index of the seeds written by pipeline version 5."""
    data_dir = tmp_path / "data"
    with monkeypatch.context() as m:
        m.setattr(rag.settings, "PIPELINE_VERSION", "5")
        assert ingest([SEEDS], make_settings(data_dir)).added
    return data_dir


def _cli(args: list[str], data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "RAG_DATA_DIR": str(data_dir), "RAG_CORPUS_DIR": str(SEEDS)}
    return subprocess.run(RAG + args, capture_output=True, text=True, env=env, timeout=300)


def test_older_index__answer_and_ui_say_how_to_reingest_instead_of_indexing_the_default_corpus(
        old_index: Path) -> None:
    settings = make_settings(old_index)
    with pytest.raises(OlderIndexError) as exc:
        answer("Where did Witkoff meet Putin?", settings=settings)
    assert str(exc.value) == _expected(old_index)
    *_, (chat, _sources, _box, _turns) = list(respond("Where did Witkoff meet Putin?", [], settings))
    assert chat[-1]["content"] == f"<div class='nr-answer nr-error'><p>⚠ {_expected(old_index)}</p></div>"


@pytest.mark.slow
def test_older_index__cli_ask_fails_with_one_line_and_ingest_notes_it_then_works(old_index: Path) -> None:
    asked = _cli(["ask", "Where did Witkoff meet Putin?"], old_index)
    assert asked.returncode == 2
    assert asked.stderr.strip() == f"Error: {_expected(old_index)}"
    ingested = _cli(["ingest", str(SEEDS)], old_index)
    assert ingested.returncode == 0, ingested.stderr
    assert ingested.stderr.strip() == f"Note: {_expected(old_index)}"
    again = _cli(["ask", "Where did Witkoff meet Putin?"], old_index)
    assert again.returncode == 0 and "[1]" in again.stdout, again.stderr
