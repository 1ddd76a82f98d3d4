"""The local embedder: each text's vector depends on that text alone (the re-quantized model scales its
activations per run, so texts run one at a time), vectors are unit length, and settings reach it."""

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
    return OnnxMiniLMEmbedding()


def test_vectors_do_not_depend_on_the_other_texts(emb: OnnxMiniLMEmbedding) -> None:
    together = emb.embed(TEXTS)
    alone = np.concatenate([emb.embed([t]) for t in TEXTS])
    reordered = emb.embed(list(reversed(TEXTS)))[::-1]
    assert np.array_equal(together, alone) and np.array_equal(together, reordered)
    assert np.allclose(np.linalg.norm(together, axis=1), 1, atol=1e-5)
    assert emb.embed([]).shape == (0, 384)


def test_long_texts_are_truncated_at_256_tokens(emb: OnnxMiniLMEmbedding) -> None:
    ((_, enc, _),) = list(emb._runs([TEXTS[2]]))
    assert len(enc.ids) == 256


def test_settings_reach_the_embedder() -> None:
    s = RagSettings(_env_file=None, embed_thread_spinning=True, embed_threads=1)
    model = build_embed_model(s)
    assert (model.spin, model.threads) == (True, 1)
    default = build_embed_model(RagSettings(_env_file=None))
    assert (default.spin, default.threads) == (False, 2)


def test_llama_index_adapter__same_vectors_as_the_embedder(emb: OnnxMiniLMEmbedding) -> None:
    adapted = llama_index_embedding(emb)  # what the evaluation baseline and bench_peer hand to llama-index
    assert np.allclose(adapted.get_text_embedding_batch(TEXTS), emb.embed(TEXTS), atol=1e-6)
    assert np.allclose(adapted.get_query_embedding(TEXTS[0]), emb.embed(TEXTS[:1])[0], atol=1e-6)
