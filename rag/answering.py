"""`answer()` and `answer_stream()`: validate -> condense follow-ups -> retrieve -> generate (LLM or
extractive) -> verify citations -> `Answer`. The only module that knows the whole flow.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
import unicodedata
from collections.abc import Callable, Generator, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import SecretStr

from rag.cite.compose import Claim, compose
from rag.disk_cache import DiskCache
from rag.errors import IndexNotReadyError, IngestError, InvalidQuestionError, OlderIndexError, RagError
from rag.generate import prompts
from rag.generate.condense import History, condense_offline, condense_with_llm, normalize_history
from rag.generate.draft import Draft
from rag.generate.extractive import extractive_answer
from rag.generate.reader import can_answer, read_answer, with_short_answer
from rag.index.embeddings import build_embed_model, embed_texts
from rag.index.state import committed_versions, read_registry
from rag.index.store import older_index_hint
from rag.models import Answer, AnswerStream, ArticleInfo, Citation, Passage, ShortAnswer, StreamEvent, TextDelta
from rag.provenance import newer_source, with_metadata
from rag.retrieve.hybrid import HybridRetriever
from rag.settings import RagSettings, get_settings
from rag.text import squash_spaces

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

    from rag.generate.ranker import Ranker
    from rag.ingest.loader import Skipped
    from rag.ingest.pipeline import IngestReport

log = logging.getLogger(__name__)


def validate_question(question: object, max_chars: int) -> str:
    """The question with control characters removed, or InvalidQuestionError saying what is wrong."""
    if not isinstance(question, str):
        raise InvalidQuestionError("The question must be text.")
    cleaned = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\n\t" else " " for ch in question)
    cleaned = squash_spaces(cleaned)
    if not cleaned:
        raise InvalidQuestionError("Please type a question.")
    if len(cleaned) > max_chars:
        raise InvalidQuestionError(
            f"The question is too long ({len(cleaned):,} characters; the limit is {max_chars:,}). "
            "Please shorten it."
        )
    return cleaned


class Pipeline:
    """Everything `answer()` needs, built once and shared across calls and threads."""

    def __init__(self, settings: RagSettings) -> None:
        self.settings = settings
        self.embedder = build_embed_model(settings)
        self._retriever: HybridRetriever | None = None
        self._lock = threading.Lock()
        self._llm: LLM | None = None
        self._vectors: dict[str, np.ndarray] = {}
        # Named like the collection, which names the embedding model and pipeline version: never mixed.
        self._disk = DiskCache(settings.data_dir / "cache" / f"vectors-{settings.collection_name}.sqlite3",
                               settings.vector_cache_entries)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length embeddings (used for scoring sentences), cached in memory and on disk: verifying a
        draft scores the same passage sentences many times, and a new process would embed them all again
        (rag/disk_cache.py)."""
        if not texts:
            return embed_texts(self.embedder, texts)
        cache = self._vectors  # a local reference: another thread may swap in a fresh dict meanwhile
        unique = list(dict.fromkeys(texts))
        missing = [t for t in unique if t not in cache]
        if len(cache) + len(missing) > self.settings.embed_cache_entries:
            cache = self._vectors = {}  # crude bound; re-embedding the working set is cheap
            missing = unique
        if missing:
            stored = {t: np.frombuffer(v, dtype=np.float32) for t, v in self._disk.get_many(missing).items()}
            cache.update(stored)
            missing = [t for t in missing if t not in stored]
        if missing:
            fresh = dict(zip(missing, embed_texts(self.embedder, missing), strict=True))
            cache.update(fresh)
            self._disk.put_many({t: np.asarray(v, dtype=np.float32).tobytes() for t, v in fresh.items()})
        return np.stack([cache[t] for t in texts])

    def store_vectors(self, texts: list[str]) -> int:
        """Embed those of `texts` the disk cache lacks and store them there, not in memory (work done ahead
        of questions, rag/prepare.py). Returns how many were embedded; 0 when the disk cache is off."""
        if self._disk.max_entries <= 0:
            return 0
        rest = self._disk.missing(list(dict.fromkeys(texts)))
        if rest:
            vectors = embed_texts(self.embedder, rest)
            self._disk.put_many({t: np.asarray(v, dtype=np.float32).tobytes()
                                 for t, v in zip(rest, vectors, strict=True)})
        return len(rest)

    @property
    def ranker(self) -> Ranker | None:
        """The answer ranker when these settings turn it on (RAG_RANKER), else None; built once per model folder."""
        from rag.generate.ranker import get_ranker

        return get_ranker(self.settings.model_dir) if self.settings.ranker else None

    @property
    def retriever(self) -> HybridRetriever:
        """The retriever; on first use builds the index from the corpus folder if it is empty."""
        with self._lock:
            if self._retriever is None:
                retriever = HybridRetriever(self.settings)
                if retriever.is_empty():
                    hint = older_index_hint(self.settings)
                    if hint:  # an older index holds the user's articles: indexing seeds/ would hide them
                        raise OlderIndexError(hint)
                    self._auto_ingest()
                self._retriever = retriever
            return self._retriever

    def _auto_ingest(self) -> None:
        from rag.ingest.pipeline import ingest

        corpus = self.settings.corpus_dir
        if not corpus.is_dir():
            raise IndexNotReadyError(
                f"No articles are indexed and the corpus folder '{corpus}' does not exist. "
                "Run `rag ingest PATH` with a folder of .txt/.md articles."
            )
        log.info("index is empty: ingesting %s", corpus)
        report = ingest([corpus], self.settings)
        if not report.added:
            raise IndexNotReadyError(f"No readable .txt/.md articles in '{corpus}'. Run `rag ingest PATH`.")

    def warm(self) -> None:
        """Load now what the first question would otherwise wait for: the index and its BM25 copy, the
        embedding session, spaCy's pipeline, the reader's weights and its ranker (none of them is network-bound).

        Why: on the 50-article lee corpus the first answer of a fresh process took ~1 s against ~30 ms for
        later ones (bench/bench_reader.py); a server calls this at start so its first user does not pay it.
        Errors are left for the first question to report in words.
        """
        from rag.generate.reader import load_model
        from rag.nlp import parse

        with contextlib.suppress(RagError):
            retriever = self.retriever
            if self.settings.hybrid:
                retriever.keyword_index()
            embed_texts(self.embedder, ["warm up"])
            load_model(ranker=self.settings.ranker)
            _ = self.ranker
            parse("The model is warm.")

    # -- answering ---------------------------------------------------------------------------

    def answer(self, question: str, history: History | None = None) -> Answer:
        """Answer `question` (see `answer_stream`), returning only the final result."""
        return self.answer_stream(question, history).answer()

    def answer_stream(self, question: str, history: History | None = None) -> AnswerStream:
        """The answer as it is produced: iterate for text events, then call `.answer()` for the result.

        The question is validated before this returns (InvalidQuestionError); retrieval and generation
        run as the stream is consumed.
        """
        question = validate_question(question, self.settings.max_question_chars)
        return AnswerStream(self._events(question, history))

    def _events(self, question: str, history: History | None) -> Generator[StreamEvent, None, Answer]:
        t0 = time.perf_counter()
        s = self.settings
        timings: dict[str, float] = {}
        standalone = self._condense(question, history)
        timings["condense"] = time.perf_counter() - t0
        passages = self.retriever.retrieve(standalone, timings=timings)
        t_gen = time.perf_counter()
        draft: Draft | None = None
        answerer, notice = "extractive", None
        if s.llm_enabled:
            from rag.generate.llm import LLMFailure
            from rag.generate.llm_answer import llm_draft

            try:  # llm_draft has reset whatever it streamed by the time it raises
                draft = yield from llm_draft(self.llm, s, standalone, passages, self.embed)
                answerer = f"llm:{s.llm_model}"
            except LLMFailure as failure:
                notice = prompts.LLM_FALLBACK_NOTICE.format(reason=failure.reason)
        if draft is None:  # no LLM, or it failed: the offline answer, shown whole (the UI paces it)
            embed = self._prefetch_sentence_vectors(passages)
            ranker = self.ranker
            if s.reader == "learned":
                draft = read_answer(question, passages, embed, s.max_answer_sentences, context=standalone,
                                    ranker=ranker)
            elif not can_answer(standalone, passages, embed, ranker=ranker):
                draft = Draft()
            else:
                draft = with_short_answer(standalone, extractive_answer(
                    question, passages, embed, s.max_answer_sentences, context=standalone,
                    abstain_threshold=s.abstain_threshold))
        result = self._compose(question, draft, answerer)
        result.notice = notice or draft.notice
        if answerer == "extractive":
            yield TextDelta(result.text)
        result.standalone_question = standalone
        result.passages = passages
        result.citations = with_metadata(self._checked(result.citations, passages), passages)
        result.newer_source = newer_source(result)
        timings["generate"] = time.perf_counter() - t_gen
        timings["total"] = time.perf_counter() - t0
        result.timings = timings
        return result

    def _prefetch_sentence_vectors(self, passages: list[Passage]) -> Callable[[list[str]], np.ndarray]:
        """Start embedding the passages' sentences (which the offline answerers score) into the cache in a
        background thread, and return the embed function for the answerer, which waits for it first.

        Why: the model then runs while `can_answer` parses with spaCy (ONNX Runtime releases the GIL; on
        the first question of a process spaCy may still be loading), and nothing is embedded twice.
        """
        texts = [t.text for q in passages for p in (q, *q.copies) for t in p.sentences]
        if not texts or all(t in self._vectors for t in texts):
            return self.embed
        worker = threading.Thread(target=self.embed, args=(texts,), daemon=True)
        worker.start()

        def embed(batch: list[str]) -> np.ndarray:
            worker.join()
            return self.embed(batch)

        return embed

    @property
    def llm(self) -> LLM:
        """The chat model (built once: its HTTP client and connection pool are reused)."""
        from rag.generate.llm import build_llm

        with self._lock:
            if self._llm is None:
                self._llm = build_llm(self.settings)
            return self._llm

    def _condense(self, question: str, history: History | None) -> str:
        if not normalize_history(history):
            return question
        if not self.settings.llm_enabled:
            return condense_offline(question, history)
        return condense_with_llm(self.llm, self.settings, question, history)

    @staticmethod
    def _compose(question: str, draft: Draft, answerer: str) -> Answer:
        """Number the draft's citations by first use and build the Answer (the abstention when it is empty)."""
        claims = draft.claims
        if not claims:
            return Answer(question=question, text=prompts.ABSTAIN_TEXT, citations=[], abstained=True,
                          answerer=answerer)
        conflict = draft.conflict and len({e.source for c in claims for e in c.evidence}) > 1
        if conflict:
            claims = [Claim(f"{prompts.CONFLICT_PREFIX} {claims[0].text}", claims[0].evidence), *claims[1:]]
        text, citations = compose(claims)
        return Answer(question=question, text=text, citations=citations, abstained=False,
                      answerer=answerer, conflict=conflict, short_answer=_short_answer(draft, citations))

    def article_count(self) -> int:
        """Committed articles in the index (ingest placeholders and the index-state record do not count)."""
        return len(committed_versions(read_registry(self.retriever.registry)))

    def _checked(self, citations: list[Citation], passages: list[Passage]) -> list[Citation]:
        """Last guard: every quote must still sit at its offsets in the stored original article."""
        versions = {p.source: p.doc_sha256 for q in passages for p in (q, *q.copies)}
        for c in citations:
            text = self.retriever.original_text(c.source, versions.get(c.source, ""))
            if text is None:  # re-ingested between retrieval and now: the quote came from the version read
                log.info("%s changed while answering; citation %d checked at ingest only", c.source, c.n)
                continue
            if text[c.start : c.end] != c.quote:
                raise IngestError(f"Citation {c.n} no longer matches {c.source}: the index is out of date. "
                                  "Run `rag ingest` again.")
        return citations


