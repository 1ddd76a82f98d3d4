"""Corpora the eval can build on demand from real ABC news (2001-02) that gensim's wheel ships as test data, one
article per line, latin-1. Their licence is unstated, so the text is never committed: it is extracted at run time
from the wheel, which pip fetches from PyPI once and keeps in a cache folder.

- `lee`: `gensim/test/test_data/lee.cor`, 50 articles, the real-news development corpus (lee_00.txt ... lee_49.txt).
- `leebg`: its sibling `lee_background.cor`, 300 other articles (leebg_000.txt ... leebg_299.txt), kept out of
  development: the outside check of the answerer, asked only by blind held-out sets.

    python -m rag.eval.corpora lee|leebg DEST     # writes the articles into DEST
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from rag.errors import RagError

GENSIM_VERSION = "4.4.0"
CACHE = Path.home() / ".cache" / "newsrag" / "wheels"


@dataclass(frozen=True)
class NamedCorpus:
    """One article-per-line file inside gensim's wheel, and how its articles are named."""

    member: str
    prefix: str
    digits: int
    count: int

    @property
    def home(self) -> Path:
        """Where `--corpus NAME` builds the articles."""
        return Path.home() / ".cache" / "newsrag" / self.prefix


CORPORA = {
    "lee": NamedCorpus("gensim/test/test_data/lee.cor", "lee", 2, 50),
    "leebg": NamedCorpus("gensim/test/test_data/lee_background.cor", "leebg", 3, 300),
}


def _gensim_wheel() -> Path:
    found = sorted(CACHE.glob(f"gensim-{GENSIM_VERSION}-*.whl"))
    if found:
        return found[0]
    CACHE.mkdir(parents=True, exist_ok=True)
    # Downloaded aside, then renamed: a process running beside this one (pytest -n) never sees half a wheel.
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
               "--python-version", "3.11", "-d", tmp, f"gensim=={GENSIM_VERSION}"]
        if subprocess.run(cmd, capture_output=True, text=True, check=False).returncode != 0:
            raise RagError(f"Could not download gensim {GENSIM_VERSION} from PyPI to build the news corpora.")
        for wheel in Path(tmp).glob("gensim-*.whl"):
            os.replace(wheel, CACHE / wheel.name)
    return sorted(CACHE.glob(f"gensim-{GENSIM_VERSION}-*.whl"))[0]


def build_corpus(name: str, dest: Path | None = None) -> Path:
    """Write corpus `name`'s articles as dest/PREFIX_NN.txt (UTF-8, one article per file); reuse them when present."""
    spec = CORPORA[name]
    dest = dest or spec.home
    if len(list(dest.glob(f"{spec.prefix}_*.txt"))) == spec.count:
        return dest
    with zipfile.ZipFile(_gensim_wheel()) as wheel:
        lines = [line.strip() for line in wheel.read(spec.member).decode("latin-1").splitlines() if line.strip()]
    dest.mkdir(parents=True, exist_ok=True)
    for i, line in enumerate(lines):
        path = dest / f"{spec.prefix}_{i:0{spec.digits}d}.txt"
        part = path.with_name(f".{path.name}.{os.getpid()}")
        part.write_text(line + "\n", encoding="utf-8")
        os.replace(part, path)  # whole files only, also while another process builds the same corpus
    return dest


def resolve_corpus(spec: str | Path) -> Path:
    """A corpus folder from `--corpus`: a named corpus (`lee`, `leebg`) is built on demand unless a folder of that
    name exists; anything else is a folder path."""
    path = Path(spec)
    if str(spec) in CORPORA and not path.is_dir():
        return build_corpus(str(spec))
    return path


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in CORPORA:
        sys.exit(f"usage: python -m rag.eval.corpora {'|'.join(CORPORA)} DEST")
    print(build_corpus(sys.argv[1], Path(sys.argv[2])))
