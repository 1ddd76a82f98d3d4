"""The LLM path end to end against a real HTTP server: the official openai client, driven through
llama-index, talks to a scripted OpenAI-compatible server on 127.0.0.1. Asserts invariants (verbatim
quotes, markers == citations 1..n by first use, notices, request counts), never model prose.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator

import pytest

from rag import Answer, StreamReset, TextDelta
from rag.answering import Pipeline, get_pipeline
from rag.generate import prompts
from rag.generate.condense import condense_offline
from rag.generate.llm import LLMFailure, build_llm, chat_messages, stream_with_retries
from rag.settings import RagSettings
from tests.conftest import make_settings
from tests.openai_server import Reply, ScriptedServer
from tests.processes import free_port
from tests.test_answer import assert_citations_valid

pytestmark = pytest.mark.server

FAKE_KEY = "sk-fake-NEWSRAG-leakcheck-7f3a9c"
MODEL = "scripted-model"
QUESTION = "Where did Witkoff meet Putin?"
PASSAGE_HEAD = re.compile(r"^\[(\d+)\] \(from [^\n]*\)\n", re.MULTILINE)


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer().start()
    yield srv
    srv.stop()


def llm_settings(seeded: RagSettings, base_url: str, **overrides) -> RagSettings:
    """LLM settings with tiny timeouts and backoff so fault tests take well under a second each."""
    # These tests script the answer request only; the entailment request is covered by tests/test_llm_verify.py.
    values = dict(openai_base_url=base_url, openai_api_key=FAKE_KEY, llm_model=MODEL, llm_verify=False,
                  llm_timeout=0.5, llm_max_retries=2, llm_retry_backoff=0.01, llm_retry_max_wait=1.0)
    return make_settings(seeded.data_dir, **{**values, **overrides})


@pytest.fixture
def pipeline(seeded_settings, server) -> Pipeline:
    return get_pipeline(llm_settings(seeded_settings, server.url))


def passages_in(body: dict) -> dict[int, str]:
    """Passage number -> text, parsed from the answer prompt the pipeline sent."""
    user = body["messages"][-1]["content"]
    heads = list(PASSAGE_HEAD.finditer(user))
    out = {}
    for head, nxt in zip(heads, [*heads[1:], None], strict=True):
        out[int(head.group(1))] = user[head.end(): nxt.start() if nxt else user.index("\n\nQuestion:")]
    return out


def number_of(body: dict, phrase: str) -> int:
    """The number of the first passage containing `phrase`."""
    return next(n for n, text in passages_in(body).items() if phrase in text)


def not_containing(body: dict, phrase: str) -> int:
    """The number of the first passage that does not contain `phrase`."""
    return next(n for n, text in passages_in(body).items() if phrase not in text)


def run(pipeline: Pipeline, question: str = QUESTION, history=None) -> tuple[list, Answer]:
    """All streamed events and the final Answer."""
    stream = pipeline.answer_stream(question, history)
    events = list(stream)
    assert all(isinstance(e, TextDelta | StreamReset) for e in events)
    return events, stream.answer()


def shown(events: list) -> str:
    """The text on screen after these events: what streamed since the last reset."""
    last_reset = max((i for i, e in enumerate(events) if isinstance(e, StreamReset)), default=-1)
    return "".join(e.text for e in events[last_reset + 1:])


MEETING = "Witkoff met with Putin at the presidential library in St. Petersburg"


def good_reply(body: dict) -> Reply:
    return Reply(f"{MEETING} [{number_of(body, 'presidential library')}].")


# -- the model behaves ---------------------------------------------------------------------------


def test_llm__good_answer_keeps_verified_citations_and_sends_key_and_model(pipeline, server) -> None:
    server.reset(good_reply)
    _, res = run(pipeline)
    assert (res.abstained, res.notice, res.answerer) == (False, None, f"llm:{MODEL}")
    assert_citations_valid(res)
    assert any("presidential library" in c.quote for c in res.citations)
    [req] = server.requests
    assert req.headers["authorization"] == f"Bearer {FAKE_KEY}"
    assert req.body["model"] == MODEL and req.body["stream"] is True


def test_llm__streaming_yields_deltas_before_the_final_answer(pipeline, server) -> None:
    server.reset(lambda body: Reply(good_reply(body).text, chunk_chars=5, chunk_delay=0.02))
    arrivals: list[tuple[float, object]] = []
    stream = pipeline.answer_stream(QUESTION)
    for event in stream:
        arrivals.append((time.monotonic(), event))
    deltas = [(t, x.text) for t, x in arrivals if isinstance(x, TextDelta)]
    assert len(deltas) >= 10 and isinstance(stream.answer(), Answer)
    assert deltas[-1][0] - deltas[0][0] > 0.15  # text arrived over time, not all at once at the end
    assert "".join(x for _, x in deltas).startswith(MEETING)


# -- the model misbehaves: code repairs its citations ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "make_text"),
    [
        ("out-of-range marker", lambda b: f"{MEETING} [{len(passages_in(b)) + 3}]."),
        ("cites a passage that does not support it", lambda b: f"{MEETING} [{not_containing(b, 'St. Petersburg')}]."),
        ("no marker at all", lambda b: f"{MEETING}."),
        ("'Source N' in prose", lambda b: f"According to Source {number_of(b, 'presidential library')}, {MEETING}."),
        ("'Source N says'", lambda b: f"Source {number_of(b, 'presidential library')} says {MEETING}."),
        ("'(Passage N)'", lambda b: f"{MEETING} (Passage {number_of(b, 'presidential library')})."),
        ("marker after the full stop", lambda b: f"{MEETING}. [{number_of(b, 'presidential library')}]"),
        ("range marker", lambda b: f"{MEETING} [1-{len(passages_in(b))}]."),
    ],
)
def test_llm__misplaced_citations_are_repaired(pipeline, server, name: str, make_text) -> None:
    server.reset(lambda body: Reply(make_text(body)))
    _, res = run(pipeline)
    assert not res.abstained and res.notice is None, name
    assert_citations_valid(res)
    assert not re.search(r"(?i)\b(source|passage)\s*\d", res.text)
    assert all("St. Petersburg" in c.quote for c in res.citations)


def test_llm__unsupported_sentence_is_dropped_and_odd_order_renumbered(pipeline, server) -> None:
    def reply(body: dict) -> Reply:
        last = len(passages_in(body))
        return Reply(
            f"{MEETING} [{last}][{number_of(body, 'presidential library')}]. "
            f"Putin then flew Witkoff to the Moon on a golden rocket [{number_of(body, 'presidential library')}]. "
            f"Witkoff first sat down with Kirill Dmitriev [{number_of(body, 'Dmitriev')}][2]."
        )

    server.reset(reply)
    _, res = run(pipeline)
    assert_citations_valid(res)  # includes: markers numbered by first use, 1..n, no gaps
    assert "Moon" not in res.text and len(res.citations) >= 2
    assert any("Dmitriev" in c.quote for c in res.citations)


def test_llm__cannot_answer_abstains_without_streaming_the_sentinel(pipeline, server) -> None:
    server.reset(Reply(prompts.CANNOT_ANSWER, chunk_chars=3))
    items, res = run(pipeline, "Who won the 2024 Super Bowl?")
    assert (res.abstained, res.text, res.citations, res.notice) == (True, prompts.ABSTAIN_TEXT, [], None)
    assert prompts.CANNOT_ANSWER not in shown(items)


def test_llm__unverifiable_answer_falls_back_with_notice(pipeline, server) -> None:
    server.reset(Reply("Putin flew Witkoff to the Moon on a golden rocket [1]."))
    _, res = run(pipeline)
    assert res.answerer == "extractive" and res.notice == prompts.LLM_FALLBACK_NOTICE.format(
        reason="its answer could not be verified against the articles")
    assert_citations_valid(res)


# -- faults: bounded retries, then the offline answer with a notice -------------------------------

TIMEOUT = Reply(MEETING, delay=1.5)


@pytest.mark.parametrize(
    ("name", "replies", "reason", "requests"),
    [
        ("timeout", [TIMEOUT] * 3, "timed out after 0.5s", 3),
        ("HTTP 500", [Reply(status=500)] * 3, "server error (HTTP 500)", 3),
        ("HTTP 503", [Reply(status=503)] * 3, "server error (HTTP 503)", 3),
        ("HTTP 429", [Reply(status=429, headers={"retry-after": "0"})] * 3, "rate limited (HTTP 429)", 3),
        ("empty completion", [Reply("")] * 3, "it returned an empty answer", 3),
        ("whitespace completion", [Reply("  \n ")] * 3, "it returned an empty answer", 3),
        ("malformed JSON chunk", [Reply(raw="{not json")] * 3, "it returned a malformed reply", 3),
        ("chunk without choices", [Reply(raw='{"id": "x", "object": "chat.completion.chunk"}')] * 3,
         "it returned a malformed reply", 3),
        ("stalls mid-answer", [Reply(MEETING, chunk_delay=1.5)] * 3, "timed out after 0.5s", 3),
        ("connection dropped mid-answer", [Reply(MEETING, drop_after=2)] * 3,
         "the connection was dropped mid-answer", 3),
        ("HTTP 401 (not retried)", [Reply(status=401, error_body={"error": {"message": f"Bad key {FAKE_KEY}"}})],
         "the API key was rejected (HTTP 401; check OPENAI_API_KEY)", 1),
        ("HTTP 400 (not retried)", [Reply(status=400)], "request rejected (HTTP 400)", 1),
    ],
)
def test_llm__fault_retries_then_falls_back_to_offline_answer_with_notice(
    pipeline, server, name: str, replies: list[Reply], reason: str, requests: int
) -> None:
    server.reset(*replies)
    items, res = run(pipeline)
    assert len(server.requests) == requests, name
    assert res.answerer == "extractive" and not res.abstained
    assert res.notice == prompts.LLM_FALLBACK_NOTICE.format(reason=reason)
    assert_citations_valid(res)
    assert shown(items).strip() == res.text  # whatever was streamed before, the offline answer remains on screen


def test_llm__fault_on_a_question_the_articles_do_not_cover_abstains_with_notice(pipeline, server) -> None:
    server.reset(*[Reply(status=500)] * 3)
    _, res = run(pipeline, "Who won the 2024 Super Bowl?")
    assert (res.abstained, res.text, res.citations) == (True, prompts.ABSTAIN_TEXT, [])
    assert res.notice == prompts.LLM_FALLBACK_NOTICE.format(reason="server error (HTTP 500)")


def test_llm__connection_refused_falls_back_with_notice(seeded_settings) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    _, res = run(Pipeline(llm_settings(seeded_settings, url)))
    assert res.notice == prompts.LLM_FALLBACK_NOTICE.format(reason=f"could not connect to {url}")
    assert_citations_valid(res)


def test_llm__429_retry_after_is_honoured_then_succeeds(pipeline, server) -> None:
    server.reset(Reply(status=429, headers={"retry-after": "0.4"}), good_reply)
    _, res = run(pipeline)
    first, second = server.requests
    assert second.at - first.at >= 0.4
    assert res.notice is None and res.answerer == f"llm:{MODEL}"
    assert_citations_valid(res)


@pytest.mark.parametrize("first", [Reply(status=500), TIMEOUT, Reply(""), Reply(raw="{not json")])
def test_llm__one_fault_then_success_answers_with_the_model(pipeline, server, first: Reply) -> None:
    server.reset(first, good_reply)
    _, res = run(pipeline)
    assert len(server.requests) == 2 and res.notice is None and res.answerer == f"llm:{MODEL}"


def test_llm__drop_mid_answer_resets_the_stream_before_the_retry(pipeline, server) -> None:
    server.reset(lambda b: Reply(good_reply(b).text, chunk_chars=10, drop_after=3), good_reply)
    items, res = run(pipeline)
    resets = [i for i, x in enumerate(items) if isinstance(x, StreamReset)]
    assert len(resets) == 1 and "".join(e.text for e in items[: resets[0]]) and shown(items).startswith(MEETING)
    assert res.notice is None
    assert_citations_valid(res)


def test_llm__failure_after_streamed_text_resets_before_the_offline_answer(pipeline, server) -> None:
    server.reset(*[Reply(MEETING, chunk_chars=10, drop_after=3)] * 3)
    items, res = run(pipeline)
    assert any(isinstance(e, StreamReset) for e in items)
    assert shown(items).strip() == res.text  # after the last reset: exactly the offline answer
    assert res.answerer == "extractive" and res.notice


# -- follow-ups ---------------------------------------------------------------------------------

STANDALONE = "How long did the meeting between Witkoff and Putin in St. Petersburg last?"
HISTORY = [{"role": "user", "content": QUESTION},
           {"role": "assistant", "content": f"{MEETING}. [1]"}]


def test_llm__follow_up_is_condensed_by_the_model_and_used_for_retrieval(pipeline, server) -> None:
    server.reset(Reply(f"Standalone question: {STANDALONE}"),
                 lambda b: Reply(f"The talks lasted four and a half hours [{number_of(b, 'four and a half')}]."))
    _, res = run(pipeline, "How long did it last?", HISTORY)
    condense, answer_req = server.requests
    assert not condense.body.get("stream") and "How long did it last?" in condense.prompt
    assert MEETING in condense.prompt and "[1]" not in condense.prompt  # history sent, markers stripped
    assert res.standalone_question == STANDALONE and f"Question: {STANDALONE}" in answer_req.prompt
    assert_citations_valid(res)
    assert any("four and a half hours" in c.quote for c in res.citations)


def test_llm__failed_condense_uses_offline_rewrite_and_still_answers(pipeline, server) -> None:
    server.reset(Reply(status=500), lambda b: Reply(f"{MEETING} [{number_of(b, 'presidential library')}]."))
    _, res = run(pipeline, "How long did it last?", HISTORY)
    assert len(server.requests) == 2  # condense is tried once, never retried
    assert res.standalone_question == condense_offline("How long did it last?", HISTORY) and res.notice is None
    assert res.standalone_question.startswith("How long did it last? — ") and QUESTION not in res.standalone_question


# -- the API key never leaks --------------------------------------------------------------------

KEY_ECHO = {"error": {"message": f"Incorrect API key provided: {FAKE_KEY}", "type": "invalid_request_error"}}
LEAK_FAULTS = {
    "timeout": [TIMEOUT] * 3,
    "HTTP 401 echoing the key": [Reply(status=401, error_body=KEY_ECHO)],
    "HTTP 429 echoing the key": [Reply(status=429, error_body=KEY_ECHO, headers={"retry-after": "0"})] * 3,
    "HTTP 500 echoing the key": [Reply(status=500, error_body=KEY_ECHO)] * 3,
    "malformed completion quoting the key": [Reply(raw=f"{{not json {FAKE_KEY}")] * 3,
    "empty completion": [Reply("")] * 3,
    "dropped connection": [Reply(MEETING, drop_after=1)] * 3,
}


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    while exc is not None:
        yield exc
        exc = exc.__cause__ or exc.__context__


@pytest.mark.parametrize("fault", sorted(LEAK_FAULTS))
def test_llm__api_key_never_appears_in_answer_logs_or_errors(pipeline, server, caplog, fault: str) -> None:
    caplog.set_level(logging.DEBUG)  # everything: ours, openai's, httpx's, llama-index's
    server.reset(*LEAK_FAULTS[fault])
    items, res = run(pipeline)
    server.reset(*LEAK_FAULTS[fault])
    with pytest.raises(LLMFailure) as raised:
        list(stream_with_retries(build_llm(pipeline.settings), chat_messages("s", "u"), pipeline.settings,
                                 sleep=lambda _: None))
    errors = " ".join(f"{e!r} {e}" for e in _chain(raised.value))
    assert res.notice
    streamed = "".join(e.text for e in items if isinstance(e, TextDelta))
    for where, text in [("answer", json.dumps(res.to_dict())), ("stream", streamed),
                        ("logs", caplog.text), ("exception", errors), ("settings", repr(pipeline.settings))]:
        assert FAKE_KEY not in text, f"API key leaked into {where} on {fault}"



def test_ui__a_dropped_stream_is_cleared_from_the_bubble_before_the_offline_answer(seeded_settings, server) -> None:
    from rag.ui.app import respond  # here, not in the UI tests: it needs the scripted server

    server.reset(*[Reply("Provisionally, " + MEETING, chunk_chars=10, drop_after=2)] * 3)
    settings = llm_settings(seeded_settings, server.url).model_copy(update={"ui_typing_delay": 0.0})
    bubbles = [chat[-1]["content"] for chat, *_ in respond(QUESTION, [], settings)]
    shown = [i for i, b in enumerate(bubbles) if "Provisionally" in b]
    assert shown, "the model's text was never streamed"
    after = bubbles[shown[-1] + 1:]
    # the reset empties the bubble, then the offline answer streams without the dropped text
    assert all("Provisionally" not in b for b in after) and "nr-cite" in after[-1]
    assert any("nr-streaming" in b and "Witkoff" in b for b in after[:-1]), "offline answer not streamed afresh"
    assert "extracted directly from" in after[-1]
