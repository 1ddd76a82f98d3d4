"""The re-quantized embedding model (rag/index/quantize.py): built once, reused, and close to the shipped one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.index.embeddings import OnnxMiniLMEmbedding
from rag.index.quantize import quantized_model, source_model

TEXTS = [
    "Witkoff met Putin at the presidential library in St. Petersburg.",
    "The meeting lasted four and a half hours, state news agencies said.",
    "Ksenia Karelina was released in exchange for Arthur Petrov.",
    "Olive oil prices could rise again next year.",
]


def test_quantized_model__computes_in_int8_and_is_reused(tmp_path: Path) -> None:
    import onnx

    path = quantized_model(tmp_path)
    ops = {n.op_type for n in onnx.load(str(path)).graph.node}
    assert "MatMulInteger" in ops  # the point of re-quantizing: integer matrix products
    stamp = path.stat().st_mtime_ns
    assert quantized_model(tmp_path) == path and path.stat().st_mtime_ns == stamp  # not rebuilt
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary files left behind


def test_quantized_model__weights_fit_in_7_bits_so_no_cpu_saturates_their_products(tmp_path: Path) -> None:
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(quantized_model(tmp_path)))
    weights = {n.input[1] for n in model.graph.node if n.op_type == "MatMulInteger"}
    values = [numpy_helper.to_array(t) for t in model.graph.initializer if t.name in weights]
    assert values and all(v.dtype == np.int8 for v in values)
    # AVX2's pairwise uint8 x int8 sum saturates at 2**15: 2 * 255 * 64 stays below it, 2 * 255 * 128 does not.
    assert max(int(np.abs(v.astype(np.int16)).max()) for v in values) <= 64


def test_quantized_model__vectors_stay_close_to_the_shipped_model(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    quantized = OnnxMiniLMEmbedding(model_dir=tmp_path).embed(TEXTS)
    import rag.index.embeddings as embeddings

    tokenizer = embeddings.local_model_files(tmp_path)[1]
    monkeypatch.setattr(embeddings, "local_model_files", lambda model_dir=None: (source_model(), tokenizer))
    shipped = OnnxMiniLMEmbedding().embed(TEXTS)
    cosines = np.sum(quantized * shipped, axis=1)
    assert cosines.min() > 0.97, cosines
    # and it still ranks by meaning: the duration sentence is nearest to a duration query
    query = OnnxMiniLMEmbedding(model_dir=tmp_path).embed(["How long did the meeting last?"])[0]
    assert int(np.argmax(quantized @ query)) == 1


def test_quantized_model__unwritable_folder_says_which_setting(tmp_path: Path) -> None:
    from rag.errors import RagError

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(RagError, match="RAG_MODEL_DIR"):
        quantized_model(blocker / "models")
