"""The offline answerer: pick the sentences of the retrieved passages that best answer the question
and quote them verbatim, each with its citation. No generative model, so answers are exact quotes.

Sentence score = 0.55 * embedding similarity to the question + 0.45 * idf-weighted share of the
question's content words present. Abstains when the best score is under `abstain_threshold`.
Does not paraphrase or merge facts across sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from rag.cite.compose import Claim, Evidence
from rag.cite.support import Embed, coverage, idf_weights, numbers_in
from rag.models import Passage
from rag.retrieve.fusion import sentence_key

DENSE_WEIGHT = 0.55
NEAR_BEST = 0.06  # a second sentence joins the answer when it scores this close to the best
REDUNDANT_COS = 0.8  # ... and is not a near-paraphrase of a sentence already chosen
CONFLICT_COS = 0.45  # two sentences this similar with different numbers are a disagreement
CONFLICT_WINDOW = 0.15  # ... when the second scores at most this far below the best
MIN_WORDS = 5
ANSWER_TYPE_BONUS = 0.06
_ANSWER_TYPES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(q, re.IGNORECASE), re.compile(a))
    for q, a in (
        (r"^\s*how (long|many (hours|days|weeks|months|years))\b",
         r"(?i)\b(hours?|days?|weeks?|months?|years?|minutes?)\b"),
        (r"^\s*how (many|much)\b|\bwhat (number|percentage|amount)\b", r"\d|\b(?i:one|two|three|four|five|"
         r"six|seven|eight|nine|ten|dozens?|hundreds?|thousands?|millions?|billions?)\b"),
        (r"^\s*when\b|\bwhat (day|date|year|month)\b",
         r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|"
         r"June|July|August|September|October|November|December|\d{4}|(?i:yesterday|today|last week))\b"),
        (r"^\s*where\b", r"\b(in|at|from|to) (the )?[A-Z]"),
        (r"^\s*who(m|se)?\b", r"[A-Z][a-z]+ [A-Z][a-z]+"),
    )
)


@dataclass
class _Candidate:
    text: str
    evidence: list[Evidence] = field(default_factory=list)
    score: float = 0.0


@dataclass
class ExtractiveResult:
    """Chosen claims (empty when abstaining) and how confident the choice was."""

    claims: list[Claim]
    abstained: bool
    conflict: bool
    best_score: float


def _candidates(passages: list[Passage]) -> list[_Candidate]:
    by_key: dict[str, _Candidate] = {}
    for passage in passages:
        for p in [passage, *passage.copies]:
            for sent in p.sentences:
                if len(sent.text.split()) < MIN_WORDS:
                    continue
                cand = by_key.setdefault(sentence_key(sent.text), _Candidate(sent.text))
                if all(e.source != p.source for e in cand.evidence):
                    cand.evidence.append(Evidence(p.source, p.title, sent))
    return list(by_key.values())


def _answer_type_bonus(question: str, cands: list[_Candidate]) -> np.ndarray:
    """Favour sentences holding the kind of thing asked for (a place for 'where', a number for 'how many')."""
    for asks, looks_like in _ANSWER_TYPES:
        if asks.search(question):
            return np.array([ANSWER_TYPE_BONUS if looks_like.search(c.text) else 0.0 for c in cands])
    return np.zeros(len(cands))


def extractive_answer(question: str, passages: list[Passage], embed: Embed, abstain_threshold: float,
                      max_sentences: int, context: str | None = None) -> ExtractiveResult:
    """Answer `question` from `passages`; `context` (the condensed follow-up) also steers the choice."""
    cands = _candidates(passages)
    if not cands:
        return ExtractiveResult([], True, False, 0.0)
    queries = [question] + ([context] if context and context != question else [])
    vecs = embed(queries + [c.text for c in cands])
    qvecs, svecs = vecs[: len(queries)], vecs[len(queries):]
    idf = idf_weights([c.text for c in cands])
    dense = (svecs @ qvecs.T).mean(axis=1)
    lex = np.array([np.mean([coverage(q, c.text, idf) for q in queries]) for c in cands])
    scores = DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * lex + _answer_type_bonus(question, cands)
    for c, s in zip(cands, scores, strict=True):
        c.score = float(s)
    order = [int(i) for i in np.argsort(-scores)]
    best = order[0]
    if scores[best] < abstain_threshold:
        return ExtractiveResult([], True, False, float(scores[best]))

    chosen = [best]
    conflict = False
    best_numbers = numbers_in(cands[best].text)
    best_sources = {e.source for e in cands[best].evidence}
    for i in order[1:]:
        if len(chosen) >= max_sentences or scores[i] < abstain_threshold:
            break
        sim_to_chosen = max(float(svecs[i] @ svecs[j]) for j in chosen)
        other_numbers = numbers_in(cands[i].text)
        disagrees = (
            best_numbers and other_numbers and best_numbers != other_numbers
            and not ({e.source for e in cands[i].evidence} & best_sources)
            and float(svecs[i] @ svecs[best]) >= CONFLICT_COS
            and scores[i] >= scores[best] - CONFLICT_WINDOW
        )
        if disagrees:
            conflict = True
            chosen.append(i)
        elif scores[i] >= scores[best] - NEAR_BEST and sim_to_chosen < REDUNDANT_COS:
            chosen.append(i)
    claims = [Claim(text=cands[i].text, evidence=cands[i].evidence) for i in chosen]
    return ExtractiveResult(claims, False, conflict, float(scores[best]))
