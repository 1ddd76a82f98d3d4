"""`answer()` and `answer_stream()`: validate -> condense follow-ups -> retrieve -> generate (LLM or
extractive) -> verify citations -> `Answer`. The only module that knows the whole flow.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from collections.abc import Iterator

from rag.cite.compose import Claim, compose
from rag.cite.verify import verify_draft
from rag.errors import IndexNotReadyError, IngestError, InvalidQuestionError
from rag.generate import prompts
from rag.generate.condense import History, condense_offline, normalize_history
from rag.generate.extractive import extractive_answer
from rag.generate.llm import build_llm, chat_messages, complete_chat, describe_failure, stream_chat
from rag.index.embeddings import build_embed_model, embed_texts
from rag.models import Answer, Citation, Passage
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

    def embed(self, texts: list[str]):
        """Unit-length embeddings (used for scoring sentences)."""
        return embed_texts(self.embedder, texts)

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

        The streamed text is provisional; the final Answer's text is the one to display.
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
        if s.llm_enabled:
            gen = self._llm_answer(question, standalone, passages)
            while True:
                try:
                    delta = next(gen)
                except StopIteration as stop:
                    result = stop.value
                    break
                yield delta
        if result is None or result.notice:
            notice = result.notice if result else None
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

    def _condense(self, question: str, history: History | None) -> str:
        if not normalize_history(history):
            return question
        offline = condense_offline(question, history)
        if not self.settings.llm_enabled or offline == question:
            return offline
        pairs = normalize_history(history)[-3:]
        convo = "\n".join(f"User: {u}\nAssistant: {_MARKER.sub('', a)[:500]}" for u, a in pairs)
        try:
            text = complete_chat(build_llm(self.settings), chat_messages(
                prompts.CONDENSE_SYSTEM, prompts.CONDENSE_USER.format(history=convo, question=question)))
        except Exception as exc:  # condensing is an optimisation: fall back, never fail the answer
            log.warning("condense failed: %s", describe_failure(exc, self.settings))
            return offline
        text = text.strip().strip('"').splitlines()[0].strip() if text.strip() else ""
        return text if 3 <= len(text) <= 500 else offline

    def _extractive(self, question: str, standalone: str, passages: list[Passage]) -> Answer:
        s = self.settings
        res = extractive_answer(question, passages, self.embed, s.abstain_threshold,
                                s.max_answer_sentences, context=standalone)
        return self._finish(question, res.claims, res.abstained, res.conflict, "extractive")

    def _llm_answer(self, question: str, standalone: str, passages: list[Passage]):
        s = self.settings
        if not passages:
            return self._finish(question, [], True, False, f"llm:{s.llm_model}")
        context = "\n\n".join(
            prompts.PASSAGE_FORMAT.format(n=i, source=p.source, title=p.title, text=p.text)
            for i, p in enumerate(passages, start=1)
        )
        messages = chat_messages(prompts.ANSWER_SYSTEM,
                                 prompts.ANSWER_USER.format(passages=context, question=standalone))
        draft = ""
        reason = ""
        for attempt in range(1 + s.llm_max_retries):
            draft = ""
            try:
                for delta in stream_chat(build_llm(s), messages):
                    draft += delta
                    yield delta
            except Exception as exc:
                reason = describe_failure(exc, s)
                log.warning("LLM failed: %s", reason)
                return self._fallback(question, reason)
            if draft.strip():
                break
            reason = "it returned an empty answer"
            time.sleep(min(2**attempt * 0.5, 4))
        if not draft.strip():
            return self._fallback(question, reason)
        if draft.strip().upper().startswith(prompts.CANNOT_ANSWER) or prompts.ABSTAIN_TEXT in draft:
            return self._finish(question, [], True, False, f"llm:{s.llm_model}")
        verified = verify_draft(draft.replace(prompts.CANNOT_ANSWER, ""), passages, self.embed)
        if not verified.claims:
            return self._fallback(question, "its answer could not be verified against the articles")
        conflict = bool(re.search(r"\b(disagree|differ|conflict|contradict|inconsistent)", draft, re.I))
        return self._finish(question, verified.claims, False, conflict, f"llm:{s.llm_model}")

    def _fallback(self, question: str, reason: str) -> Answer:
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
