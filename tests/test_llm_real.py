"""The LLM path against a real local model: llama-cpp-python's OpenAI-compatible server running Gemma 3 270M
(a tiny base model, from PyPI). Proves the wiring (streaming over real HTTP, verification, fallback), not
answer quality. Skipped unless the `llm` extra is installed: run `make test-real-llm`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rag import Answer, TextDelta
from rag.answering import Pipeline
from tests.conftest import make_settings
from tests.llama_server import MODEL_ALIAS, available, llama_server
from tests.test_answer import assert_citations_valid

pytestmark = [pytest.mark.server, pytest.mark.slow,
              pytest.mark.skipif(not available(), reason="needs the llm extra: make test-real-llm")]

# What a working server may still lead to with a 270M base model; transport failures are not among them.
MODEL_LEVEL_NOTICES = ("its answer could not be verified", "it returned an empty answer")


@pytest.fixture(scope="module")
def real_url() -> Iterator[str]:
    with llama_server() as url:
        yield url


@pytest.mark.parametrize("question", ["Where did Witkoff meet Putin?", "Who won the 2024 Super Bowl?"])
def test_real_llm__streams_and_returns_only_verified_citations(seeded_settings, real_url, question) -> None:
    settings = make_settings(seeded_settings.data_dir, openai_base_url=real_url, llm_model=MODEL_ALIAS,
                             llm_max_tokens=64, llm_timeout=300, llm_max_retries=0)
    stream = Pipeline(settings).answer_stream(question)
    deltas = [e.text for e in stream if isinstance(e, TextDelta) and e.text]
    res = stream.answer()
    assert isinstance(res, Answer)
    assert deltas, "nothing was streamed"
    assert_citations_valid(res)
    assert res.notice is None or any(n in res.notice for n in MODEL_LEVEL_NOTICES), res.notice
    assert res.answerer == f"llm:{MODEL_ALIAS}" or res.notice
