"""Run the evaluation: index the corpus into the eval's own data dir, answer every question with every
configuration, score, aggregate, compare with the baseline and check `--min-*`/`--max-*` thresholds.

The eval never touches the user's index: it always uses an embedded Chroma store under `<out>/index`
(CHROMA_HOST is ignored) built from the corpus folder. LLM settings come from the environment as usual.
Does not write report files (see report.py).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from rag.eval.dataset import Question, load_questions
from rag.eval.judge import build_judge, judge_agreement
from rag.eval.metrics import AGGREGATE_METRICS, SystemAnswer, aggregate, format_value, score_answer
from rag.eval.systems import BASELINE, CONFIGS, REFERENCES, build_system
from rag.ingest.loader import collection_name, load_documents
from rag.ingest.pipeline import ingest
from rag.settings import RagSettings

# Metrics where lower is better; every other aggregate metric is higher-is-better.
LOWER_IS_BETTER = frozenset({"false_abstention_rate", "latency_p50", "latency_p95"})


def select_questions(questions: list[Question], limit: int | None) -> list[Question]:
    """The first `limit` questions taken round-robin over categories (file order within each), so a
    small subset still covers every category; all questions when `limit` is None."""
    if limit is None or limit >= len(questions):
        return questions
    by_cat: dict[str, list[Question]] = {}
    for q in questions:
        by_cat.setdefault(q.category, []).append(q)
    picked: list[Question] = []
    while len(picked) < limit:
        for bucket in by_cat.values():
            if bucket and len(picked) < limit:
                picked.append(bucket.pop(0))
    return picked


def eval_settings(out_dir: Path, corpus_dir: Path, base: RagSettings | None = None) -> RagSettings:
    """The environment's settings, pointed at the eval's own embedded store and the corpus folder."""
    base = base or RagSettings()
    return base.model_copy(update={"data_dir": out_dir / "index", "corpus_dir": corpus_dir, "chroma_host": None})


def read_corpus(corpus_dir: Path, max_bytes: int) -> dict[str, str]:
    """Original text of every article, read by the ingest loader itself so offsets agree (BOM, skips)."""
    docs, _ = load_documents([corpus_dir], max_bytes)
    return {d.source: d.text for d in docs}


def _safe_call(system, question: str) -> SystemAnswer:
    try:
        return system(question)
    except Exception as exc:  # one failing question must not sink the whole run: record it as an error
        return SystemAnswer(text="", abstained=False, error=f"{type(exc).__name__}: {exc}")


def run_eval(dataset: Path, configs: Sequence[str], out_dir: Path, corpus_dir: Path, limit: int | None = None,
             judge: str = "rules", settings: RagSettings | None = None, progress: bool = True) -> dict:
    """Everything report.py writes: meta, per-config aggregates, comparison with the baseline, rows."""
    questions = select_questions(load_questions(dataset, corpus_dir), limit)
    # Gold sources are file names in the corpus folder; indexed articles are `<collection>/<file name>`.
    prefix = collection_name(corpus_dir)
    questions = [q.model_copy(update={"gold_sources": [f"{prefix}/{g}" for g in q.gold_sources]})
                 for q in questions]
    s = eval_settings(out_dir, corpus_dir, settings)
    texts = read_corpus(corpus_dir, s.max_file_bytes)
    ingest([corpus_dir], s, prune=True)
    the_judge = build_judge(judge, s)
    rows: list[dict] = []
    answerers: dict[str, str] = {}
    bar = tqdm(total=len(configs) * len(questions), desc="eval", unit="q", file=sys.stderr, disable=not progress)
    for name in configs:
        bar.set_description(f"eval {name}")
        system, answerers[name] = build_system(name, s, texts)
        _safe_call(system, questions[0].question)  # warm-up (model load, caches): not timed
        for q in questions:
            ans = _safe_call(system, q.question)
            row = {"config": name, "id": q.id, "category": str(q.category), "question": q.question,
                   "reference_answer": q.reference_answer, "key_facts": q.key_facts,
                   "gold_sources": q.gold_sources, "answer": ans.text, "conflict": ans.conflict,
                   "latency": round(ans.latency, 4),
                   "citations": [c.__dict__ for c in ans.citations], "retrieved": ans.retrieved}
            row.update(score_answer(q, ans, texts, the_judge, s.top_k))
            rows.append(row)
            bar.update()
    bar.close()
    aggregates = {name: aggregate([r for r in rows if r["config"] == name]) for name in configs}
    return {
        "meta": {
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "dataset": str(dataset), "corpus_dir": str(corpus_dir), "n_questions": len(questions),
            "limit": limit, "judge": the_judge.name, "judge_description": the_judge.description,
            "judge_agreement": judge_agreement(),
            "top_k": s.top_k, "embed_model": s.embed_model, "llm": s.llm_model if s.llm_enabled else None,
            "configs": {n: {"description": CONFIGS[n].description, "answerer": answerers[n]} for n in configs},
        },
        "aggregates": aggregates,
        "comparison": compare_with_baseline(aggregates),
        "rows": rows,
    }


def compare_with_baseline(aggregates: dict[str, dict]) -> dict[str, dict[str, float]]:
    """For each of our configs: metric -> (ours - baseline), when a baseline was run."""
    if BASELINE not in aggregates:
        return {}
    base = aggregates[BASELINE]
    return {
        name: {m: agg[m] - base[m] for m in AGGREGATE_METRICS if agg[m] is not None and base[m] is not None}
        for name, agg in aggregates.items() if name not in REFERENCES
    }


def check_thresholds(report: dict, minimums: dict[str, float], maximums: dict[str, float]) -> list[str]:
    """Violations of the thresholds by our configurations (reference systems are not gated)."""
    failures: list[str] = []
    for name, agg in report["aggregates"].items():
        if name in REFERENCES:
            continue
        for metric, bound in minimums.items():
            value = agg.get(metric)
            if value is None or value < bound:
                failures.append(f"{name}: {metric} = {format_value(value)} is below the minimum {bound:g}")
        for metric, bound in maximums.items():
            value = agg.get(metric)
            if value is None or value > bound:
                failures.append(f"{name}: {metric} = {format_value(value)} is above the maximum {bound:g}")
    report["thresholds"] = {"min": minimums, "max": maximums, "failures": failures}
    return failures


def default_corpus_dir(settings: RagSettings | None = None) -> Path:
    """The repository's seeds/ folder when running from a checkout, else RAG_CORPUS_DIR."""
    repo_seeds = Path(__file__).resolve().parent.parent / "seeds"
    return repo_seeds if repo_seeds.is_dir() else (settings or RagSettings()).corpus_dir


__all__ = ["LOWER_IS_BETTER", "check_thresholds", "default_corpus_dir", "read_corpus", "run_eval",
           "select_questions"]
