"""``pmt owners``: who owns action items, and who they are on GitHub and Jira."""

from __future__ import annotations

from datetime import datetime

import typer

from cli.app import app
from cli.context import EMPTY_STORE, app_context, store, today
from cli.options import ListingFormat, day_option, format_option
from cli.output import Column, emit, render, say, say_wrapped

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
    as_of: datetime | None = day_option(
        "--as-of", "Count overdue items as of this day (YYYY-MM-DD)."
    ),
    fmt: ListingFormat = format_option(ListingFormat),
) -> None:
    """Every owner of an action item with their open and overdue items, and the GitHub login
    and Jira user their tickets are assigned to ([github] owners, an @handle, [jira] owners).
    An owner with none is left unassigned by pmt sync: add them to the table.

    Example: pmt owners --format json
    """
    from tracker.owners import owners

    settings = app_context(ctx).settings
    day = as_of.date() if as_of else today(settings)
    with store(settings) as db:
        empty = db.is_empty()
        with db.reading() as conn:
            rows = owners(conn, settings, day)
    if not rows:
        say(f"pmt owners: {EMPTY_STORE}" if empty else "pmt owners: no action item has an owner")
    data = [r.to_dict() for r in rows]
    table = [
        {**d, "github_shown": d["github"] or UNMAPPED, "jira_shown": d["jira"] or UNMAPPED}
        for d in data
    ]
    if rows or fmt in ("json", "csv"):
        emit(render(table, COLUMNS, fmt, json_data=data, title=f"Owners (overdue as of {day})"))
    unmapped = [r.owner for r in rows if r.github is None]
    if unmapped and fmt != "json":
        say_wrapped(
            f"pmt owners: {len(unmapped)} owner{'s' if len(unmapped) != 1 else ''} without a GitHub login "
            "(add them to [github] owners in pmt.toml)"
        )
