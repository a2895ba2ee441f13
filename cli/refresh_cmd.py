"""``pmt refresh``: pull the state of every linked ticket into the store."""

from __future__ import annotations

import typer

from cli.app import app, redacted
from cli.context import app_context, store
from cli.options import TableOrJson, format_option
from cli.output import Column, emit, render, say, to_json
from sync.registry import DEFAULT_TRACKER, NAMES

CHANGE_COLUMNS = [
    Column("postmortem", "Postmortem", max_width=36),
    Column("item", "Item", max_width=50),
    Column("ticket", "Ticket"),
    Column("from", "Was"),
    Column("to", "Now"),
    Column("state_reason", "Reason"),
    Column("assignee", "Assignee"),
]


@app.command("refresh")
def refresh(
    ctx: typer.Context,
    tracker: str | None = typer.Option(
        None, "--tracker", "-t", help=f"{NAMES} (default: [sync] tracker, {DEFAULT_TRACKER})."
    ),
    fmt: TableOrJson = format_option(TableOrJson),
) -> None:
    """Read the state of every linked ticket (open or closed, reason, assignee, closing time)
    in bulk and record what changed. pmt overdue relies on it: an item whose ticket is closed
    is not overdue. Run it from cron before pmt overdue. Exit 4 when the tracker cannot be
    reached (connection refused, DNS failure).

    Example: pmt refresh && pmt overdue --fail
    """
    from sync.refresh import refresh as run_refresh
    from sync.registry import get_backend

    context = app_context(ctx)
    settings = context.settings
    backend = get_backend(tracker or settings.sync.tracker, settings, context.secrets)
    with store(settings) as db:
        report = run_refresh(db, backend)
    if fmt == "json":
        emit(redacted(to_json(report.to_dict())))
    elif report.changed:
        emit(
            render([c.to_dict() for c in report.changed], CHANGE_COLUMNS, "table", title="Changed")
        )
    if report.postmortems == 0:
        say(f"pmt refresh: no ticket is linked on {backend.name} yet; run pmt sync first")
    else:
        say(
            f"pmt refresh: {report.checked} ticket(s) of {report.postmortems} postmortem(s) checked: "
            f"{len(report.changed)} changed, {len(report.missing)} not found"
        )
    for key in report.missing:
        say(f"pmt refresh: {key}: not found on {backend.name} (deleted, moved, or no access)")
    if report.stopped:
        say(redacted(f"pmt refresh: {report.stopped}"))
        raise typer.Exit(1)
