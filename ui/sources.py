"""HTML for the sources panel: each cited article once, its quotes highlighted inside the passage.

Every piece of article text is escaped here (articles can contain markup, even <script>); the only
markup in the output is ours. Ids follow `nr-src-<turn>-<n>` so the [n] markers in the chat can
link to them. Does not decide what is cited: that is the answer's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from itertools import pairwise
from urllib.parse import urlsplit

from rag.models import Answer, Citation, Sentence
from rag.provenance import newer_sentence

# One sentence of context either side of a quote: enough to read it in place, short enough to scan.
_CONTEXT_SENTENCES = 1


def cite_id(turn: int, n: int) -> str:
    """The element id of citation `n` of answer `turn` in the sources panel."""
    return f"nr-src-{turn}-{n}"


@dataclass
class _Segment:
    """A run of article text covered by the same set of citations (empty set = context)."""

    start: int
    end: int
    text: str
    cites: tuple[int, ...]


def _article_sentences(answer: Answer, source: str) -> list[Sentence]:
    """Every retrieved sentence of `source`, in file order, each once."""
    seen: dict[int, Sentence] = {}
    for passage in answer.passages:
        for candidate in [passage, *passage.copies]:
            if candidate.source != source:
                continue
            for s in candidate.sentences:
                if len(s.text) == s.end - s.start:  # offsets must index the text for highlighting to be exact
                    seen.setdefault(s.start, s)
    return [seen[k] for k in sorted(seen)]


def _windows(sentences: list[Sentence], cites: list[Citation]) -> list[list[Sentence]]:
    """Runs of consecutive sentences around the quotes; overlapping or touching runs are merged."""
    spans: list[tuple[int, int]] = []
    for c in cites:
        hit = [i for i, s in enumerate(sentences) if s.start < c.end and c.start < s.end]
        if not hit:
            continue
        spans.append((max(0, hit[0] - _CONTEXT_SENTENCES), min(len(sentences) - 1, hit[-1] + _CONTEXT_SENTENCES)))
    merged: list[list[int]] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return [sentences[lo : hi + 1] for lo, hi in merged]


def _segments(sentence: Sentence, cites: list[Citation]) -> list[_Segment]:
    """Split a sentence where quotes begin and end, so each piece is highlighted for the right citations."""
    cuts = {sentence.start, sentence.end}
    for c in cites:
        cuts.update(x for x in (c.start, c.end) if sentence.start < x < sentence.end)
    points = sorted(cuts)
    out = []
    for a, b in pairwise(points):
        covering = tuple(c.n for c in cites if c.start <= a and b <= c.end)
        out.append(_Segment(a, b, sentence.text[a - sentence.start : b - sentence.start], covering))
    return out


def _render_window(window: list[Sentence], cites: list[Citation], turn: int) -> str:
    """One excerpt: context plain, quoted text in <mark>, the citation number after each quote's end."""
    by_n = {c.n: c for c in cites}
    first_seen: set[int] = set()
    parts: list[str] = []
    for i, sentence in enumerate(window):
        if i:
            parts.append(" ")
        for seg in _segments(sentence, cites):
            text = escape(seg.text)
            if not seg.cites:
                parts.append(f"<span class='nr-ctx'>{text}</span>")
                continue
            anchor = ""
            for n in seg.cites:
                if n not in first_seen:
                    first_seen.add(n)
                    anchor += f"<span class='nr-anchor' id='{cite_id(turn, n)}'></span>"
            ends = "".join(_back_link(turn, n) for n in seg.cites if by_n[n].end == seg.end)
            marks = " ".join(f"nr-c-{turn}-{n}" for n in seg.cites)
            if any(by_n[n].support == "partial" for n in seg.cites):
                marks += " nr-partial"
            parts.append(f"{anchor}<mark class='{marks}'>{text}</mark>{ends}")
    return "".join(parts)


def _back_link(turn: int, n: int) -> str:
    """The number after a quote; clicking it scrolls the chat to the marker (see assets/app.js)."""
    return f"<a class='nr-back' href='#{cite_id(turn, n)}' title='Show [{n}] in the answer'>{n}</a>"


def _fallback_quote(c: Citation, turn: int) -> str:
    """The quote alone, when its sentences were not among the retrieved passages."""
    return (f"<span class='nr-anchor' id='{cite_id(turn, c.n)}'></span>"
            f"<mark class='nr-c-{turn}-{c.n}{' nr-partial' if c.support == 'partial' else ''}'>{escape(c.quote)}</mark>"
            f"{_back_link(turn, c.n)}")


