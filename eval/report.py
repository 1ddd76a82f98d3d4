"""Write an eval run to disk: report.json (everything), report.md (summary table, comparison with the
baseline, per-category table, then our failures with question, answer and citations) and report.png
(the configurations side by side). Does not compute scores.
"""

from __future__ import annotations

import json
from pathlib import Path

from rag.eval.baseline import STAND_IN_NAME, STAND_IN_NOTE
from rag.eval.metrics import AGGREGATE_METRICS, format_value
from rag.eval.runner import LOWER_IS_BETTER
from rag.eval.systems import BASELINE, REFERENCES

CHART_METRICS = ("correctness", "fact_recall", "abstention_accuracy", "false_abstention_rate", "citation_recall",
                 "citation_precision", "doc_precision", "doc_recall", "quote_validity", "hit_at_k", "mrr")
LABELS = {
    "correctness": "answer correctness (all key facts; answerable)",
    "fact_recall": "key-fact recall (answerable)",
    "abstention_accuracy": "abstention accuracy (unanswerable)",
    "false_abstention_rate": "false-abstention rate (answerable) ↓",
    "citation_recall": "ALCE citation recall (answered)",
    "citation_precision": "ALCE citation precision (answered)",
    "doc_precision": "document citation precision",
    "doc_recall": "document citation recall",
    "quote_validity": "quote validity (verbatim at offsets)",
    "hit_at_k": "retrieval hit@k",
    "recall_at_k": "retrieval recall@k",
    "mrr": "retrieval MRR",
    "short_answer_rate": "short answer given (correct who/where/when/how-many)",
    "latency_p50": "latency p50 (s) ↓",
    "latency_p95": "latency p95 (s) ↓",
}
MAX_FAILURES_SHOWN = 25


def is_failure(row: dict) -> bool:
    """Wrong or unsupported: incorrect, any unsupported sentence, any invalid quote, or an error."""
    return bool(row["error"] or not row["correct"] or row["invalid_quotes"]
                or (row["citation_recall"] is not None and row["citation_recall"] < 1))


