"""`rag eval` end to end on a quick subset, as CI runs it: three report files and thresholds that gate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEEDS

# Measured on the full set (eval/README.md); the subset gates on what must never regress.
SUBSET_THRESHOLDS = [
    "--min-quote-validity", "1.0",
    "--min-citation-recall", "0.9",
    "--min-citation-precision", "0.9",
    "--min-abstention-accuracy", "0.5",
    "--min-correctness", "0.5",
    "--min-hit-at-k", "0.9",
    "--max-false-abstention-rate", "0.2",
]


@pytest.mark.slow
def test_rag_eval__quick_subset_writes_report_and_meets_thresholds(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    res = subprocess.run(
        [sys.executable, "-m", "rag.cli", "eval", "--limit", "12", "--config", "hybrid", "--config", "baseline",
         "--out", str(out), "--corpus", str(SEEDS), *SUBSET_THRESHOLDS],
        capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    for name in ("report.json", "report.md", "report.png"):
        assert (out / name).stat().st_size > 0, name
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    ours, base = report["aggregates"]["hybrid"], report["aggregates"]["baseline"]
    assert ours["n_questions"] == 12 and ours["n_unanswerable"] >= 2
    assert ours["quote_validity"] == 1.0 and ours["n_quotes"] > 0
    assert ours["correctness"] > base["correctness"]
    assert ours["abstention_accuracy"] > base["abstention_accuracy"]
    assert report["meta"]["judge"] == "lexical"
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "stand-in LLM" in md and "| metric | hybrid | baseline | hybrid − baseline |" in md


@pytest.mark.slow
def test_rag_eval__unmet_threshold_exits_1_and_bad_config_exits_2(tmp_path: Path) -> None:
    bad = subprocess.run([sys.executable, "-m", "rag.cli", "eval", "--config", "nope", "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert bad.returncode == 2
    assert "unknown configuration 'nope'; choose from hybrid, dense, baseline" in bad.stderr
    unmet = subprocess.run(
        [sys.executable, "-m", "rag.cli", "eval", "--config", "hybrid", "--limit", "1", "--out", str(tmp_path / "o"),
         "--corpus", str(SEEDS), "--min-mrr", "1.01"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert unmet.returncode == 1, unmet.stderr
    assert "threshold not met: hybrid: mrr = " in unmet.stderr and "below the minimum 1.01" in unmet.stderr
    assert (tmp_path / "o" / "report.md").read_text(encoding="utf-8").count("## Threshold failures") == 1