def link_html(url: str | None, label: str = "link") -> str:
    """An escaped link that opens in a new tab, only for http(s) URLs (a `javascript:` URL is never a link)."""
    if not url or urlsplit(url).scheme.lower() not in ("http", "https"):
        return ""
    return (f"<a class='nr-link' href='{escape(url)}' target='_blank' rel='noopener noreferrer nofollow' "
            f"title='{escape(url)}'>{escape(label)}</a>")


def meta_line(c: Citation) -> str:
    """Publisher · date · page · link of a citation's article, escaped; '' when its format carried none."""
    bits = [escape(x) for x in (c.publisher, (c.date or "")[:10], f"p. {c.page}" if c.page else "") if x]
    link = link_html(c.url, "open article ↗")
    if link:
        bits.append(link)
    return f"<div class='nr-meta-line'>{' · '.join(bits)}</div>" if bits else ""


def article_card(source: str, cites: list[Citation], answer: Answer, turn: int) -> str:
    """One article: title, file name, and its quoted passages (several quotes grouped)."""
    sentences = _article_sentences(answer, source)
    windows = _windows(sentences, cites)
    covered = {c.n for w in windows for s in w for c in cites if s.start < c.end and c.start < s.end}
    excerpts = [_render_window(w, cites, turn) for w in windows]
    excerpts += [_fallback_quote(c, turn) for c in cites if c.n not in covered]
    body = "".join(f"<p class='nr-excerpt'>{e}</p>" for e in excerpts)
    nums = "".join(f"<span class='nr-num nr-partial' title='partial: states part of its sentence'>{c.n}½</span>"
                   if c.support == "partial" else f"<span class='nr-num'>{c.n}</span>" for c in cites)
    title = escape(cites[0].title or source)
    offsets = ", ".join(f"[{c.n}] chars {c.start}–{c.end}" for c in cites)
    return (
        "<article class='nr-card'>"
        f"<div class='nr-card-head'><span class='nr-nums'>{nums}</span>"
        f"<span class='nr-title'>{title}</span></div>"
        f"<div class='nr-file' title='{escape(offsets)}'>{escape(source)}</div>"
        f"{meta_line(cites[0])}{body}</article>"
    )


def turn_sources(answer: Answer, turn: int) -> str:
    """The cards for one answer: only cited articles, each once, in order of first citation."""
    if answer.abstained or not answer.citations:
        return "<div class='nr-empty'>No sources: the articles don't answer this question.</div>"
    groups: dict[str, list[Citation]] = {}
    for c in sorted(answer.citations, key=lambda c: c.n):
        groups.setdefault(c.source, []).append(c)
    cards = "".join(article_card(src, cites, answer, turn) for src, cites in groups.items())
    note = ""
    if answer.conflict:
        newer = newer_sentence(answer)
        newer = f" {escape(newer)}" if newer else ""
        note = ("<div class='nr-conflict-note'>⚖ These articles disagree. "
                f"Compare the highlighted quotes.{newer}</div>")
    return note + cards


def panel_html(sections: list[tuple[int, str, str]], pending: tuple[int, str] | None = None) -> str:
    """The whole panel, newest answer first and open; older answers folded.

    `sections` holds (turn, question, cards HTML) per answered turn; `pending` a turn being answered.
    """
    if not sections and pending is None:
        return ("<div class='nr-sources'><div class='nr-empty'>Ask a question: the passages each answer "
                "quotes appear here, with the quoted words highlighted.</div></div>")
    parts = []
    if pending is not None:
        turn, question = pending
        parts.append(
            f"<section class='nr-turn' id='nr-turn-{turn}'><details open><summary>"
            f"<span class='nr-q'>{escape(question)}</span></summary>"
            "<div class='nr-empty nr-loading'>Searching the articles…</div></details></section>"
        )
    for i, (turn, question, cards) in enumerate(reversed(sections)):
        is_open = " open" if i == 0 and pending is None else ""
        parts.append(
            f"<section class='nr-turn' id='nr-turn-{turn}'><details{is_open}><summary>"
            f"<span class='nr-q'>{escape(question)}</span></summary>{cards}</details></section>"
        )
    return "<div class='nr-sources'>" + "".join(parts) + "</div>"
