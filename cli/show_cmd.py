"""``pmt show POSTMORTEM`` and ``pmt list``: what the store knows, one postmortem or all."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import typer

from cli.app import app
from cli.context import app_context
from cli.output import Column, Format, emit, render, say, to_json
from cli.overdue_cmd import EMPTY_STORE, IMPLICIT_NOTE, due_shown, today

if TYPE_CHECKING:
    from tracker.queries import PostmortemDetail

ITEM_COLUMNS = [
    Column("uid", "Id"),
    Column("text", "Item", max_width=60),
    Column("owner", "Owner"),
    Column("due_shown", "Due"),
    Column("priority", "Priority"),
    Column("state", "State"),
    Column("ticket", "Ticket"),
    Column("ticket_state", "Ticket state"),
]
ITEM_CSV_COLUMNS = [
    Column("uid", "uid"),
    Column("text", "text"),
    Column("owner", "owner"),
    Column("due", "due"),
    Column("due_implicit", "due_implicit"),
    Column("priority", "priority"),
    Column("status", "status"),
    Column("overdue", "overdue"),
    Column("days_overdue", "days_overdue"),
    Column("ticket", "ticket"),
    Column("ticket_state", "ticket_state"),
    Column("line", "line"),
]
LIST_COLUMNS = [
    Column("key", "Postmortem", max_width=40),
    Column("title", "Title", max_width=50),
    Column("incident_date", "Date"),
    Column("severity", "Severity"),
    Column("items", "Items", justify="right"),
    Column("open", "Open", justify="right"),
    Column("overdue", "Overdue", justify="right"),
]

AS_OF = typer.Option(
    None, "--as-of", formats=["%Y-%m-%d"], help="Count overdue items as of this day (YYYY-MM-DD)."
)
FORMAT = typer.Option(Format.table, "--format", "-f", help="table, json, csv or markdown.")


@app.command("show")
def show(
    ctx: typer.Context,
    postmortem: str = typer.Argument(..., help="The postmortem's key (front-matter id) or its file path."),
    as_of: Optional[datetime] = AS_OF,
    fmt: Format = FORMAT,
) -> None:
    """One postmortem with its action items, their due dates, states and tickets
    (items removed from the document are listed last, marked removed).

    Example: pmt show postmortems/2026-03-02-db-failover.md --format json
    """
    from tracker.errors import PmtError
    from tracker.queries import postmortem_detail
    from tracker.store import open_store

    settings = app_context(ctx).settings
    day = as_of.date() if as_of else today(settings)
    store = open_store(settings)
    try:
        with store.session(write=False) as session:
            project = settings.project_root
            detail = postmortem_detail(
                session, postmortem, day, root=settings.ingest_root(project), project_root=project
            )
    finally:
        store.dispose()
    if detail is None:
        raise PmtError(f"no postmortem {postmortem!r} in the store (pmt list shows them; pmt ingest adds them)")
    emit(_render_detail(detail, fmt))
    if fmt is not Format.json and any(i.due_implicit for i in detail.items):
        say(f"pmt show: {IMPLICIT_NOTE}")


def _render_detail(detail: PostmortemDetail, fmt: Format) -> str:
    if fmt is Format.json:
        return to_json(detail.to_dict())
    rows = [
        {
            **item.to_dict(),
            "due_shown": due_shown(item.due, item.due_implicit),
            "state": f"overdue ({item.days_overdue}d)" if item.overdue else item.status,
        }
        for item in detail.items
    ]
    if fmt is Format.csv:
        return render(rows, ITEM_CSV_COLUMNS, fmt)
    pm = detail.postmortem
    facts = [str(v) for v in (pm.incident_date, pm.severity, pm.path) if v]
    title = f"{pm.key}: {pm.title or '(untitled)'} ({', '.join(facts)})"
    out = render(rows, ITEM_COLUMNS, fmt, title=title)
    tracking = [t for t in detail.tickets if t.role == "tracking"]
    if tracking:
        out += "".join(f"Tracking ticket: {t.key} ({t.state}) {t.url or ''}\n" for t in tracking)
    if pm.removed_at is not None:
        out += (
            f"Removed on {pm.removed_at.date().isoformat()}: its file is gone, so its items are not chased "
            "(pmt ingest restores it if the file comes back).\n"
        )
    return out


@app.command("list")
def list_(
    ctx: typer.Context,
    as_of: Optional[datetime] = AS_OF,
    fmt: Format = FORMAT,
) -> None:
    """Every postmortem in the store with its number of items, open items and overdue items,
    newest incident first.

    Example: pmt list --format csv > postmortems.csv
    """
    from tracker.queries import list_postmortems
    from tracker.store import open_store

    settings = app_context(ctx).settings
    day = as_of.date() if as_of else today(settings)
    store = open_store(settings)
    try:
        with store.reading() as conn:
            rows = list_postmortems(conn, day)
    finally:
        store.dispose()
    if not rows:
        say(f"pmt list: {EMPTY_STORE}")
    data = [r.to_dict() for r in rows]
    if fmt is Format.json or rows or fmt is Format.csv:
        emit(render(data, LIST_COLUMNS, fmt, json_data=data, title=f"Postmortems (overdue as of {day})"))
