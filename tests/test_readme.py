"""The README's first Python example must run as written (from the repo root, offline)."""

import os
import re

from tests.conftest import ROOT


def test_readme__first_python_example_runs(monkeypatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    res, first, follow = namespace["res"], namespace["first"], namespace["follow"]
    assert res.conflict and not res.abstained and len(res.citations) >= 2 and namespace["data"]["citations"]
    assert "St. Petersburg" in first.text
    assert follow.citations and "four and a half hours" in follow.text
    assert follow.short_answer.text == "four and a half hours" and follow.short_answer.n == 1
    assert os.environ["RAG_DATA_DIR"] not in ("", ".newsrag")


def test_readme__streaming_example_runs_and_ends_with_the_final_answer(monkeypatch, capsys) -> None:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(blocks[1], "README.md", "exec"), namespace)
    final = namespace["final"]
    assert "St. Petersburg" in final.text and final.citations
    assert "St. Petersburg" in capsys.readouterr().out  # the streamed text was printed as it came
