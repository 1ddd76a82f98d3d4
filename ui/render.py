"""HTML for the sources panel and chat bubbles. Everything from articles or models is escaped here:
article text can contain markup (even <script>), and it must show as text, never run.
"""

from __future__ import annotations

import html

from rag.models import Answer, Citation, Passage


def answer_markdown(answer: Answer) -> str:
    """The chat bubble for an answer: escaped text, with abstentions and conflicts marked."""
    text = html.escape(answer.text, quote=False)
    if answer.abstained:
        text = f"🔎 {text}"
    elif answer.conflict:
        text = f"⚖️ {text}"
    if answer.notice:
        text = f"{text}\n\n_{html.escape(answer.notice, quote=False)}_"
    return text


def _context_for(citation: Citation, passages: list[Passage]) -> tuple[str, str, str]:
    """(before, quote, after): the quote with some surrounding passage text, for highlighting."""
    for p in passages:
        for candidate in [p, *p.copies]:
            if candidate.source == citation.source and candidate.start <= citation.start < candidate.end + 1:
                sents = candidate.sentences
                before = " ".join(s.text for s in sents if s.end <= citation.start)[-300:]
                after = " ".join(s.text for s in sents if s.start >= citation.end)[:300]
                return before, citation.quote, after
    return "", citation.quote, ""


def sources_html(answer: Answer | None) -> str:
    """The sources panel: each cited article once, with every quote from it highlighted in context."""
    if answer is None:
        return "<div class='sources-empty'>Sources of the latest answer appear here.</div>"
    if answer.abstained or not answer.citations:
        return "<div class='sources-empty'>No sources: the articles don't answer this.</div>"
    groups: dict[str, list[Citation]] = {}
    for c in answer.citations:
        groups.setdefault(c.source, []).append(c)
    parts = []
    for source, cites in groups.items():
        title = html.escape(cites[0].title)
        items = []
        for c in cites:
            before, quote, after = _context_for(c, answer.passages)
            items.append(
                f"<div class='source-quote' id='source-{c.n}' data-citation='{c.n}'>"
                f"<span class='cite-num'>[{c.n}]</span> "
                f"<span class='ctx'>{html.escape(before)}</span> "
                f"<mark>{html.escape(quote)}</mark> "
                f"<span class='ctx'>{html.escape(after)}</span>"
                f"<div class='offsets'>characters {c.start}–{c.end}</div></div>"
            )
        parts.append(
            f"<div class='source-card' data-source='{html.escape(source)}'>"
            f"<div class='source-title'>{title}</div>"
            f"<div class='source-file'>{html.escape(source)}</div>{''.join(items)}</div>"
        )
    return "<div class='sources'>" + "".join(parts) + "</div>"
