"""BM25 keyword index over the chunks (bm25s), persisted under the data dir.

The index is tagged with the store's generation (changed by every ingest that writes), so a
process loads it from disk once and rebuilds only when the store has changed since. With a
Chroma server, each machine keeps its own copy in its data dir, rebuilt on first use after a change.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
from pathlib import Path

import bm25s
import Stemmer

from rag.settings import RagSettings

_STEMMER = Stemmer.Stemmer("english")


def tokenize(texts: list[str]) -> bm25s.tokenization.Tokenized:
    """Lower-cased, stop-worded, stemmed tokens; the same for chunks and queries."""
    return bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER, show_progress=False)


class KeywordIndex:
    """A BM25 index whose rows are chunk ids."""

    def __init__(self, retriever: bm25s.BM25 | None, ids: list[str], generation: str) -> None:
        self.retriever = retriever
        self.ids = ids
        self.generation = generation

    @classmethod
    def build(cls, ids: list[str], texts: list[str], generation: str) -> KeywordIndex:
        """Index `texts` (one per chunk id)."""
        if not ids:
            return cls(None, [], generation)
        retriever = bm25s.BM25()
        retriever.index(tokenize(texts), show_progress=False)
        return cls(retriever, list(ids), generation)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Chunk ids with positive BM25 scores, best first."""
        if self.retriever is None or not query.strip():
            return []
        tokens = tokenize([query])
        if not tokens.vocab or not any(tokens.ids):
            return []
        k = min(k, len(self.ids))
        # Query words unseen in the corpus map to no row; bm25s then scores nothing, which is right.
        docs, scores = self.retriever.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]

    def save(self, folder: Path) -> None:
        """Write atomically: a reader never sees half an index."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.retriever is not None:
            self.retriever.save(str(tmp / "bm25"))
        (tmp / "ids.json").write_text(json.dumps({"generation": self.generation, "ids": self.ids}))
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex | None:
        """The saved index, or None when there is none or it is unreadable."""
        try:
            meta = json.loads((folder / "ids.json").read_text())
            retriever = bm25s.BM25.load(str(folder / "bm25")) if meta["ids"] else None
            return cls(retriever, meta["ids"], meta["generation"])
        except (OSError, ValueError, KeyError):
            return None


_cache: dict[str, KeywordIndex] = {}
_cache_lock = threading.Lock()


def keyword_index_dir(settings: RagSettings) -> Path:
    """Where this collection's BM25 index is saved."""
    return settings.data_dir / "bm25" / settings.collection_name


def get_keyword_index(settings: RagSettings, generation: str, load_corpus) -> KeywordIndex:
    """The BM25 index for `generation`: from memory, else disk, else rebuilt from `load_corpus()`.

    `load_corpus` returns (ids, texts) of every chunk in the store.
    """
    folder = keyword_index_dir(settings)
    key = str(folder.resolve())
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None and cached.generation == generation:
            return cached
        index = KeywordIndex.load(folder)
        if index is None or index.generation != generation:
            ids, texts = load_corpus()
            index = KeywordIndex.build(ids, texts, generation)
            with contextlib.suppress(OSError):  # a read-only data dir still answers; it rebuilds next time
                index.save(folder)
        _cache[key] = index
        return index
