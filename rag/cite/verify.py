"""Check a model-written draft against the passages it was given.

For every sentence: markers out of range are removed; each remaining citation must be backed by a
verbatim quote from its passage; a sentence whose citations fail is re-attributed to the passage that
does support it, or dropped. Nothing unverified survives. Does not call any model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.cite.compose import Claim, Evidence
from rag.cite.markers import extract_markers, split_answer_sentences
from rag.cite.support import best_support
from rag.models import Embed, Passage
from rag.text import content_terms, idf_weights

SUPPORT_MIN = 0.5  # support score a quote needs to back a sentence


@dataclass
class VerifiedDraft:
    """The draft's sentences that survived, with evidence, and a record of what was repaired."""

    claims: list[Claim]
    dropped: list[str] = field(default_factory=list)
    removed_markers: list[int] = field(default_factory=list)
    reattributed: int = 0


def verify_draft(draft: str, passages: list[Passage], embed: Embed | None = None) -> VerifiedDraft:
    """Keep only sentences a passage verifiably supports, each with its best quote(s)."""
    result = VerifiedDraft(claims=[])
    idf = idf_weights([s.text for p in passages for s in p.sentences])
    sentences = [extract_markers(s) for s in split_answer_sentences(draft)]
    vecs = embed([t for t, _ in sentences]) if embed is not None and sentences else None
    for i, (text, numbers) in enumerate(sentences):
        if not content_terms(text):
            continue  # "Here is what I found:" carries no fact and needs no citation; leave it out
        claim_vec = vecs[i] if vecs is not None else None
        evidence: list[Evidence] = []
        for n in numbers:
            if not 1 <= n <= len(passages):
                result.removed_markers.append(n)
                continue
            passage = passages[n - 1]
            score, quote = best_support(text, passage, idf, claim_vec, embed)
            if quote is not None and score >= SUPPORT_MIN:
                evidence.append(Evidence(passage.source, passage.title, quote))
        if not evidence:
            scored = [(best_support(text, p, idf, claim_vec, embed), p) for p in passages]
            (score, quote), passage = max(scored, key=lambda x: x[0][0], default=((0.0, None), None))
            if quote is not None and passage is not None and score >= SUPPORT_MIN:
                evidence.append(Evidence(passage.source, passage.title, quote))
                result.reattributed += 1
        if evidence:
            result.claims.append(Claim(text=text, evidence=evidence))
        else:
            result.dropped.append(text)
    return result
