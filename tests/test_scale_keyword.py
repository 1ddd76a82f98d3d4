"""The incremental BM25 index scores exactly like bm25s, and updates equal a rebuild from scratch."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest

from bench.synth import generate
from rag.index.keyword import KeywordIndex, tokenize


@pytest.fixture(scope="module")
def docs() -> list[tuple[str, str, str]]:
    articles, _ = generate(40, seed=3)
    return [(f"{name}#{i}", name, para) for name, text in articles.items()
            for i, para in enumerate(text.split("\n\n"))]


QUERIES = ["How much will the bridge in Lyon cost?", "council vote consultation", "Anna Keller ministry",
           "zzzz unknown words only", ""]


@pytest.mark.parametrize("query", QUERIES)
def test_keyword__scores_equal_bm25s(docs, query: str) -> None:
    ours = KeywordIndex().updated([], docs, {}, "g1")
    ref = bm25s.BM25()
    ref.index(tokenize([t for _, _, t in docs]), show_progress=False)
    got = ours.search(query, 10)
    if not query or not tokenize([query])[0] or not any(t in ref.vocab_dict for t in tokenize([query])[0]):
        assert got == []
        return
    scores = ref.get_scores(tokenize([query])[0])
    for cid, score in got:
        row = [d[0] for d in docs].index(cid)
        assert score == pytest.approx(float(scores[row]), rel=1e-5)
    assert got[0][1] == pytest.approx(float(np.max(scores)), rel=1e-5)


def test_keyword__incremental_update_equals_rebuild(docs) -> None:
    sources = sorted({d[1] for d in docs})
    first = [d for d in docs if d[1] in sources[:20]]
    rest = [d for d in docs if d[1] in sources[20:]]
    dropped = first[0][1]
    changed = [(cid + "v2", src, text + " revised") for cid, src, text in rest if src == rest[0][1]]
    index = KeywordIndex().updated([], first, {}, "g1").updated([dropped], rest, {}, "g2")
    index = index.updated([rest[0][1]], changed, {}, "g3")
    expected = [d for d in first if d[1] != dropped] + [d for d in rest if d[1] != rest[0][1]] + changed
    rebuilt = KeywordIndex().updated([], expected, {}, "g3")
    assert sorted(index.ids) == sorted(rebuilt.ids)
    for query in [*QUERIES[:3], "revised council"]:
        assert dict(index.search(query, 20)) == pytest.approx(dict(rebuilt.search(query, 20)))


def test_keyword__save_and_load_round_trip(docs, tmp_path) -> None:
    index = KeywordIndex().updated([], docs, {"a": "s"}, "g1")
    index.save(tmp_path / "kw")
    loaded = KeywordIndex.load(tmp_path / "kw")
    assert loaded is not None and loaded.generation == "g1" and loaded.sigs == {"a": "s"}
    assert loaded.search("council vote", 5) == index.search("council vote", 5)
    assert KeywordIndex.load(tmp_path / "missing") is None
