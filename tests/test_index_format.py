"""The stored layout (PIPELINE_VERSION 7): chunks written with Chroma's API, sentence offsets only, and an
index of an older layout refused with the one command that rebuilds it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.answering import Pipeline
from rag.errors import IndexNotReadyError
from rag.index.records import ArticleRecord
from rag.index.store import REGISTRY_VECTOR, chunks_collection, get_client
from rag.ingest.pipeline import ingest
from rag.retrieve.hybrid import HybridRetriever
from rag.settings import RagSettings
from tests.conftest import SEEDS, make_settings


def test_chunk_metadata__offsets_only_and_no_llama_index_node_json(seeded_settings: RagSettings) -> None:
    got = chunks_collection(seeded_settings).get(include=["metadatas"], limit=5)
    for meta in got["metadatas"]:
        assert not {"_node_content", "_node_type", "doc_id", "ref_doc_id", "document_id"} & set(meta)
        spans = json.loads(meta["sentences"])
        assert spans and all(len(span) == 2 and all(isinstance(x, int) for x in span) for span in spans)


def test_retrieved_sentences__text_is_the_original_at_its_offsets(seeded_settings: RagSettings) -> None:
    retriever = HybridRetriever(seeded_settings)
    passages = retriever.retrieve("Where did Witkoff meet Putin?")
    assert passages
    for p in passages:
        original = retriever.original_text(p.source, p.doc_sha256)
        assert original is not None and p.sentences
        assert all(s.text and original[s.start : s.end] == s.text for s in p.sentences)


def _old_registry(settings: RagSettings, records: list[tuple[str, ArticleRecord]]) -> None:
    """A registry as PIPELINE_VERSION 6 named it, holding these records."""
    old = get_client(settings).get_or_create_collection(f"{settings.collection_name_for('6')}-docs",
                                                        embedding_function=None)
    old.upsert(ids=[i for i, _ in records], embeddings=[REGISTRY_VECTOR] * len(records),
               documents=["text"] * len(records), metadatas=[r.to_metadata() for _, r in records])


def test_older_index__asking_names_the_commands_that_rebuild_it(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    record = ArticleRecord(sha256="a" * 64, title="t", path="/news/seeds/a.txt", keys=[], version="v1",
                           collection="seeds", root="/news/seeds")
    renamed = ArticleRecord(sha256="b" * 64, title="t", path="/x/my folder/b.txt", keys=[], version="v1",
                            collection="wire", root="/x/my folder")
    _old_registry(settings, [("seeds/a.txt", record), ("wire/b.txt", renamed)])
    with pytest.raises(IndexNotReadyError) as err:
        Pipeline(settings).retriever  # noqa: B018 (the property opens the index)
    assert str(err.value) == (
        "The index was built by an older version of newsrag and must be rebuilt: run "
        "`rag ingest '/x/my folder' --collection wire` && `rag ingest /news/seeds`."
    )


def test_older_index__is_left_alone_once_the_new_one_holds_articles(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    record = ArticleRecord(sha256="a" * 64, title="t", path="/news/seeds/a.txt", keys=[], version="v1",
                           collection="seeds", root="/news/seeds")
    _old_registry(settings, [("seeds/a.txt", record)])
    ingest([SEEDS], settings)
    assert Pipeline(settings).retriever.retrieve("Where did Witkoff meet Putin?")
