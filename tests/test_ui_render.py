"""The chat handler and its HTML, without a browser: escaping, marker links, grouping, states, errors."""

from __future__ import annotations

import html as html_lib
import re
import time
from dataclasses import replace

import pytest

import rag
from rag.errors import IndexNotReadyError, RagError
from rag.generate import prompts
from rag.generate.prompts import ABSTAIN_TEXT
from rag.models import Answer, Citation, Passage, Sentence, StreamReset, TextDelta
from rag.ui import app as ui_app
from rag.ui.app import _paced, respond
from rag.ui.render import answer_html, error_html, streaming_html, user_html
from rag.ui.sources import panel_html, turn_sources
from tests.conftest import SEEDS, make_settings
from tests.processes import free_port

PAYLOADS = ["<img src=x onerror=alert(1)>", "<script>alert(2)</script>", "<svg onload=alert(3)>",
            "\"'><iframe src=javascript:alert(4)>"]
HREF = re.compile(r"href='#(nr-src-\d+-\d+)'")


def _answer(text: str, quote_a: str, quote_b: str) -> Answer:
    """Two quotes from one article (in adjacent sentences) and one from another."""
    a = f"Intro sentence. {quote_a} {quote_b} Closing sentence."
    s1, s2 = a.index(quote_a), a.index(quote_b)
    s3 = s2 + len(quote_b) + 1
    sents = [Sentence(0, 15, a[0:15]), Sentence(s1, s1 + len(quote_a), quote_a),
             Sentence(s2, s2 + len(quote_b), quote_b), Sentence(s3, len(a), a[s3:])]
    passages = [Passage("p1", "a.txt", "Title <b>A</b>", a, 0, len(a), sents),
                Passage("p2", "b.txt", "Title B", "Other text here.", 0, 16, [Sentence(0, 16, "Other text here.")])]
    cites = [Citation(1, "a.txt", "Title <b>A</b>", quote_a, s1, s1 + len(quote_a)),
             Citation(2, "b.txt", "Title B", "Other text here.", 0, 16),
             Citation(3, "a.txt", "Title <b>A</b>", quote_b, s2, s2 + len(quote_b))]
    return Answer(question="q", text=text, citations=cites, abstained=False, answerer="extractive",
                  passages=passages, timings={"total": 0.5})


@pytest.mark.parametrize("payload", PAYLOADS)
def test_render__markup_from_articles_models_and_users_shows_as_text(payload: str) -> None:
    ans = _answer(f"Said {payload} here. [1] Other. [2] More {payload}. [3]", f"Quote {payload} one.", "Quote two.")
    ans.notice = f"notice {payload}"
    html = answer_html(ans, 1) + turn_sources(ans, 1) + streaming_html(payload) + user_html(payload, 100)
    html += error_html(payload) + panel_html([(1, payload, "")], (2, payload))
    for tag in ("<img", "<script", "<svg", "<iframe"):
        assert tag not in html
    shown = html_lib.unescape(re.sub(r"<[^>]+>", "", html))  # what a browser displays as text
    assert shown.count(payload) >= 6


def test_render__every_marker_links_to_a_source_anchor_in_the_panel() -> None:
    ans = _answer("First. [1] Second. [2] Third. [3]", "Quote one.", "Quote two.")
    bubble, panel = answer_html(ans, 7), turn_sources(ans, 7)
    targets = HREF.findall(bubble)
    assert targets == ["nr-src-7-1", "nr-src-7-2", "nr-src-7-3"]
    for t in targets:
        assert panel.count(f"id='{t}'") == 1


def test_render__quotes_from_one_article_are_grouped_in_one_card_and_excerpt() -> None:
    ans = _answer("First. [1] Second. [2] Third. [3]", "Quote one.", "Quote two.")
    panel = turn_sources(ans, 1)
    assert panel.count("<article") == 2  # a.txt once, b.txt once
    assert panel.count("a.txt") == 1 and "Title &lt;b&gt;A&lt;/b&gt;" in panel
    assert panel.index("a.txt") < panel.index("b.txt")  # order of first citation
    card_a = panel[: panel.index("b.txt")]
    assert card_a.count("class='nr-excerpt'") == 1  # adjacent quotes share one excerpt
    assert "<mark class='nr-c-1-1'>Quote one.</mark>" in card_a and "<mark class='nr-c-1-3'>Quote two.</mark>" in card_a
    assert "Intro sentence." in card_a  # context around the quote


