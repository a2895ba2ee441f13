"""``pmt show POSTMORTEM`` and ``pmt list``: what the store knows, one postmortem or all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer

from cli.app import app
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
    json_array,
    render,
    say,
    say_cut,
    set_wide,
    to_json,
)
from cli.overdue_cmd import IMPLICIT_NOTE, due_shown

if TYPE_CHECKING:
    from tracker.queries import ItemDetail, PostmortemDetail

ITEM_COLUMNS = [
    Column("uid", "Id", kind="atom", drop=2),
    Column("text", "Item", max_width=60, kind="text"),
    Column("owner", "Owner"),
    Column("due_shown", "Due", kind="atom"),
    Column("priority", "Prio", kind="atom", drop=4),
    Column("state", "State", kind="text"),
    Column("ticket", "Ticket", kind="atom", drop=3),
    Column("ticket_state", "Ticket state", kind="atom", drop=1),
]
ITEM_CSV_COLUMNS = csv_columns(
    "uid text owner due due_implicit priority status overdue days_overdue ticket ticket_state line"
)
LIST_COLUMNS = [
    Column("path", "Postmortem", kind="path"),
    Column("own_id", "Id", kind="atom", drop=1),
    Column("title", "Title", max_width=50, kind="text", drop=4),
    Column("incident_date", "Date", kind="atom"),
    Column("severity", "Severity", kind="atom", drop=3),
    Column("items", "Items", justify="right", kind="atom", drop=2),
    Column("open", "Open", justify="right", kind="atom"),
    Column("overdue", "Overdue", justify="right", kind="atom"),
]
LIST_CSV_COLUMNS = csv_columns("key title incident_date severity items open overdue")

AS_OF = day_option("--as-of", "Count overdue items as of this day (YYYY-MM-DD).")
FORMAT = format_option(ListingFormat)
WIDE = typer.Option(
    False, "--wide", help="Every column, nothing shortened (default: fit the terminal)."
)


@app.command("show")
def show(
    ctx: typer.Context,
    postmortem: str = typer.Argument(
        ..., help="The postmortem's key (front-matter id) or its file path."
    ),
    as_of: datetime | None = AS_OF,
    fmt: ListingFormat = FORMAT,
    wide: bool = WIDE,
    limit: int | None = limit_option(),
    every: bool = all_option(),
) -> None:
    """One postmortem with its action items, their due dates, states and tickets
    (items removed from the document are listed last, marked removed). A table shows the
    first items and says how many more there are; the JSON has them all.

    Example: pmt show postmortems/2026-03-02-db-failover.md --format json
    """
    from tracker.errors import PmtError
    from tracker.queries import postmortem_detail

    if wide:
        set_wide(True)
    most = rows_to_show(limit, every, fmt)
    settings = app_context(ctx).settings
    day = as_of.date() if as_of else today(settings)
    with store(settings) as db, db.reading() as conn:
        project = settings.project_root
        detail = postmortem_detail(
            conn, postmortem, day, root=settings.ingest_root(project), project_root=project
        )
    if detail is None:
        raise PmtError(
            f"no postmortem {postmortem!r} in the store (pmt list shows them; pmt ingest adds them)"
        )
    # The JSON is the postmortem's whole document: its items are never cut.
    items = detail.items if fmt == "json" else detail.items[:most]
    emit(_render_detail(detail, items, fmt))
    if fmt != "json" and any(i.due_implicit for i in items):
        say(f"pmt show: {IMPLICIT_NOTE}")
    if len(items) < len(detail.items):
        say_cut("show", f"the first {len(items)} of {len(detail.items)} items", fmt, "json|csv")


def _render_detail(detail: PostmortemDetail, items: list[ItemDetail], fmt: str) -> str:
    if fmt == "json":
        return to_json(detail.to_dict())
    rows = [
        {
            **item.to_dict(),
            "due_shown": due_shown(item.due, item.due_implicit),
            "state": f"overdue ({item.days_overdue}d)" if item.overdue else item.status,
        }
        for item in items
    ]
    if fmt == "csv":
        return render(rows, ITEM_CSV_COLUMNS, fmt)
    from tracker.identity import postmortem_label

    pm = detail.postmortem
    facts = [str(v) for v in (pm.incident_date, pm.severity) if v]
    # The postmortem named as pmt overdue names it: path from the project root, and its id.
    label = postmortem_label(pm.key, pm.path)
    about = (pm.title or "(untitled)") + (f" ({', '.join(facts)})" if facts else "")
    if fmt == "markdown":
        out = render(rows, ITEM_COLUMNS, fmt, title=f"{label}: {about}")
    else:
        out = _lines(label) + _lines(about) + render(rows, ITEM_COLUMNS, fmt)
    tracking = [t for t in detail.tickets if t.role == "tracking"]
    if tracking:
        out += "".join(f"Tracking ticket: {t.key} ({t.state}) {t.url or ''}\n" for t in tracking)
    if pm.removed_at is not None:
        out += (
            f"Removed on {pm.removed_at.date().isoformat()}: its file is gone, so its items are not chased "
            "(pmt ingest restores it if the file comes back).\n"
        )
    return out


def _lines(text: str) -> str:
    """``text`` wrapped to the terminal between words (a path is never cut), or whole with --wide."""
    import textwrap

    from cli.output import is_wide
    from cli.table_fit import terminal_width

    if is_wide():
        return text + "\n"
    return (
        textwrap.fill(text, width=terminal_width(), break_long_words=False, break_on_hyphens=False)
        + "\n"
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    as_of: datetime | None = AS_OF,
    fmt: ListingFormat = FORMAT,
    wide: bool = WIDE,
    limit: int | None = limit_option(),
    every: bool = all_option(),
) -> None:
    """Every postmortem in the store with its number of items, open items and overdue items,
    newest incident first. A table shows the most recent and says how many more there are.

    Example: pmt list --format csv > postmortems.csv
    """
    from tracker.identity import declared_id
    from tracker.queries import count_postmortems, list_postmortems, postmortem_summaries

    if wide:
        set_wide(True)
    most = rows_to_show(limit, every, fmt)
    settings = app_context(ctx).settings
    day = as_of.date() if as_of else today(settings)
    with store(settings) as db, db.reading() as conn:
        if fmt in ("json", "csv"):
            # Written as the database reads it, each postmortem once.
            shown = 0

            def objects() -> Iterator[dict[str, Any]]:
                nonlocal shown
                for shown, row in enumerate(postmortem_summaries(conn, day, most), 1):
                    yield row.to_dict()

            emit_all(
                json_array(objects()) if fmt == "json" else csv_lines(objects(), LIST_CSV_COLUMNS)
            )
            rows = []
        else:
            rows = list_postmortems(conn, day, most)
            shown = len(rows)
        total = shown
        if most is not None and shown == most:
            total = count_postmortems(conn)
    if not total:
        say(f"pmt list: {EMPTY_STORE}")
    if rows:
        data = [r.to_dict() for r in rows]
        shown_rows = [{**d, "own_id": declared_id(d["key"], d["path"])} for d in data]
        emit(render(shown_rows, LIST_COLUMNS, fmt, title=f"Postmortems (overdue as of {day})"))
    if shown < total:
        say_cut("list", f"the {shown} most recent of {total}", fmt, "json|csv")
