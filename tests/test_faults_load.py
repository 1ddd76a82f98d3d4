"""Load: 20 threads calling answer() for a bounded time all get answers, and memory stays bounded."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from rag.answering import answer

pytestmark = pytest.mark.slow
QUESTIONS = ["Where did Witkoff meet Putin?", "Who is Kirill Dmitriev?", "Who won the 2024 Super Bowl?",
             "How many people were killed in the attack on Kyiv?", "What did Lavrov say?"]


def rss_mb() -> float:
    """Current resident set size of this process, MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def hammer(settings, seconds: float) -> list[int]:
    """20 threads answering until the deadline (each at least once); answers per thread."""
    deadline = time.monotonic() + seconds
    done: list[int] = []
    errors: list[BaseException] = []

    def caller(i: int) -> None:
        n = 0
        try:
            while n == 0 or time.monotonic() < deadline:
                res = answer(QUESTIONS[(i + n) % len(QUESTIONS)], settings=settings)
                assert res.abstained or res.citations
                n += 1
        except BaseException as exc:
            errors.append(exc)
        done.append(n)

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors and len(done) == 20 and min(done) >= 1
    return done


def test_faults_load__twenty_concurrent_callers_all_answered_and_memory_stable(seeded_settings) -> None:
    """Early rounds grow allocator and ONNX buffers to 20-way concurrency (measured: +25 MB, then +1 MB per
    round); once there, another round must not keep growing."""
    hammer(seeded_settings, 6)
    hammer(seeded_settings, 6)
    plateau = rss_mb()
    answered = hammer(seeded_settings, 6)
    growth = rss_mb() - plateau
    assert sum(answered) >= 20
    assert growth < 60, f"RSS grew by {growth:.0f} MB in the third round (from {plateau:.0f} MB)"
