"""Words shared by every format: the "at a glance" sentences and small number formats.

The report is read by managers and support staff as well as engineers, so the sentences use
plain words ("done", "overdue", "due this week") and say what a number is out of.
"""

from __future__ import annotations

from datetime import date

from tracker.reports.entries import CAUSE_WINDOW_DAYS, NO_OWNER, ItemStats, WeeklyReport, WeekPoint


def duration(minutes: int | None) -> str:
    """``95`` -> ``1 h 35 min``; empty when unknown."""
    if minutes is None:
        return ""
    hours, mins = divmod(int(minutes), 60)
    if hours and mins:
        return f"{hours} h {mins} min"
    return f"{hours} h" if hours else f"{mins} min"


def long_date(day: date) -> str:
    """``2026-11-23`` -> ``Monday 23 November 2026`` (unambiguous in every locale)."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def period_sentence(report: WeeklyReport) -> str:
    p = report.period
    return (
        f"{long_date(p.start)} to {long_date(p.end)} ({p.timezone}). "
        f"Overdue, oldest and owner figures are as of {long_date(report.as_of)}."
    )


def days(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:g} day" if value == 1 else f"{value:g} days"


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{round(value * 100):d}%"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"


def at_a_glance(report: WeeklyReport) -> list[str]:
    """A few plain sentences for someone who reads nothing else."""
    span = report.span
    t = report.totals
    lines = []
    if report.postmortems:
        lines.append(f"{plural(len(report.postmortems), 'new postmortem')} {span}.")
    else:
        lines.append(f"No new postmortems {span}.")
    already = (
        f" ({t.done_when_recorded} of those added were already checked as done when pmt first "
        "read them)"
        if t.done_when_recorded
        else ""
    )
    lines.append(
        f"{plural(t.added, 'action item')} added and {t.closed} done {span}{already}; "
        f"{t.open_now} still open."
    )
    if t.existing_at_end:
        by = "so far" if report.period.end >= report.as_of else "by the end of the period"
        lines.append(
            f"Completion: {t.done_by_end} of {plural(t.existing_at_end, 'action item')} done {by} "
            f"({percent(t.completion_rate)})."
        )
    if report.overdue:
        owners = report.owners
        # Name a person only when one clearly has more than anyone else.
        leads = len(owners) == 1 or (len(owners) > 1 and owners[0].overdue > owners[1].overdue)
        named = bool(owners) and leads and owners[0].owner != NO_OWNER
        owner = f" The most are with {owners[0].owner} ({owners[0].overdue})." if named else ""
        lines.append(
            f"{plural(report.overdue_count, 'item is', 'items are')} overdue "
            f"as of {long_date(report.as_of)}.{owner}"
        )
    else:
        lines.append(f"Nothing is overdue as of {long_date(report.as_of)}.")
    if t.due:
        lines.append(
            f"Deadlines: {t.met_deadline} of {plural(t.due, 'item')} due {span} "
            f"done on time ({percent(t.compliance)})."
        )
    else:
        lines.append(f"No action items fell due {span}.")
    known = [c for c in report.causes.categories if c.category != "unknown" and c.recent]
    if known:
        top_cause = known[0]
        lines.append(
            f"Most common cause {cause_window(report)}: {top_cause.label} "
            f"({plural(top_cause.recent, 'incident')}, {top_cause.previous} in the "
            f"{CAUSE_WINDOW_DAYS} days before)."
        )
    if report.repeats:
        lines.append(
            f"{plural(len(report.repeats), 'incident')} {span} repeated an earlier cause: "
            f"{len(report.never_done)} where the earlier follow-up was never done, "
            f"{len(report.did_not_hold)} where the fix did not hold."
        )
    return lines


def cause_window(report: WeeklyReport) -> str:
    """ "over the last 90 days (to 29 November 2026)": the causes part always says its window,
    which is not the report's period."""
    return f"over the last {CAUSE_WINDOW_DAYS} days (to {long_date(report.causes.recent_end)})"


def cause_window_note(report: WeeklyReport) -> str:
    """What the causes part covers, in a sentence, and how to see the whole period."""
    c, p = report.causes, report.period
    text = (
        f"Incidents by root cause over the last {CAUSE_WINDOW_DAYS} days "
        f"({c.recent_start.isoformat()} to {c.recent_end.isoformat()}), against the "
        f"{CAUSE_WINDOW_DAYS} days before ({c.previous_start.isoformat()} to {c.previous_end.isoformat()})."
    )
    if c.recent_start > p.start or c.recent_end < p.end:
        text += (
            f" This is not the report's period: pmt causes --since {p.start.isoformat()} "
            f"--until {min(p.end, report.as_of).isoformat()} counts that."
        )
    return text


def week_label(report: WeeklyReport, week: WeekPoint) -> str:
    """``2026-W49``, or ``2026-W50 (so far)`` for the week still going on."""
    return f"{week.week} (so far)" if week.end >= report.as_of else week.week


def completion(s: ItemStats) -> str:
    """ "29% (9/31)": the rate with what it is out of."""
    if not s.existing_at_end:
        return "n/a"
    return f"{percent(s.completion_rate)} ({s.done_by_end}/{s.existing_at_end})"


def stats_cells(s: ItemStats) -> list[object]:
    """One row of the items-by-priority table, the same in every format."""
    return [
        "All" if s.priority == "all" else ("No priority" if s.priority == "none" else s.priority),
        s.added,
        s.closed,
        s.open_now,
        s.overdue_now,
        completion(s),
        "n/a" if s.median_days_to_close is None else f"{s.median_days_to_close:g}",
        s.due,
        s.met_deadline,
        percent(s.compliance),
    ]
