"""``pmt ingest PATH...``: read postmortems into the store."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

from cli.app import app
from cli.context import app_context, store
from cli.options import TextOrJson, format_option
from cli.output import JsonListWriter, say, say_wrapped
from cli.repeat_warnings import say_repeats

if TYPE_CHECKING:
    from tracker.config import Settings
    from tracker.ingest import FileResult, IngestReport

# Below this many files an ingest takes a moment: a bar would only flicker.
PROGRESS_MIN_FILES = 20


def stderr_is_terminal() -> bool:
    """Whether a person watches stderr (a progress bar is drawn only then)."""
    return sys.stderr.isatty()


@app.command("ingest")
def ingest(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(
        ...,
        help="Postmortem files or folders (folders are searched recursively).",
        show_default=False,
    ),
    fmt: TextOrJson = format_option(
        TextOrJson, help="text (one line per file on stderr) or json (the whole report on stdout)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only report failures and the total."),
) -> None:
    """Parse postmortems and store them with their action items, keeping each item's history.

    Files whose content has not changed since the last ingest are skipped. A file that cannot
    be parsed is reported and skipped; the others still ingest, and the exit code is 1.
    Given a folder, a postmortem whose file under it is gone is marked removed (kept, no
    longer chased). Paths are stored relative to the project root (the folder of pmt.toml,
    else of .git), so any subfolder gives the same postmortems.
    Action items without a due date get one from the deadline policy ([deadlines]).

    Example: pmt ingest postmortems/ && pmt overdue
    """
    from tracker.ingest import ingest_paths
    from tracker.repeat_check import check_repeats

    settings = app_context(ctx).settings
    textual = fmt == "text"
    with store(settings) as db:
        with _progress(stderr_is_terminal()) as (start, tell, advance):

            def show(result: FileResult) -> None:
                if textual and (not quiet or result.status == "failed"):
                    tell(describe(result))
                advance()

            report = ingest_paths(db, paths, settings, on_result=show, on_start=start)
        if textual:
            repeats = check_repeats(db, report.changed_keys, settings, keep=False)
        else:
            # The report, then "repeats" (always there, an empty list when none) written as
            # they are found: an ingest of thousands of postmortems may find tens of thousands.
            writer = JsonListWriter(report.to_dict(), "repeats")
            repeats = check_repeats(
                db, report.changed_keys, settings, keep=False, on_warning=writer.add
            )
            writer.close()
    for path in report.cleaned:
        say(f"pmt ingest: removed {path}, a temporary file left by an interrupted write-back")
    say_repeats(repeats)
    if report.discovered == 0 and report.ok:
        say_wrapped(f"pmt ingest: {nothing_found(paths, settings)}")
    say(total(report))
    if not report.ok:
        raise typer.Exit(1)


def nothing_found(paths: list[str], settings: Settings) -> str:
    """Why an ingest had nothing to read, with the globs that decided it."""
    where = ", ".join(paths)
    return (
        f"no postmortem files found in {where} (looked for {', '.join(settings.ingest.include)}; "
        f"left out {', '.join(settings.ingest.exclude)}: [ingest] include / exclude)"
    )


Callbacks = tuple[Callable[[int], None], Callable[[str], None], Callable[[], None]]


@contextmanager
def _progress(terminal: bool) -> Iterator[Callbacks]:
    """(start(total), tell(line), advance()): on a terminal, a bar at the bottom of stderr with
    each line printed above it; elsewhere (CI, a log file), the lines only."""
    if not terminal:
        yield (lambda total: None), (lambda line: say_wrapped(line, indent=11)), (lambda: None)
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True, highlight=False)
    progress = Progress(
        TextColumn("ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    task: list[Any] = []

    def start(total: int) -> None:
        if total >= PROGRESS_MIN_FILES:
            task.append(progress.add_task("ingesting", total=total))
            progress.start()

    def tell(line: str) -> None:
        if task:
            progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            say_wrapped(line, indent=11)

    def advance() -> None:
        if task:
            progress.advance(task[0])

    try:
        yield start, tell, advance
    finally:
        progress.stop()


def describe(result: FileResult) -> str:
    """One line about one file (and its notes, indented)."""
    if result.status == "failed":
        return f"failed     {result.path}: {result.error}"
    if result.status == "removed":
        return f"removed    {result.path} (the file is gone: its items are no longer chased)"
    line = f"{result.status:<10} {result.path}"
    if result.status != "unchanged":
        parts = [f"{result.items} item{'s' if result.items != 1 else ''}"]
        parts += [f"{n} {name.replace('_', ' ')}" for name, n in sorted(result.events.items())]
        line += f" ({', '.join(parts)})"
    for note in result.notes:
        line += f"\n           note: {note}"
    return line


def total(report: IngestReport) -> str:
    counts = report.counts()
    files = len(report.results)
    shown = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    return f"pmt ingest: {files} file{'s' if files != 1 else ''}" + (f": {shown}" if shown else "")
