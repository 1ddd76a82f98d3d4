"""Corpora the eval can build on demand. `lee`: 50 real ABC news articles (2001-02) that gensim's wheel
ships as test data (`gensim/test/test_data/lee.cor`, one article per line, latin-1). Their licence is
unstated, so the text is never committed: it is extracted at run time from the wheel, which pip fetches
from PyPI once and keeps in a cache folder. Its sibling `lee_background.cor` is deliberately not extracted
(reserved for an outside check of the answerer).

    python -m rag.eval.corpora lee DEST     # writes DEST/lee_00.txt ... lee_49.txt
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from rag.errors import RagError

GENSIM_VERSION = "4.4.0"
LEE_MEMBER = "gensim/test/test_data/lee.cor"
CACHE = Path.home() / ".cache" / "newsrag" / "wheels"
LEE_DIR = Path.home() / ".cache" / "newsrag" / "lee"  # where `--corpus lee` builds the articles


def _gensim_wheel() -> Path:
    found = sorted(CACHE.glob(f"gensim-{GENSIM_VERSION}-*.whl"))
    if found:
        return found[0]
    CACHE.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
           "--python-version", "3.11", "-d", str(CACHE), f"gensim=={GENSIM_VERSION}"]
    if subprocess.run(cmd, capture_output=True, text=True, check=False).returncode != 0:
        raise RagError(f"Could not download gensim {GENSIM_VERSION} from PyPI to build the lee corpus.")
    return sorted(CACHE.glob(f"gensim-{GENSIM_VERSION}-*.whl"))[0]


def build_lee(dest: Path) -> Path:
    """Write the 50 lee articles as dest/lee_NN.txt (UTF-8, one article per file); reuse them when present."""
    if len(list(dest.glob("lee_*.txt"))) == 50:
        return dest
    with zipfile.ZipFile(_gensim_wheel()) as wheel:
        lines = [line.strip() for line in wheel.read(LEE_MEMBER).decode("latin-1").splitlines() if line.strip()]
    dest.mkdir(parents=True, exist_ok=True)
    for i, line in enumerate(lines):
        (dest / f"lee_{i:02d}.txt").write_text(line + "\n", encoding="utf-8")
    return dest


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "lee":
        sys.exit("usage: python -m rag.eval.corpora lee DEST")
    print(build_lee(Path(sys.argv[2])))
