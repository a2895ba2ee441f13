"""``pmt overdue``: the action items whose due date has passed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import typer

from cli.app import app

# EMPTY_STORE and today are also imported from here (tests/test_overdue.py): keep them named.
from cli.context import EMPTY_STORE, app_context, store, today
from cli.options import (
    ListingFormat,
    all_option,
    day_option,
    format_option,
    limit_option,
    rows_to_show,
)
from cli.output import (
    Column,
    csv_columns,
    csv_lines,
    emit,
    emit_all,
    json_lines,
    render,
    say,
    say_cut,
    set_wide,
)
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
    limit: int | None = limit_option(),
    every: bool = all_option(),
) -> None:
    """Open action items whose due date is before today (in the configured time zone),
    grouped by owner. An item whose ticket is closed is not overdue. A table shows the most
    overdue first and says how many more there are.

    Example: pmt overdue --priority P0,P1 --format markdown --fail
    """
    from tracker.queries import count_overdue, overdue_page, overdue_rows
    from tracker.queries import overdue as find_overdue

    if wide:
        set_wide(True)
    if tracker is not None and tracker not in TRACKERS:
        raise typer.BadParameter(f"use {NAMES}", param_hint="--tracker")
    most = rows_to_show(limit, every, fmt)
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
            # count: every overdue item (--fail and the summary count them all); shown: those
            # printed, the first screenful of a table unless --limit or --all says otherwise.
            if fmt in ("json", "csv") and (fmt == "json" or most is None):
                # Written as the database reads it (tens of thousands of items): JSON the
                # oldest due date first, not grouped by owner; CSV by owner, sorted in SQL.
                shown, implicit = 0, False

                def objects() -> Iterator[dict[str, Any]]:
                    nonlocal shown, implicit
                    rows = overdue_rows(conn, day, limit=most, by_owner=fmt == "csv", **filters)
                    for shown, row in enumerate(rows, 1):
                        implicit = implicit or row.due_implicit
                        yield row.to_dict()

                if fmt == "json":
                    emit_all(json_lines(objects()))
                    implicit = False  # the JSON says it itself (due_implicit)
                else:
                    emit_all(csv_lines(objects(), CSV_COLUMNS))
                count = shown
                if most is not None and shown == most:
                    count = count_overdue(conn, day, **filters)
            else:
                if most is None:
                    rows = find_overdue(conn, day, **filters)
                    count = len(rows)
                else:
                    rows, count = overdue_page(conn, day, most, **filters)
                emit(_render(rows, fmt, day))
                shown, implicit = len(rows), any(r.due_implicit for r in rows)
            if (owner or postmortem) and not count:
                from tracker.filter_misses import filter_misses

                misses = filter_misses(conn, owner=owner, postmortem=postmortem)

    if count:
        say(
            f"pmt overdue: {count} overdue as of {day}" + (f"; {IMPLICIT_NOTE}" if implicit else "")
        )
        if shown < count:
            say_cut("overdue", f"the {shown} most overdue of {count}", fmt, "json|csv")
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
    # Rows come by owner, the oldest due date first (a table's first screenful: the most
    # overdue, then by owner); "@Alice", "alice" and "Alice" are one person, grouped under the
    # first spelling seen.
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
