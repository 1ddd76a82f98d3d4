"""Incremental, idempotent, crash-safe ingestion into Chroma.

Per article the order is: new chunks (tagged with the version's clean signature, so invisible), then
the registry record (the commit), then deletion of the superseded chunks; see rag/index/state.py.
A run killed at any point and rerun converges to exactly the chunks of a clean ingest, and readers
meanwhile see each article's last committed version. Unchanged articles write nothing, changed ones
replace their chunks, `prune` drops vanished files of the folders given (and only of those: articles are
identified per collection, see rag/ingest/loader.py), `remove` drops named articles.

Every step is linear in the corpus: the registry is read once in pages, shared paragraphs are counted
with one Counter, existing chunks are looked up only for articles the registry already knows, and
embedding and writes go in batches of several articles (`ingest_batch_chunks`).
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from tqdm import tqdm

from rag.errors import CollectionConflictError
from rag.index.chunks import write_chunks
from rag.index.embeddings import build_embed_model, embed_texts
from rag.index.keyword import sync_keyword_index
from rag.index.records import (
    ArticleRecord,
    chunk_version,
    encode_article_text,
    indexed_text,
    source_filter,
)
from rag.index.state import (
    SOURCES_PER_QUERY,
    committed_versions,
    fetch_committed_chunks,
    read_article_texts,
    read_registry,
    write_generation,
)
from rag.index.store import REGISTRY_VECTOR, chunks_collection, documents_collection
from rag.ingest.chunker import Chunk, chunk_document
from rag.ingest.cleaner import clean_document, shared_keys, split_paragraphs
from rag.ingest.loader import Skipped, collection_scopes, load_documents
from rag.models import SourceDocument
from rag.settings import RagSettings

log = logging.getLogger(__name__)

# (chunks done, chunks known so far); the total grows as articles are read and chunked.
Progress = Callable[[int, int], None]


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


def _check_collections(docs: list[SourceDocument], known: dict[str, ArticleRecord], explicit: bool) -> None:
    """Refuse to file a folder's articles under a default name another folder already holds.

    Why: two folders both called `articles` would otherwise share ids, and one would silently replace the
    other's articles (the data loss issue 14 reports). A user-given `--collection` is taken as meant.
    """
    if explicit:
        return
    roots: dict[str, set[str]] = {}
    for record in known.values():
        if record.collection and record.root:
            roots.setdefault(record.collection, set()).add(record.root)
    for doc in docs:
        held = roots.get(doc.collection, set())
        if doc.root is not None and held and str(doc.root) not in held:
            raise CollectionConflictError(
                f"The collection '{doc.collection}' already holds articles from {sorted(held)[0]}, not {doc.root}. "
                f"Pass --collection NAME to ingest this folder as another collection, or "
                f"--collection {doc.collection} if it is the same folder, moved.")


def _doc_from_record(source: str, record: ArticleRecord, text: str) -> SourceDocument:
    """A registered article rebuilt from its stored text and record (to re-clean it without its file)."""
    return SourceDocument(source=source, path=Path(record.path or source), text=text, sha256=record.sha256,
                          title=record.title or None, publisher=record.publisher, date=record.date, url=record.url,
                          author=record.author, pages=record.pages, format=record.format,
                          collection=record.collection, root=Path(record.root) if record.root else None)


def ingest(
    paths: Iterable[Path | str],
    settings: RagSettings,
    prune: bool = False,
    progress: bool = False,
    on_skip: Callable[[Skipped], None] | None = None,
    collection: str | None = None,
    on_progress: Progress | None = None,
    remove: Iterable[str] = (),
) -> IngestReport:
    """Bring the index in line with the articles under `paths`; see the module docstring.

    `collection` names the collection the paths are filed under (default: each folder's name);
    `prune` removes articles of those folders' collections whose files are gone; `remove` removes the
    named articles (ids as in citations). Each skipped file is passed to `on_skip` (or logged when there
    is none, so it is reported once); `on_progress(done, total)` is called as chunks are embedded and
    written; `progress=True` shows a terminal bar instead. Raises `MissingPathError` for a missing path
    and `CollectionConflictError` when a default collection name is taken by another folder.
    """
    t0 = time.perf_counter()
    report = IngestReport()
    paths = list(paths)
    docs, skipped = load_documents(paths, settings.max_file_bytes, settings, collection=collection)
    report.skipped = skipped
    for s in skipped:
        if on_skip:
            on_skip(s)
        else:
            log.warning("skipped %s: %s", s.path, s.reason)

    chunks_coll = chunks_collection(settings)
    registry = documents_collection(settings)
    known = read_registry(registry)
    _check_collections(docs, known, explicit=collection is not None)
    incoming = {d.source: d for d in docs}
    scopes = set(collection_scopes(paths, collection)) if prune else set()
    dropped = set(remove) - set(incoming)
    # A placeholder (no committed signature) whose file is gone was never visible: always drop it.
    removed = [s for s, r in known.items()
               if s not in incoming and (r.collection in scopes or s in dropped or not r.committed)]
    keys = {s: _doc_keys(d.text) for s, d in incoming.items()}
    for source, record in known.items():
        if source not in incoming and source not in removed:
            keys[source] = record.keys
    shared = shared_keys(keys.values())

    todo: list[tuple[SourceDocument, str]] = []
    leftovers: list[str] = []  # committed articles whose superseded chunks a killed run left behind
    for source in sorted(keys):
        record = known.get(source)
        doc = incoming.get(source)
        sha = doc.sha256 if doc else record.sha256
        sig = _clean_signature(sha, keys[source], shared)
        if record and record.version == sig:
            if doc:
                report.unchanged.append(source)
            if record.pending:
                leftovers.append(source)
            continue
        if doc is None:  # a registered article whose shared paragraphs changed: re-clean from stored text
            doc = _doc_from_record(source, record, read_article_texts(registry, [source])[source])
        (report.updated if record and record.committed else report.added).append(source)
        todo.append((doc, sig))

    bar = tqdm(desc="ingest", unit="chunk", total=0, disable=not progress or on_progress is not None)

    def tick(done: int, total: int) -> None:
        if on_progress:
            on_progress(done, total)
        bar.total = total
        bar.n = done
        bar.refresh()

    writer = _BatchWriter(settings, chunks_coll, registry, known, keys, report, tick)
    try:
        for doc, sig in todo:
            cleaned = clean_document(doc, shared)
            writer.put(cleaned, chunk_document(cleaned, settings.chunk_size, settings.chunk_overlap, version=sig), sig)
        writer.flush()
    finally:
        writer.close()
    bar.close()

    for source in leftovers:
        report.chunks_deleted += _delete_superseded(chunks_coll, source, known[source].version)
        registry.update(ids=[source], metadatas=[replace(known[source], pending=False).to_metadata()])
    for source in removed:
        # Uncommit first (its chunks vanish from answers at once); a run killed after this still has a
        # placeholder record, so the next run finishes the removal.
        registry.update(ids=[source], metadatas=[replace(known[source], version="").to_metadata()])
        stale = chunks_coll.get(where=source_filter([source]), include=[])["ids"]
        if stale:
            chunks_coll.delete(ids=stale)
            report.chunks_deleted += len(stale)
        registry.delete(ids=[source])
        if known[source].committed:
            report.removed.append(source)

    if report.wrote or leftovers or not known:
        final = read_registry(registry)
        generation = write_generation(registry, [f"{i}:{r.version}" for i, r in final.items()])
        committed = committed_versions(final)
        sync_keyword_index(settings, generation, lambda: committed,
                           lambda sources: fetch_committed_chunks(chunks_coll, committed, sources))
    report.seconds = time.perf_counter() - t0
    return report


def _delete_superseded(chunks_coll, source: str, version: str) -> int:
    got = chunks_coll.get(where=source_filter([source]), include=["metadatas"])
    stale = [i for i, m in zip(got["ids"], got["metadatas"], strict=True) if chunk_version(m) != version]
    if stale:
        chunks_coll.delete(ids=stale)
    return len(stale)


class _BatchWriter:
    """Collects the chunks of several articles, then embeds, stores and commits them together.

    A batch is written on one background thread while the caller cleans and chunks the next one (the
    model runs outside the GIL, so the two overlap); at most one batch is in flight, and batches are
    written in order, so the crash-safety order of rag/index/state.py holds per batch as before.
    """

    def __init__(self, settings: RagSettings, chunks_coll, registry, known: dict[str, ArticleRecord],
                 keys: dict[str, list[str]], report: IngestReport, tick: Progress) -> None:
        self.settings, self.chunks, self.registry, self.known = settings, chunks_coll, registry, known
        self.keys, self.report, self.tick = keys, report, tick
        self.done = self.total = 0
        self.embedder = build_embed_model(settings)
        self.pending: list[tuple[object, list[Chunk], str]] = []
        self.size = 0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-write")
        self._store = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-store")
        self._inflight: Future | None = None

    def _record(self, cleaned, version: str, n_chunks: int, pending: bool) -> ArticleRecord:
        doc = cleaned.doc
        return ArticleRecord(sha256=doc.sha256, title=cleaned.title, path=str(doc.path), keys=self.keys[doc.source],
                             version=version, n_chunks=n_chunks, pending=pending, collection=doc.collection,
                             root=str(doc.root or ""), publisher=doc.publisher, date=doc.date, url=doc.url,
                             author=doc.author, format=doc.format, pages=doc.pages)

    def put(self, cleaned, chunks: list[Chunk], sig: str) -> None:
        """Queue one article; writes happen when the batch is full."""
        self.pending.append((cleaned, chunks, sig))
        self.size += max(len(chunks), 1)
        self.total += len(chunks)
        self.tick(self.done, self.total)
        if self.size >= self.settings.ingest_batch_chunks:
            self.flush()

    def flush(self) -> None:
        """Hand the queued articles to the writer thread, once the batch before them is written."""
        if not self.pending:
            return
        batch, self.pending, self.size = self.pending, [], 0
        self._wait()
        # The context goes along so progress callbacks that read context variables (gr.Progress) still work.
        self._inflight = self._pool.submit(contextvars.copy_context().run, self._write, batch)

    def close(self) -> None:
        """Wait for the batch in flight (raising its error, if any) and stop the writer thread."""
        try:
            self._wait()
        finally:
            self._pool.shutdown(wait=True)
            self._store.shutdown(wait=True)

    def _store_slice(self, part: list[Chunk], vectors, docs: dict[str, SourceDocument]) -> None:
        write_chunks(self.chunks, part, vectors, docs)
        self.report.chunks_written += len(part)
        self.done += len(part)
        self.tick(self.done, self.total)

    def _wait(self) -> None:
        if self._inflight is not None:
            inflight, self._inflight = self._inflight, None
            inflight.result()

    def _write(self, batch: list[tuple[object, list[Chunk], str]]) -> None:
        """Embed and write one batch: placeholders, chunks, commit, then superseded deletes."""
        fresh = [(c, ch) for c, ch, _ in batch if c.doc.source not in self.known]
        if fresh:  # so a run killed before the commit leaves a record that lets the next run clean up
            self.registry.upsert(
                ids=[c.doc.source for c, _ in fresh], embeddings=[REGISTRY_VECTOR] * len(fresh),
                documents=["" for _ in fresh],
                metadatas=[self._record(c, "", 0, True).to_metadata() for c, _ in fresh])
        have: set[str] = set()
        old = [c.doc.source for c, _, _ in batch if c.doc.source in self.known]
        for i in range(0, len(old), SOURCES_PER_QUERY):
            part = old[i : i + SOURCES_PER_QUERY]
            have.update(self.chunks.get(where=source_filter(part), include=[])["ids"])
        docs = {c.doc.source: c.doc for c, _, _ in batch}
        new = [chunk for _, chunks, _ in batch for chunk in chunks if chunk.id not in have]
        self.done += sum(len(chunks) for _, chunks, _ in batch) - len(new)  # already stored: nothing to do
        self.tick(self.done, self.total)
        # Embedded and stored in slices so progress moves per chunk, even inside one huge article.
        # Each slice is stored by a second thread while the next one is embedded.
        step = self.settings.ingest_step_chunks
        stored: Future | None = None
        for i in range(0, len(new), step):
            part = new[i : i + step]
            t_embed = time.perf_counter()
            vectors = embed_texts(self.embedder, [indexed_text(c.title, c.text) for c in part])
            self.report.embed_seconds += time.perf_counter() - t_embed
            if stored is not None:
                stored.result()
            stored = self._store.submit(contextvars.copy_context().run, self._store_slice, part, vectors, docs)
        if stored is not None:
            stored.result()
        keep = {chunk.id for _, chunks, _ in batch for chunk in chunks}
        # The commit needs only ids and counts: drop the chunk objects (text, sentence lists; ~46 MB for one
        # 3 MB article) before it, so the registry write and the BM25 sync reuse that memory.
        articles = [(c, len(chunks), sig) for c, chunks, sig in batch]
        del batch, new
        stale = sorted(have - keep)
        stale_sources = {c.doc.source for c, _, _ in articles if c.doc.source in self.known} if stale else set()
        records = [self._record(c, sig, n, c.doc.source in stale_sources) for c, n, sig in articles]
        self.registry.upsert(  # the commit
            ids=[c.doc.source for c, _, _ in articles], embeddings=[REGISTRY_VECTOR] * len(articles),
            documents=[encode_article_text(c.doc.text) for c, _, _ in articles],
            metadatas=[r.to_metadata() for r in records])
        if stale:
            self.chunks.delete(ids=stale)
            self.report.chunks_deleted += len(stale)
            done = [(c.doc.source, r) for (c, _, _), r in zip(articles, records, strict=True) if r.pending]
            self.registry.update(ids=[s for s, _ in done],
                                 metadatas=[replace(r, pending=False).to_metadata() for _, r in done])
        for (c, _, _), r in zip(articles, records, strict=True):
            self.known[c.doc.source] = replace(r, pending=False)
