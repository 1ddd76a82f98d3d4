"""The offline answerer: pick the sentences of the retrieved passages that best answer the question
and quote them verbatim, each with its citation. No generative model, so answers are exact quotes.

Sentence score = w * embedding similarity to the question + (1 - w) * idf-weighted share of the
question's content words present, plus a bonus when the sentence holds the kind of answer asked for; w, the
bonus and the abstain threshold are fitted (rules_weights.json, by `python -m rag.eval.fit_rules`).
The answer is the best sentence, plus any sentence of another source that disagrees with it.
A compound question ("Where did they meet, and how long did it last?") is answered part by part.
A part is not answered (abstains) when its best score is under `abstain_threshold`, when it asks for an
age, number or duration and no good sentence holds one, or when the attribute it asks about
("population", "weather") appears nowhere in the passages. Does not paraphrase or merge facts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from rag import nlp
from rag.cite.compose import Claim, Evidence
from rag.generate.asking import Asked, read_question, split_compound
from rag.generate.draft import Draft
from rag.generate.features import located_spans
from rag.generate.predicates import place_or_day_of_other
from rag.generate.question import AnswerType, answer_type, focus_terms, names_in, shows_type
from rag.models import Embed, Passage
from rag.text import content_terms, coverage, idf_weights, numbers_in, sentence_key

CONFLICT_COS = 0.45  # two sentences this similar with different numbers are a disagreement
CONFLICT_WINDOW = 0.15  # ... when the second scores at most this far below the best
MIN_WORDS = 5
PART_WEIGHT = 0.7  # a part of a compound question is scored 70% on itself, 30% on the whole question


WEIGHTS_FILE = Path(__file__).with_name("rules_weights.json")


@dataclass(frozen=True)
class RulesWeights:
    """The rules reader's fitted constants."""

    dense_weight: float  # share of embedding similarity in a sentence's score (the rest: word coverage)
    type_bonus: float  # added when the sentence holds the kind of answer asked for
    abstain_threshold: float  # best score below this: "not in the articles"


