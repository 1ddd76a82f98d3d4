"""Hybrid retriever: dense search straight on the Chroma chunk collection, plus BM25, fused with RRF.

Returns `Passage`s carrying their sentences with original offsets, ready for answering and citing.
Only chunks of each article's committed version are returned (rag/index/state.py), so a query made
while an ingest runs, or after one was killed, answers from the last complete state of every article.

Per query the store is asked three things at most: the nearest chunks (`collection.query`), the
generation and the records of the candidate articles (one registry `get`, always fresh: that read is
what makes a concurrent ingest safe), and whatever is not cached yet. Two caches are safe without
invalidation because their keys name immutable content: chunk records by chunk id (an id hashes the
article version and the chunk text) and original texts by (article, sha256). Does not use llama-index:
importing its core cost `rag ask` about a second.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from rag.errors import IndexNotReadyError, OlderIndexError
from rag.index.embeddings import build_embed_model, embed_texts
from rag.index.keyword import KeywordIndex, sync_keyword_index
from rag.index.records import ArticleRecord, ChunkRecord, chunk_source, chunk_version, decode_article_text
from rag.index.state import (
    committed_versions,
    fetch_committed_chunks,
    read_generation,
    read_generation_and_records,
    read_registry,
)
from rag.index.store import chunks_collection, documents_collection, older_index_hint
from rag.models import Passage
from rag.retrieve.fusion import collapse_near_duplicates, reciprocal_rank_fusion
from rag.settings import RagSettings

_TEXT_CACHE = 1024  # article -> (sha256, original text): sentence texts and the final quote check are cut from it
_CHUNK_CACHE = 4096  # chunk (text, metadata) by id, for BM25 hits the dense search did not return


class _LRU:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size, self._items, self._lock = size, OrderedDict(), threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            return None

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class HybridRetriever:
    """Dense + BM25 retrieval over one index; cheap to call repeatedly, safe to share across threads."""

    def __init__(self, settings: RagSettings) -> None:
        self.settings = settings
        self.chunks = chunks_collection(settings)
        self.registry = documents_collection(settings)
        self.embedder = build_embed_model(settings)
        self._texts = _LRU(_TEXT_CACHE)
        self._chunk_cache = _LRU(_CHUNK_CACHE)

    def is_empty(self) -> bool:
        """True when nothing has been ingested."""
        return self.chunks.count() == 0

    def retrieve(self, query: str, top_k: int | None = None, timings: dict[str, float] | None = None) -> list[Passage]:
        """The `top_k` best passages for `query`, near-duplicates collapsed."""
        s = self.settings
        t0 = time.perf_counter()
        rows = self._dense(query)
        t1 = time.perf_counter()
        sparse, records = self._sparse_and_registry(query, rows)
        rankings = [list(rows)]
        if sparse:
            rankings.append(sparse)
            rows.update(self._chunk_rows([i for i in sparse if i not in rows]))
        if not rows and self.is_empty():
            hint = older_index_hint(s)
            if hint:
                raise OlderIndexError(hint)
            raise IndexNotReadyError("No articles are indexed yet. Run `rag ingest PATH` (default: seeds/).")
        by_id = self._visible_passages(rows, records)
        ranked = []
        for cid, score in reciprocal_rank_fusion(rankings, k=s.rrf_k):
            if cid in by_id:
                by_id[cid].score = score
                ranked.append(by_id[cid])
        passages = collapse_near_duplicates(ranked, s.dedupe_overlap)[: top_k or s.top_k]
        if timings is not None:
            timings["dense"] = t1 - t0
            timings["retrieve"] = time.perf_counter() - t0
        return passages

    def all_passages(self, page: int = 200) -> Iterator[list[Passage]]:
        """Every committed passage of the index, `page` chunks at a time (for work done ahead of questions)."""
        offset = 0
        while True:
            got = self.chunks.get(include=["documents", "metadatas"], limit=page, offset=offset)
            if not got["ids"]:
                return
            offset += len(got["ids"])
            rows = {cid: (doc or "", meta or {})
                    for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}
            sources = sorted({chunk_source(m) for _, m in rows.values()})
            _, records, texts = read_generation_and_records(self.registry, sources, True)
            for src, document in texts.items():
                if records[src].committed:
                    self._texts.put(src, (records[src].sha256, decode_article_text(document)))
            yield list(self._visible_passages(rows, records).values())

    def _dense(self, query: str) -> dict[str, tuple[str, dict]]:
        """(text, metadata) of the nearest chunks by id, best first: `collection.query` with the query vector."""
        vector = embed_texts(self.embedder, [query])
        got = self.chunks.query(query_embeddings=vector, n_results=self.settings.dense_k,
                                include=["documents", "metadatas"])
        rows = {cid: (doc or "", meta or {})
                for cid, doc, meta in zip(got["ids"][0], got["documents"][0], got["metadatas"][0], strict=True)}
        for cid, row in rows.items():  # a later query's BM25 may want them: no `get` then
            self._chunk_cache.put(cid, row)
        return rows

    def _sparse_and_registry(self, query: str, rows: dict[str, tuple[str, dict]]
                             ) -> tuple[list[str], dict[str, ArticleRecord]]:
        """BM25 hits (chunk ids, best first) and the registry records of every candidate article.

        BM25 is searched in the copy this process holds, then one registry read returns the generation,
        the records and (unless all are cached) the texts. Only when the generation moved is BM25 synced
        and searched again, so a query costs one registry request however other processes ingest.
        """
        s = self.settings
        keyword = self._keyword_in_memory() if s.hybrid else None
        sparse = [i for i, _ in keyword.search(query, s.sparse_k)] if keyword else []
        sources = {chunk_source(m) for _, m in rows.values()} | {keyword.source_of(i) for i in sparse}
        want_texts = any(self._texts.get(src) is None for src in sources)
        generation, records, texts = read_generation_and_records(self.registry, sorted(sources), want_texts)
        if s.hybrid and (keyword is None or keyword.generation != generation):
            keyword = self.keyword_index(generation)
            sparse = [i for i, _ in keyword.search(query, s.sparse_k)]
            extra = sorted({keyword.source_of(i) for i in sparse} - set(records))
            if extra:
                _, more, more_texts = read_generation_and_records(self.registry, extra, True)
                records.update(more)
                texts.update(more_texts)
        for src, document in texts.items():
            cached = self._texts.get(src)
            # Decoded only when new; a placeholder's empty text must not be cached under its sha.
            if records[src].committed and (cached is None or cached[0] != records[src].sha256):
                self._texts.put(src, (records[src].sha256, decode_article_text(document)))
        return sparse, records

    def _visible_passages(self, rows: dict[str, tuple[str, dict]], records: dict[str, ArticleRecord]
                          ) -> dict[str, Passage]:
        """Passages of the chunks whose version the registry commits, sentences cut from the article text."""
        committed = committed_versions(records)
        out = {}
        for cid, (text, meta) in rows.items():
            source, version = chunk_source(meta), chunk_version(meta)
            if not version or committed.get(source) != version:
                continue
            sha = records[source].sha256
            original = self.original_text(source, sha)
            if original is not None:  # else superseded since the registry read: left out like an uncommitted one
                out[cid] = ChunkRecord.from_metadata(meta, original, sha).passage(cid, text)
        return out

    def _chunk_rows(self, ids: list[str]) -> dict[str, tuple[str, dict]]:
        """(text, metadata) of chunks by id, from the cache or one `get` (ids deleted meanwhile are absent)."""
        out: dict[str, tuple[str, dict]] = {}
        missing = []
        for cid in ids:
            row = self._chunk_cache.get(cid)
            if row is None:
                missing.append(cid)
            else:
                out[cid] = row
        if missing:
            got = self.chunks.get(ids=missing, include=["documents", "metadatas"])
            for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                out[cid] = (doc or "", meta or {})
                self._chunk_cache.put(cid, out[cid])
        return out

    def _keyword_in_memory(self) -> KeywordIndex | None:
        """The BM25 index this process last synced, without asking the store (None before the first sync)."""
        from rag.index.keyword import cached_keyword_index

        return cached_keyword_index(self.settings)

    def keyword_index(self, generation: str | None = None) -> KeywordIndex:
        """The BM25 index, synced with the store when its generation changed (read here unless given)."""
        if generation is None:
            generation = read_generation(self.registry)
        state: dict[str, dict[str, str]] = {}

        def committed() -> dict[str, str]:
            state["sigs"] = committed_versions(read_registry(self.registry))
            return state["sigs"]

        return sync_keyword_index(self.settings, generation, committed,
                                  lambda sources: fetch_committed_chunks(self.chunks, state["sigs"], sources))

    def original_text(self, source: str, doc_sha256: str = "") -> str | None:
        """The stored original text of `source`, or None when the registry now holds another version."""
        cached = self._texts.get(source)
        if cached is not None and doc_sha256 and cached[0] == doc_sha256:
            return cached[1]  # the text of one version (a content hash) never changes
        got = self.registry.get(ids=[source], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        record = ArticleRecord.from_metadata(got["metadatas"][0])
        if not record.committed or (doc_sha256 and record.sha256 != doc_sha256):
            return None
        text = decode_article_text(got["documents"][0])
        self._texts.put(source, (record.sha256, text))
        return text
