"""``pmt overdue``: the action items whose due date has passed."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import typer

from cli.app import app
from cli.context import app_context
from cli.output import Column, Format, emit, render, say, set_wide

if TYPE_CHECKING:
    from tracker.config import Settings

EMPTY_STORE = (
    "the store is empty: nothing has been ingested yet. "
    "Ingest your postmortems first, e.g.: pmt ingest postmortems/"
)

# On a narrow terminal the ticket state goes first, then the ticket, then the postmortem;
# the item, its due date and how late it is always stay (``cli.table_fit``).
OVERDUE_COLUMNS = [
    Column("item", "Item", max_width=60, kind="text"),
    Column("owner_group", "Owner"),
    Column("due_shown", "Due", kind="atom"),
    Column("days_overdue", "Days late", justify="right", kind="atom"),
    Column("priority", "Prio", kind="atom", drop=4),
    Column("postmortem_shown", "Postmortem", kind="ref", drop=3),
    Column("ticket", "Ticket", kind="atom", drop=2),
    Column("ticket_state", "Ticket state", kind="atom", drop=1),
]
CSV_COLUMNS = [
    Column("item", "item"),
    Column("owner", "owner"),
    Column("due", "due"),
    Column("due_implicit", "due_implicit"),
    Column("days_overdue", "days_overdue"),
    Column("priority", "priority"),
    Column("postmortem", "postmortem"),
    Column("ticket", "ticket"),
    Column("ticket_state", "ticket_state"),
]
IMPLICIT_NOTE = "* due date set by the deadline policy (none written in the postmortem)"


def due_shown(due: date | None, implicit: bool) -> str:
    """A due date for people: an implicit one (from the deadline policy) is starred."""
    if due is None:
        return ""
    return f"{due.isoformat()}*" if implicit else due.isoformat()


def today(settings: Settings) -> date:
    """Today in the configured time zone (not the machine's)."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(settings.timezone)).date()


@app.command("overdue")
def overdue(
    ctx: typer.Context,
    as_of: datetime | None = typer.Option(
        None,
        "--as-of",
        formats=["%Y-%m-%d"],
        help="Ask about another day (YYYY-MM-DD; default: today).",
    ),
    owner: list[str] | None = typer.Option(None, "--owner", help="Only this owner (repeatable)."),
    priority: list[str] | None = typer.Option(
        None, "--priority", help="Only this priority, e.g. P1 (repeatable, or P0,P1)."
    ),
    postmortem: list[str] | None = typer.Option(
        None, "--postmortem", help="Only this postmortem, by key or path (repeatable)."
    ),
    tracker: str | None = typer.Option(
        None, "--tracker", help="Only items tracked in github or jira."
    ),
    fmt: Format = typer.Option(
        Format.table, "--format", "-f", help="table, json, csv or markdown."
    ),
    fail: bool = typer.Option(
        False, "--fail", help="Exit 1 when anything is overdue (for CI and cron)."
    ),
    wide: bool = typer.Option(
        False, "--wide", help="Every column, nothing shortened (default: fit the terminal)."
    ),
) -> None:
    """Open action items whose due date is before today (in the configured time zone),
    grouped by owner. An item whose ticket is closed is not overdue.

    Example: pmt overdue --priority P0,P1 --format markdown --fail
    """
    from tracker.queries import overdue as find_overdue
    from tracker.queries import overdue_json
    from tracker.store import open_store

    if wide:
        set_wide(True)
    if tracker is not None and tracker not in ("github", "jira"):
        raise typer.BadParameter("use github or jira", param_hint="--tracker")
    settings = app_context(ctx).settings
    day = as_of.date() if as_of else today(settings)
    store = open_store(settings)
    try:
        if store.is_empty():
            say(f"pmt overdue: {EMPTY_STORE}")
            if fmt is Format.json:  # still parseable for scripts
                emit(json_array([]))
            elif fmt is Format.csv:
                emit(_render([], fmt, day))
            return
        filters: dict[str, Any] = {
            "owner": owner,
            "priority": priority,
            "postmortem": postmortem,
            "tracker": tracker,
        }
        misses: list[str] = []
        with store.reading() as session:
            if fmt is Format.json:
                # Objects made by the database: the fast path for tens of thousands of items.
                objects = overdue_json(session, day, **filters)
                rows: list[Any] = []
            else:
                rows = find_overdue(session, day, **filters)
            if (owner or postmortem) and not (objects if fmt is Format.json else rows):
                from tracker.filter_misses import filter_misses

                misses = filter_misses(session, owner=owner, postmortem=postmortem)
    finally:
        store.dispose()

    if fmt is Format.json:
        emit(json_array(objects))
        count, implicit = len(objects), False
    else:
        emit(_render(rows, fmt, day))
        count, implicit = len(rows), any(r.due_implicit for r in rows)
    if count:
        say(
            f"pmt overdue: {count} overdue as of {day}" + (f"; {IMPLICIT_NOTE}" if implicit else "")
        )
    else:
        said = describe_filters(owner, priority, postmortem, tracker)
        say(f"pmt overdue: nothing overdue as of {day}" + (f" matches {said}" if said else ""))
        for miss in misses:
            say(f"pmt overdue: {miss}")
    if fail and count:
        raise typer.Exit(1)


def describe_filters(
    owner: list[str] | None,
    priority: list[str] | None,
    postmortem: list[str] | None,
    tracker: str | None,
) -> str:
    """The filters given, as typed: "--owner bob --priority P0"."""
    parts = [f"--owner {o}" for o in owner or []]
    parts += [f"--priority {p}" for p in priority or []]
    parts += [f"--postmortem {p}" for p in postmortem or []]
    parts += [f"--tracker {tracker}"] if tracker else []
    return " ".join(parts)


def json_array(objects: list[str]) -> str:
    """A JSON array of ready-made JSON objects, one per line."""
    if not objects:
        return "[]\n"
    return "[\n  " + ",\n  ".join(objects) + "\n]\n"


def _render(rows: list[Any], fmt: Format, day: date) -> str:
    if not rows and fmt is not Format.csv:
        return ""
    # Rows come by owner, the oldest due date first; "@Alice", "alice" and "Alice" are one
    # person, grouped under the first spelling seen.
    from tracker.identity import postmortem_label

    spelling: dict[str, str] = {}
    table = [
        {
            **r.to_dict(),
            "due_shown": due_shown(r.due, r.due_implicit),
            "owner_group": spelling.setdefault((r.owner or "").lower().lstrip("@"), r.owner or ""),
            "postmortem_shown": postmortem_label(r.postmortem, r.path),
        }
        for r in rows
    ]
    if fmt is Format.csv:
        return render(table, CSV_COLUMNS, fmt)
    return render(table, OVERDUE_COLUMNS, fmt, group_by="owner_group", title=f"Overdue as of {day}")
