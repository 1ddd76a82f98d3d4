"""Writing chunks into the chunk collection with Chroma's own API, one record per chunk.

A record is the chunk's id, its vector, its text as the document (what BM25 and the evaluation baseline
read) and `ChunkRecord` metadata. Nothing else: llama-index's `ChromaVectorStore` added the whole node
again as JSON (`_node_content`, 6.8 KB per chunk, bench/bench_disk.py) plus four id keys.
Does not decide visibility (rag/index/state.py) and does not embed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.index.records import ChunkRecord, chunk_page_starts
from rag.models import SourceDocument

if TYPE_CHECKING:  # the chunker imports llama-index; readers of this module need not
    from rag.ingest.chunker import Chunk


def chunk_record(chunk: Chunk, doc: SourceDocument | None = None) -> ChunkRecord:
    """The stored metadata of `chunk`, with its article's publisher, date, link and PDF pages."""
    return ChunkRecord(source=chunk.source, title=chunk.title, start=chunk.start, end=chunk.end,
                       doc_sha256=chunk.doc_sha256, version=chunk.version, sentences=chunk.sentences,
                       publisher=doc.publisher if doc else None, date=doc.date if doc else None,
                       url=doc.url if doc else None,
                       page_starts=chunk_page_starts(doc.pages, chunk.start, chunk.end) if doc else ())


def write_chunks(collection: Any, chunks: Sequence[Chunk], vectors: np.ndarray,
                 docs: dict[str, SourceDocument]) -> None:
    """Store `chunks` with their `vectors` (one row each) in one `upsert` (idempotent: ids are content hashes)."""
    if not chunks:
        return
    collection.upsert(ids=[c.id for c in chunks], embeddings=np.asarray(vectors, dtype=np.float32),
                      documents=[c.text for c in chunks],
                      metadatas=[chunk_record(c, docs.get(c.source)).to_metadata() for c in chunks])
