"""The weekly report: what happened to postmortems and their action items over a period.

Computed here as typed data from a store session; the ``render_*`` modules only present it.

Definitions (the README repeats them for readers of the report):
- An item is *added* when pmt first recorded it (``created_at``), and *done* at the earliest of
  the box being checked in the document and its ticket being closed. Items removed from their
  postmortem stop counting from the moment they were removed.
- *Age* and *time to close* count from the incident (its start, else its date), or from when pmt
  first recorded the item if that is earlier or the incident has no date.
- *Overdue now*: not done and its due date (written, or implied by the deadline policy) is
  before today in the configured time zone.
- *Deadline policy compliance*: of the items due during the period, the share done on or before
  their due date.
- *Completion rate*: of the items that existed at the end of the period, the share done by then.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from tracker.causes.taxonomy import BY_NAME, UNKNOWN
from tracker.reports.period import Period, local_midnight, weeks_ending

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.config import Settings

PRIORITY_ORDER = ("P0", "P1", "P2", "P3", "P4", "none")
HISTORY_WEEKS = 12
CAUSE_WINDOW_DAYS = 90
OLDEST_LIMIT = 10
OWNER_LIMIT = 5
NO_OWNER = "(no owner)"

RepeatKind = Literal["follow_up_never_done", "fix_did_not_hold"]

def category_label(category: str | None) -> str:
    """The taxonomy's plain title of a category ("network_dns" -> "Network or DNS")."""
    key = category or UNKNOWN
    known = BY_NAME.get(key)
    return known.title if known else key.replace("_", " ").capitalize()


# ---------------------------------------------------------------------------------------------
# The report's data


@dataclass(frozen=True)
class PostmortemEntry:
    key: str
    path: str
    title: str | None
    incident_date: date | None
    duration_minutes: int | None
    impact: str | None
    severity: str | None
    cause_category: str
    cause_label: str
    items: int


@dataclass(frozen=True)
class ItemEntry:
    postmortem_key: str
    postmortem_title: str | None
    text: str
    owner: str | None
    priority: str | None
    due: date | None
    due_implicit: bool
    opened: date
    age_days: int
    days_overdue: int | None
    ticket: str | None
    ticket_url: str | None


@dataclass(frozen=True)
class ItemStats:
    """Counts for one priority ("P0".."P4", "none" for items without one) or for "all"."""

    priority: str
    added: int
    closed: int
    open_now: int
    overdue_now: int
    # Of the items that existed at the end of the period, the share done by then.
    completion_rate: float | None
    # Median days from the incident to done, over the items done during the period.
    median_days_to_close: float | None
    # Items whose due date fell in the period, and how many of them were done by that date.
    due: int
    met_deadline: int
    compliance: float | None
    # Items done during the period after their due date had passed.
    closed_late: int


@dataclass(frozen=True)
class OwnerLoad:
    owner: str
    overdue: int
    open: int
    most_days_late: int


@dataclass(frozen=True)
class CategoryCount:
    category: str
    label: str
    recent: int
    previous: int

    @property
    def change(self) -> int:
        return self.recent - self.previous


@dataclass(frozen=True)
class CauseTrend:
    recent_start: date
    recent_end: date
    previous_start: date
    previous_end: date
    categories: list[CategoryCount]


@dataclass(frozen=True)
class RepeatItem:
    text: str
    owner: str | None
    status: str  # "open" | "overdue" | "done"


@dataclass(frozen=True)
class RepeatEntry:
    """A postmortem of the period whose cause matches an earlier one."""

    postmortem_key: str
    postmortem_title: str | None
    incident_date: date | None
    earlier_key: str
    earlier_title: str | None
    earlier_date: date | None
    category: str
    score: float
    kind: RepeatKind
    earlier_items: list[RepeatItem] = field(default_factory=list)

    @property
    def open_items(self) -> int:
        return sum(1 for i in self.earlier_items if i.status != "done")


@dataclass(frozen=True)
class WeekPoint:
    week: str
    start: date
    end: date
    # Items open at the end of the week, and items done during it.
    open: int
    closed: int