def _short_answer(draft: Draft, citations: list[Citation]) -> ShortAnswer | None:
    """The draft's answer span located in the citation of its quote."""
    if draft.short is None:
        return None
    quote = draft.short.evidence.quote
    cited = next((c for c in citations if (c.source, c.start, c.end) == (draft.short.evidence.source, quote.start,
                                                                           quote.end)), None)
    at = quote.text.find(draft.short.text)
    if cited is None or at < 0:
        return None
    start = quote.start + at
    return ShortAnswer(draft.short.text, cited.n, cited.source, start, start + len(draft.short.text))


_pipelines: dict[str, Pipeline] = {}
_pipelines_lock = threading.Lock()


def _cache_key(settings: RagSettings) -> str:
    """Every setting, secrets included: two settings that differ only in a key must not share a client."""
    values = {k: v.get_secret_value() if isinstance(v, SecretStr) else v for k, v in settings.model_dump().items()}
    return json.dumps(values, sort_keys=True, default=str)


def get_pipeline(settings: RagSettings | None = None) -> Pipeline:
    """A shared pipeline for these settings (default: from the environment)."""
    settings = settings or get_settings()
    key = _cache_key(settings)
    with _pipelines_lock:
        if key not in _pipelines:
            _pipelines[key] = Pipeline(settings)
        return _pipelines[key]


