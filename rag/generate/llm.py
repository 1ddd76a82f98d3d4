"""Build the chat LLM (OpenAI, or any OpenAI-compatible server by base URL) and call it safely.

One retry policy lives here (`stream_with_retries`): timeouts, dropped connections, HTTP 408/409/429/5xx
and empty or malformed completions are retried with exponential backoff (honouring Retry-After), then
raised as `LLMFailure`. The openai client's and llama-index's own retries are switched off so attempts
never multiply. Every failure message is built from fixed phrases, so the API key never appears in it.
Does not verify citations or decide what to show: that is `rag.answering`'s job.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import httpx
import openai
import pydantic
from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.llms import LLM

from rag.errors import LLMError
from rag.models import StreamEvent, StreamReset, TextDelta
from rag.settings import RagSettings
from rag.text import safe_url

log = logging.getLogger(__name__)

# HTTP statuses worth another try: request timeout, conflict, rate limit, and server errors.
_RETRY_STATUSES = {408, 409, 429}


class LLMFailure(LLMError):
    """A failed LLM call: a reason safe to show users, and whether trying again may help."""

    def __init__(self, reason: str, retryable: bool = False, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


def build_llm(settings: RagSettings) -> LLM:
    """The configured chat model; raises LLMError when none is configured."""
    if not settings.llm_enabled:
        raise LLMError("No LLM configured: set OPENAI_API_KEY or OPENAI_BASE_URL.")
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    common = dict(
        model=settings.llm_model, api_key=key, temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens, timeout=settings.llm_timeout,
        max_retries=0,  # retries are `stream_with_retries`'s job (it also retries empty/malformed replies)
    )
    if settings.openai_base_url:
        from llama_index.llms.openai_like import OpenAILike

        return OpenAILike(api_base=settings.openai_base_url, is_chat_model=True,
                          context_window=settings.llm_context_window, **common)
    from llama_index.llms.openai import OpenAI

    return OpenAI(**common)


def classify(exc: BaseException, settings: RagSettings) -> LLMFailure:
    """What went wrong, as an `LLMFailure` with a user-safe reason (no secrets, no stack trace)."""
    if isinstance(exc, LLMFailure):
        return exc
    where = f" to {safe_url(settings.openai_base_url)}" if settings.openai_base_url else ""
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        return LLMFailure(f"timed out after {settings.llm_timeout:g}s", retryable=True)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return LLMFailure("the connection was dropped mid-answer", retryable=True)
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError):
        return LLMFailure(f"could not connect{where}", retryable=True)
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return LLMFailure(f"the API key was rejected (HTTP {exc.status_code}; check OPENAI_API_KEY)")
    if isinstance(exc, openai.NotFoundError):
        return LLMFailure(f"model '{settings.llm_model}' or the API path was not found (HTTP 404; "
                          "check RAG_LLM_MODEL and OPENAI_BASE_URL, which usually ends in /v1)")
    if isinstance(exc, openai.RateLimitError):
        return LLMFailure("rate limited (HTTP 429)", retryable=True, retry_after=retry_after_seconds(exc.response))
    if isinstance(exc, openai.APIStatusError):
        retryable = exc.status_code in _RETRY_STATUSES or exc.status_code >= 500
        kind = "server error" if exc.status_code >= 500 else "request rejected"
        return LLMFailure(f"{kind} (HTTP {exc.status_code})", retryable=retryable,
                          retry_after=retry_after_seconds(exc.response) if retryable else None)
    if isinstance(exc, openai.APIResponseValidationError | json.JSONDecodeError | pydantic.ValidationError
                  | AttributeError | KeyError | TypeError | IndexError):
        # What a reply that is not a well-formed chat completion raises while the client parses it.
        return LLMFailure("it returned a malformed reply", retryable=True)
    if isinstance(exc, openai.APIError):
        return LLMFailure("the server reported an error mid-answer", retryable=True)
    return LLMFailure(f"unexpected {type(exc).__name__}")


def retry_after_seconds(response: httpx.Response | None) -> float | None:
    """The server's Retry-After (seconds or HTTP date; also OpenAI's retry-after-ms), if any."""
    if response is None:
        return None
    headers = response.headers
    try:
        if "retry-after-ms" in headers:
            return max(float(headers["retry-after-ms"]) / 1000, 0.0)
        value = headers.get("retry-after")
        if value is None:
            return None
        try:
            return max(float(value), 0.0)
        except ValueError:
            when = email.utils.parsedate_to_datetime(value)
            return max((when - datetime.now(UTC)).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return None


def retry_wait(attempt: int, failure: LLMFailure, settings: RagSettings) -> float:
    """Seconds to wait before retry number `attempt` (0-based): Retry-After, else jittered exponential."""
    if failure.retry_after is not None:
        return min(failure.retry_after, settings.llm_retry_max_wait)
    base = settings.llm_retry_backoff * 2**attempt
    return min(base * random.uniform(1.0, 1.25), settings.llm_retry_max_wait)  # jitter spreads out herds


def chat_messages(system: str, user: str) -> list[ChatMessage]:
    """A system + user message pair."""
    return [ChatMessage(role=MessageRole.SYSTEM, content=system), ChatMessage(role=MessageRole.USER, content=user)]


def stream_chat(llm: LLM, messages: list[ChatMessage]) -> Iterator[str]:
    """Text deltas of one streamed completion; LLMFailure if it carries no text at all."""
    got_text = False
    for chunk in llm.stream_chat(messages):
        if chunk.delta:
            got_text = got_text or bool(chunk.delta.strip())
            yield chunk.delta
    if not got_text:
        raise LLMFailure("it returned an empty answer", retryable=True)


def stream_with_retries(llm: LLM, messages: list[ChatMessage], settings: RagSettings,
                        sleep: Callable[[float], None] = time.sleep) -> Iterator[StreamEvent]:
    """Deltas of a streamed completion, retried per the settings; raises LLMFailure when out of tries.

    When an attempt fails after some text was yielded, a `StreamReset` is yielded before the retry:
    the text so far is void. Hand-written because tenacity cannot retry a generator mid-iteration.
    """
    for attempt in range(settings.llm_max_retries + 1):
        yielded = False
        try:
            for delta in stream_chat(llm, messages):
                yielded = True
                yield TextDelta(delta)
            return
        except Exception as exc:
            failure = classify(exc, settings)
        # Raised outside the except block so no chained exception (which may quote the server) rides along.
        log.warning("LLM attempt %d/%d failed: %s", attempt + 1, settings.llm_max_retries + 1, failure.reason)
        if yielded:
            yield StreamReset()
        if attempt == settings.llm_max_retries or not failure.retryable:
            raise failure
        sleep(retry_wait(attempt, failure, settings))


def complete_chat(llm: LLM, messages: list[ChatMessage], settings: RagSettings) -> str:
    """A whole (non-streamed) completion's text, one attempt; LLMFailure on any failure or empty reply."""
    failure: LLMFailure | None = None
    try:
        text = llm.chat(messages).message.content or ""
    except Exception as exc:
        failure = classify(exc, settings)
    if failure is not None:
        raise failure  # outside the except block: no chained exception quoting the server
    if not text.strip():
        raise LLMFailure("it returned an empty answer", retryable=True)
    return text
