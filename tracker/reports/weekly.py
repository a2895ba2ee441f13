"""The weekly report: what happened to postmortems and their action items over a period.

Computed here as typed data from a store session; the ``render_*`` modules only present it.

Definitions (docs/reports.md repeats them for readers of the report):
- An item is *added* when pmt first recorded it (``created_at``), and *done* at the earliest of
  the box being checked in the document and its ticket being closed. Items removed from their
  postmortem stop counting from the moment they were removed.
- *Age* and *time to close* count from the incident (its start, else its date), or from when pmt
  first recorded the item if that is earlier or the incident has no date.
- *Overdue now*: not done and its due date (written, or implied by the deadline policy) is
  before today in the configured time zone.
- *Deadline policy compliance*: of the items due during the period, the share done on or before
  their due date.
- *Completion rate*: of the items that existed at the end of the period, the share done by then
  (``done_by_end`` of ``existing_at_end``; items already checked when pmt first read them count
  as done, though not as done *in* the period: when is unknown).
- An item *exists* from its incident (or from when pmt first recorded it, if that is earlier):
  the 12-week history of a store filled today still shows what was open in each past week.
- Nothing is counted past "now": a period that ends in the future is cut at today, so the
  history never plots weeks that have not happened and the causes window ends today.
"""

from __future__ import annotations

import heapq
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from tracker.reports.entries import (
    CAUSE_WINDOW_DAYS,
    HISTORY_WEEKS,
    NO_OWNER,
    OLDEST_LIMIT,
    OWNER_LIMIT,
    PRIORITY_ORDER,
    CategoryCount,
    CauseTrend,
    ItemEntry,
    ItemStats,
    OwnerLoad,
    PostmortemEntry,
    RepeatEntry,
    RepeatItem,
    RepeatKind,
    WeeklyReport,
    WeekPoint,
    category_label,
)

# The report's data lives in ``entries``; imported here too, where callers have always found it.
from tracker.reports.history import week_points
from tracker.reports.item_state import Item, Pm, load, removed_by
from tracker.reports.links import first_ref, postmortem_url, ticket_url
from tracker.reports.period import Period

__all__ = [
    "CAUSE_WINDOW_DAYS", "HISTORY_WEEKS", "NO_OWNER", "OLDEST_LIMIT", "OWNER_LIMIT", "PRIORITY_ORDER",
    "CategoryCount", "CauseTrend", "ItemEntry", "ItemStats", "OwnerLoad", "PostmortemEntry",
    "RepeatEntry", "RepeatFinder", "RepeatItem", "RepeatKind", "WeekPoint", "WeeklyReport",
    "build_weekly_report", "category_label", "owner_key", "report_title",
]  # fmt: skip

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.config import Settings

# A repeat finder: (session, settings, period, as_of) -> the repeats whose later postmortem
# was added in the period (``tracker.reports.recurrence.find_repeats``).
RepeatFinder = Callable[["Session", "Settings", Period, date], list[RepeatEntry]]


