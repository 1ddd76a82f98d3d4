"""Local servers for tests and benchmarks (Chroma, llama.cpp, the UI): free ports, readiness, shutdown.
A plain module, not conftest, so bench scripts can import it without pytest's fixtures."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, seconds: float = 30.0, proc: subprocess.Popen | None = None,
                  log: Path | None = None) -> None:
    """Poll `url` until it answers 200. RuntimeError (with the log's tail) when `proc` exits first or time
    runs out."""
    deadline = time.monotonic() + seconds
    tail = lambda: f":\n{log.read_text(errors='replace')[-3000:]}" if log else ""  # noqa: E731
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with {proc.returncode}{tail()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{url} did not come up within {seconds:g} s{tail()}")


def stop(proc: subprocess.Popen, seconds: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `seconds`."""
    proc.terminate()
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
