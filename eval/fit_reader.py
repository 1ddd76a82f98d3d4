"""Fit the offline reader's weights and abstain threshold on labelled questions, and report how they carry
over to other question sets (fit on one corpus, test on another).

A candidate sentence is labelled as answering when it contains one of the question's key facts. The model
is an L2-regularised logistic regression over rag.generate.features.FEATURES, fitted with plain gradient
descent in numpy (nine weights do not warrant another dependency). The threshold is the one that best
balances answering answerable questions correctly and abstaining on unanswerable ones on the fitting data.

    python -m rag.eval.fit_reader --fit eval/questions.jsonl:seeds --test eval/lee_questions.jsonl:lee \
        --write rag/generate/reader_weights.json

A corpus is a folder, or `lee` (built from gensim's wheel by rag.eval.corpora).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from rag.eval.corpora import resolve_corpus
from rag.eval.dataset import load_questions
from rag.eval.metrics import fact_present
from rag.eval.runner import eval_settings
from rag.generate.asking import read_question, split_compound
from rag.generate.features import (
    FEATURES,
    candidates,
    eligible,
    feature_matrix,
)
from rag.generate.heads import head_match, name_labels
from rag.generate.predicates import count_match, predicate_match, said_alike
from rag.generate.reader import ReaderModel, event_sentences, weights_file, with_context
from rag.ingest.pipeline import ingest
from rag.settings import RagSettings, get_settings

L2 = 0.01
T = TypeVar("T")


@dataclass
class Example:
    """One question's candidates: features, labels, and whether the gate let it be answered at all."""

    qid: str
    answerable: bool  # per the dataset (has key facts)
    gate: float  # the best event match (and count match) among sentences passing the other gates; -1 when none does
    count: float  # the count match alone (1.0 but for "how many")
    alike: float  # how close the closest of those sentences reads to the whole question (predicates.said_alike)
    typed: bool  # asks for a kind of answer (person, date, ...): has its own threshold
    head: float  # the best match of the "what X" asked for among those sentences (heads.py); 1.0 without one
    x: np.ndarray
    y: np.ndarray


def collect(dataset: Path, corpus: Path, work: Path) -> list[Example]:
    """Features and labels of every candidate sentence for every question of `dataset`."""
    from rag.answering import Pipeline

    settings = eval_settings(work / f"index-{abs(hash(str(corpus)))}", corpus, RagSettings(_env_file=None))
    ingest([corpus], settings, prune=True)
    pipeline = Pipeline(settings)
    out: list[Example] = []
    for q in load_questions(dataset, corpus):
        passages = pipeline.retriever.retrieve(q.question)
        cands = candidates(passages)
        facts = [f if isinstance(f, list) else [f] for f in q.key_facts]
        for part in split_compound(q.question):
            asked = name_labels(read_question(part), pipeline.embed)
            # The gate at a threshold below every cosine, to learn the best predicate match it saw.
            sentences = event_sentences(asked, cands, passages)
            count = count_match(asked, sentences, pipeline.embed) if sentences else -1.0
            gate = min(float(predicate_match(asked, sentences, pipeline.embed).max()), count) if sentences else -1.0
            alike = said_alike(asked, sentences, pipeline.embed) if sentences else -1.0
            head = (float(head_match(asked, with_context(sentences, cands), pipeline.embed).max())
                    if sentences else 1.0)
            x = (feature_matrix(asked, cands, passages, pipeline.embed, ranker=pipeline.ranker) if cands
                 else np.zeros((0, len(FEATURES))))
            y = np.array([any(fact_present(c.text, alts) for alts in facts) for c in cands], dtype=float)
            keep = eligible(asked, x)  # the reader only ever scores these
            x, y = x[keep], y[keep]
            out.append(Example(q.id, bool(facts), gate, count, alike, bool(asked.kind), head, x, y))
    return out


def fit(examples: list[Example], steps: int = 20000, lr: float = 2.0) -> tuple[np.ndarray, float]:
    """Logistic regression on the gated candidates; classes weighted to balance."""
    x = np.vstack([e.x for e in examples if e.gate >= 0 and len(e.x)])
    y = np.concatenate([e.y for e in examples if e.gate >= 0 and len(e.x)])
    w_pos = 0.5 / max(y.mean(), 1e-6)
    w_neg = 0.5 / max(1 - y.mean(), 1e-6)
    sample = np.where(y > 0, w_pos, w_neg) / len(y)
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        g = (p - y) * sample
        w -= lr * (x.T @ g + L2 * w)
        b -= lr * g.sum()
    return w, float(b)


