"""``pmt new "TITLE"``: start a postmortem from the canonical template."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer

from cli.app import app
from cli.context import app_context
from cli.options import day_option, output_option
from cli.output import emit, say


@app.command("new")
def new(
    ctx: typer.Context,
    title: str = typer.Argument(..., help='The incident\'s title, e.g. "Checkout errors in EU".'),
    folder: Path | None = typer.Option(
        None,
        "--dir",
        "-d",
        help="Folder for the new file (default: the current folder).",
        file_okay=False,
    ),
    output: Path | None = output_option("Exact file to write (instead of DATE-title-slug.md)."),
    day: datetime | None = day_option(
        "--date", "Incident date, YYYY-MM-DD (default: today in the configured time zone)."
    ),
) -> None:
    """Write a new postmortem with the canonical sections, today's date and the configured time
    zone filled in. Prints the new file's path; fill its {{blanks}}, then run pmt lint on it.

    Example: pmt new "Checkout errors in EU" --dir postmortems/
    """
    from cli.files import output_target
    from tracker import scaffold

    if folder is not None and output is not None:
        raise typer.BadParameter("give --dir or --output, not both", param_hint="--dir/--output")
    if output is not None:
        # A FIFO or a device is refused as such (exit 2); any other existing file as existing.
        output_target(output)
    settings = app_context(ctx).settings
    when: date = day.date() if day is not None else scaffold.today(settings.timezone)
    planned = scaffold.plan(title, when, settings.timezone, folder=folder, output=output)
    path = scaffold.write(planned)
    emit(f"{path}\n")
    say(f"pmt new: wrote {path}; fill in its {{{{blanks}}}}, then run: pmt lint {path}")
