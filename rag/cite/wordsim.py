"""How close in meaning a claim word is to the words of its quotes, read in context: the bundled MiniLM's
last-layer state of the word in the claim against every token state of the quotes (BERTScore's
matching, with the model rag.index already ships). "brave efforts" and "valiant efforts", "remarks" and
"comments" are close here while the bare words' sentence vectors are not. Used as a feature of the
additions model (rag.cite.additions); decides nothing itself. Loads its own small ONNX session on first
use (the index's embedder exposes sentence vectors only).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import numpy as np

from rag.index.embeddings import local_model_files

_MAX_TOKENS = 256
_LOCK = threading.Lock()  # one session, shared by the request threads


@lru_cache(maxsize=1)
def _model():
    import onnxruntime as ort
    from tokenizers import Tokenizer

    model_path, tokenizer_path = local_model_files()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # short texts; the machine's other cores serve retrieval and the UI
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    tokenizer.enable_truncation(max_length=_MAX_TOKENS)
    tokenizer.no_padding()
    return session, tokenizer


# A quote is read again for each claim of the same answer; 512 texts of ~40 pieces x 384 floats is ~30 MB
# (4096 could reach hundreds of MB in a long-running server).
@lru_cache(maxsize=512)
def token_states(text: str) -> tuple[np.ndarray, tuple[tuple[int, int], ...]]:
    """Unit-length last-layer states of `text`'s word pieces (special tokens left out) and their character
    offsets."""
    session, tokenizer = _model()
    enc = tokenizer.encode(text)
    ids = np.array([enc.ids], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
    with _LOCK:
        hidden = session.run(["last_hidden_state"], feeds)[0][0]
    keep = [i for i, s in enumerate(enc.special_tokens_mask) if not s]
    states = hidden[keep]
    states = states / np.maximum(np.linalg.norm(states, axis=1, keepdims=True), 1e-9)
    return states, tuple(tuple(enc.offsets[i]) for i in keep)


def word_similarities(claim: str, words: list[str], quotes: list[str]) -> np.ndarray:
    """For each of `words` (surface forms in `claim`), the best cosine of its in-claim state (the mean of
    its word pieces) to any token state of the quotes; 0 for a word not found in the claim."""
    states, offsets = token_states(claim)
    quote_states = np.vstack([token_states(q)[0] for q in quotes]) if quotes else np.zeros((0, states.shape[1]))
    out = np.zeros(len(words))
    for k, word in enumerate(words):
        found = re.search(rf"\b{re.escape(word)}\b", claim)
        if found is None or not len(quote_states):
            continue
        pieces = [i for i, (a, b) in enumerate(offsets) if a < found.end() and b > found.start()]
        if not pieces:
            continue
        vec = states[pieces].mean(axis=0)
        vec = vec / max(float(np.linalg.norm(vec)), 1e-9)
        out[k] = float((quote_states @ vec).max())
    return out
