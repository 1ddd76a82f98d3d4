"""The `rag` command: ingest articles, ask questions, start the UI, run the evaluation.

Start-up time matters here (`rag --help` should answer at once), so this module imports only typer,
rich and the light `rag.errors`; llama-index, chromadb, onnxruntime, openai and gradio are imported
inside the command that needs them (`bench/bench_cli.py` measures it, tests/test_cli_imports.py guards it).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from rag.errors import RagError

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Question answering over news articles with verified citations.")
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


def _fail(exc: RagError) -> None:
    err.print(f"[bold red]Error:[/] {exc}")
    raise typer.Exit(code=2)


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: RAG_CORPUS_DIR).")] = None,
    prune: Annotated[bool, typer.Option(help="Remove articles whose files are no longer given.")] = False,
) -> None:
    """Index .txt/.md articles into Chroma (incremental: unchanged files are not rewritten)."""
    from rag.ingest.pipeline import ingest as run_ingest
    from rag.settings import get_settings

    settings = get_settings()
    targets = paths or [settings.corpus_dir]
    try:
        report = run_ingest(targets, settings, prune=prune, progress=sys.stderr.isatty(),
                            on_skip=lambda s: err.print(f"[yellow]skipped[/] {s.path}: {s.reason}"))
    except RagError as exc:
        _fail(exc)
    out.print(
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed, {len(report.skipped)} skipped; "
        f"{report.chunks_written} chunks written, {report.chunks_deleted} deleted in {report.seconds:.1f}s"
    )


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the full answer as JSON.")] = False,
) -> None:
    """Answer one question with numbered citations."""
    from rag.answering import answer

    try:
        res = answer(question)
    except RagError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(res.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    if res.notice:
        err.print(f"[yellow]{res.notice}[/]")
    out.print(res.text, markup=False, highlight=False)
    for c in res.citations:
        out.print(f"[bold][{c.n}][/] {c.source} ({c.title}) chars {c.start}-{c.end}", highlight=False)
        out.print(f"    “{c.quote}”", markup=False, highlight=False)


@app.command()
def ui(
    host: Annotated[str | None, typer.Option(help="Bind address (default RAG_UI_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default RAG_UI_PORT).")] = None,
) -> None:
    """Start the Gradio chat UI."""
    from ui.app import launch

    try:
        launch(host=host, port=port)
    except RagError as exc:
        _fail(exc)


# The evaluation lives in eval/; its command module imports nothing heavy until it runs.
from eval.command import eval_command  # noqa: E402

app.command(name="eval")(eval_command)


def main() -> None:
    """Entry point with logging set up for command-line use."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
