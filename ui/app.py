"""The Gradio chat: streams answers, shows the cited sources beside them, handles follow-ups.

Binds to 127.0.0.1 by default; analytics are off so launching makes no outside network calls.
"""

from __future__ import annotations

import html
import logging
import os
from collections.abc import Iterator

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr

from rag.answering import get_pipeline
from rag.errors import InvalidQuestionError, RagError
from rag.models import Answer
from rag.settings import RagSettings, get_settings
from ui.render import answer_markdown, sources_html

log = logging.getLogger(__name__)

EXAMPLES = [
    "Where did Witkoff meet Putin?",
    "How many people were killed in the strikes on Kyiv?",
    "Who was Ksenia Karelina exchanged for?",
    "What did Klitschko say about giving up territory?",
]

CSS = """
.sources mark { background: #fff3a3; padding: 0 2px; }
.source-card { border: 1px solid #ddd; border-radius: 8px; padding: 8px 10px; margin-bottom: 8px; }
.source-title { font-weight: 600; }
.source-file, .offsets { font-size: 0.8em; color: #777; }
.source-quote { margin-top: 6px; }
.cite-num { font-weight: 600; }
.ctx { color: #555; }
.sources-empty { color: #777; font-style: italic; }
"""

Messages = list[dict]


def _header(settings: RagSettings) -> str:
    model = f"LLM `{settings.llm_model}`" if settings.llm_enabled else "offline extractive answerer (no LLM configured)"
    return (f"## newsrag\nAsk about the articles in `{html.escape(str(settings.corpus_dir))}`. "
            f"Answering with the {model}; every sentence cites a verbatim quote.")


def respond(message: str, history: Messages, settings: RagSettings | None = None
            ) -> Iterator[tuple[Messages, str, str]]:
    """Chat handler: yields (chat history, sources HTML, textbox value) while the answer streams."""
    settings = settings or get_settings()
    history = list(history or [])
    prior = list(history)
    shown = message if isinstance(message, str) else ""
    history = [*history, {"role": "user", "content": html.escape(shown, quote=False)[:2000]},
               {"role": "assistant", "content": "…"}]
    yield history, sources_html(None), ""
    try:
        streamed = ""
        final: Answer | None = None
        for item in get_pipeline(settings).answer_stream(message, _plain(prior)):
            if isinstance(item, Answer):
                final = item
            else:
                streamed += item
                history[-1] = {"role": "assistant", "content": html.escape(streamed, quote=False)}
                yield history, sources_html(None), ""
        assert final is not None
        history[-1] = {"role": "assistant", "content": answer_markdown(final)}
        yield history, sources_html(final), ""
    except InvalidQuestionError as exc:
        history[-1] = {"role": "assistant", "content": f"⚠️ {html.escape(str(exc))}"}
        yield history, sources_html(None), shown if len(shown) < 5000 else ""
    except RagError as exc:
        history[-1] = {"role": "assistant", "content": f"⚠️ {html.escape(str(exc))}"}
        yield history, sources_html(None), ""
    except Exception:
        log.exception("answer failed")
        history[-1] = {"role": "assistant",
                       "content": "⚠️ Something went wrong while answering. Please try again."}
        yield history, sources_html(None), ""


def _plain(history: Messages) -> Messages:
    """History as plain text for condensing follow-ups (HTML escapes undone, markers kept)."""
    return [{"role": m.get("role"), "content": html.unescape(str(m.get("content", "")))} for m in history]


def build_app(settings: RagSettings | None = None) -> gr.Blocks:
    """The chat UI as a Gradio Blocks app (not launched)."""
    settings = settings or get_settings()
    with gr.Blocks(title="newsrag") as demo:
        gr.Markdown(_header(settings))
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Chat", height=520, sanitize_html=True, elem_id="chat")
                box = gr.Textbox(placeholder="Ask a question about the articles…", show_label=False,
                                 elem_id="question", max_lines=4)
                with gr.Row():
                    send = gr.Button("Ask", variant="primary", elem_id="ask")
                    clear = gr.Button("Clear conversation", elem_id="clear")
                gr.Examples(EXAMPLES, inputs=box, label="Try")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources = gr.HTML(sources_html(None), elem_id="sources")

        def handler(message: str, history: Messages) -> Iterator[tuple[Messages, str, str]]:
            yield from respond(message, history, settings)

        for trigger in (box.submit, send.click):
            trigger(handler, [box, chatbot], [chatbot, sources, box],
                    concurrency_limit=settings.ui_concurrency)
        clear.click(lambda: ([], sources_html(None), ""), None, [chatbot, sources, box], queue=False)
    demo.queue(default_concurrency_limit=settings.ui_concurrency)
    return demo


def launch(host: str | None = None, port: int | None = None, settings: RagSettings | None = None) -> None:
    """Warm the pipeline (ingesting the corpus if the index is empty), then serve the UI."""
    settings = settings or get_settings()
    get_pipeline(settings).retriever  # noqa: B018  (build the index before the first question)
    auth = tuple(settings.ui_auth.split(":", 1)) if settings.ui_auth and ":" in settings.ui_auth else None
    build_app(settings).launch(
        server_name=host or settings.ui_host, server_port=port or settings.ui_port, share=False,
        auth=auth, css=CSS, show_error=False,
    )
