"""The local embedder's batching: sorted by token count, bounded by padded tokens, order restored, and the
vectors are the same as embedding each text on its own (padding to the batch's longest changes nothing)."""

from __future__ import annotations

import numpy as np
import pytest

from rag.index.embeddings import OnnxMiniLMEmbedding, build_embed_model, llama_index_embedding
from rag.settings import RagSettings

TEXTS = [
    "Witkoff met with Putin at the presidential library in St. Petersburg.",
    "Short.",
    " ".join(["The council discussed the Amber Cobalt tunnel and its budget again."] * 30),  # truncated at 256
    "Officials in Lyon said the project had been discussed for years before work began, and critics disagreed.",
    "",
    "Kyiv",
]


@pytest.fixture(scope="module")
def emb() -> OnnxMiniLMEmbedding:
    return OnnxMiniLMEmbedding(batch_tokens=300, embed_batch_size=3)


def test_batches_are_sorted_and_bounded(emb: OnnxMiniLMEmbedding) -> None:
    batches = list(emb._batches(TEXTS))
    assert sorted(i for idx, _ in batches for i in idx) == list(range(len(TEXTS)))
    lengths = [[len(e.ids) for e in enc] for _, enc in batches]
    flat = [n for b in lengths for n in b]
    assert flat == sorted(flat)
    for b in lengths:
        assert len(b) <= 3
        assert len(b) == 1 or max(b) * len(b) <= 300
    assert max(flat) == 256


def test_vectors_match_one_at_a_time(emb: OnnxMiniLMEmbedding) -> None:
    together = emb.embed(TEXTS)
    alone = np.concatenate([emb.embed([t]) for t in TEXTS])
    assert np.allclose(together, alone, atol=1e-5)
    assert np.allclose(np.linalg.norm(together, axis=1), 1, atol=1e-5)
    assert emb.embed([]).shape == (0, 384)


def test_settings_reach_the_embedder() -> None:
    s = RagSettings(_env_file=None, embed_batch_tokens=512, embed_thread_spinning=True, embed_batch_size=16)
    model = build_embed_model(s)
    assert (model.batch_tokens, model.spin, model.embed_batch_size) == (512, True, 16)
    default = build_embed_model(RagSettings(_env_file=None))
    assert (default.batch_tokens, default.spin) == (768, False)


def test_llama_index_adapter__same_vectors_as_the_embedder(emb: OnnxMiniLMEmbedding) -> None:
    adapted = llama_index_embedding(emb)  # what the evaluation baseline and bench_peer hand to llama-index
    assert np.allclose(adapted.get_text_embedding_batch(TEXTS), emb.embed(TEXTS), atol=1e-5)
    assert np.allclose(adapted.get_query_embedding(TEXTS[0]), emb.embed(TEXTS[:1])[0], atol=1e-5)
