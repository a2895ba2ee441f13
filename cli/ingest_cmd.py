"""``pmt ingest PATH...``: read postmortems into the store."""

from __future__ import annotations

import gc
from enum import Enum
from typing import TYPE_CHECKING

import typer

from cli.app import app
from cli.context import app_context
from cli.output import emit, say, to_json
from cli.repeat_warnings import analyse, print_warnings, warnings_json

if TYPE_CHECKING:
    from tracker.ingest import FileResult, IngestReport


class IngestFormat(str, Enum):
    text = "text"
    json = "json"


@app.command("ingest")
def ingest(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(
        ..., help="Postmortem files or folders (folders are searched recursively).", show_default=False
    ),
    fmt: IngestFormat = typer.Option(
        IngestFormat.text,
        "--format",
        "-f",
        help="text (one line per file on stderr) or json (the whole report on stdout).",
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
    from tracker.store import open_store

    settings = app_context(ctx).settings
    store = open_store(settings)
    textual = fmt is IngestFormat.text
    # Everything imported so far lives until exit: keep the collector from re-scanning it
    # after every few thousand allocations of parsing (a tenth of a large ingest's time).
    gc.freeze()

    def show(result: FileResult) -> None:
        if textual and (not quiet or result.status == "failed"):
            say(describe(result))

    try:
        report = ingest_paths(store, paths, settings, on_result=show)
        repeats = analyse(store, report.changed_keys, settings)
    finally:
        store.dispose()
    if not textual:
        emit(to_json({**report.to_dict(), "repeats": [], **warnings_json(repeats)}))
    for path in report.cleaned:
        say(f"pmt ingest: removed {path}, a temporary file left by an interrupted write-back")
    print_warnings(repeats)
    say(total(report))
    if not report.ok:
        raise typer.Exit(1)


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
