"""Turn claims with evidence into answer text with [n] markers and citations numbered by first use."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.models import Citation, Sentence


@dataclass
class Evidence:
    """A verbatim quote backing a claim."""

    source: str
    title: str
    quote: Sentence
    # "verified": this quote alone passed every check; "partial": it states only part of the claim (the
    # claim was merged from several quotes) or the LLM entailment pass answered PARTIAL.
    support: str = "verified"
    checks: tuple[str, ...] = ("verbatim",)  # what was checked (the extractive answerer quotes verbatim)


@dataclass
class Claim:
    """One answer sentence and the quotes that back it (at least one for a factual sentence)."""

    text: str
    evidence: list[Evidence] = field(default_factory=list)


def compose(claims: list[Claim]) -> tuple[str, list[Citation]]:
    """Answer text where each sentence ends with its markers, and the citations, numbered 1..n by first use.

    The same quote cited twice gets one number; claims without evidence are written without markers.
    """
    numbers: dict[tuple[str, int, int], int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for claim in claims:
        marks: list[int] = []
        for ev in claim.evidence:
            key = (ev.source, ev.quote.start, ev.quote.end)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                citations.append(Citation(n=numbers[key], source=ev.source, title=ev.title,
                                          quote=ev.quote.text, start=ev.quote.start, end=ev.quote.end,
                                          support=ev.support, checks=ev.checks))
            if numbers[key] not in marks:
                marks.append(numbers[key])
        sentence = " ".join(claim.text.split())
        parts.append(sentence + ("" if not marks else " " + "".join(f"[{n}]" for n in marks)))
    return " ".join(parts), citations
