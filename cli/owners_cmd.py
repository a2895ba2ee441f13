"""``pmt owners``: who owns action items, and who they are on GitHub and Jira."""

from __future__ import annotations

from datetime import datetime

import typer

from cli.app import app
from cli.context import app_context
from cli.output import Column, Format, emit, render, say, say_wrapped

COLUMNS = [
    Column("owner", "Owner", kind="text"),
    Column("open", "Open", justify="right", kind="atom"),
    Column("overdue", "Overdue", justify="right", kind="atom"),
    Column("github_shown", "GitHub login", kind="atom"),
    Column("jira_shown", "Jira user", kind="atom", drop=1),
]
UNMAPPED = "-"


@app.command("owners")
def owners_command(
    ctx: typer.Context,
    as_of: datetime | None = typer.Option(
        None,
        "--as-of",
        formats=["%Y-%m-%d"],
        help="Count overdue items as of this day (YYYY-MM-DD).",
    ),
    fmt: Format = typer.Option(
        Format.table, "--format", "-f", help="table, json, csv or markdown."
    ),
) -> None:
    """Every owner of an action item with their open and overdue items, and the GitHub login
    and Jira user their tickets are assigned to ([github] owners, an @handle, [jira] owners).
    An owner with none is left unassigned by pmt sync: add them to the table.

    Example: pmt owners --format json
    """
    from cli.overdue_cmd import EMPTY_STORE, today
    from tracker.owners import owners
    from tracker.store import open_store

    settings = app_context(ctx).settings
    day = as_of.date() if as_of else today(settings)
    store = open_store(settings)
    try:
        empty = store.is_empty()
        with store.reading() as conn:
            rows = owners(conn, settings, day)
    finally:
        store.dispose()
    if not rows:
        say(f"pmt owners: {EMPTY_STORE}" if empty else "pmt owners: no action item has an owner")
    data = [r.to_dict() for r in rows]
    table = [
        {**d, "github_shown": d["github"] or UNMAPPED, "jira_shown": d["jira"] or UNMAPPED}
        for d in data
    ]
    if rows or fmt in (Format.json, Format.csv):
        emit(render(table, COLUMNS, fmt, json_data=data, title=f"Owners (overdue as of {day})"))
    unmapped = [r.owner for r in rows if r.github is None]
    if unmapped and fmt is not Format.json:
        say_wrapped(
            f"pmt owners: {len(unmapped)} owner{'s' if len(unmapped) != 1 else ''} without a GitHub login "
            "(add them to [github] owners in pmt.toml)"
        )
