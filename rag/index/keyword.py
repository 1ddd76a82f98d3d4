"""BM25 keyword index over the committed chunks, persisted under the data dir and updated incrementally.

Tokenisation (stop words, Snowball stemming) is bm25s's. Scoring is Lucene BM25 exactly as bm25s
computes it (tests compare the two), but over an inverted index we can patch: bm25s bakes corpus-wide
statistics (idf, average length) into every stored score, so any change forces it to rebuild from the
whole corpus (9.6 s for 100k chunks here, plus fetching and re-tokenising every chunk). Here only raw
term frequencies are stored, postings sorted by term; idf and length normalisation are applied at query
time over the query terms' postings only. An update drops the rows of changed articles (a numpy mask)
and inserts the new rows' postings in sorted position (`np.insert`): linear memory moves, and only the
changed articles are fetched and tokenised.

What the index holds is decided by the document registry, not by whoever ran the ingest: `sync` compares
the clean signature of each article it indexed with the registry's committed one and re-reads only the
articles that differ. So a reader on another machine (Chroma server mode) catches up the same way, and
an ingest killed half-way leaves nothing the next sync does not repair.
"""

from __future__ import annotations

import contextlib
import json
import math
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from rag.settings import RagSettings

_STEMMER = Stemmer.Stemmer("english")
_FORMAT = 2  # bump when the saved layout changes; older folders are rebuilt


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased, stop-worded, stemmed tokens; the same for chunks and queries."""
    return bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER, show_progress=False, return_ids=False)


@dataclass
class KeywordIndex:
    """Postings sorted by term: entry j says term `term[j]` occurs `tf[j]` times in row `row[j]`."""

    generation: str = ""
    ids: list[str] = field(default_factory=list)  # chunk id per row
    sources: list[str] = field(default_factory=list)  # article per row
    sigs: dict[str, str] = field(default_factory=dict)  # article -> clean signature indexed
    vocab: dict[str, int] = field(default_factory=dict)  # append-only; unused terms cost nothing
    term: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    row: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    tf: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    lengths: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))  # tokens per row
    k1: float = 1.5
    b: float = 0.75
    _source_of: dict[str, str] | None = field(default=None, init=False, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.ids)

    def source_of(self, chunk_id: str) -> str:
        """The article of a chunk this index holds (a map built on first use: the index never changes)."""
        if self._source_of is None:
            self._source_of = dict(zip(self.ids, self.sources, strict=True))
        return self._source_of[chunk_id]

    # -- updating ---------------------------------------------------------------------------

    def updated(self, drop_sources: Iterable[str], add: list[tuple[str, str, str]], sigs: dict[str, str],
                generation: str) -> KeywordIndex:
        """A new index without the rows of `drop_sources` and with `add` = [(chunk id, source, text)].

        `sigs` gives the clean signature now indexed for each added source. `self` is left untouched,
        so readers holding it keep working while the update is built.
        """
        drop = set(drop_sources)
        keep_rows = np.fromiter((s not in drop for s in self.sources), bool, len(self.sources))
        new_row_of = np.cumsum(keep_rows, dtype=np.int64) - 1
        keep_entries = keep_rows[self.row] if len(self.row) else np.zeros(0, bool)
        term, row, tf = self.term[keep_entries], new_row_of[self.row[keep_entries]].astype(np.int32), \
            self.tf[keep_entries]
        ids = [i for i, k in zip(self.ids, keep_rows, strict=True) if k]
        sources = [s for s, k in zip(self.sources, keep_rows, strict=True) if k]
        lengths = [self.lengths[keep_rows]]
        vocab = dict(self.vocab)
        new_terms: list[int] = []
        new_rows: list[int] = []
        new_tfs: list[int] = []
        new_lengths: list[int] = []
        for (cid, source, _), tokens in zip(add, tokenize([t for _, _, t in add]) if add else [], strict=True):
            r = len(ids)
            ids.append(cid)
            sources.append(source)
            new_lengths.append(len(tokens))
            for tok, count in Counter(tokens).items():
                new_terms.append(vocab.setdefault(tok, len(vocab)))
                new_rows.append(r)
                new_tfs.append(count)
        if new_terms:
            order = np.argsort(np.asarray(new_terms, np.int32), kind="stable")
            add_term = np.asarray(new_terms, np.int32)[order]
            at = np.searchsorted(term, add_term, side="right")  # keeps postings sorted by term
            term = np.insert(term, at, add_term)
            row = np.insert(row, at, np.asarray(new_rows, np.int32)[order])
            tf = np.insert(tf, at, np.asarray(new_tfs, np.float32)[order])
        lengths.append(np.asarray(new_lengths, np.float32))
        kept_sigs = {s: v for s, v in self.sigs.items() if s not in drop}
        kept_sigs.update(sigs)
        return KeywordIndex(generation, ids, sources, kept_sigs, vocab, term, row, tf,
                            np.concatenate(lengths), self.k1, self.b)

    # -- searching --------------------------------------------------------------------------

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Chunk ids with positive BM25 scores, best first."""
        if not self.ids or not query.strip():
            return []
        wanted = {self.vocab[t] for t in tokenize([query])[0] if t in self.vocab}
        if not wanted:
            return []
        n_docs = len(self.ids)
        avg_len = float(self.lengths.mean()) or 1.0
        scores = np.zeros(n_docs, np.float32)
        for t in wanted:
            lo, hi = np.searchsorted(self.term, [t, t + 1])
            if lo == hi:
                continue
            rows, tf = self.row[lo:hi], self.tf[lo:hi]
            idf = math.log(1 + (n_docs - (hi - lo) + 0.5) / ((hi - lo) + 0.5))
            norm = self.k1 * ((1 - self.b) + self.b * self.lengths[rows] / avg_len)
            scores[rows] += idf * tf / (norm + tf)
        k = min(k, n_docs)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[int(i)], float(scores[i])) for i in top if scores[i] > 0]

    # -- persistence ------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write atomically: a reader never sees half an index. Each writer uses its own temporary folders
        (an ingest and a reader of the same data dir may save at once; a shared name could mix their files)."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f"{folder.name}.tmp-"))
        old = tmp.with_name(f"{tmp.name}.old")
        try:
            # Compressed: postings sorted by term and mostly-1 frequencies shrink well (bench/bench_disk.py).
            np.savez_compressed(tmp / "postings.npz", term=self.term, row=self.row, tf=self.tf,
                                lengths=self.lengths)
            (tmp / "meta.json").write_text(json.dumps({
                "format": _FORMAT, "generation": self.generation, "ids": self.ids, "sources": self.sources,
                "sigs": self.sigs, "vocab": self.vocab, "k1": self.k1, "b": self.b,
            }, ensure_ascii=False))
            if folder.exists():
                folder.rename(old)
            tmp.rename(folder)
        finally:  # left only when another writer won the rename
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex | None:
        """The saved index, or None when there is none or it is unreadable."""
        try:
            meta = json.loads((folder / "meta.json").read_text())
            if meta.get("format") != _FORMAT:
                return None
            with np.load(folder / "postings.npz") as arrays:
                index = cls(meta["generation"], meta["ids"], meta["sources"], meta["sigs"], meta["vocab"],
                            arrays["term"], arrays["row"], arrays["tf"], arrays["lengths"],
                            meta["k1"], meta["b"])
            return index if len(index.lengths) == len(index.ids) == len(index.sources) else None
        except (OSError, ValueError, KeyError):
            return None