@dataclass(frozen=True)
class WeeklyReport:
    title: str
    period: Period
    generated_at: datetime
    # "Now" for the overdue, oldest and owner parts: the day the report was made.
    as_of: date
    postmortems: list[PostmortemEntry]
    totals: ItemStats
    by_priority: list[ItemStats]
    overdue: list[ItemEntry]
    oldest_open: list[ItemEntry]
    owners: list[OwnerLoad]
    causes: CauseTrend
    repeats: list[RepeatEntry]
    history: list[WeekPoint]

    @property
    def never_done(self) -> list[RepeatEntry]:
        return [r for r in self.repeats if r.kind == "follow_up_never_done"]

    @property
    def did_not_hold(self) -> list[RepeatEntry]:
        return [r for r in self.repeats if r.kind == "fix_did_not_hold"]

    @property
    def span(self) -> str:
        """"this week" or "in this period", for sentences."""
        return "this week" if self.period.week else "in this period"


# ---------------------------------------------------------------------------------------------
# Computing it


@dataclass
class _Item:
    """One action item with its effective state over time."""

    row: _Row
    pm: _Pm
    created_at: datetime
    opened_at: datetime
    # When it was done, if known. ``done_unseen``: it was already done when pmt first saw it,
    # at an unknown time before ``created_at`` (ingest records no closing date for those).
    closed_at: datetime | None
    done_unseen: bool
    removed_at: datetime | None
    link: _Link | None

    def exists_at(self, instant: datetime) -> bool:
        return self.created_at < instant and (self.removed_at is None or self.removed_at >= instant)

    def closed_by(self, instant: datetime) -> bool:
        return self.done_unseen or (self.closed_at is not None and self.closed_at < instant)

    def open_at(self, instant: datetime) -> bool:
        return self.exists_at(instant) and not self.closed_by(instant)

    def closed_within(self, start: datetime, end: datetime) -> bool:
        """Done in [start, end) while still part of its postmortem."""
        c = self.closed_at
        return c is not None and start <= c < end and (self.removed_at is None or self.removed_at >= c)

    def met_deadline(self, period: Period, as_of: date) -> bool | None:
        """Done on or before its due date: True, False, or None when that cannot be known
        (yet: an open item due today or later still has time)."""
        due = self.row.due
        if due is None:
            return None
        if self.done_unseen:
            # Done by the time pmt saw it: on time if that was by the due date, else unknown.
            return True if period.local_day(self.created_at) <= due else None
        if self.closed_at is None:
            return None if due >= as_of else False
        return period.local_day(self.closed_at) <= due


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
) -> WeeklyReport:
    """Compute the weekly report for ``period`` from the store."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    as_of = now.astimezone(period.zone).date()
    postmortems, items = _load(session, period)

    items_at_end = Counter(i.pm.id for i in items if i.exists_at(period.end_at))
    new_pms = [
        _postmortem_entry(pm, items_at_end.get(pm.id, 0))
        for pm in postmortems
        if period.contains(pm.created_at) and not _removed_by(pm, period.end_at)
    ]
    new_pms.sort(key=lambda p: (p.incident_date or date.min, p.key))

    overdue_items = [i for i in items if _overdue(i, as_of, now)]
    overdue = sorted(
        (_item_entry(i, period, as_of, now) for i in overdue_items),
        key=lambda e: (-(e.days_overdue or 0), e.postmortem_key, e.text),
    )
    open_now = [i for i in items if i.open_at(now)]
    oldest = sorted(open_now, key=lambda i: (i.opened_at, i.pm.key, i.row.position))[:OLDEST_LIMIT]

    by_priority = []
    for priority in PRIORITY_ORDER:
        members = [i for i in items if (i.row.priority or "none") == priority]
        stats = _stats(priority, members, period, as_of, now)
        if stats.added or stats.closed or stats.open_now or stats.due:
            by_priority.append(stats)

    return WeeklyReport(
        title=settings.report.title.format(week=period.label),
        period=period,
        generated_at=now,
        as_of=as_of,
        postmortems=new_pms,
        totals=_stats("all", items, period, as_of, now),
        by_priority=by_priority,
        overdue=overdue,
        oldest_open=[_item_entry(i, period, as_of, now) for i in oldest],
        owners=_owners(open_now, overdue),
        causes=_cause_trend(postmortems, period),
        repeats=find_repeats(session, settings, period, as_of) if find_repeats else [],
        history=_history(items, period),
    )


@dataclass(slots=True)
class _Pm:
    """The columns of a postmortem the report reads (plain values: fast to read in bulk)."""

    id: int
    key: str
    path: str
    title: str | None
    incident_date: date | None
    started: datetime | None
    duration_minutes: int | None
    impact: str | None
    severity: str | None
    cause_category: str | None
    created_at: datetime
    removed_at: datetime | None


@dataclass(slots=True)
class _Row:
    id: int
    postmortem_id: int
    text: str
    owner: str | None
    due: date | None
    due_implicit: bool
    priority: str | None
    ticket: str | None
    position: int
    status: str
    created_at: datetime
    closed_at: datetime | None
    removed_at: datetime | None


@dataclass(slots=True)
class _Link:
    id: int
    item_id: int
    key: str
    url: str | None
    state: str
    closed_at: datetime | None
    refreshed_at: datetime | None
    updated_at: datetime


def _columns(session: Session, table: Any, names: Sequence[str], *where: Any) -> list[Any]:
    """Rows as column tuples, not ORM objects: a store may hold tens of thousands of items."""
    from sqlalchemy import select

    query = select(*(table.c[n] for n in names))
    for condition in where:
        query = query.where(condition)
    return list(session.execute(query))


def _load(session: Session, period: Period) -> tuple[list[_Pm], list[_Item]]:
    from tracker.tables import ItemRow, PostmortemRow, TicketLinkRow

    pm_t = PostmortemRow.__table__  # type: ignore[attr-defined]
    item_t = ItemRow.__table__  # type: ignore[attr-defined]
    link_t = TicketLinkRow.__table__  # type: ignore[attr-defined]
    postmortems = [_Pm(*r) for r in _columns(session, pm_t, [f.name for f in dataclasses.fields(_Pm)])]
    by_id = {pm.id: pm for pm in postmortems}
    links: dict[int, list[_Link]] = defaultdict(list)
    link_names = [f.name for f in dataclasses.fields(_Link)]
    for r in _columns(session, link_t, link_names, link_t.c.role == "item", link_t.c.item_id.is_not(None)):
        link = _Link(*r)
        links[link.item_id].append(link)
    incidents = {pm.id: _incident_instant(pm, period) for pm in postmortems}
    items = []
    for r in _columns(session, item_t, [f.name for f in dataclasses.fields(_Row)]):
        row = _Row(*r)
        pm = by_id.get(row.postmortem_id)
        if pm is not None:
            items.append(_effective(row, pm, incidents[pm.id], links.get(row.id, []), period))
    return postmortems, items


def _effective(
    row: _Row, pm: _Pm, incident: datetime | None, links: Sequence[_Link], period: Period
) -> _Item:
    created = _utc(row.created_at)
    done_unseen = row.status == "done" and row.closed_at is None
    candidates = []
    if row.status == "done" and row.closed_at is not None:
        candidates.append(_utc(row.closed_at))
    for link in links:
        if link.state == "closed":
            candidates.append(_utc(link.closed_at or link.refreshed_at or link.updated_at))
    closed = None if done_unseen or not candidates else min(candidates)
    removed = row.removed_at if row.status == "removed" else None
    if removed is None and pm.removed_at is not None:
        removed = pm.removed_at
    opened = min(created, incident) if incident else created
    if closed is not None and closed < opened:
        opened = closed
    # The link shown with the item: a closed ticket first (it is why the item is done).
    shown = min(links, key=lambda lk: (lk.state != "closed", lk.id or 0)) if links else None
    return _Item(row, pm, created, opened, closed, done_unseen, _utc(removed) if removed else None, shown)


def _incident_instant(pm: _Pm, period: Period) -> datetime | None:
    if pm.started is not None:
        return _utc(pm.started)
    if pm.incident_date is not None:
        return local_midnight(pm.incident_date, period.zone)
    return None


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _removed_by(pm: _Pm, instant: datetime) -> bool:
    return pm.removed_at is not None and _utc(pm.removed_at) < instant


def _overdue(item: _Item, as_of: date, now: datetime) -> bool:
    return item.open_at(now) and item.row.due is not None and item.row.due < as_of


def _days(delta: timedelta) -> float:
    return delta.total_seconds() / 86400


def _postmortem_entry(pm: _Pm, items: int) -> PostmortemEntry:
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


def _item_entry(item: _Item, period: Period, as_of: date, now: datetime) -> ItemEntry:
    row = item.row
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
        ticket=item.link.key if item.link else row.ticket,
        ticket_url=item.link.url if item.link else None,
    )


def _stats(priority: str, items: Iterable[_Item], period: Period, as_of: date, now: datetime) -> ItemStats:
    items = list(items)
    start, end = period.start_at, period.end_at
    existing = [i for i in items if i.exists_at(end)]
    done_by_end = [i for i in existing if i.closed_by(end)]
    closed = [i for i in items if i.closed_within(start, end)]
    durations = [_days(i.closed_at - i.opened_at) for i in closed if i.closed_at is not None]
    # Items due in the period whose timeliness is known (see _Item.met_deadline).
    judged = [(i, i.met_deadline(period, as_of)) for i in existing if period.contains_day(i.row.due)]
    due = [i for i, met in judged if met is not None]
    met = [i for i, ok in judged if ok]
    late = [i for i in closed if i.met_deadline(period, as_of) is False]
    return ItemStats(
        priority=priority,
        # An item added and removed again within the period was never really added.
        added=sum(1 for i in existing if start <= i.created_at),
        closed=len(closed),
        open_now=sum(1 for i in items if i.open_at(now)),
        overdue_now=sum(1 for i in items if _overdue(i, as_of, now)),
        completion_rate=_ratio(len(done_by_end), len(existing)),
        median_days_to_close=round(statistics.median(durations), 1) if durations else None,
        due=len(due),
        met_deadline=len(met),
        compliance=_ratio(len(met), len(due)),
        closed_late=len(late),
    )


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _owners(open_now: Sequence[_Item], overdue: Sequence[ItemEntry]) -> list[OwnerLoad]:
    open_count = Counter(i.row.owner or NO_OWNER for i in open_now)
    late: dict[str, list[int]] = defaultdict(list)
    for entry in overdue:
        late[entry.owner or NO_OWNER].append(entry.days_overdue or 0)
    loads = [
        OwnerLoad(owner=o, overdue=len(days), open=open_count.get(o, 0), most_days_late=max(days))
        for o, days in late.items()
    ]
    loads.sort(key=lambda o: (-o.overdue, -o.most_days_late, o.owner))
    return loads[:OWNER_LIMIT]


def _cause_trend(postmortems: Sequence[_Pm], period: Period) -> CauseTrend:
    recent_end = period.end
    recent_start = recent_end - timedelta(days=CAUSE_WINDOW_DAYS - 1)
    previous_end = recent_start - timedelta(days=1)
    previous_start = previous_end - timedelta(days=CAUSE_WINDOW_DAYS - 1)
    recent: Counter[str] = Counter()
    previous: Counter[str] = Counter()
    for pm in postmortems:
        if _removed_by(pm, period.end_at):
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


def _history(items: Sequence[_Item], period: Period) -> list[WeekPoint]:
    points = []
    for week in weeks_ending(period, HISTORY_WEEKS):
        start, end = week.start_at, week.end_at
        points.append(
            WeekPoint(
                week=week.label,
                start=week.start,
                end=week.end,
                open=sum(1 for i in items if i.open_at(end)),
                closed=sum(1 for i in items if i.closed_within(start, end)),
            )
        )
    return points
