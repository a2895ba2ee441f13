"""``pmt overdue``: the action items whose due date has passed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import typer

from cli.app import app

# EMPTY_STORE and today are also imported from here (tests/test_overdue.py): keep them named.
from cli.context import EMPTY_STORE, app_context, store, today
from cli.options import ListingFormat, day_option, format_option
from cli.output import Column, csv_columns, emit, emit_all, json_lines, render, say, set_wide
from sync.registry import NAMES, TRACKERS

if TYPE_CHECKING:
    from tracker.queries import OverdueRow

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
CSV_COLUMNS = csv_columns(
    "item owner due due_implicit days_overdue priority postmortem ticket ticket_state"
)
IMPLICIT_NOTE = "* due date set by the deadline policy (none written in the postmortem)"


def due_shown(due: date | None, implicit: bool) -> str:
    """A due date for people: an implicit one (from the deadline policy) is starred."""
    if due is None:
        return ""
    return f"{due.isoformat()}*" if implicit else due.isoformat()


@app.command("overdue")
def overdue(
    ctx: typer.Context,
    as_of: datetime | None = day_option(
        "--as-of", "Ask about another day (YYYY-MM-DD; default: today)."
    ),
    owner: list[str] | None = typer.Option(None, "--owner", help="Only this owner (repeatable)."),
    priority: list[str] | None = typer.Option(
        None, "--priority", help="Only this priority, e.g. P1 (repeatable, or P0,P1)."
    ),
    postmortem: list[str] | None = typer.Option(
        None, "--postmortem", help="Only this postmortem, by key or path (repeatable)."
    ),
    tracker: str | None = typer.Option(None, "--tracker", help=f"Only items tracked in {NAMES}."),
    fmt: ListingFormat = format_option(ListingFormat),
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
    from tracker.queries import overdue_rows

    if wide:
        set_wide(True)
    if tracker is not None and tracker not in TRACKERS:
        raise typer.BadParameter(f"use {NAMES}", param_hint="--tracker")
    settings = app_context(ctx).settings
    day = as_of.date() if as_of else today(settings)
    with store(settings) as db:
        if db.is_empty():
            say(f"pmt overdue: {EMPTY_STORE}")
            if fmt == "json":  # still parseable for scripts
                emit_all(json_lines([]))
            elif fmt == "csv":
                emit(_render([], fmt, day))
            return
        filters: dict[str, Any] = {
            "owner": owner,
            "priority": priority,
            "postmortem": postmortem,
            "tracker": tracker,
        }
        misses: list[str] = []
        with db.reading() as conn:
            if fmt == "json":
                # Written as the database reads it (tens of thousands of items, the oldest
                # due date first), not grouped by owner.
                count = 0

                def objects() -> Iterator[dict[str, Any]]:
                    nonlocal count
                    for count, row in enumerate(overdue_rows(conn, day, **filters), 1):
                        yield row.to_dict()

                emit_all(json_lines(objects()))
                implicit = False
            else:
                rows = find_overdue(conn, day, **filters)
                emit(_render(rows, fmt, day))
                count, implicit = len(rows), any(r.due_implicit for r in rows)
            if (owner or postmortem) and not count:
                from tracker.filter_misses import filter_misses

                misses = filter_misses(conn, owner=owner, postmortem=postmortem)

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


def _render(rows: list[OverdueRow], fmt: str, day: date) -> str:
    if not rows and fmt != "csv":
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
    if fmt == "csv":
        return render(table, CSV_COLUMNS, fmt)
    return render(table, OVERDUE_COLUMNS, fmt, group_by="owner_group", title=f"Overdue as of {day}")
