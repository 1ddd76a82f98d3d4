"""Fit the rules reader's constants (rag/generate/extractive.py: the share of embedding similarity in a
sentence's score, the bonus for holding the asked kind of answer, the abstain threshold) on labelled
questions, and report how they carry over to other question sets (fit on one corpus, test on another).

A grid search: for each setting, every question is answered from its retrieved passages exactly as the
pipeline does (the shared `can_answer` gate, then `extractive_answer`), and scored as `rag eval` scores
correctness (every key fact in the answer) and abstention. The best setting maximises correctness plus
abstention accuracy over the fitting sets while refusing at most 10 % of the answerable questions of each.

    python -m rag.eval.fit_rules --fit eval/questions.jsonl:seeds --fit eval/questions_lee_dev.jsonl:lee \
        --test eval/questions_lee_test.jsonl:lee --write rag/generate/rules_weights.json

(Report on held-out sets with --test only once, after fitting: never choose a setting by them.)
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.eval.dataset import load_questions
from rag.eval.fit_reader import MAX_FALSE_ABSTENTION, collect_sets, fit_arguments, middle, print_report
from rag.eval.metrics import fact_present
from rag.eval.runner import eval_settings
from rag.generate.extractive import WEIGHTS_FILE, RulesWeights, extractive_answer
from rag.generate.reader import can_answer
from rag.ingest.pipeline import ingest
from rag.models import Embed, Passage
from rag.settings import RagSettings

GRID = {
    "dense_weight": (0.4, 0.5, 0.55, 0.6, 0.7),
    "type_bonus": (0.0, 0.03, 0.06, 0.1),
    "abstain_threshold": tuple(float(t) for t in np.round(np.arange(0.2, 0.5751, 0.025), 3)),
}


@dataclass
class Case:
    """One question with its retrieved passages, whether the shared gate lets it be answered, and its facts."""

    question: str
    passages: list[Passage]
    gated: bool
    facts: list[list[str]]  # empty: unanswerable


@dataclass
class FitSet:
    """The cases of one DATASET:CORPUS and the embedder of its index."""

    cases: list[Case]
    embed: Embed
    max_sentences: int


def collect(dataset: Path, corpus: Path, work: Path) -> FitSet:
    """Retrieve once per question; the constants only change what is picked from the same passages."""
    from rag.answering import Pipeline

    settings = eval_settings(work / f"index-{abs(hash(str(corpus)))}", corpus, RagSettings(_env_file=None))
    ingest([corpus], settings, prune=True)
    pipeline = Pipeline(settings)
    cases = []
    for q in load_questions(dataset, corpus):
        passages = pipeline.retriever.retrieve(q.question)
        facts = [f if isinstance(f, list) else [f] for f in q.key_facts]
        cases.append(Case(q.question, passages, can_answer(q.question, passages, pipeline.embed,
                                                           ranker=pipeline.ranker), facts))
    return FitSet(cases, pipeline.embed, settings.max_answer_sentences)


def outcomes(fit_set: FitSet, weights: RulesWeights) -> dict[str, float]:
    """Correctness and false abstention over answerable questions, abstention accuracy over the others."""
    correct = refused = abstained_ok = 0
    for case in fit_set.cases:
        claims = extractive_answer(case.question, case.passages, fit_set.embed, fit_set.max_sentences,
                                   weights=weights).claims if case.gated else []
        text = " ".join(c.text for c in claims)
        if case.facts:
            correct += bool(claims) and all(fact_present(text, alts) for alts in case.facts)
            refused += not claims
        else:
            abstained_ok += not claims
    n_ans = sum(bool(c.facts) for c in fit_set.cases)
    n_un = len(fit_set.cases) - n_ans
    return {"correctness": correct / max(n_ans, 1), "false_abstention": refused / max(n_ans, 1),
            "abstention": abstained_ok / max(n_un, 1), "n_answerable": n_ans, "n_unanswerable": n_un}


def fit(sets: list[FitSet]) -> RulesWeights:
    """The grid setting with the best correctness + abstention accuracy (answerable and unanswerable questions
    pooled over the sets) that refuses at most MAX_FALSE_ABSTENTION of each set's answerable questions beyond
    what the shared gate refuses whatever the constants (the least any setting refuses). Ties go to the first
    tied weight and bonus, then to the middle of their tied thresholds: the cut furthest from both kinds of
    mistake."""
    results = {values: [outcomes(s, RulesWeights(*values)) for s in sets]
               for values in itertools.product(*GRID.values())}
    floor = [min(per_set[i]["false_abstention"] for per_set in results.values()) for i in range(len(sets))]
    best, tied = -1.0, []
    for values, per_set in results.items():
        weights = RulesWeights(*values)
        if any(o["false_abstention"] > f + MAX_FALSE_ABSTENTION + 1e-9 for o, f in zip(per_set, floor, strict=True)):
            continue
        n_ans = sum(o["n_answerable"] for o in per_set)
        n_un = sum(o["n_unanswerable"] for o in per_set)
        score = (sum(o["correctness"] * o["n_answerable"] for o in per_set) / max(n_ans, 1)
                 + sum(o["abstention"] * o["n_unanswerable"] for o in per_set) / max(n_un, 1))
        if score > best + 1e-9:
            best, tied = score, [weights]
        elif score > best - 1e-9:
            tied.append(weights)
    if not tied:
        raise SystemExit(f"no setting refuses at most {MAX_FALSE_ABSTENTION:.0%} of the answerable questions")
    tied = [w for w in tied if (w.dense_weight, w.type_bonus) == (tied[0].dense_weight, tied[0].type_bonus)]
    return next(w for w in tied if w.abstain_threshold == middle([w.abstain_threshold for w in tied]))


def main() -> None:
    """Fit on --fit sets, report on --fit and --test sets, optionally write the weights file."""
    args = fit_arguments(__doc__, WEIGHTS_FILE)
    sets = collect_sets(args, collect, "fit-rules-")
    weights = fit([sets[spec] for spec in args.fit])
    print("fitted:", weights)
    report = {spec: outcomes(sets[spec], weights) for spec in sets}
    print_report(report, args.fit)
    if args.write:
        args.write.write_text(json.dumps({
            "dense_weight": weights.dense_weight, "type_bonus": weights.type_bonus,
            "abstain_threshold": weights.abstain_threshold, "grid": GRID, "fitted_on": args.fit,
            "command": "python -m rag.eval.fit_rules " + " ".join(f"--fit {s}" for s in args.fit),
            "fit_report": {s: o for s, o in report.items() if s in args.fit},
        }, indent=2) + "\n", encoding="utf-8")
        print("wrote", args.write)


if __name__ == "__main__":
    main()
