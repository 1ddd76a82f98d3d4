"""HTML for the chat bubbles: the streaming answer, the final answer with clickable [n] markers,
abstentions, conflicts, notices and errors.

Everything from articles, models or users is escaped here, so markup in them shows as text and never
runs. Each bubble is wrapped in a <div> so Gradio's Markdown renderer leaves the text alone (no stray
italics or LaTeX from news text). The sources panel lives in ui/sources.py.
"""

from __future__ import annotations

import re
from html import escape

from rag.models import Answer
from rag.provenance import newer_sentence
from rag.ui.sources import cite_id

_MARKER = re.compile(r"\[(\d+)\]")


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{p}</p>" for p in text.split("\n\n") if p.strip()) or "<p></p>"


def user_html(question: str, limit: int) -> str:
    """The user's bubble (long questions shortened for display only)."""
    shown = question if len(question) <= limit else question[:limit] + "…"
    return f"<div class='nr-user'>{_paragraphs(escape(shown))}</div>"


def streaming_html(text: str) -> str:
    """The provisional answer while it streams: plain escaped text and a cursor."""
    if not text.strip():
        return "<div class='nr-answer nr-streaming'><p class='nr-wait'>Searching the articles…</p></div>"
    body = escape(text.rstrip()).replace("\n\n", "</p><p>")
    return f"<div class='nr-answer nr-streaming'><p>{body}<span class='nr-cursor'>▍</span></p></div>"


def _linked(text: str, answer: Answer, turn: int) -> str:
    """Escaped answer text with each [n] turned into a link to its source in the panel."""
    titles = {c.n: f"{c.title} — {c.source}" + (" (partial: the quote states part of the sentence)"
                                                 if c.support == "partial" else "") for c in answer.citations}
    partial = {c.n for c in answer.citations if c.support == "partial"}

    def link(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if n not in titles:  # never happens for verified answers; keep the text rather than a dead link
            return m.group(0)
        # A partial citation looks different (dashed, marked "½") so it never reads as full support.
        kind, mark = ("nr-cite nr-partial", "½") if n in partial else ("nr-cite", "")
        return f"<a class='{kind}' href='#{cite_id(turn, n)}' title='{escape(titles[n])}'>{n}{mark}</a>"

    return _MARKER.sub(link, escape(text, quote=False))


def answer_html(answer: Answer, turn: int) -> str:
    """The final bubble: linked answer, or a distinct abstention; conflict badge, notice and footer."""
    seconds = answer.timings.get("total")
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    who = "the offline answerer (verbatim quotes)" if answer.answerer == "extractive" else escape(answer.answerer[4:])
    notice = (f"<div class='nr-notice'>⚠ {escape(answer.notice)}</div>" if answer.notice else "")
    if answer.abstained:
        return (
            "<div class='nr-answer nr-abstain'><div class='nr-badge'>Not in the articles</div>"
            f"{_paragraphs(escape(answer.text))}"
            "<p class='nr-hint'>Try rephrasing, or ask about something the articles cover.</p>"
            f"{notice}</div>"
        )
    badge = ("<div class='nr-badge nr-badge-conflict'>⚖ Sources disagree: both sides are cited</div>"
             if answer.conflict else "")
    kind = "nr-answer nr-conflict" if answer.conflict else "nr-answer"
    n_sources = len({c.source for c in answer.citations})
    plural = "s" if n_sources != 1 else ""
    footer = f"<div class='nr-meta'>{n_sources} source{plural} · answered by {who}{took}</div>"
    short = ""
    if answer.short_answer:  # the asked-for detail first, bold, with its citation; the quote follows
        short = (f"<p class='nr-short'><strong>{escape(answer.short_answer.text, quote=False)}</strong> "
                 f"{_linked(f'[{answer.short_answer.n}]', answer, turn)}</p>")
    body = _paragraphs(_linked(answer.text, answer, turn))
    # Which report is newer is part of the answer when sources disagree, not only of the sources panel:
    # a reader deciding between two figures needs it next to them.
    newer = newer_sentence(answer) if answer.conflict else None
    newer_p = f"<p class='nr-newer'>{_linked(newer, answer, turn)}</p>" if newer else ""
    return f"<div class='{kind}'>{badge}{short}{body}{newer_p}{notice}{footer}</div>"


def error_html(message: str) -> str:
    """A friendly error bubble (the message is one of ours, still escaped)."""
    return f"<div class='nr-answer nr-error'><p>⚠ {escape(message)}</p></div>"
