"""Hybrid retriever: dense search through llama-index over Chroma, plus BM25, fused with RRF.

Returns `Passage`s carrying their sentences with original offsets, ready for answering and citing.
Only chunks of each article's committed version are returned (rag/index/state.py), so a query made
while an ingest runs, or after one was killed, answers from the last complete state of every article.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from llama_index.core import VectorStoreIndex
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.errors import IndexNotReadyError
from rag.index.embeddings import build_embed_model
from rag.index.keyword import sync_keyword_index
from rag.index.records import ArticleRecord, ChunkRecord, chunk_source
from rag.index.state import committed_versions, fetch_committed_chunks, read_generation, read_registry, visible
from rag.index.store import chunks_collection, documents_collection
from rag.models import Passage
from rag.retrieve.fusion import collapse_near_duplicates, reciprocal_rank_fusion
from rag.settings import RagSettings

_TEXT_CACHE = 64  # original article texts kept for the final quote check


class HybridRetriever:
    """Dense + BM25 retrieval over one index; cheap to call repeatedly, safe to share across threads."""

    def __init__(self, settings: RagSettings) -> None:
        self.settings = settings
        self.chunks = chunks_collection(settings)
        self.registry = documents_collection(settings)
        self.embedder = build_embed_model(settings)
        self.index = VectorStoreIndex.from_vector_store(
            ChromaVectorStore(chroma_collection=self.chunks), embed_model=self.embedder
        )
        self._texts: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._texts_lock = threading.Lock()

    def is_empty(self) -> bool:
        """True when nothing has been ingested."""
        return self.chunks.count() == 0

    def _committed(self, sources: set[str]) -> dict[str, str]:
        """Committed version of each of `sources` (one registry read per query)."""
        if not sources:
            return {}
        got = self.registry.get(ids=sorted(sources), include=["metadatas"])
        return committed_versions({i: ArticleRecord.from_metadata(m) for i, m in zip(got["ids"], got["metadatas"],
                                                                                     strict=True)})

    def retrieve(self, query: str, top_k: int | None = None, timings: dict[str, float] | None = None) -> list[Passage]:
        """The `top_k` best passages for `query`, near-duplicates collapsed."""
        s = self.settings
        top_k = top_k or s.top_k
        if self.is_empty():
            raise IndexNotReadyError("No articles are indexed yet. Run `rag ingest PATH` (default: seeds/).")
        t0 = time.perf_counter()
        dense = self.index.as_retriever(similarity_top_k=s.dense_k).retrieve(query)
        records: dict[str, tuple[str, dict, float]] = {
            n.node.node_id: (n.node.get_content(), dict(n.node.metadata), float(n.score or 0.0)) for n in dense
        }
        rankings = [[n.node.node_id for n in dense]]
        t1 = time.perf_counter()
        if s.hybrid:
            sparse = self.keyword_index().search(query, s.sparse_k)
            rankings.append([i for i, _ in sparse])
            missing = [i for i, _ in sparse if i not in records]
            if missing:  # chunks deleted since the BM25 index was synced are simply absent here
                got = self.chunks.get(ids=missing, include=["documents", "metadatas"])
                for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                    records[cid] = (doc, meta or {}, 0.0)
        committed = self._committed({chunk_source(m) for _, m, _ in records.values()})
        by_id = {cid: ChunkRecord.from_metadata(meta).passage(cid, text, score)
                 for cid, (text, meta, score) in records.items() if visible(meta, committed)}
        ranked = []
        for cid, score in reciprocal_rank_fusion(rankings, k=s.rrf_k):
            if cid in by_id:
                by_id[cid].score = score
                ranked.append(by_id[cid])
        passages = collapse_near_duplicates(ranked, s.dedupe_overlap)[:top_k]
        if timings is not None:
            timings["dense"] = t1 - t0
            timings["retrieve"] = time.perf_counter() - t0
        return passages

    def keyword_index(self):
        """The BM25 index, synced with the store when its generation changed."""
        generation = read_generation(self.registry)
        state: dict[str, dict[str, str]] = {}

        def committed() -> dict[str, str]:
            state["sigs"] = committed_versions(read_registry(self.registry))
            return state["sigs"]

        return sync_keyword_index(self.settings, generation, committed,
                                  lambda sources: fetch_committed_chunks(self.chunks, state["sigs"], sources))

    def original_text(self, source: str, doc_sha256: str = "") -> str | None:
        """The stored original text of `source`, or None when the registry now holds another version."""
        key = (source, doc_sha256)
        with self._texts_lock:
            if key in self._texts:
                self._texts.move_to_end(key)
                return self._texts[key]
        got = self.registry.get(ids=[source], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        record = ArticleRecord.from_metadata(got["metadatas"][0])
        if not record.committed or (doc_sha256 and record.sha256 != doc_sha256):
            return None
        with self._texts_lock:
            self._texts[key] = got["documents"][0]
            while len(self._texts) > _TEXT_CACHE:
                self._texts.popitem(last=False)
        return got["documents"][0]
