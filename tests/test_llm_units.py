"""Pieces of the LLM path that need no server: marker parsing, quote spans, retry timing, safe messages."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime, timedelta

import httpx
import openai
import pytest

from rag.cite.markers import extract_markers
from rag.cite.support import quote_candidates
from rag.generate.condense import clean_condensed
from rag.generate.llm import LLMFailure, classify, retry_after_seconds, retry_wait, safe_url
from rag.models import Answer, AnswerStream, Passage, Sentence, StreamReset, TextDelta
from rag.settings import RagSettings

SETTINGS = RagSettings(_env_file=None, openai_base_url="http://u:secret@127.0.0.1:9/v1?key=secret",
                       llm_timeout=7, llm_retry_backoff=1.0, llm_retry_max_wait=5.0)


@pytest.mark.parametrize(
    ("raw", "text", "numbers"),
    [
        ("According to Source 2, Witkoff met Putin.", "Witkoff met Putin.", [2]),
        ("Source 2 says that Witkoff met Putin.", "Witkoff met Putin.", [2]),
        ("Passage 3 states Witkoff met Putin.", "Witkoff met Putin.", [3]),
        ("Witkoff met Putin, as reported in Source 1.", "Witkoff met Putin.", [1]),
        ("Witkoff met Putin in Source 1.", "Witkoff met Putin.", [1]),
        ("Witkoff met Putin (see passage 4).", "Witkoff met Putin.", [4]),
        ("Witkoff met Putin (Sources 1 and 3).", "Witkoff met Putin.", [1, 3]),
        ("In Source 2, the attack killed 10.", "The attack killed 10.", [2]),
        ("Witkoff met Putin 【1†source】.", "Witkoff met Putin.", [1]),
        ("Witkoff met Putin [Source 2].", "Witkoff met Putin.", [2]),
        ("A source said 5 people died.", "A source said 5 people died.", []),
    ],
)
def test_extract_markers__removes_citations_written_in_prose(raw: str, text: str, numbers: list[int]) -> None:
    assert extract_markers(raw) == (text, numbers)


def test_quote_candidates__never_joins_sentences_across_paragraphs() -> None:
    # Original file: "First one.\n\nSecond one. Third one." The passage text is the cleaned text.
    text = "First one.\n\nSecond one. Third one."
    sents = [Sentence(0, 10, "First one."), Sentence(12, 23, "Second one."), Sentence(24, 34, "Third one.")]
    passage = Passage(id="p", source="a.txt", title="A", text=text, start=0, end=34, sentences=sents)
    pairs = [c.sentence for c in quote_candidates(passage) if c.sentence not in sents]
    assert pairs == [Sentence(12, 34, "Second one. Third one.")]
    assert all(text[s.start:s.end] == s.text for s in pairs)


def _response(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=httpx.Request("POST", "http://x/v1/chat/completions"))


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [({}, None), ({"retry-after": "2"}, 2.0), ({"retry-after": "0.25"}, 0.25), ({"retry-after-ms": "1500"}, 1.5),
     ({"retry-after": "soon"}, None), ({"retry-after": "-4"}, 0.0)],
)
def test_retry_after_seconds__reads_seconds_and_milliseconds(headers: dict, seconds: float | None) -> None:
    assert retry_after_seconds(_response(429, headers)) == seconds


def test_retry_after_seconds__reads_http_dates() -> None:
    in_30s = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 20.0 < retry_after_seconds(_response(429, {"retry-after": in_30s})) <= 30.0


@pytest.mark.parametrize(
    ("attempt", "retry_after", "low", "high"),
    [(0, None, 1.0, 1.25), (1, None, 2.0, 2.5), (5, None, 5.0, 5.0), (0, 3.0, 3.0, 3.0), (0, 60.0, 5.0, 5.0)],
)
def test_retry_wait__backs_off_exponentially_and_caps_retry_after(attempt, retry_after, low, high) -> None:
    assert low <= retry_wait(attempt, LLMFailure("x", True, retry_after), SETTINGS) <= high


def _status_error(cls: type[openai.APIStatusError], status: int) -> openai.APIStatusError:
    return cls("boom sk-secret", response=_response(status), body=None)


REQUEST = httpx.Request("POST", "http://x")


@pytest.mark.parametrize(
    ("exc", "reason", "retryable"),
    [
        (openai.APITimeoutError(REQUEST), "timed out after 7s", True),
        (httpx.ReadTimeout("slow"), "timed out after 7s", True),
        (openai.APIConnectionError(request=REQUEST), "could not connect to http://127.0.0.1:9/v1", True),
        (httpx.RemoteProtocolError("peer closed"), "the connection was dropped mid-answer", True),
        (_status_error(openai.RateLimitError, 429), "rate limited (HTTP 429)", True),
        (_status_error(openai.InternalServerError, 502), "server error (HTTP 502)", True),
        (_status_error(openai.AuthenticationError, 401), "the API key was rejected (HTTP 401; check OPENAI_API_KEY)",
         False),
        (_status_error(openai.BadRequestError, 400), "request rejected (HTTP 400)", False),
        (_status_error(openai.NotFoundError, 404), "model 'gpt-4o-mini' or the API path was not found (HTTP 404; "
         "check RAG_LLM_MODEL and OPENAI_BASE_URL, which usually ends in /v1)", False),
        (ValueError("sk-secret"), "unexpected ValueError", False),
    ],
)
def test_classify__gives_fixed_safe_reasons(exc: BaseException, reason: str, retryable: bool) -> None:
    failure = classify(exc, SETTINGS)
    assert (failure.reason, failure.retryable) == (reason, retryable)
    assert "secret" not in str(failure)


def test_safe_url__drops_credentials_query_and_fragment() -> None:
    assert safe_url("https://user:pw@example.com:8443/v1?api-key=x#f") == "https://example.com:8443/v1"


@pytest.mark.parametrize(
    ("reply", "question"),
    [
        ("How long did the meeting last?", "How long did the meeting last?"),
        ('Standalone question: "How long did the meeting last?"\nExplanation: ...', "How long did the meeting last?"),
        ("  \n", ""),
        ("ok", ""),
    ],
)
def test_clean_condensed__keeps_only_the_question(reply: str, question: str) -> None:
    assert clean_condensed(reply) == question


def test_answer_stream__yields_typed_events_then_answer_returns_the_final_result() -> None:
    final = Answer(question="q", text="done [1]", citations=[], abstained=False, answerer="extractive")

    def events():
        yield TextDelta("draft")
        yield StreamReset()
        yield TextDelta("done")
        return final

    stream = AnswerStream(events())
    assert list(stream) == [TextDelta("draft"), StreamReset(), TextDelta("done")]
    assert stream.answer() is final
    assert AnswerStream(events()).answer() is final  # .answer() alone consumes the events
