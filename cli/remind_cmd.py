"""``pmt remind``: nudge the owners of overdue action items on their tickets, then a digest."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

import typer

from cli.app import app
from cli.context import app_context, store
from cli.options import TableJsonOrMarkdown, all_option, format_option, limit_option, rows_to_show
from cli.output import Column, emit, render, say, say_cut
from sync.registry import TRACKERS

if TYPE_CHECKING:

    class TrackerName(str, Enum):
        """The trackers of the registry (made below at run time)."""

else:
    # One choice per tracker of the registry (sync.registry).
    TrackerName = Enum("TrackerName", {name: name for name in TRACKERS}, type=str)


COLUMNS = [
    Column("owner", "Owner"),
    Column("item", "Action item", max_width=50),
    Column("days_overdue", "Days late", justify="right"),
    Column("ticket", "Ticket"),
    Column("mention", "Mentioned"),
    Column("result", "Reminder"),
]


@app.command("remind")
def remind_command(
    ctx: typer.Context,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Say who would be reminded; comment on nothing."
    ),
    owner: str | None = typer.Option(
        None, "--owner", help="Only this owner's items (as written, @ optional)."
    ),
    tracker: TrackerName | None = typer.Option(
        None, "--tracker", help="Only tickets on this tracker (default: every linked ticket)."
    ),
    fmt: TableJsonOrMarkdown = format_option(
        TableJsonOrMarkdown, help="Digest format: table, json or markdown."
    ),
    limit: int | None = limit_option(),
    every: bool = all_option(),
) -> None:
    """Comment on the ticket of each overdue action item, mentioning its assignee.

    A ticket gets at most one reminder per remind.interval_days (default 7): the store
    remembers, and each comment carries a dated marker that is looked for on the ticket when
    the store has no record. Then prints a digest per owner (a table: the most overdue items,
    and how many more there are; every item is reminded all the same). Exit status 1 when a
    comment failed.

    Example: pmt remind --dry-run --owner alice
    """
    from sync.registry import get_backend
    from sync.remind import STATUS_WORDS, remind

    most = rows_to_show(limit, every, fmt)
    actx = app_context(ctx)
    settings = actx.settings
    secrets = actx.secrets
    with store(settings) as db:
        report = remind(
            db,
            settings,
            lambda name: get_backend(name, settings, secrets),  # type: ignore[arg-type, return-value]
            dry_run=dry_run,
            owner=owner,
            tracker=tracker.value if tracker else None,
        )

    # Every outcome is in the JSON; the digest shows the most overdue (all without a limit).
    outcomes = report.outcomes
    if most is not None and fmt != "json":
        outcomes = sorted(outcomes, key=lambda o: -o.days_overdue)[:most]
    rows = []
    for o in sorted(
        outcomes, key=lambda o: (o.owner is None, (o.owner or "").lower(), -o.days_overdue)
    ):
        result = STATUS_WORDS[o.status]
        if o.status == "recent" and o.last_reminded:
            result = f"reminded on {o.last_reminded.isoformat()}"
        if o.note and o.status in ("failed", "not_attempted"):
            result = f"{result}: {o.note}"
        rows.append({**o.to_dict(), "owner": o.owner or "(no owner)", "result": result})
    emit(render(rows, COLUMNS, fmt, json_data=report.to_dict(), group_by="owner"))

    verb = "would remind" if dry_run else "reminded"
    counted = report.count("would_send" if dry_run else "sent")
    say(
        f"pmt: {verb} {counted} ticket(s); {report.count('recent')} reminded in the last "
        f"{report.interval_days} days; {report.count('no_ticket')} overdue item(s) without a ticket"
    )
    if len(outcomes) < len(report.outcomes):
        showing = f"the {len(outcomes)} most overdue of {len(report.outcomes)} items in the digest"
        say_cut("remind", showing, fmt, "json")
    if report.stopped:
        say(f"pmt: stopped early: {report.stopped}")
    if report.failed:
        say(f"pmt: {len(report.failed)} reminder(s) failed")
        raise typer.Exit(1)
