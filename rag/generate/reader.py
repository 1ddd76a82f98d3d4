"""The learned offline reader (RAG_READER=learned): quote the retrieved sentence that answers the question,
verbatim, with its citation, and the exact answer span when the question asks for a person, place, date,
number or duration.

Each candidate sentence gets a probability of answering from a logistic regression over its features
(rag/generate/features.py) with weights fitted on labelled questions (reader_weights.json, fitted by
`python -m rag.eval.fit_reader`); below the fitted threshold it abstains. It also abstains, before
scoring, when the message is no question, when nothing the question names is in the passages, and when no
sentence about what it names holds an answer of the asked kind (a date, a place...) where the asked event
is told (`event_sentences`). `can_answer`, the same gate and threshold, is how the rules reader abstains.
A compound question is answered part by part; a second sentence is added only when another source
disagrees. Does not paraphrase or merge facts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from rag import nlp
from rag.cite.compose import Claim
from rag.generate.asking import Asked, read_question, split_compound
from rag.generate.draft import Draft, ShortSpan
from rag.generate.features import (
    FEATURES,
    Candidate,
    about_named,
    answer_spans,
    candidates,
    eligible,
    feature_matrix,
    holds_required,
    located_spans,
    names_missing,
    question_names,
    subject_missing,
)
from rag.generate.heads import head_match, name_labels
from rag.generate.predicates import (
    LIGHT_VERBS,
    count_match,
    named_in,
    place_or_day_of_other,
    predicates,
    said_alike,
    said_of_other,
    says_event,
    told_apart,
)
from rag.generate.ranker import Ranker
from rag.models import Embed, Passage
from rag.text import content_terms, numbers_in

WEIGHTS_FILE = Path(__file__).with_name("reader_weights.json")  # fitted without the ranker (its weight is 0)
RANKER_WEIGHTS_FILE = Path(__file__).with_name("reader_weights_ranker.json")  # fitted with it (RAG_RANKER=true)
CONFLICT_COS = 0.45  # two answer sentences this similar, from different sources, with different numbers disagree
_NUMERIC_KINDS = {None, "number", "times", "duration", "age", "date"}
CONFLICT_SHARE = 0.5  # ... when the second scores at least this share of the abstain threshold


@dataclass(frozen=True)
class ReaderModel:
    """Logistic-regression weights over FEATURES and the calibrated abstain thresholds: one for questions
    that ask for a kind of answer (already filtered to sentences holding one), one for the others."""

    weights: np.ndarray
    bias: float
    threshold: float
    threshold_typed: float
    predicate_cos: float = 0.0  # a sentence says the asked event happened when its words match the verb this well
    head_cos: float = 0.0  # ... and holds the "what X" asked for when a noun of it is this close to X (heads.py)
    event_cos: float = 2.0  # ... or when it reads this close to the whole question (predicates.said_alike; 2: off)

    def threshold_for(self, asked: Asked) -> float:
        """The abstain threshold for this question."""
        return self.threshold_typed if asked.kind else self.threshold

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """P(answers the question) per row of features."""
        return 1.0 / (1.0 + np.exp(-(x @ self.weights + self.bias)))


def weights_file(ranker: bool) -> Path:
    """The reader's fitted weights: those fitted with the answer ranker's feature when it is on (RAG_RANKER)."""
    return RANKER_WEIGHTS_FILE if ranker else WEIGHTS_FILE


def load_model(path: Path | None = None, ranker: bool = False) -> ReaderModel:
    """The fitted reader: `path`, else the weights for a reader with or without the answer ranker."""
    return _load_model(path or weights_file(ranker))


@lru_cache(maxsize=2)
def _load_model(path: Path) -> ReaderModel:
    # Weights are named, so a change of the feature list cannot silently misalign them.
    data = json.loads(path.read_text(encoding="utf-8"))
    return ReaderModel(np.array([data["weights"][f] for f in FEATURES]), float(data["bias"]), float(data["threshold"]),
                       float(data["threshold_typed"]), float(data["predicate_cos"]), float(data.get("head_cos", 0.0)),
                       float(data.get("event_cos", 2.0)))


def answerable(asked: Asked, cands: list[Candidate], passages: list[Passage], embed: Embed,
               predicate_cos: float, head_cos: float = 0.0, event_cos: float = 2.0) -> bool:
    """False when the passages cannot hold an answer, whatever the scores say: none of the sentences where it
    would be (`event_sentences`) says the event asked about (by its words, or read as a whole as close to the
    question as `event_cos`), or, for "how many", none gives a count of it (see rag/generate/predicates), or, for
    "What X / Which X", none holds an X (rag/generate/heads.py)."""
    sentences = event_sentences(asked, cands, passages)
    return ((says_event(asked, sentences, embed, predicate_cos) or said_alike(asked, sentences, embed) >= event_cos)
            and count_match(asked, sentences, embed) >= predicate_cos
            and (not asked.head or float(head_match(asked, with_context(sentences, cands), embed).max()) >= head_cos))


def with_context(sentences: list[str], cands: list[Candidate]) -> list[str]:
    """`sentences` with the sentence before each and its article's title: news names the thing asked for once
    ("The school ... . Tim, 16, alleged a staff member at Hillcrest Christian College ...")."""
    by_text = {c.text: c for c in cands}
    out = list(sentences)
    for text in sentences:
        cand = by_text.get(text)
        if cand is not None:
            out += [t for t in (cand.previous, cand.title) if t]
    return list(dict.fromkeys(out))


def event_sentences(asked: Asked, cands: list[Candidate], passages: list[Passage]) -> list[str]:
    """The sentences, best first, of which one must say the asked event for the passages to answer; none when
    the message is no question or nothing it names is in the articles. They are the candidates about what the
    question names that mention the attribute asked about; for a question asking for a kind of answer, only
    those holding one the question lacks, with the sentence before each: the answer must sit where the event
    is told ("She was exchanged for X." after the lead), and a name, number or date elsewhere in the articles
    answers a different question."""
    if not asked.is_question or not cands:
        return []
    named = question_names(asked)
    missing = names_missing(asked, passages) if named else []
    if named and (len(missing) == len(named) or subject_missing(asked, missing)):
        return []  # nothing it names is in the articles (one wrong name is a false premise to correct)
    about = [c for c in cands if about_named(asked, c)]
    # Sentences that only a parse can settle are parsed in one batch: spaCy's per-call overhead made one parse
    # per sentence most of an answer's time.
    typed = bool(asked.labels) or asked.kind in ("age", "sort")
    nlp.parse_many([c.text for c in about if typed or holds_required(asked, c.text, parse=False)])
    about = [c for c in about if holds_required(asked, c.text)]
    if not typed:
        # "What did the EU decide about tariffs?" names its topic besides its event: a sentence about what it
        # names, saying a like event ("determine", matched by word vectors) about something else, does not
        # answer it. ("What did X say about Y?" has no event of its own to match loosely: left as it was.)
        # A verb that carries no event of its own ("cause", "say") names no topic either.
        # The words of the noun a "What X" question asks for ("What role ...?", "What ministerial portfolios ...?")
        # are no topic: the answer is an instance of X ("deputy leader"), seldom printed beside it; the head check
        # (heads.py) asks for X. (A noun whose kind says it, "What exact date", is left to the topic rule.)
        asked_for = asked.asked_words if asked.head else ()
        topic = {t for f in asked.focus if f not in (*asked.events, *asked.titles, *asked_for)
                 and f not in LIGHT_VERBS for t in content_terms(f)}
        if named and topic and predicates(asked):
            about = [c for c in about if topic & set(content_terms(c.context))]
        # as for a kind of answer, the event may be told in the sentence before ("... is taking legal action." then
        # "Tim, 16, alleged a staff member at Hillcrest Christian College ...")
        return list(dict.fromkeys(t for c in about for t in (c.text, c.previous) if t))
    named = named_in(asked)
    about = [c for c in about if (spans := answer_spans(asked, c.text))
             and not said_of_other(asked, (doc := nlp.parse(c.text)), named) and not told_apart(asked, doc, spans)]
    return list(dict.fromkeys(t for c in about for t in (c.text, c.previous) if t))


def with_short_answer(question: str, draft: Draft) -> Draft:
    """The draft with its direct answer: the span of the asked kind in its first quote (any reader's draft)."""
    # One figure up front would hide a disagreement; a compound question has no single answer.
    if draft.short is not None or not draft.claims or draft.conflict or len(split_compound(question)) > 1:
        return draft
    asked = read_question(question)
    if asked.kind in (None, "reason"):
        return draft
    evidence = draft.claims[0].evidence[0]
    if place_or_day_of_other(asked, nlp.parse(evidence.quote.text)):
        return draft
    # Only a span in the question word's role: "Who else did he meet?" is not answered by who urged.
    spans = [text for text, _, role_ok in located_spans(asked, evidence.quote.text) if role_ok]
    return Draft(draft.claims, conflict=draft.conflict, short=ShortSpan(spans[0], evidence)) if spans else draft


def can_answer(question: str, passages: list[Passage], embed: Embed, model: ReaderModel | None = None,
               ranker: Ranker | None = None) -> bool:
    """Whether `passages` hold an answer to `question` (any reader): it is a question, something it names is
    mentioned, one sentence holds its kind of answer where its attribute and event are told, and the fitted
    model scores a sentence at or above its calibrated threshold. The rules reader shares that threshold: its
    own score ranks sentences well but separates answerable from unanswerable questions worse. For a compound
    question, one answerable part is enough. With a `ranker`, `model` must be the weights fitted with it."""
    model = model or load_model(ranker=ranker is not None)
    cands = candidates(passages)
    parts = split_compound(question)
    for part in parts:
        asked = read_question(part, whole=question)
        probs = part_probabilities(asked, cands, passages, embed, model, None if len(parts) > 1 else question,
                                   ranker)
        if probs is not None and probs.max() >= model.threshold_for(asked):
            return True
    return False


def part_probabilities(asked: Asked, cands: list[Candidate], passages: list[Passage], embed: Embed,
                       model: ReaderModel, context: str | None, ranker: Ranker | None = None) -> np.ndarray | None:
    """P(answers `asked`) per candidate, 0 for those that may not answer it; None when the gate refuses."""
    asked = name_labels(asked, embed)
    if not answerable(asked, cands, passages, embed, model.predicate_cos, model.head_cos, model.event_cos):
        return None
    x = feature_matrix(asked, cands, passages, embed, context=context, ranker=ranker)
    return np.where(eligible(asked, x), model.probabilities(x), 0.0)


def _disagreeing(cands: list[Candidate], probs: np.ndarray, svecs: np.ndarray, best: int,
                 threshold: float) -> int | None:
    """A sentence from another source that gives different numbers for the same thing, if any."""
    best_numbers = numbers_in(cands[best].text)
    best_sources = {e.source for e in cands[best].evidence}
    for i in map(int, np.argsort(-probs)):
        if i == best:
            continue
        if probs[i] < threshold:
            break
        other = numbers_in(cands[i].text)
        if (best_numbers and other and other != best_numbers and float(svecs[i] @ svecs[best]) >= CONFLICT_COS
                and not {e.source for e in cands[i].evidence} & best_sources):
            return i
    return None


def read_answer(question: str, passages: list[Passage], embed: Embed, max_sentences: int,
                context: str | None = None, threshold: float | None = None,
                model: ReaderModel | None = None, ranker: Ranker | None = None) -> Draft:
    """Answer `question` from `passages`; `context` (the standalone form of a follow-up) is read as the question.
    With a `ranker`, `model` must be the weights fitted with it (`load_model(ranker=True)`, the default then)."""
    model = model or load_model(ranker=ranker is not None)
    cands = candidates(passages)
    asked_text = context or question
    parts = split_compound(asked_text)
    chosen: list[int] = []
    conflict = False
    svecs = embed([c.text for c in cands]) if cands else np.zeros((0, 1))
    for part in parts:
        asked = read_question(part, whole=asked_text)
        probs = part_probabilities(asked, cands, passages, embed, model, None if len(parts) > 1 else question,
                                   ranker)
        if probs is None:
            continue
        best = int(np.argmax(probs))
        cut = model.threshold_for(asked) if threshold is None else threshold
        if probs[best] < cut:
            continue
        chosen.append(best)
        # Different figures are a disagreement only for questions that ask for a figure (or say nothing).
        numeric = asked.kind in _NUMERIC_KINDS
        other = _disagreeing(cands, probs, svecs, best, CONFLICT_SHARE * cut) if numeric else None
        if other is not None and len(chosen) < max_sentences:
            chosen.append(other)
            conflict = True
    chosen = list(dict.fromkeys(chosen))[:max(max_sentences, len(parts))]
    claims = [Claim(text=cands[i].text, evidence=cands[i].evidence) for i in chosen]
    return with_short_answer(asked_text, Draft(claims, conflict=conflict))
