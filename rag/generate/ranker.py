"""The answer ranker: reads the question and a candidate sentence together and scores whether the sentence answers it.

A cross-encoder: the embedder's all-MiniLM-L6-v2 fine-tuned on labelled questions (eval/fit_ranker.py), so it sees
which words of the sentence answer which words of the question, where the embedder only compares two separate
vectors. The update fine-tuning made ships as a small versioned file (ranker_lora.npz: a low-rank update per matrix
and a head); on first use it is added to the matrices of the ONNX model the embedder ships, and the result is
quantized like the embedder (rag/index/quantize.py) into RAG_MODEL_DIR, named after the file's digest and the
package versions. Nothing is downloaded.

Each pair runs on its own, not padded into a batch: the model quantizes activations with one scale per input
tensor, so a pair's score would otherwise depend on the other pairs of its batch.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import numpy as np

RANKER_FILE = Path(__file__).with_name("ranker_lora.npz")
# Sentences read per question part, the closest to it by the embedder: its 12 closest hold a sentence that answers for
# 0.89-1.00 of the answerable questions of every training set (0.95 on leebg test), its 6 closest for 0.85-1.00.
MAX_PAIRS = 12


def pair_text(previous: str, text: str) -> str:
    """What the ranker reads beside the question: the sentence after the one before it, split by BERT's own [SEP],
    so a sentence opening with "She" still names whom it is about and the model knows which sentence it scores."""
    return f"{previous} [SEP] {text}" if previous else text


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def ranker_model(model_dir: Path, weights: Path = RANKER_FILE) -> Path:
    """Path of the ranker's ONNX model in `model_dir`, building it first if it is not there yet (~5 s, once)."""
    from rag.index.quantize import built_once, requantize, source_model

    def build(target: Path) -> None:
        with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
            updated = Path(tmp) / "updated.onnx"
            _apply_update(source_model(), weights, updated)
            requantize(updated, target)

    return built_once(model_dir, f"ranker-{_digest(weights)}", "ranker model", build)


def _apply_update(source: Path, weights: Path, target: Path) -> None:
    """`source` with each listed matrix replaced by matrix + A @ B, stored back as int8 with per-column scales (the
    graph's own dequantize-then-multiply form, so the graph itself is unchanged)."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(source))
    inits = {i.name: i for i in model.graph.initializer}
    with np.load(weights) as update:
        for key in update.files:
            if not key.endswith(".a"):
                continue
            name = key[:-2]
            q, scale = inits[f"{name}_q"], inits[f"{name}_scale"]
            w = numpy_helper.to_array(q).astype(np.float32) * numpy_helper.to_array(scale)
            w += update[f"{name}.a"].astype(np.float32) @ update[f"{name}.b"].astype(np.float32)
            new_scale = np.maximum(np.abs(w).max(axis=0, keepdims=True), 1e-8) / 127.0
            q.CopyFrom(numpy_helper.from_array(np.clip(np.rint(w / new_scale), -127, 127).astype(np.int8), q.name))
            scale.CopyFrom(numpy_helper.from_array(new_scale.astype(np.float32), scale.name))
    onnx.save(model, str(target))


class Ranker:
    """Scores (question, passage) pairs: a logit, higher when the passage answers the question."""

    def __init__(self, model_dir: Path, weights: Path = RANKER_FILE, threads: int = 2) -> None:
        from tokenizers import Tokenizer

        from rag.index.embeddings import cpu_session, local_model_files

        # parallel across pairs, one thread each, as the embedder runs texts
        self._session = cpu_session(ranker_model(model_dir, weights), spin=False)
        with np.load(weights) as data:
            meta = json.loads(str(data["meta"]))
            self._dense_w, self._dense_b = data["head.dense.weight"], data["head.dense.bias"]
            self._out_w, self._out_b = data["head.out.weight"][:, 0], float(data["head.out.bias"][0])
        tokenizer = Tokenizer.from_file(str(local_model_files(model_dir)[1]))
        tokenizer.enable_truncation(max_length=int(meta["max_length"]))
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ranker") if threads > 1 else None

    def _one(self, pair: tuple[str, str]) -> float:
        enc = self._tokenizer.encode(*pair)
        feeds = {"input_ids": np.array([enc.ids], dtype=np.int64),
                 "attention_mask": np.array([enc.attention_mask], dtype=np.int64),
                 "token_type_ids": np.array([enc.type_ids], dtype=np.int64)}
        cls = self._session.run(None, feeds)[0][0, 0]
        return float(np.tanh(cls @ self._dense_w + self._dense_b) @ self._out_w + self._out_b)

    def scores(self, question: str, passages: list[str]) -> np.ndarray:
        """One logit per passage for `question`."""
        pairs = [(question, p) for p in passages]
        run = self._pool.map if self._pool is not None and len(pairs) > 1 else map
        return np.fromiter(run(self._one, pairs), dtype=float, count=len(pairs))


@lru_cache(maxsize=1)
def get_ranker(model_dir: Path) -> Ranker:
    """The process's ranker over `model_dir` (a settings' RAG_MODEL_DIR), built once (`Pipeline.ranker`)."""
    return Ranker(model_dir)


def main() -> None:
    """Build the ranker's model now (`python -m rag.generate.ranker`, ahead of the first question with
    RAG_RANKER on), printing its path."""
    from rag.settings import get_settings

    print(ranker_model(get_settings().model_dir))


if __name__ == "__main__":
    main()