@pytest.mark.parametrize(
    ("answer_kwargs", "css_class", "text"),
    [
        ({"abstained": True, "text": ABSTAIN_TEXT, "citations": []}, "nr-abstain", "Not in the articles"),
        ({"conflict": True}, "nr-conflict", "Sources disagree"),
        ({"notice": prompts.LLM_FALLBACK_NOTICE.format(reason="x")}, "nr-notice",
         "The language model could not answer: x."),
    ],
)
def test_render__answer_states_look_different(answer_kwargs: dict, css_class: str, text: str) -> None:
    ans = _answer("First. [1] Second. [2] Third. [3]", "Quote one.", "Quote two.")
    for k, v in answer_kwargs.items():
        setattr(ans, k, v)
    html = answer_html(ans, 1)
    assert css_class in html and text in html
    if ans.abstained:
        assert "nr-cite" not in html and "No sources" in turn_sources(ans, 1)


def test_render__disagreement_bubble_names_the_newer_report_with_a_working_marker() -> None:
    ans = _answer("Twelve died. [1] Ten died. [2]", "Quote one.", "Quote two.")
    ans.citations = [replace(ans.citations[0], publisher="Courier <i>", date="2025-03-14T09:30:00+00:00"),
                     replace(ans.citations[1], publisher="Ledger", date="2025-03-16"), ans.citations[2]]
    ans.conflict = True
    ans.newer_source = "b.txt"
    html = answer_html(ans, 4)
    newer = html[html.index("<p class='nr-newer'>"):]
    assert newer.startswith("<p class='nr-newer'>The newer report is <a class='nr-cite' href='#nr-src-4-2'")
    assert "(Ledger, 2025-03-16).</p>" in newer
    ans.conflict, ans.newer_source = False, None  # no disagreement: no such sentence
    assert "nr-newer" not in answer_html(ans, 4)


def test_paced__spreads_words_but_keeps_text_and_resets() -> None:
    t0 = time.monotonic()
    out = list(_paced([TextDelta("one two three "), StreamReset(), TextDelta("four five")], 0.02))
    assert time.monotonic() - t0 >= 0.08
    assert "".join(x.text for x in out if isinstance(x, TextDelta)) == "one two three four five"
    assert out[3] == StreamReset() and len(out) == 6


@pytest.fixture(scope="module")
def fast(seeded_settings):
    """Seeded settings without typing pacing, so handler tests do not wait for it."""
    return seeded_settings.model_copy(update={"ui_typing_delay": 0.0})


def _final(outputs) -> tuple[list[dict], str, str, list]:
    *_, last = outputs
    return last


@pytest.mark.parametrize(
    ("question", "message", "box"),
    [("", "Please type a question.", ""), ("   ", "Please type a question.", ""),
     ("why " * 600, "The question is too long (2,399 characters; the limit is 2,000). Please shorten it.",
      "why " * 600)],
)
def test_respond__bad_question_is_a_friendly_bubble_and_chat_goes_on(fast, question: str,
                                                                     message: str, box: str) -> None:
    chat, panel, box_value, turns = _final(respond(question, [], fast))
    assert chat[-1]["role"] == "assistant" and message in chat[-1]["content"] and "nr-error" in chat[-1]["content"]
    assert box_value == box and turns[-1]["answer"] is None
    chat, panel, _, turns = _final(respond("Where did Witkoff meet Putin?", turns, fast))
    assert "nr-cite" in chat[-1]["content"] and "nr-src-2-1" in panel
    assert len(turns) == 2


def test_respond__follow_up_is_answered_from_history(fast) -> None:
    _, _, _, turns = _final(respond("Where did Witkoff meet Putin?", [], fast))
    chat, panel, _, turns = _final(respond("How long did it last?", turns, fast))
    assert "four and a half hours" in turns[-1]["answer"] and "nr-cite" in chat[-1]["content"]
    assert [m["role"] for m in chat] == ["user", "assistant", "user", "assistant"]
    assert panel.index("nr-turn-2") < panel.index("nr-turn-1")  # newest answer's sources first


