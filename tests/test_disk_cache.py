"""The on-disk cache (rag/disk_cache.py) and its use for sentence vectors: exact values back, bounded size,
never a failed answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rag.answering import Pipeline
from rag.disk_cache import DiskCache
from rag.index import embeddings
from tests.conftest import make_settings


def _vec(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
    return v / np.linalg.norm(v)


def test_disk_cache__returns_exactly_what_was_stored_across_instances(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite3"
    first = DiskCache(path, max_entries=10)
    first.put_many({"a sentence": _vec(1).tobytes(), "another": _vec(2).tobytes()})
    first.close()
    got = DiskCache(path, max_entries=10).get_many(["another", "a sentence", "never stored"])
    assert set(got) == {"a sentence", "another"}
    assert got == {"a sentence": _vec(1).tobytes(), "another": _vec(2).tobytes()}


def test_disk_cache__drops_the_oldest_beyond_its_size(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "v.sqlite3", max_entries=3)
    for i in range(5):
        cache.put_many({f"text {i}": _vec(i).tobytes()})
    assert set(cache.get_many([f"text {i}" for i in range(5)])) == {"text 2", "text 3", "text 4"}


def test_disk_cache__a_damaged_or_unwritable_file_means_no_cache_not_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    cache = DiskCache(bad, max_entries=10)
    cache.put_many({"x": b"1"})
    assert cache.get_many(["x"]) == {}
    assert bad.read_bytes() == b"this is not a database" * 100  # the user's file is left alone
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    nowhere = DiskCache(blocked / "v.sqlite3", max_entries=10)
    nowhere.put_many({"x": b"1"})
    assert nowhere.get_many(["x"]) == {}


def test_disk_cache__zero_entries_turns_it_off(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "v.sqlite3", max_entries=0)
    cache.put_many({"x": b"1"})
    assert cache.get_many(["x"]) == {} and not (tmp_path / "v.sqlite3").exists()


def test_pipeline__a_new_process_reuses_the_sentence_vectors_of_an_earlier_one(seeded_settings, monkeypatch) -> None:
    question = "Where did Witkoff meet Putin?"
    first = Pipeline(seeded_settings).answer(question)
    calls: list[list[str]] = []
    real = embeddings.embed_texts

    def counting(model, texts):
        calls.append(list(texts))
        return real(model, texts)

    monkeypatch.setattr("rag.answering.embed_texts", counting)
    again = Pipeline(seeded_settings).answer(question)  # a fresh pipeline: empty memory cache
    assert again.text == first.text and again.citations == first.citations
    assert not calls, "every sentence vector should have come from the disk cache"


def test_pipeline__vector_cache_off_embeds_again(tmp_path: Path, seeded_settings, monkeypatch) -> None:
    settings = make_settings(seeded_settings.data_dir, vector_cache_entries=0)
    Pipeline(settings).answer("Where did Witkoff meet Putin?")
    calls: list[list[str]] = []
    real = embeddings.embed_texts
    monkeypatch.setattr("rag.answering.embed_texts", lambda m, t: calls.append(list(t)) or real(m, t))
    Pipeline(settings).answer("Where did Witkoff meet Putin?")
    assert sum(map(len, calls)) > 10


def test_pipeline__answers_match_with_a_one_entry_cache(seeded_settings) -> None:
    settings = make_settings(seeded_settings.data_dir, vector_cache_entries=1)
    a = Pipeline(settings).answer("How long did the meeting between Witkoff and Putin last?")
    b = Pipeline(settings).answer("How long did the meeting between Witkoff and Putin last?")
    assert a.text == b.text and "four and a half hours" in a.text


def _annotations(doc) -> list:
    return [[(t.text, t.lemma_, t.pos_, t.tag_, t.dep_, t.head.i, t.ent_type_, t.ent_iob_, t.is_sent_start)
             for t in doc], [c.text for c in doc.noun_chunks], [(e.text, e.label_) for e in doc.ents]]


def test_parses__a_new_process_reads_them_back_identical_without_parsing(tmp_path: Path, monkeypatch) -> None:
    from rag import nlp

    monkeypatch.setattr(nlp, "_disk", lambda: DiskCache(tmp_path / "parses.sqlite3", 100))
    texts = ["Witkoff met with Putin at the presidential library in St. Petersburg on Friday.",
             "Karelina was not released until Thursday, her lawyer said."]
    monkeypatch.setattr(nlp, "_cache", nlp._ParseCache(10))
    fresh = [_annotations(d) for d in nlp.parse_many(texts)]
    monkeypatch.setattr(nlp, "_cache", nlp._ParseCache(10))  # a new process: nothing in memory

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed again instead of reading the stored parse")

    monkeypatch.setattr(nlp.pipeline(), "pipe", no_parsing)
    assert [_annotations(d) for d in nlp.parse_many(texts)] == fresh


def test_parses__an_unreadable_stored_parse_is_parsed_again(tmp_path: Path, monkeypatch) -> None:
    from rag import nlp

    disk = DiskCache(tmp_path / "parses.sqlite3", 100)
    text = "Karelina was released on Thursday."
    disk.put_many({text: b"\x93not a spaCy doc"})
    monkeypatch.setattr(nlp, "_disk", lambda: disk)
    monkeypatch.setattr(nlp, "_cache", nlp._ParseCache(10))
    assert _annotations(nlp.parse(text)) == _annotations(nlp.pipeline()(text))