def build_weekly_report(
    session: Session,
    settings: Settings,
    period: Period,
    *,
    now: datetime | None = None,
    find_repeats: RepeatFinder | None = None,
    overdue_limit: int | None = None,
) -> WeeklyReport:
    """Compute the weekly report for ``period`` from the store. ``overdue_limit``: list only
    the most overdue items a rendering shows (their count is ``totals.overdue_now``)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    as_of = now.astimezone(period.zone).date()
    postmortems, items = load(session, period)
    # The end of the period as far as it has happened: counts are never made in the future.
    until = min(period.end_at, now)

    items_at_end = Counter(i.pm.id for i in items if i.exists_at(until))
    new_pms = [
        _postmortem_entry(pm, items_at_end.get(pm.id, 0))
        for pm in postmortems
        if period.contains(pm.created_at) and not removed_by(pm, period.end_at)
    ]
    new_pms.sort(key=lambda p: (p.incident_date or date.min, p.key))

    overdue_items = [i for i in items if _overdue(i, as_of, now)]
    # The most overdue first; only those a rendering shows are made into entries.
    chosen = heapq.nsmallest(
        len(overdue_items) if overdue_limit is None else overdue_limit,
        overdue_items,
        key=lambda i: (-(as_of - i.row.due).days if i.row.due else 0, i.pm.key, i.row.text),
    )
    overdue = [_item_entry(i, period, as_of, now, settings) for i in chosen]
    open_now = [i for i in items if i.open_at(now)]
    oldest = sorted(open_now, key=lambda i: (i.opened_at, i.pm.key, i.row.position))[:OLDEST_LIMIT]

    by_priority = []
    for priority in PRIORITY_ORDER:
        members = [i for i in items if (i.row.priority or "none") == priority]
        stats = _stats(priority, members, period, as_of, now)
        if stats.added or stats.closed or stats.open_now or stats.due:
            by_priority.append(stats)

    return WeeklyReport(
        title=report_title(settings.report.title, period),
        period=period,
        generated_at=now,
        as_of=as_of,
        postmortems=new_pms,
        totals=_stats("all", items, period, as_of, now),
        by_priority=by_priority,
        overdue=overdue,
        oldest_open=[_item_entry(i, period, as_of, now, settings) for i in oldest],
        owners=_owners(open_now, overdue_items, as_of),
        causes=_cause_trend(postmortems, period, as_of),
        repeats=find_repeats(session, settings, period, as_of) if find_repeats else [],
        history=_history(items, period, now),
        links={pm.key: url for pm in postmortems if (url := postmortem_url(pm.path, settings))},
    )


def report_title(template: str, period: Period) -> str:
    """``[report] title`` for the period: ``{week}`` is an ISO week ("2026-W48"); for any other
    period "week {week}" reads as the period itself ("November 2026", "2026", "2026-11-03 to
    2026-11-17"), which ``{period}`` also names in a template of one's own."""
    if period.week is None and "week {week}" in template:
        template = template.replace("week {week}", "{period}")
    return template.replace("{week}", period.label).replace("{period}", period.title)


def _overdue(item: Item, as_of: date, now: datetime) -> bool:
    return item.open_at(now) and item.row.due is not None and item.row.due < as_of


def _days(delta: timedelta) -> float:
    return delta.total_seconds() / 86400


def _postmortem_entry(pm: Pm, items: int) -> PostmortemEntry:
    return PostmortemEntry(
        key=pm.key,
        path=pm.path,
        title=pm.title,
        incident_date=pm.incident_date,
        duration_minutes=pm.duration_minutes,
        impact=pm.impact,
        severity=pm.severity,
        cause_category=pm.cause_category or "unknown",
        cause_label=category_label(pm.cause_category),
        items=items,
    )


def _item_entry(
    item: Item, period: Period, as_of: date, now: datetime, settings: Settings
) -> ItemEntry:
    row = item.row
    ticket = item.link.key if item.link else row.ticket
    # The address recorded with the link, else one made from the configuration (see links).
    url = item.link.url if item.link and item.link.url else ticket_url(first_ref(ticket), settings)
    opened_day = period.local_day(item.opened_at)
    due = row.due
    late = (as_of - due).days if due is not None and due < as_of and item.open_at(now) else None
    return ItemEntry(
        postmortem_key=item.pm.key,
        postmortem_title=item.pm.title,
        text=row.text,
        owner=row.owner,
        priority=row.priority,
        due=due,
        due_implicit=row.due_implicit,
        opened=opened_day,
        age_days=max((as_of - opened_day).days, 0),
        days_overdue=late,
        ticket=ticket,
        ticket_url=url,
    )


def _stats(
    priority: str, items: Iterable[Item], period: Period, as_of: date, now: datetime
) -> ItemStats:
    """The figures of one priority (or of "all"), read in one pass over its items."""
    start, end = period.start_at, min(period.end_at, now)
    existing = done_by_end = closed = due = met = late = added = recorded = 0
    open_now = overdue_now = 0
    durations: list[float] = []
    for i in items:
        if i.open_at(now):
            open_now += 1
            overdue_now += i.row.due is not None and i.row.due < as_of
        if i.closed_within(start, end):
            closed += 1
            if i.closed_at is not None:
                durations.append(_days(i.closed_at - i.opened_at))
            late += i.met_deadline(period, as_of) is False
        if not i.exists_at(end):
            continue
        existing += 1
        done_by_end += i.closed_by(end)
        if period.contains_day(i.row.due):
            # Items due in the period whose timeliness is known (see Item.met_deadline).
            on_time = i.met_deadline(period, as_of)
            due += on_time is not None
            met += bool(on_time)
        # An item added and removed again within the period was never really added.
        if start <= i.created_at < end:
            added += 1
            recorded += i.done_unseen
    return ItemStats(
        priority=priority,
        added=added,
        closed=closed,
        open_now=open_now,
        overdue_now=overdue_now,
        completion_rate=_ratio(done_by_end, existing),
        median_days_to_close=round(statistics.median(durations), 1) if durations else None,
        due=due,
        met_deadline=met,
        compliance=_ratio(met, due),
        closed_late=late,
        existing_at_end=existing,
        done_by_end=done_by_end,
        done_when_recorded=recorded,
    )


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def owner_key(owner: str | None) -> str:
    """One person however written: "@Alice", "alice" and "Alice" (as ``pmt overdue`` groups)."""
    return (owner or "").lower().lstrip("@")


def _owners(open_now: Sequence[Item], overdue: Sequence[Item], as_of: date) -> list[OwnerLoad]:
    open_count = Counter(owner_key(i.row.owner) for i in open_now)
    late: dict[str, list[int]] = defaultdict(list)
    spelling: dict[str, str] = {}
    # The spelling shown is the one of the most overdue item (as the overdue list orders them).
    for item in sorted(overdue, key=lambda i: (i.row.due, i.pm.key, i.row.text)):
        key = owner_key(item.row.owner)
        spelling.setdefault(key, item.row.owner or NO_OWNER)
        late[key].append((as_of - item.row.due).days if item.row.due else 0)
    loads = [
        OwnerLoad(
            owner=spelling[k],
            overdue=len(days),
            open=open_count.get(k, 0),
            most_days_late=max(days),
        )
        for k, days in late.items()
    ]
    loads.sort(key=lambda o: (-o.overdue, -o.most_days_late, o.owner))
    return loads[:OWNER_LIMIT]


def _cause_trend(postmortems: Sequence[Pm], period: Period, as_of: date) -> CauseTrend:
    recent_end = min(period.end, as_of)
    recent_start = recent_end - timedelta(days=CAUSE_WINDOW_DAYS - 1)
    previous_end = recent_start - timedelta(days=1)
    previous_start = previous_end - timedelta(days=CAUSE_WINDOW_DAYS - 1)
    recent: Counter[str] = Counter()
    previous: Counter[str] = Counter()
    for pm in postmortems:
        if removed_by(pm, period.end_at):
            continue
        day = pm.incident_date or period.local_day(pm.created_at)
        category = pm.cause_category or "unknown"
        if recent_start <= day <= recent_end:
            recent[category] += 1
        elif previous_start <= day <= previous_end:
            previous[category] += 1
    categories = [
        CategoryCount(c, category_label(c), recent.get(c, 0), previous.get(c, 0))
        for c in set(recent) | set(previous)
    ]
    # "Cause not stated" last: it is a gap in the writing, not a failure mode.
    categories.sort(key=lambda c: (c.category == "unknown", -c.recent, -c.previous, c.label))
    return CauseTrend(recent_start, recent_end, previous_start, previous_end, categories)


def _history(items: Sequence[Item], period: Period, now: datetime) -> list[WeekPoint]:
    """The 12 weeks up to the period's last (or, if it is still going on, today's)."""
    today = period.local_day(now)
    last = Period(period.start, min(period.end, today), period.timezone)
    found = ((i.opened_at, i.closed_at, i.done_unseen, i.removed_at) for i in items)
    return week_points(found, last, now)