def outcomes(examples: list[Example], model: ReaderModel) -> dict[str, float]:
    """Per question: answered correctly (best sentence holds a key fact), abstained, for both kinds."""
    by_q: dict[str, list[Example]] = {}
    for e in examples:
        by_q.setdefault(e.qid, []).append(e)
    right = wrong = abstained_ok = abstained_bad = 0
    for parts in by_q.values():
        answerable_q = parts[0].answerable
        answered = []
        for e in parts:
            told = e.gate >= model.predicate_cos or (e.alike >= model.event_cos and e.count >= model.predicate_cos)
            if told and e.head >= model.head_cos and len(e.x):
                p = model.probabilities(e.x)
                if p.max() >= (model.threshold_typed if e.typed else model.threshold):
                    answered.append(bool(e.y[int(np.argmax(p))]))
        if answerable_q:
            right += bool(answered) and any(answered)
            wrong += bool(answered) and not any(answered)
            abstained_bad += not answered
        else:
            abstained_ok += not answered
    n_ans = right + wrong + abstained_bad
    n_un = len(by_q) - n_ans
    return {"correct_sentence": right / max(n_ans, 1), "false_abstention": abstained_bad / max(n_ans, 1),
            "abstention": abstained_ok / max(n_un, 1), "n_answerable": n_ans, "n_unanswerable": n_un}


MAX_FALSE_ABSTENTION = 0.10  # the bound, on every fitting set: refusing more answerable questions is a loss


HEAD_GRID = [0.0, *(float(c) for c in np.round(np.arange(0.3, 0.701, 0.02), 2))]
EVENT_GRID = [*(float(c) for c in np.round(np.arange(0.4, 0.901, 0.02), 2)), 2.0]  # 2.0: the whole-question match off


def calibrate(sets: list[list[Example]], w: np.ndarray, b: float,
              head_sets: list[list[Example]] | None = None) -> ReaderModel:
    """The thresholds (untyped, typed, predicate match, then the "what X" match) maximising answer accuracy plus
    abstention accuracy over the fitting `sets` while refusing at most MAX_FALSE_ABSTENTION of the answerable
    questions of each beyond what the gate refuses at its lowest thresholds; ties go to the lowest thresholds
    (the gate that refuses least: both readers abstain by it, and a question this reader would answer wrongly
    may be one the rules reader answers). The head cut is searched last, with the others fixed, over `sets` and
    `head_sets` (sets that calibrate it alone), then the others again with it (a four-way grid is slow)."""
    grid = [float(t) for t in np.linspace(0.05, 0.95, 37)]
    # What the gate's fixed checks (a name, a kind of answer) refuse of each set whatever the thresholds: the bound
    # is on what the thresholds refuse beyond it (lee train's blind questions start at 0.096).
    floor = {id(s): outcomes(s, ReaderModel(w, b, grid[0], grid[0], 0.0, 0.0))["false_abstention"]
             for s in [*sets, *(head_sets or [])]}

    def score(model: ReaderModel, over: list[list[Example]]) -> float:
        if any(outcomes(s, model)["false_abstention"] > floor[id(s)] + MAX_FALSE_ABSTENTION + 1e-9 for s in over):
            return -1.0
        o = outcomes([e for s in over for e in s], model)
        return o["correct_sentence"] + (o["abstention"] if o["n_unanswerable"] else 0.0)

    def best_of(models: list[ReaderModel], over: list[list[Example]]) -> ReaderModel:
        best, best_model = -1.0, models[0]
        for model in models:
            s = score(model, over)
            if s > best + 1e-9:
                best, best_model = s, model
        return best_model

    def thresholds(head_cos: float) -> ReaderModel:
        return best_of([ReaderModel(w, b, t, t_typed, cos, head_cos) for cos in [float(c) for c in
                        np.linspace(0.0, 0.8, 17)] for t in grid for t_typed in grid], sets)

    m = thresholds(0.0)
    head_cos = best_of([ReaderModel(w, b, m.threshold, m.threshold_typed, m.predicate_cos, h) for h in HEAD_GRID],
                       [*sets, *(head_sets or [])]).head_cos
    m = thresholds(head_cos) if head_cos else m
    return event_cut(m, [*sets, *(head_sets or [])], score)


def event_cut(m: ReaderModel, over: list[list[Example]], score: Callable[[ReaderModel, list[list[Example]]], float]
              ) -> ReaderModel:
    """`m` with the whole-question event match (`event_cos`) that scores best over `over`, the others fixed; ties
    go to the middle of the tied cuts (the separation on the development sets is a gap, not a point: answerable
    questions the word match refuses read 0.56 or closer, unanswerable ones 0.43 or further)."""
    models = [ReaderModel(m.weights, m.bias, m.threshold, m.threshold_typed, m.predicate_cos, m.head_cos, c)
              for c in EVENT_GRID]
    scores = [score(x, over) for x in models]
    best = max(scores)
    return ReaderModel(m.weights, m.bias, m.threshold, m.threshold_typed, m.predicate_cos, m.head_cos,
                       middle([x.event_cos for x, s in zip(models, scores, strict=True) if s >= best - 1e-9]))


