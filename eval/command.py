"""The `rag eval` command (registered in rag/cli.py): parse options, run, write the report, gate on thresholds.

Exit codes: 0 all thresholds met, 1 a --min-*/--max-* threshold was not met, 2 bad input (dataset,
configuration, judge) or the pipeline could not run. Heavy imports happen only when the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

_Min = Annotated[float | None, typer.Option(min=0, help="Fail (exit 1) when below this.", show_default=False)]


def eval_command(
    dataset: Annotated[Path | None, typer.Option(help="JSONL question file (default: eval/questions.jsonl, packaged).",
                                                 show_default=False)] = None,
    config: Annotated[list[str] | None, typer.Option(
        "--config", help="Configuration to run, repeatable: hybrid, dense, baseline (default: all three).",
        show_default=False)] = None,
    out: Annotated[Path, typer.Option(help="Folder for report.json, report.md, report.png and the eval index.")]
    = Path("eval/out"),
    limit: Annotated[int | None, typer.Option(min=1, help="Only N questions, spread over categories.",
                                              show_default=False)] = None,
    corpus: Annotated[Path | None, typer.Option(
        help="Folder of articles the dataset refers to (default: the repo's seeds/); 'lee' builds the 50 ABC "
        "articles from gensim's wheel, 'leebg' its 300 others, the outside check (eval/corpora.py).",
        show_default=False)] = None,
    judge: Annotated[str, typer.Option(
        help="Entailment judge: rules (offline meaning-level checker), llm (needs an LLM) or lexical (word overlap).")]
    = "rules",
    min_quote_validity: _Min = None,
    min_citation_recall: _Min = None,
    min_citation_precision: _Min = None,
    min_correctness: _Min = None,
    min_fact_recall: _Min = None,
    min_abstention_accuracy: _Min = None,
    min_doc_precision: _Min = None,
    min_doc_recall: _Min = None,
    min_hit_at_k: _Min = None,
    min_mrr: _Min = None,
    max_false_abstention_rate: Annotated[float | None, typer.Option(
        min=0, help="Fail (exit 1) when above this.", show_default=False)] = None,
) -> None:
    """Evaluate citation accuracy, correctness, abstention and retrieval; compare configurations."""
    from rag.errors import RagError
    from rag.eval.dataset import DEFAULT_DATASET, DatasetError
    from rag.eval.report import summary_markdown, write_report
    from rag.eval.runner import check_thresholds, default_corpus_dir, run_eval
    from rag.eval.systems import DEFAULT_CONFIGS, unknown_configs

    err = Console(stderr=True, soft_wrap=True)
    names = list(dict.fromkeys(config or DEFAULT_CONFIGS))
    bad = unknown_configs(names)
    if bad:
        err.print(f"[bold red]Error:[/] unknown configuration '{bad[0]}'; choose from {', '.join(DEFAULT_CONFIGS)}.")
        raise typer.Exit(code=2)
    minimums = {k.removeprefix("min_"): v for k, v in locals().items() if k.startswith("min_") and v is not None}
    maximums = {"false_abstention_rate": max_false_abstention_rate} if max_false_abstention_rate is not None else {}
    try:
        if corpus is not None:
            from rag.eval.corpora import resolve_corpus

            corpus = resolve_corpus(corpus)
        report = run_eval(dataset or DEFAULT_DATASET, names, out, corpus or default_corpus_dir(), limit=limit,
                          judge=judge)
    except (DatasetError, RagError, ValueError) as exc:
        err.print(f"[bold red]Error:[/] {exc}")
        raise typer.Exit(code=2) from None
    failures = check_thresholds(report, minimums, maximums)
    paths = write_report(report, out)
    Console(soft_wrap=True).print(summary_markdown(report), markup=False, highlight=False)
    err.print(f"judge: {report['meta']['judge_description']}")
    err.print("wrote " + ", ".join(str(p) for p in paths.values()))
    for f in failures:
        err.print(f"[bold red]threshold not met:[/] {f}")
    if failures:
        raise typer.Exit(code=1)
