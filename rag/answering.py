"""`answer()` and `answer_stream()`: validate -> condense follow-ups -> retrieve -> generate (LLM or
extractive) -> verify citations -> `Answer`. The only module that knows the whole flow.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from collections.abc import Generator, Iterator

import numpy as np
from llama_index.core.llms import LLM

from rag.cite.compose import Claim, compose
from rag.cite.verify import verify_draft
from rag.errors import IndexNotReadyError, IngestError, InvalidQuestionError
from rag.generate import prompts
from rag.generate.condense import History, clean_condensed, condense_offline, normalize_history
from rag.generate.extractive import extractive_answer
from rag.generate.llm import LLMFailure, build_llm, chat_messages, complete_chat, stream_with_retries
from rag.index.embeddings import build_embed_model, embed_texts
from rag.models import Answer, Citation, Passage, StreamReset
from rag.retrieve.hybrid import HybridRetriever
from rag.settings import RagSettings, get_settings

log = logging.getLogger(__name__)
_MARKER = re.compile(r"\[\d+\]")


def validate_question(question: object, max_chars: int) -> str:
    """The question with control characters removed, or InvalidQuestionError saying what is wrong."""
    if not isinstance(question, str):
        raise InvalidQuestionError("The question must be text.")
    cleaned = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\n\t" else " " for ch in question)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
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

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length embeddings (used for scoring sentences), cached: verifying a draft scores the same
        passage sentences many times, and embedding dominated answer time before the cache."""
        if not texts:
            return embed_texts(self.embedder, texts)
        cache = self._vectors  # a local reference: another thread may swap in a fresh dict meanwhile
        unique = list(dict.fromkeys(texts))
        missing = [t for t in unique if t not in cache]
        if len(cache) + len(missing) > self.settings.embed_cache_entries:
            cache = self._vectors = {}  # crude bound; re-embedding the working set is cheap
            missing = unique
        if missing:
            cache.update(zip(missing, embed_texts(self.embedder, missing), strict=True))
        return np.stack([cache[t] for t in texts])

    @property
    def retriever(self) -> HybridRetriever:
        """The retriever; on first use builds the index from the corpus folder if it is empty."""
        with self._lock:
            if self._retriever is None:
                retriever = HybridRetriever(self.settings)
                if retriever.is_empty():
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

    # -- answering ---------------------------------------------------------------------------

    def answer(self, question: str, history: History | None = None) -> Answer:
        """Answer `question` (see `answer_stream`), returning only the final result."""
        final: Answer | None = None
        for item in self.answer_stream(question, history):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def answer_stream(self, question: str, history: History | None = None) -> Iterator[str | Answer]:
        """Yield text as it is produced (model tokens or answer sentences), then the verified `Answer`.

        The streamed text is provisional: a `StreamReset` (an empty str) means "discard what was shown"
        (the model is being retried, or its answer is replaced by the offline one), and the final
        Answer's text, repaired and renumbered, always replaces everything streamed before it.
        """
        t0 = time.perf_counter()
        s = self.settings
        question = validate_question(question, s.max_question_chars)
        timings: dict[str, float] = {}
        standalone = self._condense(question, history)
        timings["condense"] = time.perf_counter() - t0
        passages = self.retriever.retrieve(standalone, timings=timings)
        t_gen = time.perf_counter()
        result: Answer | None = None
        shown = False  # whether provisional text is on screen
        if s.llm_enabled:
            gen = self._llm_answer(question, standalone, passages)
            while True:
                try:
                    item = next(gen)
                except StopIteration as stop:
                    result = stop.value
                    break
                shown = not isinstance(item, StreamReset) and (shown or bool(item))
                yield item
        if result is None or result.notice:  # no LLM, or it failed: the offline answer, with the notice
            notice = result.notice if result else None
            if shown:
                yield StreamReset()
            result = self._extractive(question, standalone, passages)
            result.notice = notice
            for sentence in re.split(r"(?<=\])\s", result.text):
                yield sentence + " "
        result.standalone_question = standalone
        result.passages = passages
        result.citations = self._checked(result.citations, passages)
        timings["generate"] = time.perf_counter() - t_gen
        timings["total"] = time.perf_counter() - t0
        result.timings = timings
        yield result

    @property
    def llm(self) -> LLM:
        """The chat model (built once: its HTTP client and connection pool are reused)."""
        with self._lock:
            if self._llm is None:
                self._llm = build_llm(self.settings)
            return self._llm

    def _condense(self, question: str, history: History | None) -> str:
        if not normalize_history(history):
            return question
        offline = condense_offline(question, history)
        if not self.settings.llm_enabled or offline == question:
            return offline
        pairs = normalize_history(history)[-3:]
        convo = "\n".join(f"User: {u}\nAssistant: {_MARKER.sub('', a)[:500]}" for u, a in pairs)
        messages = chat_messages(prompts.CONDENSE_SYSTEM,
                                 prompts.CONDENSE_USER.format(history=convo, question=question))
        try:
            # One attempt, no retries: condensing is an optimisation and the answer call retries anyway.
            text = complete_chat(self.llm, messages, self.settings)
        except LLMFailure as failure:
            log.warning("condense failed, using the offline rewrite: %s", failure.reason)
            return offline
        return clean_condensed(text) or offline

    def _extractive(self, question: str, standalone: str, passages: list[Passage]) -> Answer:
        s = self.settings
        res = extractive_answer(question, passages, self.embed, s.abstain_threshold,
                                s.max_answer_sentences, context=standalone)
        return self._finish(question, res.claims, res.abstained, res.conflict, "extractive")

    def _llm_answer(self, question: str, standalone: str,
                    passages: list[Passage]) -> Generator[str, None, Answer]:
        """Stream the model's draft, then verify it; an Answer with `notice` set means "use the offline one"."""
        s = self.settings
        answerer = f"llm:{s.llm_model}"
        if not passages:
            return self._finish(question, [], True, False, answerer)
        context = "\n\n".join(
            prompts.PASSAGE_FORMAT.format(n=i, source=p.source, title=p.title, text=p.text)
            for i, p in enumerate(passages, start=1)
        )
        messages = chat_messages(prompts.ANSWER_SYSTEM,
                                 prompts.ANSWER_USER.format(passages=context, question=standalone))
        draft, shown = "", 0
        try:
            for item in stream_with_retries(self.llm, messages, s):
                if isinstance(item, StreamReset):
                    if shown:
                        yield item
                    draft, shown = "", 0
                    continue
                draft += item
                # Hold text back while it may still turn out to be the CANNOT_ANSWER sentinel.
                head = draft.strip().upper()
                if shown or not (prompts.CANNOT_ANSWER.startswith(head) or head.startswith(prompts.CANNOT_ANSWER)):
                    yield draft[shown:]
                    shown = len(draft)
        except LLMFailure as failure:
            return self._fallback(question, failure.reason)
        declined = prompts.CANNOT_ANSWER in draft.upper() or prompts.ABSTAIN_TEXT in draft
        if draft.strip().upper().startswith(prompts.CANNOT_ANSWER):
            return self._finish(question, [], True, False, answerer)
        cleaned = re.sub(re.escape(prompts.CANNOT_ANSWER), "", draft, flags=re.IGNORECASE)
        verified = verify_draft(cleaned, passages, self.embed)
        if verified.dropped or verified.removed_markers or verified.reattributed:
            log.info("repaired LLM draft: dropped %d sentence(s), removed markers %s, re-attributed %d",
                     len(verified.dropped), verified.removed_markers, verified.reattributed)
        if not verified.claims:
            if declined:
                return self._finish(question, [], True, False, answerer)
            return self._fallback(question, "its answer could not be verified against the articles")
        conflict = bool(re.search(r"\b(disagree|differ|conflict|contradict|inconsistent)", draft, re.I))
        return self._finish(question, verified.claims, False, conflict, answerer)

    def _fallback(self, question: str, reason: str) -> Answer:
        """A placeholder carrying the notice; `answer_stream` swaps in the offline answer and keeps the notice."""
        answer = self._finish(question, [], True, False, "extractive")
        answer.notice = prompts.LLM_FALLBACK_NOTICE.format(reason=reason)
        return answer

    def _finish(self, question: str, claims: list[Claim], abstained: bool, conflict: bool,
                answerer: str) -> Answer:
        if abstained or not claims:
            return Answer(question=question, text=prompts.ABSTAIN_TEXT, citations=[], abstained=True,
                          answerer=answerer)
        if conflict and len({e.source for c in claims for e in c.evidence}) > 1:
            claims = [Claim(f"{prompts.CONFLICT_PREFIX} {claims[0].text}", claims[0].evidence), *claims[1:]]
        else:
            conflict = False
        text, citations = compose(claims)
        return Answer(question=question, text=text, citations=citations, abstained=False,
                      answerer=answerer, conflict=conflict)

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


_pipelines: dict[str, Pipeline] = {}
_pipelines_lock = threading.Lock()


def get_pipeline(settings: RagSettings | None = None) -> Pipeline:
    """A shared pipeline for these settings (default: from the environment)."""
    settings = settings or get_settings()
    key = settings.model_dump_json()
    with _pipelines_lock:
        if key not in _pipelines:
            _pipelines[key] = Pipeline(settings)
        return _pipelines[key]


def answer(question: str, history: History | None = None, settings: RagSettings | None = None) -> Answer:
    """Answer a question about the indexed articles with verified, numbered citations.

    `history` holds prior turns as (user, assistant) pairs or {"role", "content"} messages.
    Raises InvalidQuestionError for empty or over-long questions and IndexNotReadyError when there is
    nothing to search. With an LLM configured it is used; if it fails, the offline answer is returned
    with `notice` set.
    """
    return get_pipeline(settings).answer(question, history)


def answer_stream(question: str, history: History | None = None,
                  settings: RagSettings | None = None) -> Iterator[str | Answer]:
    """Like `answer`, but yields provisional text chunks first and the final `Answer` last."""
    return get_pipeline(settings).answer_stream(question, history)
