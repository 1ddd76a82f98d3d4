"""The `rag` command: ingest articles, ask questions, start the UI, run the evaluation.

Start-up time matters here (`rag --help` should answer at once), so this module imports only typer,
rich and the light `rag.errors`; llama-index, chromadb, onnxruntime, openai and gradio are imported
inside the command that needs them (`bench/bench_cli.py` measures it, tests/test_cli_imports.py guards it).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from rag.errors import RagError

if TYPE_CHECKING:
    from rag.settings import RagSettings

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Question answering over news articles with verified citations.")
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)
# Set by commands that write nothing but their output (`ask`): `main` then ends the process without Python's
# teardown, which frees the models and thousands of modules one object at a time (about 0.3 s of `rag ask`).
_read_only = False


def _load_spacy() -> None:
    """Load the spaCy pipeline; a failure is left for the answerer to report when it asks for it."""
    from rag.nlp import pipeline

    with contextlib.suppress(RagError):
        pipeline()


def _fail(exc: RagError) -> None:
    err.print(f"[bold red]Error:[/] {exc}")
    raise typer.Exit(code=2)


@app.command()
def ingest(
    paths: Annotated[list[str] | None, typer.Argument(
        help="Files, folders or http(s) URLs (default: RAG_CORPUS_DIR).")] = None,
    prune: Annotated[bool, typer.Option(
        help="Remove articles of the given folders whose files are gone (other folders are kept).")] = False,
    collection: Annotated[str | None, typer.Option(
        help="File the articles under this name instead of each folder's name (ids: NAME/relative/path).")] = None,
) -> None:
    """Index articles into Chroma: .txt .md .html .htm .pdf .jsonl .json .csv .rss .atom .xml files, folders
    of them, or http(s) URLs (incremental: unchanged articles are not rewritten). An article's id is its
    folder's name (or --collection) plus its path inside that folder, e.g. seeds/003_x.txt."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from rag.ingest.loader import check_paths, is_url
    from rag.ingest.pipeline import ingest as run_ingest
    from rag.settings import get_settings

    settings = get_settings()
    # URLs stay strings: Path("https://a/b") would collapse the "//" and read as a file name.
    targets: list[Path | str] = [p if is_url(p) else Path(p) for p in paths] if paths else [settings.corpus_dir]
    bar = Progress(TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), TextColumn("chunks"),
                   TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal)
    task = bar.add_task("ingest", total=None)
    try:
        check_paths(targets)  # before opening the store: a typo'd path must not prune or index anything
        older = _older_index_note(settings)
        with bar:  # skips are printed once, by on_skip (the pipeline logs only when nobody reports them)
            report = run_ingest(targets, settings, prune=prune, collection=collection,
                                on_progress=lambda done, total: bar.update(task, completed=done, total=total),
                                on_skip=lambda s: err.print(f"[yellow]skipped[/] {escape(str(s.path))}: "
                                                            f"{escape(s.reason)}", highlight=False))
    except RagError as exc:
        _fail(exc)
    out.print(
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed, {len(report.skipped)} skipped; "
        f"{report.chunks_written} chunks written, {report.chunks_deleted} deleted in {report.seconds:.1f}s"
    )
    if older:
        err.print(f"[yellow]Note:[/] {escape(older)}", highlight=False)


def _older_index_note(settings: RagSettings) -> str | None:
    """The older-index line when this ingest starts a new, empty index beside an older version's one."""
    from rag.index.store import chunks_collection, older_index_hint

    if chunks_collection(settings).count():
        return None
    return older_index_hint(settings)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the full answer as JSON.")] = False,
) -> None:
    """Answer one question with numbered citations."""
    global _read_only
    # Every write it may make is committed before it answers: the disk caches' (rag/disk_cache.py) and, on an
    # empty index, the first ingest's (tests/test_cli.py checks a later process sees both).
    _read_only = True
    # The answerers parse with spaCy, whose import and model load are a third of this command's time. Loaded in
    # the background they overlap the store and embedding work below (ONNX Runtime and Chroma release the GIL).
    threading.Thread(target=_load_spacy, daemon=True).start()
    from rag.answering import answer
    from rag.provenance import newer_sentence

    try:
        res = answer(question)
    except RagError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(res.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    if res.notice:
        err.print(f"[yellow]{res.notice}[/]")
    if res.short_answer:
        out.print(f"[bold]{escape(res.short_answer.text)}[/] [{res.short_answer.n}]", highlight=False)
    out.print(res.text, markup=False, highlight=False)
    for c in res.citations:  # one line per citation: id, title, then publisher, date, page, link when known
        meta = "".join(f" · {x}" for x in (c.publisher, c.date and c.date[:10], c.page and f"p. {c.page}", c.url) if x)
        out.print(f"[bold][{c.n}][/] {escape(c.source)} ({escape(c.title)}){escape(meta)} chars {c.start}-{c.end}",
                  highlight=False)
        out.print(f"    “{c.quote}”", markup=False, highlight=False)
    if newer_sentence(res):
        out.print(newer_sentence(res), markup=False, highlight=False)


@app.command()
def prepare() -> None:
    """Parse and embed every indexed sentence now, so first answers about any article are fast."""
    from rag.answering import get_pipeline
    from rag.prepare import prepare as prepare_index
    from rag.settings import get_settings

    threading.Thread(target=_load_spacy, daemon=True).start()
    try:
        report = prepare_index(get_pipeline(get_settings()))
    except RagError as exc:
        _fail(exc)
    out.print(f"{report.sentences} sentences ready: {report.parsed} parsed, {report.embedded} embedded now, "
              f"the rest already on disk ({report.seconds:.1f} s).", highlight=False)
    if report.capped:
        err.print("[yellow]The index holds more sentences than the disk caches keep "
                  "(RAG_PARSE_CACHE_ENTRIES, RAG_VECTOR_CACHE_ENTRIES): the rest are prepared when first asked "
                  "about.[/]")


@app.command()
def ui(
    host: Annotated[str | None, typer.Option(help="Bind address (default RAG_UI_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default RAG_UI_PORT).")] = None,
) -> None:
    """Start the Gradio chat UI."""
    from rag.ui.app import launch

    try:
        launch(host=host, port=port)
    except RagError as exc:
        _fail(exc)


# The evaluation lives in eval/; its command module imports nothing heavy until it runs.
from rag.eval.command import eval_command  # noqa: E402

app.command(name="eval")(eval_command)


def main() -> None:
    """Entry point with logging set up for command-line use."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except SystemExit as exc:
        if not _read_only:
            raise
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing left to say to it
            sys.stdout.flush()
            sys.stderr.flush()
        logging.shutdown()
        os._exit(code)


if __name__ == "__main__":
    main()
