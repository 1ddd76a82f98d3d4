"""Hybrid retriever: dense search through llama-index over Chroma, plus BM25, fused with RRF.

Returns `Passage`s carrying their sentences with original offsets, ready for answering and citing.
"""

from __future__ import annotations

import json
import time
from typing import Any

from llama_index.core import VectorStoreIndex
from llama_index.vector_stores.chroma import ChromaVectorStore

from rag.errors import IndexNotReadyError
from rag.index.embeddings import build_embed_model
from rag.index.keyword import get_keyword_index
from rag.index.state import read_generation
from rag.index.store import chunks_collection, documents_collection
from rag.ingest.pipeline import load_corpus
from rag.models import Passage, Sentence
from rag.retrieve.fusion import collapse_near_duplicates, reciprocal_rank_fusion
from rag.settings import RagSettings


def passage_from_record(chunk_id: str, text: str, meta: dict[str, Any], score: float = 0.0) -> Passage:
    """Rebuild a Passage from a stored chunk's text and metadata."""
    sentences = [Sentence(int(s), int(e), t) for s, e, t in json.loads(meta.get("sentences") or "[]")]
    return Passage(
        id=chunk_id, source=str(meta.get("source", "")), title=str(meta.get("title", "")), text=text,
        start=int(meta.get("start", 0)), end=int(meta.get("end", 0)), sentences=sentences, score=score,
    )


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

    def is_empty(self) -> bool:
        """True when nothing has been ingested."""
        return self.chunks.count() == 0

    def retrieve(self, query: str, top_k: int | None = None, hybrid: bool | None = None,
                 timings: dict[str, float] | None = None) -> list[Passage]:
        """The `top_k` best passages for `query`, near-duplicates collapsed."""
        s = self.settings
        top_k = top_k or s.top_k
        hybrid = s.hybrid if hybrid is None else hybrid
        if self.is_empty():
            raise IndexNotReadyError("No articles are indexed yet. Run `rag ingest PATH` (default: seeds/).")
        t0 = time.perf_counter()
        dense = self.index.as_retriever(similarity_top_k=s.dense_k).retrieve(query)
        by_id: dict[str, Passage] = {
            n.node.node_id: passage_from_record(n.node.node_id, n.node.get_content(), n.node.metadata,
                                                float(n.score or 0.0))
            for n in dense
        }
        rankings = [[n.node.node_id for n in dense]]
        t1 = time.perf_counter()
        if hybrid:
            generation = read_generation(self.registry)
            keyword = get_keyword_index(s, generation, lambda: load_corpus(self.chunks))
            sparse = keyword.search(query, s.sparse_k)
            rankings.append([i for i, _ in sparse])
            missing = [i for i, _ in sparse if i not in by_id]
            if missing:
                got = self.chunks.get(ids=missing, include=["documents", "metadatas"])
                for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                    by_id[cid] = passage_from_record(cid, doc, meta)
        fused = reciprocal_rank_fusion(rankings, k=s.rrf_k)
        ranked = []
        for cid, score in fused:
            if cid in by_id:
                by_id[cid].score = score
                ranked.append(by_id[cid])
        passages = collapse_near_duplicates(ranked, s.dedupe_overlap)[:top_k]
        if timings is not None:
            timings["dense"] = t1 - t0
            timings["retrieve"] = time.perf_counter() - t0
        return passages
