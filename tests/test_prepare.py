"""Work done ahead of questions (rag/prepare.py): every indexed sentence parsed and embedded into the disk
caches, so a new process answers without parsing or embedding passage sentences."""

from __future__ import annotations

from pathlib import Path

from rag import nlp
from rag.answering import Pipeline
from rag.disk_cache import DiskCache
from rag.generate.features import candidates
from rag.index.embeddings import embed_texts
from rag.prepare import prepare
from tests.conftest import make_settings

QUESTIONS = ("Where did Witkoff meet Putin?", "How much did Karelina donate?", "Who is Kirill Dmitriev?")


def test_prepare__a_new_process_then_answers_without_parsing_or_embedding_passage_sentences(
        tmp_path: Path, seeded_settings, monkeypatch) -> None:
    monkeypatch.setattr(nlp, "_disk", lambda: DiskCache(tmp_path / "parses.sqlite3", 10_000))
    settings = make_settings(seeded_settings.data_dir, vector_cache_entries=10_000)
    first = prepare(Pipeline(settings))
    assert first.sentences > 100 and first.parsed == first.sentences and not first.capped
    assert prepare(Pipeline(settings)).parsed == 0  # all on disk now: nothing done twice

    pipeline = Pipeline(settings)  # a new process: nothing in memory
    monkeypatch.setattr(nlp, "_cache", nlp._ParseCache(10_000))
    sentences = {c.text for batch in pipeline.retriever.all_passages() for c in candidates(batch)}
    parsed: list[str] = []
    real_pipe = nlp.pipeline().pipe
    monkeypatch.setattr(nlp.pipeline(), "pipe", lambda texts, **kw: real_pipe(parsed.extend(texts) or texts, **kw))
    embedded: list[str] = []
    real_embed = embed_texts
    monkeypatch.setattr("rag.answering.embed_texts",
                        lambda model, texts: real_embed(model, embedded.extend(texts) or texts))
    for question in QUESTIONS:
        assert pipeline.answer(question).citations
    assert not set(parsed) & sentences, "a passage sentence was parsed at answer time"
    assert parsed and embedded  # the questions themselves (and words of them) still are
    assert not set(embedded) & sentences, "a passage sentence was embedded at answer time"


def test_prepare__stops_at_the_disk_caches_size(tmp_path: Path, seeded_settings, monkeypatch) -> None:
    monkeypatch.setattr(nlp, "_disk", lambda: DiskCache(tmp_path / "parses.sqlite3", 10))
    report = prepare(Pipeline(make_settings(seeded_settings.data_dir, parse_cache_entries=10)))
    assert report.capped and report.sentences == 10
