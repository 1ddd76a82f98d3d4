"""Time to first token and to the full answer, as a user sees them in a real browser.

Serves the UI in-process (seeds corpus, temporary data dir unless given), opens headless Chromium and
asks each question in one conversation. Timings are taken in the page with performance.now(): from
pressing Enter to the first streamed answer text, and to the finished answer bubble.

    PYTHONPATH=$PWD .venv/bin/python bench/bench_ui.py [--runs 2] [--question "..."]

Needs /usr/bin/chromium (`make browser`). Does not assert anything: tests/test_ui_e2e.py does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ["Where did Witkoff meet Putin?", "How long did it last?",
             "How many people were killed in the strikes on Kyiv?", "Who was Ksenia Karelina exchanged for?",
             "Who won the 2024 Super Bowl?"]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FINAL = "[data-testid='bot'] .nr-answer:not(.nr-streaming)"
STREAMED = "[data-testid='bot'] .nr-streaming p:not(.nr-wait)"

# Installed before pressing Enter: records when streamed text and the finished bubble first appear.
WATCH_JS = """([final, streamed, before]) => {
  window.__t = {start: performance.now(), first: null, done: null};
  const check = () => {
    const t = window.__t;
    if (t.first === null && document.querySelector(streamed)) t.first = performance.now();
    if (t.done === null && document.querySelectorAll(final).length > before) {
      t.done = performance.now();
      if (t.first === null) t.first = t.done;
      obs.disconnect();
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="conversations to run (the first warms caches)")
    parser.add_argument("--question", action="append", help="questions to ask (default: a built-in set)")
    parser.add_argument("--data-dir", type=Path, default=None, help="index location (default: a temp dir)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from rag import RagSettings, article_count
    from rag.ui.app import build_app, launch_options
    from tests.processes import free_port

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="bench-ui-"))
    port = free_port()
    settings = RagSettings(_env_file=None, data_dir=data_dir, corpus_dir=ROOT / "seeds", ui_port=port)
    article_count(settings)  # index the seeds before timing
    demo = build_app(settings)
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, **launch_options(settings))
    questions = args.question or QUESTIONS
    rows: list[tuple[int, str, float, float]] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for run in range(args.runs):
                page = browser.new_page()
                page.goto(url, wait_until="domcontentloaded")
                page.wait_for_selector("#question textarea")
                for q in questions:
                    before = page.locator(FINAL).count()
                    page.fill("#question textarea", q)
                    page.evaluate(WATCH_JS, [FINAL, STREAMED, before])
                    page.press("#question textarea", "Enter")
                    page.wait_for_function("window.__t.done !== null", timeout=120_000)
                    t = page.evaluate("window.__t")
                    rows.append((run, q, (t["first"] - t["start"]) / 1000, (t["done"] - t["start"]) / 1000))
                    print(f"run {run}  ttft {rows[-1][2]:5.2f} s  full {rows[-1][3]:5.2f} s  {q}", flush=True)
                page.close()
            browser.close()
    finally:
        demo.close()
    warm = [r for r in rows if r[0] > 0] or rows
    print(f"\n{len(warm)} answers (typing pace {settings.ui_typing_delay} s/word): "
          f"TTFT median {statistics.median(r[2] for r in warm):.2f} s, max {max(r[2] for r in warm):.2f} s; "
          f"full answer median {statistics.median(r[3] for r in warm):.2f} s, max {max(r[3] for r in warm):.2f} s")


if __name__ == "__main__":
    main()
