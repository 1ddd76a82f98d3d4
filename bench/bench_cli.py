"""Whole-process CLI latency: `rag --help` and `rag ask "Where did Witkoff meet Putin?"` on the seeds.

The seeds are indexed first into a temporary data dir and model dir (untimed). Then `python -c pass` (the
interpreter's floor), `rag --help`, `rag ask` of the same question (from the second run on, its sentence
vectors and parses are on disk, rag/disk_cache.py), `rag ask` of a new question each run (the disk caches
hold only what earlier questions shared with it) and the same with the disk caches off run alternately,
`--runs` times each; reported per command are the
median wall time and the median CPU time (user+sys of the child), since on a loaded 2-core machine the
wall time mostly measures the other jobs. Finally `python -X importtime` of `rag ask` attributes import
time to top-level packages (self time summed per package) and to the rag modules that pull them in.
No LLM is configured (OPENAI_* unset).

`--baseline-src DIR` also times `rag ask` from another checkout of the code (e.g. `git archive main | tar -x
-C DIR`; its `rag` package is put first on PYTHONPATH, the libraries are this venv's), with its own index,
alternating with this checkout's runs, and reports the ratio of the medians.

Run:  .venv/bin/python bench/bench_cli.py [--runs 5] [--baseline-src DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QUESTION = "Where did Witkoff meet Putin?"
# A different question per run: what a user asking about their articles does (answers reuse the sentence
# vectors and parses earlier processes left on disk, rag/disk_cache.py, for passages they share).
NEW_QUESTIONS = ("How long did the meeting last?", "Who is Kirill Dmitriev?", "How much did Karelina donate?",
                 "When was Petrov arrested?", "How many people died in the Kyiv attack?",
                 "What did Zelenskyy say about Crimea?", "Who did Trump blame for the war?")
NO_DISK_CACHE = {"RAG_VECTOR_CACHE_ENTRIES": "0", "RAG_PARSE_CACHE_ENTRIES": "0"}


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall s, cpu s) of one child process."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def import_costs(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[dict[str, float], dict[str, float]]:
    """Self import time per top-level package, and cumulative time of each rag.* module (seconds)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", *cmd], env=env, cwd=cwd, capture_output=True,
                          text=True, check=True)
    per_pkg: dict[str, float] = defaultdict(float)
    rag_mods: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
        if not m:
            continue
        self_us, cum_us, name = int(m.group(1)), int(m.group(2)), m.group(4)
        per_pkg[name.split(".")[0]] += self_us / 1e6
        if name.startswith(("rag.", "eval.", "ui.")):
            rag_mods[name] = cum_us / 1e6
    return dict(per_pkg), rag_mods


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline-src", type=Path, help="another checkout whose `rag ask` is timed alongside")
    args = parser.parse_args()
    rag = str(BIN / "rag")
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("RAG_", "OPENAI_", "CHROMA_")) and k not in ("TIKTOKEN_CACHE_DIR", "NLTK_DATA")}
        # Own model dir too (the re-quantized model is built by the untimed ingest): no parses left on disk by
        # earlier runs of anything.
        env.update(RAG_DATA_DIR=str(Path(tmp) / "data"), RAG_CORPUS_DIR=str(ROOT / "seeds"), HF_HUB_OFFLINE="1",
                   RAG_MODEL_DIR=str(Path(tmp) / "models"))
        cwd = Path(tmp)  # no stray .env
        subprocess.run([rag, "ingest"], env=env, cwd=cwd, check=True, capture_output=True)  # untimed
        commands = {
            "python -c pass (floor)": (lambda i: [sys.executable, "-c", "pass"], env),
            "rag --help": (lambda i: [rag, "--help"], env),
            f'rag ask "{QUESTION}"': (lambda i: [rag, "ask", QUESTION], env),
            "rag ask <a new question each run>": (lambda i: [rag, "ask", NEW_QUESTIONS[i % len(NEW_QUESTIONS)]], env),
            "rag ask <a new question each run>, no disk caches": (
                lambda i: [rag, "ask", NEW_QUESTIONS[i % len(NEW_QUESTIONS)]], {**env, **NO_DISK_CACHE}),
        }
        if args.baseline_src:
            base_env = {**env, "PYTHONPATH": str(args.baseline_src.resolve()),
                        "RAG_DATA_DIR": str(Path(tmp) / "baseline-data")}
            subprocess.run([rag, "ingest"], env=base_env, cwd=cwd, check=True, capture_output=True)  # untimed
            commands[f'rag ask "{QUESTION}" (baseline: {args.baseline_src})'] = (lambda i: [rag, "ask", QUESTION],
                                                                                 base_env)
        results: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
        for i in range(args.runs):
            for name, (cmd, cmd_env) in commands.items():
                results[name].append(timed(cmd(i), cmd_env, cwd))
        per_pkg, rag_mods = import_costs([rag, "ask", QUESTION], env, cwd)
        _, help_mods = import_costs([rag, "--help"], env, cwd)

    print(f"| command | wall median of {args.runs} (s) | CPU median (s) | wall min..max |")
    print("|---|---:|---:|---:|")
    for name, vals in results.items():
        walls, cpus = [w for w, _ in vals], [c for _, c in vals]
        print(f"| `{name}` | {statistics.median(walls):.2f} | {statistics.median(cpus):.2f} | "
              f"{min(walls):.2f}..{max(walls):.2f} |")
    if args.baseline_src:
        pair = [list(results)[2], list(results)[-1]]
        ours, base = (statistics.median(w for w, _ in results[k]) for k in pair)
        ours_cpu, base_cpu = (statistics.median(c for _, c in results[k]) for k in pair)
        print(f"\n`rag ask` this checkout / baseline: wall {ours / base:.2f}x, CPU {ours_cpu / base_cpu:.2f}x")
    print(f"\nImport time of `rag ask` by top-level package (self time, s; total {sum(per_pkg.values()):.2f}):\n")
    print("| package | s |")
    print("|---|---:|")
    for pkg, sec in sorted(per_pkg.items(), key=lambda kv: -kv[1])[:15]:
        print(f"| {pkg} | {sec:.3f} |")
    print("\nCumulative import time of project modules in `rag ask` (s, includes what they import):\n")
    print("| module | s |")
    print("|---|---:|")
    for mod, sec in sorted(rag_mods.items(), key=lambda kv: -kv[1])[:15]:
        print(f"| {mod} | {sec:.3f} |")
    print(f"\n`rag --help` imports {len(help_mods)} project modules: {', '.join(sorted(help_mods)) or '-'}")


if __name__ == "__main__":
    main()