def answer(question: str, history: History | None = None, settings: RagSettings | None = None) -> Answer:
    """Answer a question about the indexed articles with verified, numbered citations.

    `history` holds prior turns as (user, assistant) pairs or {"role", "content"} messages.
    Raises InvalidQuestionError for empty or over-long questions, IndexNotReadyError when there is
    nothing to search and IngestError when the index no longer matches a cited article. With an LLM
    configured it is used; if it fails, the offline answer is returned with `notice` set.
    """
    return get_pipeline(settings).answer(question, history)


def answer_stream(question: str, history: History | None = None,
                  settings: RagSettings | None = None) -> AnswerStream:
    """Like `answer`, but streaming: iterating the result yields `TextDelta` / `StreamReset` events as the
    answer is produced, and `.answer()` returns the final `Answer` (whose text replaces everything streamed)."""
    return get_pipeline(settings).answer_stream(question, history)


def warm(settings: RagSettings | None = None) -> None:
    """Load the index, the models and the reader's weights now (see `Pipeline.warm`), e.g. at server start."""
    get_pipeline(settings).warm()


def article_count(settings: RagSettings | None = None) -> int:
    """How many articles are indexed (committed); indexes the corpus folder first when the index is empty."""
    return get_pipeline(settings).article_count()


# One writer per process: two UI users adding or deleting at once would otherwise race on the registry.
_write_lock = threading.Lock()


