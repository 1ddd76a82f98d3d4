"""The answer ranker (rag/generate/ranker.py): built once from the shipped model and the fitted update, it puts
the sentence that answers before the one that only repeats the question, and a pair's score never depends on others."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rag.answering import Pipeline
from rag.generate.features import candidates
from rag.generate.ranker import RANKER_FILE, Ranker, pair_text, ranker_model
from rag.index.quantize import quantized_model
from rag.settings import RagSettings


@pytest.fixture(scope="module")
def ranker(tmp_path_factory: pytest.TempPathFactory) -> Ranker:
    return Ranker(tmp_path_factory.mktemp("models"))


def test_ranker__on_the_seeds_it_ranks_the_answer_first_and_scores_unanswerable_questions_low(
        ranker: Ranker, seeded_settings: RagSettings) -> None:
    pipeline = Pipeline(seeded_settings)

    def ranked(question: str) -> tuple[list[str], np.ndarray]:
        cands = candidates(pipeline.retriever.retrieve(question))
        scores = ranker.scores(question, [pair_text(c.previous, c.text) for c in cands])
        order = np.argsort(-scores)
        return [cands[i].text for i in order], scores[order]

    # The answer, not a sentence that repeats the question's words ("Russia released ... Karelina in a prisoner
    # exchange with the United States").
    for question, answer in [("Where did Witkoff meet Putin?", "St. Petersburg"),
                             ("Who was Karelina exchanged for?", "Arthur Petrov")]:
        texts, scores = ranked(question)
        assert answer in texts[0] and scores[0] > 0, (question, texts[:2], scores[:2])
    # Questions the articles cannot answer: no sentence comes near an answer's score.
    for question in ("What is Steve Witkoff's net worth?", "When was the Eiffel Tower built?"):
        assert ranked(question)[1][0] < -2, question


def test_ranker__a_pair_scores_the_same_alone_or_among_others(ranker: Ranker) -> None:
    question = "Where did Witkoff meet Putin?"
    passages = ["Witkoff met Putin at the presidential library in St. Petersburg.",
                "Olive oil prices could rise again next year, growers warned.",
                "The meeting lasted four and a half hours."]
    together = ranker.scores(question, passages)
    alone = np.array([ranker.scores(question, [p])[0] for p in passages])
    assert np.array_equal(together, alone)
    assert int(np.argmax(together)) == 0


def test_ranker_model__built_once_and_a_zero_update_is_the_embedders_own_model(tmp_path: Path) -> None:
    import onnxruntime as ort

    path = ranker_model(tmp_path)
    stamp = path.stat().st_mtime_ns
    assert ranker_model(tmp_path) == path and path.stat().st_mtime_ns == stamp  # not rebuilt
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary files left behind

    # The graph surgery changes nothing but the weights: with the update zeroed, the ranker's model computes what
    # the embedder's does, so every difference in a fitted ranker comes from the fitted update.
    with np.load(RANKER_FILE) as data:
        arrays = {k: (np.zeros_like(data[k]) if k.endswith(".b") else data[k]) for k in data.files}
    zero = tmp_path / "zero.npz"
    np.savez(zero, **arrays)
    feeds = {"input_ids": np.array([[101, 2073, 2106, 102]]), "attention_mask": np.ones((1, 4), dtype=np.int64),
             "token_type_ids": np.zeros((1, 4), dtype=np.int64)}
    out = [ort.InferenceSession(str(p), providers=["CPUExecutionProvider"]).run(None, feeds)[0]
           for p in (ranker_model(tmp_path / "z", zero), quantized_model(tmp_path / "e"))]
    assert np.allclose(out[0], out[1], atol=1e-4)


def test_ranker_file__records_how_it_was_fitted() -> None:
    with np.load(RANKER_FILE) as data:
        meta = json.loads(str(data["meta"]))
        assert sum(k.endswith(".a") for k in data.files) == 36  # six matrices in each of six layers
    assert meta["validate"] == "questions_leebg_test" and "questions_leebg_test" not in meta["train_sets"]
    assert meta["command"].startswith("train")


def test_rag_ranker_setting__switches_the_feature_and_the_weights_the_reader_uses(
        seeded_settings: RagSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.answering import answer
    from rag.generate.asking import read_question
    from rag.generate.features import FEATURES, feature_matrix
    from rag.generate.reader import RANKER_WEIGHTS_FILE, WEIGHTS_FILE, load_model, weights_file

    monkeypatch.delenv("RAG_RANKER", raising=False)
    off = Pipeline(seeded_settings)
    on = Pipeline(seeded_settings.model_copy(update={"ranker": True}))
    question = "Where did Witkoff meet Putin?"
    passages = off.retriever.retrieve(question)
    cands = candidates(passages)

    def ranker_column(pipeline: Pipeline) -> np.ndarray:
        x = feature_matrix(read_question(question), cands, passages, pipeline.embed, ranker=pipeline.ranker)
        return x[:, FEATURES.index("ranker")]

    assert off.ranker is None and weights_file(False) == WEIGHTS_FILE
    assert load_model().weights[-1] == 0.0  # off: the ranker counts for nothing
    assert not ranker_column(off).any()
    assert on.ranker is not None and weights_file(True) == RANKER_WEIGHTS_FILE
    assert load_model(ranker=True).weights[-1] > 0
    column = ranker_column(on)
    assert 0 < np.count_nonzero(column) <= 12 and column.max() > 0.5  # probabilities, for at most MAX_PAIRS sentences
    assert "St. Petersburg" in cands[int(np.argmax(column))].text

    # The Pipeline's own settings decide, not the process's (RAG_RANKER is unset here): answer() with a settings
    # object that turns the ranker on reads every question with it.
    calls: list[str] = []
    scores = Ranker.scores
    monkeypatch.setattr(Ranker, "scores", lambda self, q, texts: calls.append(q) or scores(self, q, texts))
    for reader in ("rules", "learned"):
        calls.clear()
        res = answer(question, settings=on.settings.model_copy(update={"reader": reader}))
        assert calls and "St. Petersburg" in res.text, reader
        calls.clear()
        answer(question, settings=off.settings.model_copy(update={"reader": reader}))
        assert not calls, reader
