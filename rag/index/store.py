"""Open the Chroma store: an embedded PersistentClient under the data dir, or a Chroma server
through HttpClient when CHROMA_HOST is set. Two collections per index: chunks (vectors) and a
document registry (original text and fingerprints, used for incremental ingest and quote checks).
"""

from __future__ import annotations

import threading
from typing import Any

import chromadb
from chromadb.config import Settings as ChromaSettings

from rag.errors import StoreUnavailableError
from rag.settings import RagSettings

_clients: dict[tuple, Any] = {}
_lock = threading.Lock()


def get_client(settings: RagSettings) -> Any:
    """One Chroma client per location per process (Chroma refuses two with different settings)."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        key: tuple = ("http", settings.chroma_host, settings.chroma_port)
    else:
        key = ("local", str(settings.data_dir.resolve()))
    with _lock:
        if key in _clients:
            return _clients[key]
        try:
            if settings.chroma_host:
                headers = {}
                if settings.chroma_token:
                    headers["Authorization"] = f"Bearer {settings.chroma_token.get_secret_value()}"
                client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                             headers=headers, settings=chroma_settings)
                client.heartbeat()
            else:
                settings.data_dir.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(settings.data_dir / "chroma"),
                                                   settings=chroma_settings)
        except Exception as exc:
            where = (f"Chroma server at {settings.chroma_host}:{settings.chroma_port}"
                     if settings.chroma_host else f"Chroma store in {settings.data_dir}")
            raise StoreUnavailableError(
                f"Cannot open the {where}: {exc}. Check CHROMA_HOST/CHROMA_PORT or RAG_DATA_DIR."
            ) from exc
        _clients[key] = client
        return client


def chunks_collection(settings: RagSettings, create: bool = True) -> Any:
    """The collection of chunk vectors, or None when it does not exist and `create` is False."""
    client = get_client(settings)
    name = settings.collection_name
    if create:
        return client.get_or_create_collection(name, metadata={"hnsw:space": "cosine"},
                                               embedding_function=None)
    try:
        return client.get_collection(name, embedding_function=None)
    except Exception:
        return None


def documents_collection(settings: RagSettings) -> Any:
    """Registry of ingested articles: id = source name, document = original text.

    Chroma needs a vector per record; the registry is never searched, so each gets a constant 1-d one.
    """
    return get_client(settings).get_or_create_collection(
        f"{settings.collection_name}-docs", embedding_function=None
    )


REGISTRY_VECTOR = [1.0]