def list_articles(settings: RagSettings | None = None) -> list[ArticleInfo]:
    """The indexed articles (id, title, collection, date, publisher, URL, chunk count), by collection and id."""
    from rag.index.state import list_articles as listed

    return listed(get_pipeline(settings).retriever.registry)


def add_articles(paths: Iterable[Path | str], settings: RagSettings | None = None, collection: str | None = None,
                 prune: bool = False, on_progress: Callable[[int, int], None] | None = None,
                 on_skip: Callable[[Skipped], None] | None = None) -> IngestReport:
    """Index files, folders or http(s) URLs (incremental; see `rag ingest`) and return what happened.

    Article ids are `<collection>/<path relative to the folder>`; `collection` overrides the folder names.
    Raises MissingPathError for a missing path and CollectionConflictError when a folder's default name is
    taken by another folder.
    """
    from rag.ingest.pipeline import ingest

    settings = settings or get_settings()
    with _write_lock:
        return ingest(paths, settings, prune=prune, collection=collection, on_progress=on_progress,
                      on_skip=on_skip)


def delete_articles(sources: Iterable[str], settings: RagSettings | None = None) -> IngestReport:
    """Remove the articles with these ids from the index (their files are left alone); unknown ids are ignored."""
    from rag.ingest.pipeline import ingest

    settings = settings or get_settings()
    with _write_lock:
        return ingest([], settings, remove=list(sources))
