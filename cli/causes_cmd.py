"""``pmt causes``: root-cause categories over a period, the trend, and the repeats."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer

from cli.app import app
from cli.context import EMPTY_STORE, app_context, store, today
from cli.options import (
    TableJsonOrMarkdown,
    all_option,
    day_option,
    format_option,
    limit_option,
    rows_to_show,
)
from cli.output import Column, emit, render, say, say_cut, to_json

if TYPE_CHECKING:
    from tracker.causes.report import CausesReport, StoredExplanation

CATEGORY_COLUMNS = [
    Column("category", "Category"),
    Column("count", "Count", justify="right"),
    Column("previous_count", "Previous", justify="right"),
    Column("trend", "Trend", justify="right"),
    Column("postmortems", "Postmortems", max_width=70),
]
PROBABILITY_COLUMNS = [
    Column("category", "Category"),
    Column("probability", "Probability", justify="right"),
]
REASON_COLUMNS = [
    Column("feature", "Feature", max_width=60),
    Column("weight", "Weight", justify="right"),
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
    since: datetime | None = day_option(
        "--since", "First day of the period (default: 90 days before --until)."
    ),
    until: datetime | None = day_option("--until", "Last day of the period (default: today)."),
    fmt: TableJsonOrMarkdown = format_option(TableJsonOrMarkdown),
    explain: str | None = typer.Option(
        None,
        "--explain",
        metavar="ID",
        help="Show why one postmortem (key or path) got its category: "
        "the model's probabilities and the words, character n-grams and lexicon mechanisms behind the label.",
    ),
    limit: int | None = limit_option(),
    every: bool = all_option(),
) -> None:
    """Root-cause categories of the postmortems of a period, with counts and members, the
    trend against the previous period of the same length, and the postmortems whose cause
    repeats an earlier one (with the similarity and whether the earlier follow-up was done).
    A table lists the first repeats and the first postmortems of each category and says how
    many more there are; the JSON has them all.

    Example: pmt causes --since 2026-01-01 --until 2026-03-31 --format markdown
    Example: pmt causes --explain postmortems/2026-03-02-db-failover.md
    """
    from tracker.causes.report import causes_report, default_period

    most = rows_to_show(limit, every, fmt)
    settings = app_context(ctx).settings
    if explain is not None:
        _explain(settings, explain, fmt)
        return
    period = default_period(
        today(settings), since.date() if since else None, until.date() if until else None
    )
    if period.since > period.until:
        raise typer.BadParameter(
            f"--since {period.since} is after --until {period.until}", param_hint="--since"
        )
    with store(settings) as db:
        if db.is_empty():
            say(f"pmt causes: {EMPTY_STORE}")
        # A table reads in full only the repeats it shows (the JSON has them all).
        report = causes_report(
            db,
            settings,
            period,
            today(settings),
            repeats_limit=None if fmt == "json" else most,
        )
    if fmt == "json":
        emit(to_json(report.to_dict()))
        most = None  # the JSON is the whole report
    else:
        emit(render_text(report, fmt, most))
    say(
        f"pmt causes: {len(report.postmortems)} postmortem(s) from {period.since} to {period.until}, "
        f"{report.repeats_found} repeat(s)"
    )
    if most is not None:
        cut = []
        if report.repeats_found > most:
            cut.append(f"the first {most} of {report.repeats_found} repeats")
        if any(len(c.postmortems) > most for c in report.categories):
            cut.append(f"the first {most} postmortems of each category")
        if cut:
            say_cut("causes", " and ".join(cut), fmt, "json")


def _explain(settings: Any, key_or_path: str, fmt: TableJsonOrMarkdown) -> None:
    from tracker.causes.report import explain_postmortem
    from tracker.errors import PmtError

    with store(settings) as db:
        found = explain_postmortem(db, settings, key_or_path)
    if found is None:
        raise PmtError(
            f"no postmortem {key_or_path!r} in the store (pmt list shows them; pmt ingest adds them)"
        )
    emit(to_json(found.to_dict()) if fmt == "json" else render_explanation(found, fmt))


def render_explanation(found: StoredExplanation, fmt: str) -> str:
    """The label, the model's top probabilities and the features behind the label."""
    e = found.explanation
    c = e.classification
    head = f"{found.path}: {c.category}" + (f" (secondary {c.secondary})" if c.secondary else "")
    head += (
        f", confidence {c.confidence:.2f}, {c.source.replace('_', ' ')}, model {e.model_version}"
    )
    out = head + "\n"
    if c.mechanisms:
        out += "Mechanisms named: " + ", ".join(c.mechanisms) + "\n"
    if e.probabilities:
        rows = [{"category": cat, "probability": f"{p:.3f}"} for cat, p in e.probabilities]
        out += "\n" + render(rows, PROBABILITY_COLUMNS, fmt, title="Probabilities")
    if e.reasons:
        rows = [{"feature": r.feature, "weight": f"{r.weight:+.3f}"} for r in e.reasons]
        out += "\n" + render(rows, REASON_COLUMNS, fmt, title="Features behind the label")
    elif c.source == "front_matter":
        out += "The front matter names the category; the classifier was not asked.\n"
    return out


def _trend(change: int) -> str:
    return f"+{change}" if change > 0 else ("=" if change == 0 else str(change))


def _follow_up(pair: Any) -> str:
    if pair.kind == "fix_did_not_hold":
        return "all closed: fix did not hold"
    if not pair.items:
        return "no action items"
    text = f"{pair.open_items} of {len(pair.items)} still open"
    return text + (f" ({pair.overdue_items} overdue)" if pair.overdue_items else "")


def _first(members: list[str], most: int | None) -> list[str]:
    """The first ``most`` of a category's postmortems, and how many more there are."""
    if most is None or len(members) <= most:
        return members
    return [*members[:most], f"and {len(members) - most} more"]


def render_text(report: CausesReport, fmt: str, most: int | None = None) -> str:
    """The categories table, then the repeats table (table or markdown); ``most``: at most
    that many repeats, and postmortems in each category's list."""
    p, prev = report.period, report.previous
    categories = [
        {
            "category": c.category,
            "count": c.count,
            "previous_count": c.previous_count,
            "trend": _trend(c.change),
            "postmortems": _first(c.postmortems, most),
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
        for r in report.pairs[:most]
    ]
    if pairs:
        out += ("\n" if fmt == "markdown" else "") + render(
            pairs, PAIR_COLUMNS, fmt, title="Repeated causes"
        )
    elif categories:
        out += "\nNo repeated causes in this period.\n"
    return out
