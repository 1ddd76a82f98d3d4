"""Where a citation comes from: the article's publisher, date, link and PDF page, and which of two
disagreeing reports is newer.

Citations are numbered by rag/cite/compose.py from quotes alone; this module copies onto them the
metadata the retrieved passages carry (rag/index/records.py put it there at ingest). It does not decide
what is cited or whether sources disagree: that is the answerer's job.
"""

from __future__ import annotations

from dataclasses import replace

from rag.models import Answer, Citation, Passage


def with_metadata(citations: list[Citation], passages: list[Passage]) -> list[Citation]:
    """`citations` with publisher, date, URL and (for PDFs) page filled from the passage each quote is in."""
    by_source: dict[str, list[Passage]] = {}
    for p in passages:
        for candidate in (p, *p.copies):
            by_source.setdefault(candidate.source, []).append(candidate)
    out = []
    for c in citations:
        found = by_source.get(c.source, [])
        # The passage holding the quote knows its page; any passage of the article knows the rest.
        holder = next((p for p in found if p.start <= c.start < p.end), found[0] if found else None)
        if holder is None:
            out.append(c)
            continue
        out.append(replace(c, publisher=holder.publisher, date=holder.date, url=holder.url,
                           page=holder.page_at(c.start)))
    return out


def newer_source(answer: Answer) -> str | None:
    """On a disagreement, the source of the most recently dated cited report; None when the answer reports
    no disagreement, fewer than two cited articles have dates, or the newest date is shared."""
    if not answer.conflict:
        return None
    dated: dict[str, str] = {}
    for c in answer.citations:
        if c.date:
            dated[c.source] = c.date[:10]  # the day: timestamps of one day are not "newer" reports
    if len(dated) < 2:
        return None
    newest = max(dated.values())
    winners = [s for s, d in dated.items() if d == newest]
    return winners[0] if len(winners) == 1 else None


def newer_sentence(answer: Answer) -> str | None:
    """'The newer report is [2] (Publisher, 2025-04-24).' for an answer with `newer_source`, else None."""
    if not answer.newer_source:
        return None
    c = next(c for c in answer.citations if c.source == answer.newer_source)
    who = ", ".join(x for x in (c.publisher, (c.date or "")[:10]) if x)
    return f"The newer report is [{c.n}] ({who})."
