"""`rag --help` stays fast: it must not import the heavy libraries (llama-index, openai, chromadb, gradio,
onnxruntime, numpy). `rag ask` without an LLM answers without llama-index, openai or gradio (llama-index's
core alone cost it about a second). Checked in a fresh interpreter through sys.modules, with a control
proving the names are real top-level modules that the answering path does import."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from rag.settings import RagSettings

HEAVY = ("llama_index", "openai", "chromadb", "gradio", "onnxruntime", "numpy", "tokenizers", "pydantic_settings")

_HELP = """
import json, sys
from rag.cli import main
sys.argv = ["rag", "--help"]
try:
    main()
except SystemExit as exc:
    assert exc.code in (0, None), exc.code
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""

_ASK = """
import json, sys
from rag.cli import app  # not main(): it ends `ask` with os._exit, before this could print the modules
sys.argv = ["rag", "ask", "--json", "Where did Witkoff meet Putin?"]
try:
    app()
except SystemExit as exc:
    assert exc.code in (0, None), exc.code
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""
NOT_ON_THE_OFFLINE_ASK_PATH = ("llama_index", "openai", "gradio", "sqlalchemy", "workflows")

_CONTROL = """
import json, sys
import rag.answering, rag.ui.app, rag.generate.llm, rag.index.embeddings, rag.settings, onnxruntime, tokenizers
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def rag_exports() -> list[str]:
    """The names `rag` documents as public (its __all__), read without importing anything heavy."""
    import rag

    return list(rag.__all__)


def _modules(code: str, env: dict[str, str] | None = None) -> tuple[set[str], str]:
    """Top-level modules loaded after running `code` in a fresh interpreter, and what it printed before."""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True,
                          env=env)
    *printed, last = proc.stdout.strip().splitlines()
    return set(json.loads(last)), "\n".join(printed)


def test_help_imports_no_heavy_module() -> None:
    loaded, _ = _modules(_HELP)
    assert "typer" in loaded and "rag" in loaded  # the check ran in the CLI's process
    assert sorted(loaded & set(HEAVY)) == []


def test_heavy_names_are_real_modules() -> None:
    # Without this control a misspelt name would make the test above pass vacuously.
    # One interpreter for both (importing these costs ~10 s): the heavy names, and llama-index core's own imports.
    loaded, _ = _modules("import json, sys, llama_index.core\n" + _CONTROL)
    assert set(HEAVY) <= loaded
    assert {"llama_index", "sqlalchemy", "workflows"} <= loaded


def test_ask_without_llm_answers_without_llama_index(seeded_settings: RagSettings) -> None:
    env = {**os.environ, "RAG_DATA_DIR": str(seeded_settings.data_dir)}
    loaded, printed = _modules(_ASK, env)
    answer = json.loads(printed)
    assert answer["citations"] and not answer["abstained"]  # it really answered, from the index
    assert {"chromadb", "onnxruntime", "spacy"} <= loaded
    assert sorted(loaded & set(NOT_ON_THE_OFFLINE_ASK_PATH)) == []


def test_package_exports_resolve_lazily() -> None:
    code = (
        "import json, sys, rag\n"
        "before = 'rag.answering' in sys.modules\n"
        "names = {n: getattr(rag, n).__module__ for n in rag.__all__}\n"
        "print(json.dumps([before, 'rag.answering' in sys.modules, names]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    before, after, names = json.loads(proc.stdout.strip().splitlines()[-1])
    assert before is False and after is True
    assert names["answer"] == "rag.answering" and names["RagSettings"] == "rag.settings"
    assert set(names) == set(rag_exports()) and {"answer", "answer_stream", "Answer", "RagError"} <= set(names)
