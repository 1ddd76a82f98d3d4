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
from rag.settings import PIPELINE_VERSION, RagSettings

_clients: dict[tuple, Any] = {}
_lock = threading.Lock()


def _chroma_settings(settings: RagSettings) -> ChromaSettings:
    """Client settings; a token goes through chromadb's own auth provider, which formats the header
    the way Chroma's server (and proxies modelled on it) expect: `Authorization: Bearer <token>` or
    `X-Chroma-Token: <token>`."""
    extra: dict[str, Any] = {}
    if settings.chroma_host and settings.chroma_token:
        extra = {
            "chroma_client_auth_provider": "chromadb.auth.token_authn.TokenAuthClientProvider",
            "chroma_client_auth_credentials": settings.chroma_token.get_secret_value(),
            "chroma_auth_token_transport_header": settings.chroma_token_header,
        }
    return ChromaSettings(anonymized_telemetry=False, allow_reset=False, **extra)


def get_client(settings: RagSettings) -> Any:
    """One Chroma client per location per process (Chroma refuses two with different settings)."""
    if settings.chroma_host:
        token = settings.chroma_token.get_secret_value() if settings.chroma_token else ""
        key: tuple = ("http", settings.chroma_host, settings.chroma_port, token, settings.chroma_token_header)
    else:
        key = ("local", str(settings.data_dir.resolve()))
    with _lock:
        if key in _clients:
            return _clients[key]
        try:
            if settings.chroma_host:
                client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                             settings=_chroma_settings(settings))
                client.heartbeat()
                client.list_collections(limit=1)  # heartbeat is unauthenticated; this checks the token
            else:
                settings.data_dir.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(settings.data_dir / "chroma"),
                                                   settings=_chroma_settings(settings))
        except Exception as exc:
            where = (f"Chroma server at {settings.chroma_host}:{settings.chroma_port}"
                     if settings.chroma_host else f"Chroma store in {settings.data_dir}")
            raise StoreUnavailableError(
                f"Cannot open the {where}: {exc}. Check CHROMA_HOST/CHROMA_PORT/CHROMA_TOKEN or RAG_DATA_DIR."
            ) from exc
        _clients[key] = client
        return client


def chunks_collection(settings: RagSettings) -> Any:
    """The collection of chunk vectors (created on first use)."""
    return get_client(settings).get_or_create_collection(settings.collection_name,
                                                         metadata={"hnsw:space": "cosine"}, embedding_function=None)


def documents_collection(settings: RagSettings) -> Any:
    """Registry of ingested articles: id = source name, document = original text.

    Chroma needs a vector per record; the registry is never searched, so each gets a constant 1-d one.
    """
    return get_client(settings).get_or_create_collection(
        f"{settings.collection_name}-docs", embedding_function=None
    )


REGISTRY_VECTOR = [1.0]


def older_index_hint(settings: RagSettings) -> str | None:
    """One line naming the `rag ingest` commands to run when these settings' index is empty but an index
    written by an older newsrag (an older PIPELINE_VERSION, another layout) holds articles; else None.

    The old collections are left as they are: they are read here only to name the folders they held.
    """
    import shlex
    from pathlib import Path

    from rag.index.records import ArticleRecord

    client = get_client(settings)
    names = {c.name for c in client.list_collections()}
    for version in range(int(PIPELINE_VERSION) - 1, 0, -1):
        name = f"{settings.collection_name_for(str(version))}-docs"
        if name not in names:
            continue
        metas = client.get_collection(name, embedding_function=None).get(include=["metadatas"])["metadatas"]
        records = [ArticleRecord.from_metadata(m) for m in metas if m and m.get("sha256")]
        if not records:
            continue
        commands = sorted({
            f"rag ingest {shlex.quote(r.root)}"
            + (f" --collection {shlex.quote(r.collection)}" if r.collection != Path(r.root).name else "")
            for r in records if r.root
        })
        urls = sum(1 for r in records if not r.root and r.url)
        also = f" (and add its {urls} URL articles again)" if urls else ""
        run = " && ".join(f"`{c}`" for c in commands) or "`rag ingest PATH` for each folder you had ingested"
        return f"The index was built by an older version of newsrag and must be rebuilt: run {run}{also}."
    return None