def test_respond__streams_provisional_text_before_the_final_answer(fast) -> None:
    bubbles = [chat[-1]["content"] for chat, *_ in respond("Where did Witkoff meet Putin?", [], fast)]
    assert "Searching the articles" in bubbles[0]
    assert any("nr-streaming" in b and "Witkoff" in b for b in bubbles[1:-1])
    assert "nr-streaming" not in bubbles[-1] and "nr-cite" in bubbles[-1]


@pytest.mark.parametrize(
    ("error", "message"),
    [(IndexNotReadyError("No articles are indexed. Run `rag ingest PATH`."),
      "No articles are indexed. Run `rag ingest PATH`."),
     (RuntimeError("boom /secret/path line 3"), ui_app.GENERIC_ERROR)],
)
def test_respond__pipeline_failure_is_a_friendly_bubble(fast, monkeypatch, error, message) -> None:
    def broken(question, history, settings):
        raise error

    monkeypatch.setattr(rag, "answer_stream", broken)
    chat, *_ = _final(respond("Where did Witkoff meet Putin?", [], fast))
    assert message in chat[-1]["content"].replace("&#x27;", "'") and "boom" not in chat[-1]["content"]


def test_respond__llm_down_gives_the_offline_answer_with_a_notice(seeded_settings, unused_port) -> None:
    settings = make_settings(seeded_settings.data_dir, openai_base_url=f"http://127.0.0.1:{unused_port}/v1",
                             openai_api_key="test", llm_max_retries=0, llm_timeout=2, ui_typing_delay=0)
    chat, panel, *_ = _final(respond("Where did Witkoff meet Putin?", [], settings))
    bubble = chat[-1]["content"]
    assert "nr-notice" in bubble and "language model could not answer: could not connect" in bubble
    assert "nr-cite" in chat[-1]["content"]
    articles = [p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")]
    quotes = re.findall(r"<mark class='[^']*'>(.*?)</mark>", panel)
    assert quotes and all(any(html_lib.unescape(q) in a for a in articles) for q in quotes)


@pytest.fixture
def unused_port() -> int:
    return free_port()


@pytest.mark.parametrize(
    ("overrides", "host", "auth"),
    [({}, "127.0.0.1", None),
     ({"ui_host": "0.0.0.0", "ui_auth": "ann:s3:cret"}, "0.0.0.0", ("ann", "s3:cret")),
     ({"ui_auth": ""}, "127.0.0.1", None)],
)
def test_launch_options__bind_localhost_by_default_and_optional_basic_auth(tmp_path, overrides, host, auth) -> None:
    opts = ui_app.launch_options(make_settings(tmp_path, **overrides))
    assert (opts["server_name"], opts["auth"], opts["share"], opts["show_error"]) == (host, auth, False, False)
    assert "nr-cite" in opts["js"] and ".nr-cite" in opts["css"]


@pytest.mark.parametrize("auth", ["no-colon", ":password", "user:"])
def test_launch_options__malformed_auth_refuses_to_start(tmp_path, auth: str) -> None:
    with pytest.raises(RagError) as err:
        ui_app.launch_options(make_settings(tmp_path, ui_auth=auth))
    assert str(err.value) == "RAG_UI_AUTH must look like 'user:password'; fix it or unset it."


def test_header__counts_committed_articles_and_hides_base_url_credentials(seeded_settings) -> None:
    settings = make_settings(seeded_settings.data_dir, openai_base_url="http://bob:hunter2@127.0.0.1:9/v1?key=k1")
    header = ui_app.header_html(settings)
    assert "5 articles" in header and "127.0.0.1:9/v1" in header
    assert "hunter2" not in header and "k1" not in header


def test_answer_html__short_answer_comes_first_bold_and_linked_to_its_citation() -> None:
    from rag.models import ShortAnswer

    ans = _answer("Witkoff met Putin in St. Petersburg. [1]", "Witkoff met Putin in St. Petersburg.", "Then left.")
    ans.short_answer = ShortAnswer("St. <b>Petersburg</b>", 1, ans.citations[0].source, 20, 34)
    html = answer_html(ans, 3)
    assert html.index("nr-short") < html.index("Witkoff met Putin")
    assert "<strong>St. &lt;b&gt;Petersburg&lt;/b&gt;</strong>" in html  # escaped, never markup
    assert "href='#" in html.split("nr-short")[1].split("</p>")[0]