@lru_cache(maxsize=1)
def load_weights(path: Path = WEIGHTS_FILE) -> RulesWeights:
    """The fitted constants of the rules reader."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return RulesWeights(float(data["dense_weight"]), float(data["type_bonus"]), float(data["abstain_threshold"]))


@dataclass
class _Candidate:
    text: str
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class _Pick:
    chosen: list[int]
    conflict: bool


def _candidates(passages: list[Passage]) -> list[_Candidate]:
    by_key: dict[str, _Candidate] = {}
    for passage in passages:
        for p in [passage, *passage.copies]:
            for sent in p.sentences:
                if len(sent.text.split()) < MIN_WORDS or sent.text.strip(" .") == p.title.strip(" ."):
                    continue  # a headline is a teaser, not a statement of fact to quote
                cand = by_key.setdefault(sentence_key(sent.text), _Candidate(sent.text))
                if all(e.source != p.source for e in cand.evidence):
                    cand.evidence.append(Evidence(p.source, p.title, sent))
    return list(by_key.values())


class _Scorer:
    """Scores every candidate sentence against weighted queries; embeddings come from the shared cache."""

    def __init__(self, cands: list[_Candidate], embed: Embed, weights: RulesWeights) -> None:
        self.cands = cands
        self.weights = weights
        self.embed = embed
        self.svecs = embed([c.text for c in cands])
        self.idf = idf_weights([c.text for c in cands])

    def scores(self, queries: list[tuple[str, float]], kind: AnswerType | None, names: set[str],
               threshold: float, asked: Asked) -> np.ndarray:
        texts = [q for q, _ in queries]
        weights = np.array([w for _, w in queries]) / sum(w for _, w in queries)
        dense = (self.svecs @ self.embed(texts).T) @ weights
        lex = np.array([sum(w * coverage(q, c.text, self.idf) for q, w in queries) for c in self.cands])
        w = self.weights.dense_weight
        scores = w * dense + (1 - w) * lex
        if kind is not None:
            fits = np.array([_fits(kind, c.text, names, asked) for c in self.cands])
            scores = scores + self.weights.type_bonus * fits
            # "How old is X?" is never answered by X's job; "Who was X exchanged for?" by a sentence naming
            # someone new when one is good enough, else by the best sentence ("Who is X?": a description).
            good_fit = bool(np.any(fits & (scores >= threshold)))
            if kind.mode == "require" or (kind.mode == "prefer" and good_fit):
                scores = np.where(fits, scores, -np.inf)
        return scores


def _fits(kind: AnswerType, sentence: str, names: set[str], asked: Asked) -> bool:
    """Does `sentence` hold an answer of this kind? A person must also be named in the role the question word
    plays, read from the parse: "Who else did he meet?" is not answered by who urged (rag.generate.features).
    A place is read from the parse alone: a name after "in" is not always a place ("in Abu Dhabi", "in
    October"), a place is not always after "in" ("the Johannesburg Earth Summit"), and one side of an exchange
    "between Washington and Moscow" is not where it took place."""
    # a place, a date, "what kind of X": read from the parse (no pattern); the other kinds by their pattern
    fits = bool(located_spans(asked, sentence)) if kind.pattern is None else shows_type(kind, sentence, names)
    if not fits or place_or_day_of_other(asked, nlp.parse(sentence)):
        return False
    if kind.name == "person":
        return any(role_ok for _, _, role_ok in located_spans(asked, sentence))
    return True


def _pick(scorer: _Scorer, scores: np.ndarray, threshold: float, limit: int) -> _Pick | None:
    """The best sentence, and the sentences of other sources that disagree with it; None when nothing is good
    enough. One sentence per fact asked for: a close runner-up only repeated or padded the answer."""
    order = [int(i) for i in np.argsort(-scores)]
    best = order[0]
    if scores[best] < threshold:
        return None
    cands, svecs = scorer.cands, scorer.svecs
    best_numbers = numbers_in(cands[best].text)
    best_sources = {e.source for e in cands[best].evidence}
    ranked = [i for i in order[1:] if scores[i] >= threshold]

    def disagrees(i: int) -> bool:
        other_numbers = numbers_in(cands[i].text)
        return bool(
            best_numbers and other_numbers and best_numbers != other_numbers
            and not ({e.source for e in cands[i].evidence} & best_sources)
            and float(svecs[i] @ svecs[best]) >= CONFLICT_COS
            and scores[i] >= scores[best] - CONFLICT_WINDOW
        )

    # A source that disagrees comes before a merely close sentence: hiding a disagreement misleads.
    chosen = [best, *[i for i in ranked if disagrees(i)][: limit - 1]]
    return _Pick(chosen, conflict=len(chosen) > 1)


def extractive_answer(question: str, passages: list[Passage], embed: Embed, max_sentences: int,
                      context: str | None = None, abstain_threshold: float | None = None,
                      weights: RulesWeights | None = None) -> Draft:
    """Answer `question` from `passages`; `context` (the condensed follow-up) also steers the choice.
    `abstain_threshold` overrides the fitted one; `weights` all fitted constants (for fitting them)."""
    weights = weights or load_weights()
    if abstain_threshold is None:
        abstain_threshold = weights.abstain_threshold
    cands = _candidates(passages)
    if not cands:
        return Draft()
    scorer = _Scorer(cands, embed, weights)
    asked = context or question  # the standalone form names the subject a follow-up leaves out
    known_terms = {t for p in passages for q in (p, *p.copies) for t in content_terms(q.text)}
    base = [(question, 1.0)] + ([(context, 1.0)] if context and context != question else [])
    parts = split_compound(asked)
    limit = max(1, max_sentences // len(parts))

    picks: list[_Pick] = []
    for part in parts:
        if any(t not in known_terms for t in focus_terms(part)):
            continue  # asks about something the passages never mention
        queries = base if len(parts) == 1 else [(part, PART_WEIGHT), (asked, 1 - PART_WEIGHT)]
        scores = scorer.scores(queries, answer_type(part), names_in(asked), abstain_threshold,
                               read_question(part, whole=asked))
        pick = _pick(scorer, scores, abstain_threshold, limit if len(parts) > 1 else max_sentences)
        if pick is not None:
            picks.append(pick)
    if not picks:
        return Draft()
    chosen = list(dict.fromkeys(i for pick in picks for i in pick.chosen))
    claims = [Claim(text=cands[i].text, evidence=cands[i].evidence) for i in chosen]
    return Draft(claims, conflict=any(p.conflict for p in picks))
