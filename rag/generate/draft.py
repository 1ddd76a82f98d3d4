"""What an answerer hands back before citations are numbered: claims with their evidence, or nothing
(an abstention). Both answerers (extractive and LLM) produce one; `rag.answering` composes it."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.cite.compose import Claim, Evidence


@dataclass(frozen=True)
class ShortSpan:
    """The exact answer ("St. Petersburg", "four and a half hours") inside the quote of `evidence`."""

    text: str
    evidence: Evidence


@dataclass
class Draft:
    """Claims backed by verbatim quotes; no claims means "the articles don't say"."""

    claims: list[Claim] = field(default_factory=list)
    conflict: bool = False  # the claims report a disagreement between sources
    short: ShortSpan | None = None  # the direct answer, when the question asks for a name, place, date, number
    notice: str | None = None  # something the user should know about how it was checked (prompts.ENTAIL_...)

    @property
    def abstained(self) -> bool:
        """True when there is nothing to say."""
        return not self.claims