def middle(values: list[float]) -> float:
    """The middle one of the distinct `values` (the upper middle of an even count)."""
    distinct = sorted(set(values))
    return distinct[len(distinct) // 2]


def thresholds_for(fit_sets: list[list[Example]], calibrate_sets: list[list[Example]], w: np.ndarray, b: float,
                   apart: bool = False) -> ReaderModel:
    """The calibrated model: the thresholds on the fitting sets and the head and event cuts on both (the shipped
    way), or, `apart`, every threshold on the calibration sets alone, so that they answer for questions the weights
    were never fitted on (with more development sets than the three)."""
    return calibrate(calibrate_sets, w, b) if apart else calibrate(fit_sets, w, b, calibrate_sets)


def fit_arguments(doc: str, weights_file: Path) -> argparse.Namespace:
    """The command line both fitting scripts take: --fit and --test DATASET:CORPUS (repeatable), --write FILE."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--fit", action="append", required=True, help="DATASET:CORPUS to fit on (repeatable)")
    parser.add_argument("--calibrate", action="append", default=[],
                        help="DATASET:CORPUS that calibrates the head cut only (repeatable)")
    parser.add_argument("--calibrate-thresholds", action="store_true",
                        help="calibrate every threshold on the --calibrate sets alone, none on the --fit sets")
    parser.add_argument("--test", action="append", default=[], help="DATASET:CORPUS to report on (repeatable)")
    parser.add_argument("--write", type=Path, help=f"write the fitted values here (the reader reads {weights_file})")
    return parser.parse_args()


def collect_sets(args: argparse.Namespace, collect_one: Callable[[Path, Path, Path], T], prefix: str) -> dict[str, T]:
    """Each --fit and --test DATASET:CORPUS collected once, by spec."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    return {spec: collect_one(Path(spec.split(":")[0]), resolve_corpus(spec.split(":", 1)[1]), work)
            for spec in [*args.fit, *getattr(args, "calibrate", []), *args.test]}


def print_report(report: dict[str, dict[str, float]], fitted_on: list[str]) -> None:
    """One line per set: fit or test, then its outcomes."""
    for spec, o in report.items():
        role = "fit " if spec in fitted_on else "test"
        print(f"{role} {spec}: " + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                                             for k, v in o.items()))


def main() -> None:
    """Fit on --fit sets, report on --fit and --test sets, optionally write the weights file."""
    args = fit_arguments(__doc__, weights_file(get_settings().ranker))
    sets = collect_sets(args, collect, "fit-reader-")
    train = [e for spec in args.fit for e in sets[spec]]
    w, b = fit(train)
    # A set may calibrate the head cut alone: seeds dev 2 is the one set with unanswerable "What X" questions, and
    # fitting the weights and the other thresholds on it too cost lee dev and lee dev 2 a question each.
    model = thresholds_for([sets[spec] for spec in args.fit], [sets[spec] for spec in args.calibrate], w, b,
                           apart=args.calibrate_thresholds)
    print("weights:", {f: round(float(v), 3) for f, v in zip(FEATURES, w, strict=True)}, "bias", round(b, 3),
          "thresholds", round(model.threshold, 3), round(model.threshold_typed, 3), "predicate_cos",
          round(model.predicate_cos, 3), "head_cos", round(model.head_cos, 3), "event_cos", round(model.event_cos, 3))
    report = {spec: outcomes(sets[spec], model) for spec in sets}
    print_report(report, [*args.fit, *args.calibrate])
    if args.write:
        args.write.write_text(json.dumps({
            "features": list(FEATURES), "weights": {f: round(float(v), 6) for f, v in zip(FEATURES, w, strict=True)},
            "bias": round(b, 6), "threshold": round(model.threshold, 4),
            "threshold_typed": round(model.threshold_typed, 4), "predicate_cos": round(model.predicate_cos, 4),
            "head_cos": round(model.head_cos, 4), "event_cos": round(model.event_cos, 4),
            "fitted_on": args.fit, "head_cut_calibrated_on": (args.calibrate if args.calibrate_thresholds
                                                                  else [*args.fit, *args.calibrate]), "l2": L2,
            "thresholds_calibrated_on": args.calibrate if args.calibrate_thresholds else args.fit,
            "command": ("RAG_RANKER=true " if get_settings().ranker else "") + "python -m rag.eval.fit_reader "
            + " ".join(
                [*(f"--fit {s}" for s in args.fit), *(f"--calibrate {s}" for s in args.calibrate),
                 *(["--calibrate-thresholds"] if args.calibrate_thresholds else [])]),
            "fit_report": report,
        }, indent=2) + "\n", encoding="utf-8")
        print("wrote", args.write)


if __name__ == "__main__":
    main()
