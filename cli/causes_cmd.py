"""``pmt causes``: root-cause categories over a period, the trend, and the repeats."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

import typer

from cli.app import app
from cli.context import app_context
from cli.output import Column, emit, render, say, to_json

if TYPE_CHECKING:
    from tracker.causes.report import CausesReport


class CausesFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"


CATEGORY_COLUMNS = [
    Column("category", "Category"),
    Column("count", "Count", justify="right"),
    Column("previous_count", "Previous", justify="right"),
    Column("trend", "Trend", justify="right"),
    Column("postmortems", "Postmortems", max_width=70),
]
PAIR_COLUMNS = [
    Column("later", "Postmortem", max_width=40),
    Column("earlier", "Same cause as", max_width=40),
    Column("score", "Score", justify="right"),
    Column("follow_up", "Earlier follow-up", max_width=44),
]


@app.command("causes")
def causes(
    ctx: typer.Context,
    since: datetime | None = typer.Option(
        None, "--since", formats=["%Y-%m-%d"], help="First day of the period (default: 90 days before --until)."
    ),
    until: datetime | None = typer.Option(
        None, "--until", formats=["%Y-%m-%d"], help="Last day of the period (default: today)."
    ),
    fmt: CausesFormat = typer.Option(CausesFormat.table, "--format", "-f", help="table, json or markdown."),
) -> None:
    """Root-cause categories of the postmortems of a period, with counts and members, the
    trend against the previous period of the same length, and the postmortems whose cause
    repeats an earlier one (with the similarity and whether the earlier follow-up was done).

    Example: pmt causes --since 2026-01-01 --until 2026-03-31 --format markdown
    """
    from cli.overdue_cmd import EMPTY_STORE, today
    from tracker.causes.report import causes_report, default_period
    from tracker.store import open_store

    settings = app_context(ctx).settings
    period = default_period(
        today(settings), since.date() if since else None, until.date() if until else None
    )
    if period.since > period.until:
        raise typer.BadParameter(
            f"--since {period.since} is after --until {period.until}", param_hint="--since"
        )
    store = open_store(settings)
    try:
        if store.is_empty():
            say(f"pmt causes: {EMPTY_STORE}")
        report = causes_report(store, settings, period, today(settings))
    finally:
        store.dispose()
    if fmt is CausesFormat.json:
        emit(to_json(report.to_dict()))
    else:
        emit(render_text(report, fmt.value))
    say(
        f"pmt causes: {len(report.postmortems)} postmortem(s) from {period.since} to {period.until}, "
        f"{len(report.pairs)} repeat(s)"
    )


def _trend(change: int) -> str:
    return f"+{change}" if change > 0 else ("=" if change == 0 else str(change))


def _follow_up(pair: Any) -> str:
    if pair.kind == "fix_did_not_hold":
        return "all closed: fix did not hold"
    if not pair.items:
        return "no action items"
    text = f"{pair.open_items} of {len(pair.items)} still open"
    return text + (f" ({pair.overdue_items} overdue)" if pair.overdue_items else "")


def render_text(report: CausesReport, fmt: str) -> str:
    """The categories table, then the repeats table (table or markdown)."""
    p, prev = report.period, report.previous
    categories = [
        {
            "category": c.category,
            "count": c.count,
            "previous_count": c.previous_count,
            "trend": _trend(c.change),
            "postmortems": c.postmortems,
        }
        for c in report.categories
    ]
    title = f"Root causes {p.since} to {p.until} (previous: {prev.since} to {prev.until})"
    out = render(categories, CATEGORY_COLUMNS, fmt, title=title) if categories else ""
    if not categories:
        out = f"No postmortems from {p.since} to {p.until}.\n\n" if fmt == "markdown" else ""
    pairs = [
        {
            "later": r.path,
            "earlier": r.earlier_path,
            "score": f"{r.score:.2f}",
            "follow_up": _follow_up(r),
        }
        for r in report.pairs
    ]
    if pairs:
        out += ("\n" if fmt == "markdown" else "") + render(pairs, PAIR_COLUMNS, fmt, title="Repeated causes")
    elif categories:
        out += "\nNo repeated causes in this period.\n"
    return out
