"""The store's generation: a fingerprint every writing ingest changes, so readers know when cached
derived data (the BM25 index) is stale. Kept as a reserved record in the document registry.
"""

from __future__ import annotations

import hashlib
from typing import Any

from rag.index.store import REGISTRY_VECTOR

STATE_ID = "__index_state__"


def read_generation(docs: Any) -> str:
    """Current generation, '' for an index never written."""
    got = docs.get(ids=[STATE_ID], include=["metadatas"])
    if not got["ids"]:
        return ""
    return str((got["metadatas"][0] or {}).get("generation", ""))


def write_generation(docs: Any, fingerprints: list[str]) -> str:
    """Record a generation derived from the registry's content and return it."""
    generation = hashlib.sha256("\n".join(sorted(fingerprints)).encode()).hexdigest()[:16]
    docs.upsert(ids=[STATE_ID], embeddings=[REGISTRY_VECTOR], documents=[""],
                metadatas=[{"generation": generation}])
    return generation
