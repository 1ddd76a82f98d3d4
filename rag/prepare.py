"""Parse and embed every indexed sentence ahead of questions, into the disk caches (rag/disk_cache.py).

Why: a question about passages no earlier question touched spends most of its time parsing its candidate
sentences with spaCy and embedding them (at 1,000 articles ~150 ms of an answer, bench/bench_peer.py). Done
once ahead, by `rag prepare` or in the background when the UI starts, an answer reads them back instead. Work
already on disk is skipped, so running it again after an ingest only does the new articles.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag import nlp
from rag.generate.features import candidates

if TYPE_CHECKING:
    from rag.answering import Pipeline

_BATCH = 64  # sentences parsed and embedded per step: small enough to stop soon, large enough for spaCy's pipe


@dataclass(frozen=True)
class PrepareReport:
    """What `prepare` did."""

    sentences: int  # distinct candidate sentences of the index it covered
    parsed: int  # of those, parsed now (the rest were on disk)
    embedded: int  # of those, embedded now
    capped: bool  # the index holds more sentences than the disk caches keep: it stopped at their size
    seconds: float


def prepare(pipeline: Pipeline, on_progress: Callable[[int], None] | None = None) -> PrepareReport:
    """Store the parse and the vector of every candidate sentence of the index (the sentences answers read),
    up to the disk caches' size (beyond it, storing more would only push out what was stored first)."""
    settings = pipeline.settings
    room = min(settings.parse_cache_entries, settings.vector_cache_entries)
    t0 = time.perf_counter()
    seen: set[str] = set()
    parsed = embedded = 0
    capped = False
    for passages in pipeline.retriever.all_passages():
        texts = [t for t in dict.fromkeys(c.text for c in candidates(passages)) if t not in seen]
        if len(seen) + len(texts) > room:
            texts, capped = texts[: max(0, room - len(seen))], True
        for i in range(0, len(texts), _BATCH):
            batch = texts[i : i + _BATCH]
            parsed += nlp.store_parses(batch)
            embedded += pipeline.store_vectors(batch)
            seen.update(batch)
            if on_progress:
                on_progress(len(seen))
        if capped:
            break
    return PrepareReport(len(seen), parsed, embedded, capped, time.perf_counter() - t0)
