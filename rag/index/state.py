"""What is committed in the store: the document registry is the commit log.

An article's chunks carry the version (clean signature) of the article they were cut from; they are
visible only while the registry's record for that article holds the same version. Ingest writes new
chunks first (invisible), then the registry record (the commit: one record, atomic), then deletes the
superseded chunks (already invisible). A reader therefore sees, per article, the last committed version
and never a mix, whatever point an ingest is at or was killed at.

The generation is a fingerprint of the registry that every writing ingest changes, so readers know when
derived data (the BM25 index) needs syncing. Kept as a reserved record in the registry.
"""

from __future__ import annotations

import hashlib
from typing import Any

from rag.index.records import (
    ArticleRecord,
    chunk_source,
    chunk_title,
    chunk_version,
    decode_article_text,
    indexed_text,
    source_filter,
)
from rag.index.store import REGISTRY_VECTOR
from rag.models import ArticleInfo

STATE_ID = "__index_state__"
_PAGE = 2000  # records per request: large stores are read in pages, never in one response
SOURCES_PER_QUERY = 200  # articles per `source $in [...]` chunk query: bounded filter size and response
# Chunks whose text and metadata come back per request. Each carries its node JSON and sentence list
# (~10 KB as Python objects), so one 3 MB article fetched whole held ~110 MB at once (bench_large.py).
CHUNKS_PER_FETCH = 256


def read_generation(docs: Any) -> str:
    """Current generation, '' for an index never written."""
    got = docs.get(ids=[STATE_ID], include=["metadatas"])
    if not got["ids"]:
        return ""
    return str((got["metadatas"][0] or {}).get("generation", ""))


def read_generation_and_records(docs: Any, sources: list[str], texts: bool = False
                                ) -> tuple[str, dict[str, ArticleRecord], dict[str, str]]:
    """The current generation, the records of `sources` and (with `texts`) their stored documents (still
    encoded: `decode_article_text` them as needed), in one request: a reader's per-query registry read."""
    got = docs.get(ids=[STATE_ID, *sources], include=["metadatas", "documents"] if texts else ["metadatas"])
    generation, records, documents = "", {}, {}
    for i, (rid, meta) in enumerate(zip(got["ids"], got["metadatas"], strict=True)):
        if rid == STATE_ID:
            generation = str((meta or {}).get("generation", ""))
        else:
            records[rid] = ArticleRecord.from_metadata(meta)
            if texts and got["documents"][i]:
                documents[rid] = got["documents"][i]
    return generation, records, documents


def read_article_texts(docs: Any, sources: list[str]) -> dict[str, str]:
    """The stored original text of each of `sources` the registry holds ('' for a placeholder)."""
    got = docs.get(ids=sources, include=["documents"])
    return {rid: decode_article_text(doc) for rid, doc in zip(got["ids"], got["documents"], strict=True)}


def write_generation(docs: Any, fingerprints: list[str]) -> str:
    """Record a generation derived from the registry's content and return it."""
    generation = hashlib.sha256("\n".join(sorted(fingerprints)).encode()).hexdigest()[:16]
    docs.upsert(ids=[STATE_ID], embeddings=[REGISTRY_VECTOR], documents=[""],
                metadatas=[{"generation": generation}])
    return generation


def read_registry(docs: Any) -> dict[str, ArticleRecord]:
    """Every article record (placeholders included), by source, read in pages."""
    records: dict[str, ArticleRecord] = {}
    offset = 0
    while True:
        got = docs.get(include=["metadatas"], limit=_PAGE, offset=offset)
        for rid, meta in zip(got["ids"], got["metadatas"], strict=True):
            if rid != STATE_ID:
                records[rid] = ArticleRecord.from_metadata(meta)
        if len(got["ids"]) < _PAGE:
            return records
        offset += _PAGE


def list_articles(docs: Any) -> list[ArticleInfo]:
    """The committed articles, by collection then id (placeholders of unfinished ingests are left out)."""
    return [
        ArticleInfo(source=s, title=r.title, collection=r.collection, n_chunks=r.n_chunks, date=r.date,
                    publisher=r.publisher, url=r.url, format=r.format, path=r.path)
        for s, r in sorted(read_registry(docs).items(), key=lambda kv: (kv[1].collection, kv[0])) if r.committed
    ]


def committed_versions(records: dict[str, ArticleRecord]) -> dict[str, str]:
    """Article -> committed version; placeholders of never-committed articles are left out."""
    return {s: r.version for s, r in records.items() if r.committed}


def visible(meta: dict | None, committed: dict[str, str]) -> bool:
    """True when a chunk (given its stored metadata) belongs to the committed version of its article."""
    version = chunk_version(meta)
    return bool(version) and committed.get(chunk_source(meta)) == version


def fetch_committed_chunks(chunks: Any, committed: dict[str, str], sources: list[str],
                           batch: int = SOURCES_PER_QUERY) -> list[tuple[str, str, str]]:
    """(chunk id, source, title + text) of the committed chunks of `sources`, a batch of articles per request.

    Ids are listed first, then text and metadata are read `CHUNKS_PER_FETCH` chunks at a time, so memory
    stays bounded however many chunks one article has. A chunk deleted in between is simply not returned,
    as it would not have been by a later single request.
    """
    rows: list[tuple[str, str, str]] = []
    for i in range(0, len(sources), batch):
        ids = chunks.get(where=source_filter(sources[i : i + batch]), include=[])["ids"]
        for j in range(0, len(ids), CHUNKS_PER_FETCH):
            got = chunks.get(ids=ids[j : j + CHUNKS_PER_FETCH], include=["documents", "metadatas"])
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                if visible(meta, committed):
                    rows.append((cid, chunk_source(meta), indexed_text(chunk_title(meta), text)))
    rows.sort(key=lambda r: (r[1], r[0]))  # row order independent of the store's
    return rows
