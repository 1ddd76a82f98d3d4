"""Incremental, idempotent ingestion into Chroma.

Chunk ids derive from content, and an article's registry record is written only after all of its
chunks are stored, so a run killed at any point and rerun converges to exactly the right chunks:
unchanged articles write nothing, changed ones replace their chunks, `prune` drops vanished files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from llama_index.core.schema import TextNode
from llama_index.vector_stores.chroma import ChromaVectorStore
from tqdm import tqdm

from rag.index.embeddings import build_embed_model, embed_texts
from rag.index.keyword import get_keyword_index
from rag.index.state import STATE_ID, write_generation
from rag.index.store import REGISTRY_VECTOR, chunks_collection, documents_collection
from rag.ingest.chunker import Chunk, chunk_document
from rag.ingest.cleaner import clean_document, shared_keys, split_paragraphs
from rag.ingest.loader import Skipped, load_documents
from rag.models import SourceDocument
from rag.settings import RagSettings

log = logging.getLogger(__name__)

# Metadata the embedder and LLM prompts should not see (offsets and bookkeeping).
HIDDEN_METADATA = ["start", "end", "sentences", "doc_sha256", "chunk_index"]


@dataclass
class IngestReport:
    """What an ingest run did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    chunks_written: int = 0
    chunks_deleted: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def wrote(self) -> bool:
        """True when the store changed."""
        return bool(self.chunks_written or self.chunks_deleted or self.added or self.updated or self.removed)


def _doc_keys(text: str) -> list[str]:
    return [p.key for p in split_paragraphs(text)]


def _clean_signature(sha: str, keys: list[str], shared: set[str]) -> str:
    # Cleaning depends on the article and on which of its paragraphs other articles share.
    mine = sorted(set(keys) & shared)
    return hashlib.sha256((sha + "|" + ",".join(mine)).encode()).hexdigest()[:16]


def chunk_to_node(chunk: Chunk, embedding: list[float]) -> TextNode:
    """A llama-index node carrying everything needed to cite from the chunk."""
    return TextNode(
        id_=chunk.id,
        text=chunk.text,
        embedding=embedding,
        metadata={
            "source": chunk.source,
            "title": chunk.title,
            "start": chunk.start,
            "end": chunk.end,
            "doc_sha256": chunk.doc_sha256,
            "chunk_index": chunk.index,
            "sentences": json.dumps([[s.start, s.end, s.text] for s in chunk.sentences], ensure_ascii=False),
        },
        excluded_embed_metadata_keys=HIDDEN_METADATA,
        excluded_llm_metadata_keys=HIDDEN_METADATA,
    )


def ingest(
    paths: Iterable[Path],
    settings: RagSettings,
    prune: bool = False,
    progress: bool = False,
    on_skip: Callable[[Skipped], None] | None = None,
) -> IngestReport:
    """Bring the index in line with the articles under `paths`; see the module docstring."""
    t0 = time.perf_counter()
    report = IngestReport()
    docs, skipped = load_documents(paths, settings.max_file_bytes)
    report.skipped = skipped
    for s in skipped:
        log.warning("skipped %s: %s", s.path, s.reason)
        if on_skip:
            on_skip(s)

    chunks_coll = chunks_collection(settings)
    registry = documents_collection(settings)
    existing = registry.get(include=["metadatas"])
    known = {
        i: m for i, m in zip(existing["ids"], existing["metadatas"], strict=True) if i != STATE_ID
    }

    incoming = {d.source: d for d in docs}
    removed = [s for s in known if s not in incoming] if prune else []
    keys = {s: _doc_keys(d.text) for s, d in incoming.items()}
    for source, meta in known.items():
        if source not in incoming and source not in removed:
            keys[source] = [k for k in str(meta.get("keys", "")).split(",") if k]
    shared = shared_keys(keys.values())

    todo: list[tuple[SourceDocument, str]] = []
    for source in sorted(keys):
        meta = known.get(source)
        doc = incoming.get(source)
        sha = doc.sha256 if doc else str(meta["sha256"])
        sig = _clean_signature(sha, keys[source], shared)
        if meta and meta.get("clean_sig") == sig:
            if doc:
                report.unchanged.append(source)
            continue
        if doc is None:  # a registered article whose shared paragraphs changed: re-clean from stored text
            got = registry.get(ids=[source], include=["documents"])
            doc = SourceDocument(source=source, path=Path(str(meta.get("path", source))),
                                 text=got["documents"][0], sha256=sha)
        (report.updated if meta else report.added).append(source)
        todo.append((doc, sig))

    store = ChromaVectorStore(chroma_collection=chunks_coll)
    embedder = build_embed_model(settings)
    for doc, sig in tqdm(todo, desc="ingest", unit="article", disable=not progress):
        cleaned = clean_document(doc, shared)
        chunks = chunk_document(cleaned, settings.chunk_size, settings.chunk_overlap)
        have = set(chunks_coll.get(where={"source": doc.source}, include=[])["ids"])
        new = [c for c in chunks if c.id not in have]
        if new:
            t_embed = time.perf_counter()
            vectors = embed_texts(embedder, [f"{c.title}\n\n{c.text}" for c in new])
            report.embed_seconds += time.perf_counter() - t_embed
            store.add([chunk_to_node(c, v.tolist()) for c, v in zip(new, vectors, strict=True)])
            report.chunks_written += len(new)
        stale = list(have - {c.id for c in chunks})
        if stale:
            chunks_coll.delete(ids=stale)
            report.chunks_deleted += len(stale)
        registry.upsert(
            ids=[doc.source], embeddings=[REGISTRY_VECTOR], documents=[doc.text],
            metadatas=[{"sha256": doc.sha256, "title": cleaned.title, "path": str(doc.path),
                        "keys": ",".join(keys[doc.source]), "clean_sig": sig, "n_chunks": len(chunks)}],
        )

    for source in removed:
        stale = chunks_coll.get(where={"source": source}, include=[])["ids"]
        if stale:
            chunks_coll.delete(ids=stale)
            report.chunks_deleted += len(stale)
        registry.delete(ids=[source])
        report.removed.append(source)

    if report.wrote or not known:
        final = registry.get(include=["metadatas"])
        prints = [f"{i}:{m.get('clean_sig')}" for i, m in zip(final["ids"], final["metadatas"], strict=True)
                  if i != STATE_ID]
        generation = write_generation(registry, prints)
        get_keyword_index(settings, generation, lambda: load_corpus(chunks_coll))
    report.seconds = time.perf_counter() - t0
    return report


def load_corpus(chunks_coll) -> tuple[list[str], list[str]]:
    """(ids, texts) of every chunk, paged so a large store is not fetched in one request."""
    ids: list[str] = []
    texts: list[str] = []
    page = 5000
    offset = 0
    while True:
        got = chunks_coll.get(include=["documents", "metadatas"], limit=page, offset=offset)
        if not got["ids"]:
            break
        ids.extend(got["ids"])
        texts.extend(f"{(m or {}).get('title', '')}\n{d}" for d, m in
                     zip(got["documents"], got["metadatas"], strict=True))
        offset += page
    return ids, texts
