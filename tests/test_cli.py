import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import SEEDS, seed_text

RAG = [sys.executable, "-m", "rag.cli"]


def _run(args: list[str], data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "RAG_DATA_DIR": str(data_dir), "RAG_CORPUS_DIR": str(SEEDS)}
    return subprocess.run(RAG + args, capture_output=True, text=True, env=env, timeout=300)


def test_cli__ingest_then_ask_json_answers_with_verbatim_citation(tmp_path: Path) -> None:
    ingested = _run(["ingest", str(SEEDS)], tmp_path)
    assert ingested.returncode == 0, ingested.stderr
    assert "5 added" in ingested.stdout
    again = _run(["ingest", str(SEEDS)], tmp_path)
    assert "0 added, 0 updated, 5 unchanged" in again.stdout and "0 chunks written" in again.stdout
    asked = _run(["ask", "--json", "Where did Witkoff meet Putin?"], tmp_path)
    assert asked.returncode == 0, asked.stderr
    data = json.loads(asked.stdout)
    assert data["abstained"] is False
    cite = data["citations"][0]
    assert seed_text(cite["source"])[cite["start"]:cite["end"]] == cite["quote"]
    # `ask` ends without Python's teardown (rag/cli.py): what it stored on disk must still be there.
    [vectors] = (tmp_path / "cache").glob("vectors-*.sqlite3")
    with sqlite3.connect(vectors) as db:
        assert db.execute("SELECT COUNT(*) FROM entries").fetchone()[0] > 0
    prepared = _run(["prepare"], tmp_path)
    assert prepared.returncode == 0, prepared.stderr
    assert "sentences ready" in prepared.stdout
    again = _run(["prepare"], tmp_path)
    assert ": 0 parsed, 0 embedded now" in again.stdout  # all on disk: nothing done twice


def test_cli__empty_question_exits_2_with_one_line_error(tmp_path: Path) -> None:
    res = _run(["ask", "  "], tmp_path)
    assert res.returncode == 2
    assert res.stderr.strip() == "Error: Please type a question."


def test_cli__ask_on_an_empty_index_ingests_the_corpus_and_a_later_process_sees_it(tmp_path: Path) -> None:
    asked = _run(["ask", "How much did Karelina donate?"], tmp_path)  # ends with os._exit after the auto-ingest
    assert asked.returncode == 0 and "$51" in asked.stdout, asked.stderr
    again = _run(["ingest", str(SEEDS)], tmp_path)
    assert "0 added, 0 updated, 5 unchanged" in again.stdout and "0 chunks written" in again.stdout