def summary_markdown(report: dict) -> str:
    """The summary table: metrics as rows, configurations as columns, plus ours-minus-baseline deltas."""
    aggs = report["aggregates"]
    names = list(aggs)
    ours = [n for n in names if n not in REFERENCES]
    has_base = BASELINE in aggs
    head = ["metric", *names] + ([f"{n} − baseline" for n in ours] if has_base else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for m in AGGREGATE_METRICS:
        cells = [LABELS[m], *(format_value(aggs[n][m], m) for n in names)]
        if has_base:
            for n in ours:
                d = report["comparison"][n].get(m)
                better = d is not None and (d < 0 if m in LOWER_IS_BETTER else d > 0)
                cells.append("n/a" if d is None else f"{d:+.3f}" + (" ✓" if better else ""))
        lines.append("| " + " | ".join(cells) + " |")
    counts = ", ".join(f"{n}: {aggs[n]['n_answered']} answered, {aggs[n]['n_quotes']} quotes checked, "
                       f"{aggs[n]['n_errors']} errors" for n in names)
    lines.append(f"\nCounts — {counts}.")
    return "\n".join(lines)


def _category_markdown(report: dict) -> str:
    aggs = report["aggregates"]
    names = list(aggs)
    cats = sorted({c for a in aggs.values() for c in a["by_category"]})
    lines = ["| category | n | " + " | ".join(f"{n} correct" for n in names) + " |",
             "|" + "---|" * (len(names) + 2)]
    for c in cats:
        n = next(a["by_category"][c]["n"] for a in aggs.values() if c in a["by_category"])
        lines.append(f"| {c} | {n} | " + " | ".join(format_value(aggs[x]["by_category"].get(c, {}).get("correctness"))
                                                     for x in names) + " |")
    return "\n".join(lines)


def _failure_markdown(row: dict) -> str:
    why = []
    if row["error"]:
        why.append(f"error: {row['error']}")
    if not row["correct"]:
        if row["category"] == "unanswerable":
            why.append("should have abstained")
        elif row["abstained"]:
            why.append("abstained on an answerable question")
        else:
            missing = [alts[0] for alts, ok in zip(row["key_facts"], row["facts_found"], strict=True) if not ok]
            why.append("missing key facts: " + ", ".join(f"“{m}”" for m in missing))
    if row["citation_recall"] is not None and row["citation_recall"] < 1:
        why.append(f"citation recall {row['citation_recall']:.2f}")
    if row["invalid_quotes"]:
        why.append(f"{len(row['invalid_quotes'])} invalid quote(s)")
    out = [f"#### {row['config']} · {row['id']} ({row['category']}): {'; '.join(why)}",
           f"- **Question:** {row['question']}",
           f"- **Expected:** {row['reference_answer']} (gold: {', '.join(row['gold_sources']) or 'none'})",
           f"- **Answer:** {row['answer'] or '(none)'}"]
    for c in row["citations"]:
        out.append(f"  - [{c['n']}] {c['source']} chars {c['start']}-{c['end']}: “{c['quote'][:300]}”")
    return "\n".join(out)


def _agreement_lines(agreement: dict | None) -> list[str]:
    """The measured agreement of the rules and llm judges (eval/judge_agreement.json), or that it is missing."""
    if not agreement:
        return ["**Judge agreement:** not measured (run `python -m rag.eval.adversarial --agreement`).", ""]
    return [f"**Judge agreement:** rules and llm judges agree on {agreement['agreement']:.0%} of "
            f"{agreement['n']} adversarial sentences (llm judge: {agreement['llm']}; Cohen's kappa "
            f"{agreement['kappa']:.2f}; measured {agreement['measured']}).", ""]


def write_markdown(report: dict, path: Path, chart_name: str) -> None:
    """report.md: notes, summary, per-category table, failures of our configurations."""
    meta = report["meta"]
    lines = [
        "# newsrag evaluation report", "",
        f"{meta['n_questions']} questions from `{meta['dataset']}` over `{meta['corpus_dir']}` · top_k={meta['top_k']}"
        f" · embeddings `{meta['embed_model']}` · created {meta['created']}", "",
        f"**Entailment judge:** `{meta['judge']}`: {meta['judge_description']}.", "",
        *_agreement_lines(meta.get("judge_agreement")),
        "**Configurations:**",
        *(f"- `{n}`: {c['description']} (answerer: {c['answerer']})" for n, c in meta["configs"].items()), "",
    ]
    if any(c["answerer"] == STAND_IN_NAME for c in meta["configs"].values()):
        lines += [f"**Note:** {STAND_IN_NOTE}", ""]
    lines += [
        "Citation and document scores average over answers that did not abstain; abstaining on an answerable "
        "question counts as incorrect and in the false-abstention rate, never in precision. "
        "↓ = lower is better; ✓ = ours beats the baseline.", "",
        "## Summary", "", summary_markdown(report), "", f"![configurations side by side]({chart_name})", "",
        "## Correctness by category", "", _category_markdown(report), "",
    ]
    failures = report.get("thresholds", {}).get("failures")
    if failures:
        lines += ["## Threshold failures", "", *(f"- {f}" for f in failures), ""]
    ours = [r for r in report["rows"] if r["config"] not in REFERENCES and is_failure(r)]
    lines += [f"## Failures ({len(ours)} across our configurations)", ""]
    lines += [_failure_markdown(r) + "\n" for r in ours[:MAX_FAILURES_SHOWN]]
    if len(ours) > MAX_FAILURES_SHOWN:
        lines.append(f"... and {len(ours) - MAX_FAILURES_SHOWN} more in report.json.")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_chart(report: dict, path: Path) -> None:
    """Grouped horizontal bars: one group per metric, one bar per configuration."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    aggs = report["aggregates"]
    names = list(aggs)
    metrics = [m for m in CHART_METRICS if any(aggs[n][m] is not None for n in names)]
    y = np.arange(len(metrics))
    height = 0.8 / max(len(names), 1)
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(metrics) * max(len(names), 2) / 2 + 1.5))
    for i, name in enumerate(names):
        vals = [aggs[name][m] or 0.0 for m in metrics]
        bars = ax.barh(y + i * height, vals, height, label=name)
        ax.bar_label(bars, labels=[f"{v:.2f}" for v in vals], fontsize=7, padding=2)
    ax.set_yticks(y + height * (len(names) - 1) / 2, [LABELS[m] for m in metrics], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.15)
    ax.set_title(f"newsrag eval · {report['meta']['n_questions']} questions · judge: {report['meta']['judge']}")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=len(names), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_report(report: dict, out_dir: Path) -> dict[str, Path]:
    """Write the three files into `out_dir`; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "report.json", "md": out_dir / "report.md", "png": out_dir / "report.png"}
    paths["json"].write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write_chart(report, paths["png"])
    write_markdown(report, paths["md"], paths["png"].name)
    return paths
