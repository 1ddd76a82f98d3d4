"""The LLM entailment pass (rag.cite.entail) over real HTTP: after the rule checks, one batched request asks
the scripted model YES / PARTIAL / NO per claim. Asserts what is shown, the request count and the notice."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rag.answering import Pipeline
from rag.cite import entail
from rag.generate import prompts
from tests.openai_server import Reply, ScriptedServer
from tests.test_answer import assert_citations_valid
from tests.test_llm_server import MEETING, llm_settings, number_of

pytestmark = pytest.mark.server

QUESTION = "Where did Witkoff meet Putin?"
SECOND = "Witkoff sat down with Kirill Dmitriev at the Grand Hotel Europe"


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def pipeline(seeded_settings, server) -> Pipeline:
    entail.CACHE.items.clear()  # each test sees its own verdicts
    return Pipeline(llm_settings(seeded_settings, server.url, llm_verify=True, llm_max_retries=0))


def two_claims(body: dict) -> Reply:
    return Reply(f"{MEETING} [{number_of(body, 'presidential library')}]. "
                 f"{SECOND} [{number_of(body, 'Grand Hotel Europe')}].")


def test_entail__yes_keeps_claims_verified_and_adds_llm_to_checks(pipeline, server) -> None:
    server.reset(two_claims, Reply("1: YES\n2: YES"))
    res = pipeline.answer(QUESTION)
    assert res.notice is None and len(server.requests) == 2
    assert server.requests[1].body.get("stream") is not True and "CLAIM:" in server.requests[1].prompt
    assert_citations_valid(res)
    assert {c.support for c in res.citations} == {"verified"}
    assert all("llm" in c.checks and "polarity" in c.checks for c in res.citations)


def test_entail__no_drops_the_sentence_and_partial_marks_its_citation(pipeline, server) -> None:
    server.reset(two_claims, Reply("1: PARTIAL\n2: NO"))
    res = pipeline.answer(QUESTION)
    assert SECOND not in res.text and "presidential library" in res.text
    assert_citations_valid(res)
    assert [c.support for c in res.citations] == ["partial"]


def test_entail__unreadable_reply_keeps_the_rules_verdict_and_says_so(pipeline, server) -> None:
    server.reset(two_claims, Reply("I think they are all fine."))
    res = pipeline.answer(QUESTION)
    assert res.notice == prompts.ENTAIL_FALLBACK_NOTICE.format(reason="its reply gave no verdict for 2 of 2 claims")
    assert SECOND in res.text and res.answerer.startswith("llm:")
    assert all("llm" not in c.checks for c in res.citations)


def test_entail__server_error_keeps_the_rules_verdict_and_says_so(pipeline, server) -> None:
    server.reset(two_claims, Reply(status=500))
    res = pipeline.answer(QUESTION)
    assert res.notice == prompts.ENTAIL_FALLBACK_NOTICE.format(reason="server error (HTTP 500)")
    assert_citations_valid(res)


def test_entail__verdicts_are_cached_by_claim_and_quote(pipeline, server) -> None:
    server.reset(two_claims, Reply("1: YES\n2: YES"), two_claims)
    pipeline.answer(QUESTION)
    res = pipeline.answer(QUESTION)
    assert len(server.requests) == 3 and res.notice is None  # the second answer sent no entailment request


def test_entail__turned_off_sends_one_request(seeded_settings, server) -> None:
    pipe = Pipeline(llm_settings(seeded_settings, server.url, llm_verify=False))
    server.reset(two_claims)
    res = pipe.answer(QUESTION)
    assert len(server.requests) == 1 and res.notice is None


@pytest.mark.parametrize(("reply", "n", "verdicts"), [
    ("1: YES\n2: NO\n3: PARTIAL", 3, ["YES", "NO", "PARTIAL"]),
    ("1. yes\n2) No", 2, ["YES", "NO"]),
    ("YES", 1, ["YES"]),
])
def test_parse_verdicts__reads_the_forms_models_write(reply: str, n: int, verdicts: list[str]) -> None:
    assert entail.parse_verdicts(reply, n) == verdicts
