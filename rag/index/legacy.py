"""Indexes written by an older pipeline version: found, never read, and named in one line.

The collection name hashes `PIPELINE_VERSION` (rag/settings.py), so a newer newsrag opens a fresh, empty
collection beside the old one instead of mixing old chunks (other ids, no metadata) into answers. This
module only notices the old one so the user is told to re-ingest instead of silently getting an empty
index, or the default corpus. Does not migrate: old chunks lack what the new pipeline stores (folder
ids, publisher, date), which only the original files can give.
"""

from __future__ import annotations

from rag.index.store import get_client
from rag.settings import PIPELINE_VERSION, RagSettings


def older_index_version(settings: RagSettings) -> str | None:
    """The newest older pipeline version whose index (with chunks) is in this store, else None."""
    client = get_client(settings)
    # chromadb 1.x lists Collection objects; older clients listed names.
    names = {getattr(c, "name", c) for c in client.list_collections()}
    for version in range(int(PIPELINE_VERSION) - 1, 0, -1):
        name = settings.collection_name_for(str(version))
        if name in names and client.get_collection(name).count() > 0:
            return str(version)
    return None


def older_index_message(settings: RagSettings, version: str) -> str:
    """One line: what was found and the command that fixes it."""
    return (f"The index in {settings.data_dir} was written by an older newsrag (pipeline version {version}) "
            f"and is not used: run `rag ingest FOLDER` once for each folder you had ingested.")
