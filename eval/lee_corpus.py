"""The "lee" corpus: 50 real ABC news articles (2001-02) from gensim's test data, as one file per article.

gensim's wheel ships `gensim/test/test_data/lee.cor` (one article per line, latin-1). Their licence is
unstated, so the text is never committed: this module downloads the wheel with pip (cached under
~/.cache/newsrag), extracts that one file and writes `lee_00.txt` .. `lee_49.txt` (stripped, UTF-8) into a
folder. Does not install gensim and never reads `lee_background.cor` (kept for an outside check).

    python -m rag.eval.lee_corpus OUT_DIR
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from rag.errors import RagError

CACHE = Path.home() / ".cache" / "newsrag" / "gensim-wheel"
MEMBER = "gensim/test/test_data/lee.cor"
N_ARTICLES = 50


def gensim_wheel(cache: Path = CACHE) -> Path:
    """The gensim wheel (downloaded once with `pip download`, no dependencies, no install)."""
    wheels = sorted(cache.glob("gensim-*.whl"))
    if not wheels:
        cache.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
               "--python-version", "3.11", "--platform", "manylinux_2_17_x86_64", "--dest", str(cache), "gensim"]
        done = subprocess.run(cmd, capture_output=True, text=True)
        wheels = sorted(cache.glob("gensim-*.whl"))
        if done.returncode != 0 or not wheels:
            raise RagError(f"Could not download gensim's wheel for the lee corpus: {done.stderr.strip()[-300:]}")
    return wheels[-1]


def write_lee_corpus(out_dir: Path, cache: Path = CACHE) -> list[Path]:
    """Write lee_00.txt .. lee_49.txt into `out_dir` (skipped when all are there); returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"lee_{i:02d}.txt" for i in range(N_ARTICLES)]
    if all(p.exists() for p in paths):
        return paths
    with zipfile.ZipFile(gensim_wheel(cache)) as wheel:
        lines = wheel.read(MEMBER).decode("latin-1").splitlines()
    articles = [" ".join(line.split()) for line in lines if line.strip()]
    if len(articles) != N_ARTICLES:
        raise RagError(f"{MEMBER} has {len(articles)} articles, expected {N_ARTICLES}")
    for path, text in zip(paths, articles, strict=True):
        path.write_text(text + "\n", encoding="utf-8")
    return paths


if __name__ == "__main__":
    print(len(write_lee_corpus(Path(sys.argv[1] if len(sys.argv) > 1 else "lee"))), "articles")