# (chunk id, source, text) of the committed chunks of these sources.
FetchChunks = Callable[[list[str]], list[tuple[str, str, str]]]

_cache: dict[str, KeywordIndex] = {}
_cache_lock = threading.Lock()


def keyword_index_dir(settings: RagSettings) -> Path:
    """Where this collection's BM25 index is saved (one per store location)."""
    where = f"{settings.chroma_host}_{settings.chroma_port}-" if settings.chroma_host else ""
    return settings.data_dir / "bm25" / f"{where}{settings.collection_name}"


def cached_keyword_index(settings: RagSettings) -> KeywordIndex | None:
    """The index this process holds (else the saved one) whatever its generation, without asking the store.

    A reader searches it before its per-query registry read tells it the current generation, and syncs
    only when that differs (rag/retrieve/hybrid.py)."""
    folder = keyword_index_dir(settings)
    key = str(folder.resolve())
    with _cache_lock:
        current = _cache.get(key)
        if current is None:
            current = KeywordIndex.load(folder)
            if current is None:
                return None
            _cache[key] = current
    # Other BM25 parameters: None, so the caller syncs, which rebuilds it for these settings.
    return current if (current.k1, current.b) == (settings.bm25_k1, settings.bm25_b) else None


def sync_keyword_index(settings: RagSettings, generation: str, committed: Callable[[], dict[str, str]],
                       fetch: FetchChunks) -> KeywordIndex:
    """The BM25 index for `generation`: from memory, else disk, else brought up to date incrementally.

    `committed()` maps every article to its committed clean signature (read only when the generation
    changed); `fetch(sources)` returns the committed chunks of those articles.
    """
    folder = keyword_index_dir(settings)
    key = str(folder.resolve())
    with _cache_lock:
        current = _cache.get(key)
        if current is not None and current.generation == generation:
            return current
        disk = KeywordIndex.load(folder)
        if disk is not None and (current is None or disk.generation == generation):
            current = disk
        if current is None or current.k1 != settings.bm25_k1 or current.b != settings.bm25_b:
            current = KeywordIndex(k1=settings.bm25_k1, b=settings.bm25_b)
        if current.generation != generation:
            target = committed()
            stale = [s for s, sig in current.sigs.items() if target.get(s) != sig]
            fresh = sorted(s for s, sig in target.items() if current.sigs.get(s) != sig)
            rows = fetch(fresh) if fresh else []
            current = current.updated(stale, rows, {s: target[s] for s in fresh}, generation)
            with contextlib.suppress(OSError):  # a read-only data dir still answers; the next process syncs
                current.save(folder)
        _cache[key] = current
        return current
