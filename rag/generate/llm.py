"""Build the chat LLM (OpenAI, or any OpenAI-compatible server by base URL) and call it safely:
transport retries with backoff are the openai client's; failures become `LLMError`s whose messages
never contain the API key.
"""

from __future__ import annotations

from collections.abc import Iterator

from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.llms import LLM

from rag.errors import LLMError
from rag.settings import RagSettings


def build_llm(settings: RagSettings) -> LLM:
    """The configured chat model; raises LLMError when none is configured."""
    if not settings.llm_enabled:
        raise LLMError("No LLM configured: set OPENAI_API_KEY or OPENAI_BASE_URL.")
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    common = dict(
        model=settings.llm_model, api_key=key, temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens, timeout=settings.llm_timeout, max_retries=settings.llm_max_retries,
    )
    if settings.openai_base_url:
        from llama_index.llms.openai_like import OpenAILike

        return OpenAILike(api_base=settings.openai_base_url, is_chat_model=True,
                          context_window=settings.llm_context_window, **common)
    from llama_index.llms.openai import OpenAI

    return OpenAI(**common)


def describe_failure(exc: BaseException, settings: RagSettings) -> str:
    """A one-line reason safe to show users (no secrets, no stack trace)."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        reason = f"timed out after {settings.llm_timeout:g}s"
    elif isinstance(exc, openai.APIConnectionError):
        reason = "could not connect" + (f" to {settings.openai_base_url}" if settings.openai_base_url else "")
    elif isinstance(exc, openai.AuthenticationError):
        reason = "the API key was rejected (check OPENAI_API_KEY)"
    elif isinstance(exc, openai.RateLimitError):
        reason = "rate limited (HTTP 429)"
    elif isinstance(exc, openai.NotFoundError):
        reason = f"model '{settings.llm_model}' not found (check RAG_LLM_MODEL)"
    elif isinstance(exc, openai.APIStatusError):
        reason = f"server error (HTTP {exc.status_code})"
    elif isinstance(exc, LLMError):
        reason = str(exc)
    else:
        reason = f"unexpected {type(exc).__name__}"
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
    return reason.replace(key, "***") if key else reason


def chat_messages(system: str, user: str) -> list[ChatMessage]:
    """A system + user message pair."""
    return [ChatMessage(role=MessageRole.SYSTEM, content=system), ChatMessage(role=MessageRole.USER, content=user)]


def stream_chat(llm: LLM, messages: list[ChatMessage]) -> Iterator[str]:
    """Text deltas of a streamed completion."""
    for chunk in llm.stream_chat(messages):
        if chunk.delta:
            yield chunk.delta


def complete_chat(llm: LLM, messages: list[ChatMessage]) -> str:
    """A whole (non-streamed) completion's text."""
    return llm.chat(messages).message.content or ""
