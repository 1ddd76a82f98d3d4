"""The Gradio chat: streams answers, shows the cited sources beside them, handles follow-ups.

Each browser session keeps its turns in a gr.State (question, plain answer text, rendered bubbles and
sources), so follow-ups are condensed from the plain text, not from the HTML shown. Binds to 127.0.0.1
by default; analytics are off so launching makes no outside network calls. Rendering is in ui/render.py
(chat bubbles) and ui/sources.py (sources panel); styling and the marker-to-source links in ui/assets/.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator
from functools import partial
from html import escape as html_escape
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr

import rag
from rag import Answer, InvalidQuestionError, RagError, RagSettings, StreamEvent, StreamReset, TextDelta, get_settings
from rag.answering import warm
from rag.ingest.formats import SUPPORTED_SUFFIXES
from rag.ui.articles import READONLY_MESSAGE, add_uploads, add_url, articles_html, delete_article, results_html
from rag.ui.render import answer_html, error_html, streaming_html, user_html
from rag.ui.sources import panel_html, turn_sources

log = logging.getLogger(__name__)
ASSETS = Path(__file__).resolve().parent / "assets"

EXAMPLES = [
    "Where did Witkoff meet Putin?",
    "How many people were killed in the strikes on Kyiv?",
    "Who was Ksenia Karelina exchanged for?",
    "What did Klitschko say about giving up territory?",
]
GENERIC_ERROR = "Something went wrong while answering. Please try again."
SHOWN_QUESTION_CHARS = 600  # longer questions are shortened in the user's bubble (display only)

Turn = dict[str, Any]  # turn, question, user, bot (HTML), answer (plain text or None), sources (HTML or None)
Outputs = tuple[list[dict], str, str, list[Turn]]  # chat messages, sources panel, textbox, turns


def _chat(turns: list[Turn]) -> list[dict]:
    messages: list[dict] = []
    for t in turns:
        if t["user"]:
            messages.append({"role": "user", "content": t["user"]})
        messages.append({"role": "assistant", "content": t["bot"]})
    return messages


def _panel(turns: list[Turn], pending: Turn | None = None) -> str:
    sections = [(t["turn"], t["question"], t["sources"]) for t in turns if t["sources"] is not None]
    return panel_html(sections, (pending["turn"], pending["question"]) if pending else None)


def _paced(stream: Iterable[StreamEvent], delay: float) -> Iterator[StreamEvent]:
    """Re-yield text word by word, at most one word per `delay` seconds.

    Why: the offline answerer produces its answer at once; pacing makes it readable as it appears.
    A model streaming slower than the pace is never delayed.
    """
    last = 0.0
    for event in stream:
        if not isinstance(event, TextDelta) or delay <= 0:
            yield event
            continue
        for word in re.findall(r"\S+\s*|\s+", event.text):
            wait = delay - (time.monotonic() - last)
            if wait > 0:
                time.sleep(wait)
            last = time.monotonic()
            yield TextDelta(word)


def respond(message: str, turns: list[Turn] | None, settings: RagSettings | None = None) -> Iterator[Outputs]:
    """Chat handler: yields (chat, sources panel, textbox value, turns) while the answer streams.

    Errors become a friendly bubble and never end the session; the failed turn is left out of the
    history used for follow-ups.
    """
    settings = settings or get_settings()
    turns = list(turns or [])
    question = message if isinstance(message, str) else ""
    history = [(t["question"], t["answer"]) for t in turns if t["answer"] is not None]
    turn: Turn = {"turn": (turns[-1]["turn"] + 1) if turns else 1, "question": question,
                  "user": user_html(question, SHOWN_QUESTION_CHARS) if question.strip() else None,
                  "bot": streaming_html(""), "answer": None, "sources": None}
    pending = turn if question.strip() else None
    yield _chat([*turns, turn]), _panel(turns, pending), "", turns
    keep_in_box = ""
    try:
        streamed = ""
        stream = rag.answer_stream(question, history, settings)
        for event in _paced(stream, settings.ui_typing_delay):
            # A reset means the model is retried or replaced: drop the provisional text.
            streamed = "" if isinstance(event, StreamReset) else streamed + event.text
            turn = {**turn, "bot": streaming_html(streamed)}
            yield _chat([*turns, turn]), _panel(turns, pending), "", turns
        final: Answer = stream.answer()
        turn = {**turn, "bot": answer_html(final, turn["turn"]), "answer": final.text,
                "sources": turn_sources(final, turn["turn"])}
    except InvalidQuestionError as exc:
        turn = {**turn, "bot": error_html(str(exc))}
        keep_in_box = question if question.strip() else ""  # let the user shorten it instead of retyping
    except RagError as exc:
        log.warning("answer failed: %s", exc)
        turn = {**turn, "bot": error_html(str(exc))}
    except Exception:
        log.exception("answer failed")
        turn = {**turn, "bot": error_html(GENERIC_ERROR)}
    turns = [*turns, turn]
    yield _chat(turns), _panel(turns), keep_in_box, turns


def ask_api(question: str, settings: RagSettings) -> dict:
    """JSON endpoint (`/ask`): the full Answer.to_dict(), or {"error": message}."""
    try:
        return rag.answer(question, settings=settings).to_dict()
    except RagError as exc:
        return {"error": str(exc)}


def _article_count(settings: RagSettings) -> int | None:
    try:
        return rag.article_count(settings)
    except Exception as exc:  # the header is informational; the chat reports real problems per question
        log.warning("could not count articles: %s", exc)
        return None


def header_html(settings: RagSettings) -> str:
    """Title plus which corpus and which model answer."""
    from html import escape

    count = _article_count(settings)
    articles = f" · {count} article{'s' if count != 1 else ''}" if count is not None else ""
    if settings.llm_enabled:
        where = f" at {rag.safe_url(settings.openai_base_url)}" if settings.openai_base_url else ""
        model = f"Answers: LLM {settings.llm_model}{where}, quotes verified"
    else:
        model = "Answers: offline answerer, quoting the articles verbatim"
    return (
        "<div id='nr-header'><h1><span class='nr-logo'>n</span>newsrag</h1>"
        "<p class='nr-sub'>Ask about the news articles. Every sentence of an answer cites a verbatim quote; "
        "click a number to see it in its article.</p><div class='nr-chips'>"
        f"<span class='nr-chip' title='{escape(str(settings.corpus_dir.resolve()))}'>"
        f"Corpus: {escape(settings.corpus_dir.name or str(settings.corpus_dir))}{articles}</span>"
        f"<span class='nr-chip'>{escape(model)}</span></div></div>"
    )


def _articles_view(settings: RagSettings) -> tuple[str, Any, str]:
    """(articles table, delete choices, header) after the corpus changed."""
    articles = rag.list_articles(settings)
    choices = gr.update(choices=[a.source for a in articles], value=None)
    return articles_html(articles), choices, header_html(settings)


def upload_files(files: list[Any] | None, settings: RagSettings, progress: gr.Progress | None = gr.Progress()  # noqa: B008 (how Gradio injects progress)
                 ) -> tuple[str, str, Any, str]:
    """Articles-tab handler: store and index the dropped files; per-file results, table, choices, header."""
    tick = (lambda done, total: progress((done, total), desc="Indexing", unit="chunks")) if progress else None
    pairs = [(Path(str(f)), Path(str(f)).name) for f in files or []]
    try:
        results = results_html(add_uploads(pairs, settings, on_progress=tick)) if pairs else \
            "<p class='nr-empty'>Drop one or more article files first.</p>"
        _prepare_in_background(settings)  # the new articles' sentences, as at start
    except RagError as exc:
        results = error_html(str(exc))
    return (results, *_articles_view(settings))


def fetch_url(url: str, settings: RagSettings, progress: gr.Progress | None = gr.Progress()  # noqa: B008 (how Gradio injects progress)
              ) -> tuple[str, str, Any, str, str]:
    """Articles-tab handler: fetch and index one URL; result, table, choices, header, emptied URL box."""
    tick = (lambda done, total: progress((done, total), desc="Indexing", unit="chunks")) if progress else None
    try:
        result = results_html([add_url(url or "", settings, on_progress=tick)])
        _prepare_in_background(settings)  # the new article's sentences, as at start
    except RagError as exc:
        result = error_html(str(exc))
    return (result, *_articles_view(settings), "")


def ask_to_delete(source: str | None) -> tuple[str, Any, str | None]:
    """Articles-tab handler for Delete: a question naming the article, the Confirm/Cancel row, the pending id.

    Nothing is deleted here. Why a second step: a delete cannot be undone (an uploaded file goes with
    its article), and the dropdown makes it easy to pick the wrong one.
    """
    if not source:
        return "<p class='nr-empty'>Choose an article to delete.</p>", gr.update(visible=False), None
    question = (f"<p class='nr-confirm'>Delete {html_escape(source)} from the index? "
                "This cannot be undone. Confirm or cancel below.</p>")
    return question, gr.update(visible=True), source


def cancel_delete(source: str | None) -> tuple[str, Any, None]:
    """Articles-tab handler for Cancel: nothing deleted, the confirmation row hidden."""
    kept = f" {html_escape(source)} is kept." if source else ""
    return f"<p class='nr-cancelled'>Nothing was deleted.{kept}</p>", gr.update(visible=False), None


def confirm_delete(source: str | None, settings: RagSettings) -> tuple[str, str, Any, str, Any, None]:
    """Articles-tab handler for Confirm: delete the article the question named (not whatever the dropdown
    shows now); message, table, choices, header, hidden confirmation row, cleared pending id."""
    return (*remove_article(source, settings), gr.update(visible=False), None)


def remove_article(source: str | None, settings: RagSettings) -> tuple[str, str, Any, str]:
    """Articles-tab handler: delete the chosen article; a sentence, table, choices, header."""
    if not source:
        return ("<p class='nr-empty'>Choose an article to delete.</p>", *_articles_view(settings))
    try:
        message = f"<p class='nr-deleted'>{html_escape(delete_article(source, settings))}</p>"
    except RagError as exc:
        message = error_html(str(exc))
    return (message, *_articles_view(settings))


def build_app(settings: RagSettings | None = None) -> gr.Blocks:
    """The chat UI as a Gradio Blocks app (not launched): a Chat tab and an Articles tab."""
    settings = settings or get_settings()
    limit = settings.ui_concurrency
    with gr.Blocks(title="newsrag") as demo:
        header = gr.HTML(header_html(settings))
        turns = gr.State([])
        with gr.Tabs(elem_id="nr-tabs"):
            with gr.Tab("Chat", id="chat-tab"), gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=300):
                    # No fixed pixel height: style.css sizes the chat to the viewport so the input stays in view.
                    chatbot = gr.Chatbot(
                        label="Chat", show_label=False, elem_id="chat", sanitize_html=True,
                        allow_tags=False, latex_delimiters=[], feedback_options=None, buttons=[],
                        group_consecutive_messages=False, height="clamp(220px, calc(100dvh - 340px), 720px)",
                        placeholder="**Ask a question about the articles**<br>or pick an example below.",
                    )
                    with gr.Row(elem_id="nr-ask-row"):
                        box = gr.Textbox(placeholder="Ask about the articles…", show_label=False,
                                         elem_id="question", max_lines=4, scale=5, autofocus=True)
                        send = gr.Button("Ask", variant="primary", elem_id="ask", scale=1, min_width=64)
                    with gr.Row(elem_id="nr-examples"):
                        example_buttons = [gr.Button(q, size="sm", variant="secondary") for q in EXAMPLES]
                    clear = gr.Button("Clear conversation", elem_id="clear", size="sm", variant="stop")
                with gr.Column(scale=2, min_width=300, elem_id="sources-box"):
                    gr.HTML("<h3>Sources</h3>")
                    sources = gr.HTML(panel_html([]), elem_id="sources")
            with gr.Tab("Articles", id="articles-tab"):
                table = gr.HTML(articles_html(_list(settings)), elem_id="nr-article-list")
                if settings.ui_readonly:
                    gr.HTML(f"<p class='nr-readonly'>{html_escape(READONLY_MESSAGE)}</p>", elem_id="nr-readonly")
                else:
                    with gr.Row():
                        with gr.Column(min_width=300):
                            files = gr.File(label=f"Drop article files ({' '.join(SUPPORTED_SUFFIXES)})",
                                            file_count="multiple", file_types=list(SUPPORTED_SUFFIXES),
                                            elem_id="nr-upload")
                            add_files = gr.Button("Add files", variant="primary", elem_id="nr-add-files")
                        with gr.Column(min_width=300):
                            url = gr.Textbox(label="Or add an article by its web address", elem_id="nr-url",
                                             placeholder="https://…")
                            add_link = gr.Button("Add URL", elem_id="nr-add-url")
                            choice = gr.Dropdown(label="Delete an article", choices=_ids(settings),
                                                 elem_id="nr-delete-choice", interactive=True)
                            delete = gr.Button("Delete", variant="stop", elem_id="nr-delete")
                            with gr.Row(visible=False, elem_id="nr-delete-confirm-row") as confirm_row:
                                confirm = gr.Button("Yes, delete it", variant="stop", elem_id="nr-delete-confirm")
                                cancel = gr.Button("Cancel", elem_id="nr-delete-cancel")
                            doomed = gr.State(None)  # the article the confirmation question names
                    result = gr.HTML("", elem_id="nr-ingest-result")
                    writes = {"concurrency_limit": 1, "concurrency_id": "corpus", "api_visibility": "private"}
                    add_files.click(partial(upload_files, settings=settings), [files],
                                    [result, table, choice, header], **writes).then(lambda: None, None, files)
                    add_link.click(partial(fetch_url, settings=settings), [url],
                                   [result, table, choice, header, url], **writes)
                    url.submit(partial(fetch_url, settings=settings), [url],
                               [result, table, choice, header, url], **writes)
                    local = {"queue": False, "api_visibility": "private"}
                    delete.click(ask_to_delete, [choice], [result, confirm_row, doomed], **local)
                    cancel.click(cancel_delete, [doomed], [result, confirm_row, doomed], **local)
                    confirm.click(partial(confirm_delete, settings=settings), [doomed],
                                  [result, table, choice, header, confirm_row, doomed], **writes)

        outputs = [chatbot, sources, box, turns]
        chat = gr.on([box.submit, send.click], partial(respond, settings=settings), [box, turns], outputs,
                     api_name="chat", concurrency_limit=limit, concurrency_id="answer")
        events = [chat]
        for button, question in zip(example_buttons, EXAMPLES, strict=True):
            events.append(button.click(partial(respond, question, settings=settings), [turns], outputs,
                                       api_visibility="private", concurrency_limit=limit, concurrency_id="answer"))
        clear.click(lambda: ([], panel_html([]), "", []), None, outputs, queue=False, cancels=events,
                    api_visibility="private")
        # The chat's own trash icon empties the chat only: forget the turns and sources too.
        chatbot.clear(lambda: (panel_html([]), []), None, [sources, turns], queue=False, cancels=events,
                      api_visibility="private")

        def ask(question: str) -> dict:
            """The full answer as JSON (Answer.to_dict()), or {"error": message}."""
            return ask_api(question, settings)

        gr.api(ask, api_name="ask", concurrency_limit=limit, concurrency_id="answer")
    demo.queue(default_concurrency_limit=limit)
    return demo


def _list(settings: RagSettings) -> list:
    try:
        return rag.list_articles(settings)
    except RagError as exc:  # the tab is informational; the chat reports real problems per question
        log.warning("could not list articles: %s", exc)
        return []


def _ids(settings: RagSettings) -> list[str]:
    return [a.source for a in _list(settings)]


def launch_options(settings: RagSettings) -> dict[str, Any]:
    """Keyword arguments for `Blocks.launch`: bind address, auth, theme, CSS and the marker-link JS."""
    auth = None
    if settings.ui_auth:
        user, sep, password = settings.ui_auth.partition(":")
        if not (user and sep and password):  # never start unprotected when protection was asked for
            raise RagError("RAG_UI_AUTH must look like 'user:password'; fix it or unset it.")
        auth = (user, password)
    return {
        "server_name": settings.ui_host, "server_port": settings.ui_port, "share": False, "auth": auth,
        "show_error": False, "theme": gr.themes.Soft(primary_hue="blue", secondary_hue="slate"),
        "css": (ASSETS / "style.css").read_text(encoding="utf-8"),
        # Gradio refuses bigger uploads before writing them; ui/articles.py then applies the exact limits.
        "max_file_size": max(settings.ui_max_request_bytes, settings.max_file_bytes),
        "js": (ASSETS / "app.js").read_text(encoding="utf-8"),
    }


def _warm_and_prepare(settings: RagSettings) -> None:
    """Load the models, then prepare the index's sentences (see `_prepare`). Errors are left for the first
    question."""
    warm(settings)
    _prepare(settings)


_prepare_lock = threading.Lock()  # one run at a time: a second one (after an upload) waits, then skips what is done


def _prepare(settings: RagSettings) -> None:
    """With RAG_PREPARE_ON_START, parse and embed every indexed sentence not on disk yet, so first answers about
    any article only read them back (rag/prepare.py)."""
    if not settings.prepare_on_start:
        return
    from rag.answering import get_pipeline
    from rag.prepare import prepare

    with _prepare_lock:
        try:
            report = prepare(get_pipeline(settings))
            log.info("prepared %d sentences in %.1f s", report.sentences, report.seconds)
        except Exception as exc:  # work ahead of questions: a question meets the same error and reports it
            log.warning("preparing the index's sentences stopped: %s", exc)


def _prepare_in_background(settings: RagSettings) -> None:
    threading.Thread(target=_prepare, args=(settings,), daemon=True, name="prepare").start()


def launch(host: str | None = None, port: int | None = None, settings: RagSettings | None = None) -> None:
    """Warm the pipeline (ingesting the corpus if the index is empty), then serve the UI."""
    settings = settings or get_settings()
    rag.article_count(settings)  # builds the index (ingesting the corpus if empty) before the first question
    # The models load while the server starts, so the first question does not wait ~1 s for them.
    threading.Thread(target=_warm_and_prepare, args=(settings,), daemon=True, name="warm").start()
    options = launch_options(settings)
    options["server_name"] = host or options["server_name"]
    options["server_port"] = port or options["server_port"]
    build_app(settings).launch(**options)
