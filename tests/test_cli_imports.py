"""`rag --help` stays fast: it must not import the heavy libraries (llama-index, openai, chromadb, gradio,
onnxruntime, numpy). Checked in a fresh interpreter through sys.modules, with a control proving the
names are real top-level modules that the answering path does import."""

from __future__ import annotations

import json
import subprocess
import sys

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

_CONTROL = """
import json, sys
import rag.answering, rag.ui.app, rag.generate.llm, rag.index.embeddings, rag.settings, onnxruntime, tokenizers
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def rag_exports() -> list[str]:
    """The names `rag` documents as public (its __all__), read without importing anything heavy."""
    import rag

    return list(rag.__all__)


def _modules(code: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_help_imports_no_heavy_module() -> None:
    loaded = _modules(_HELP)
    assert "typer" in loaded and "rag" in loaded  # the check ran in the CLI's process
    assert sorted(loaded & set(HEAVY)) == []


def test_heavy_names_are_real_modules() -> None:
    # Without this control a misspelt name would make the test above pass vacuously.
    loaded = _modules(_CONTROL)
    assert set(HEAVY) <= loaded


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
