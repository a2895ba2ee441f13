"""The 12-week history of action items (open at each week's end, done during it): the weekly
report's chart, and the dashboard's, which reads it on its own without building a report.

Counted from each item's instants sorted once, not by asking every item about every week: an
item is open at ``t`` when it was opened before ``t`` and neither done nor removed before it
(``Item.open_at``), and done within a week when it was done then while still part of its
postmortem (``Item.closed_within``); a test compares the two. When an item opened, was done
and was removed is ``item_state.instants``, for both readers.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from tracker.reports.entries import HISTORY_WEEKS, WeekPoint
from tracker.reports.item_state import instants
from tracker.reports.period import Period, local_midnight, weeks_ending

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

# One item's (opened, done, done_unseen, removed), as ``item_state.instants`` gives them.
Instants = tuple[datetime, datetime | None, bool, datetime | None]


def week_points(items: Iterable[Instants], last: Period, now: datetime) -> list[WeekPoint]:
    """The ``HISTORY_WEEKS`` weeks up to the one holding ``last``: the week in progress counts
    up to ``now``, and no week after it is plotted."""
    opened: list[datetime] = []
    # When an open item stopped being open (done or removed), as the later of that and its
    # opening: it is open at t when opened < t and not gone < t.
    gone: list[datetime] = []
    closed: list[datetime] = []
    for opened_at, closed_at, done_unseen, removed_at in items:
        if closed_at is not None and (removed_at is None or removed_at >= closed_at):
            closed.append(closed_at)
        if done_unseen:
            continue
        opened.append(opened_at)
        ends = [t for t in (closed_at, removed_at) if t is not None]
        if ends:
            gone.append(max(opened_at, min(ends)))
    opened.sort()
    gone.sort()
    closed.sort()
    points = []
    for week in weeks_ending(last, HISTORY_WEEKS):
        start, end = week.start_at, min(week.end_at, now)
        points.append(
            WeekPoint(
                week=week.label,
                start=week.start,
                end=week.end,
                open=bisect_left(opened, end) - bisect_left(gone, end),
                closed=bisect_left(closed, end) - bisect_left(closed, start),
            )
        )
    return points


def completion_history(conn: Connection, timezone: str, today: date) -> list[WeekPoint]:
    """The history up to ``today``'s week (the week in progress up to the end of today), from
    one read of the columns it needs: the items that may count in one of the weeks, with their
    postmortem's and their earliest closed ticket's instants. The weekly report reads far more
    (every item and postmortem in full, for its other figures): at 10,000 postmortems this
    takes 0.4 s, the report 2 s."""
    this_week = Period(today - timedelta(days=today.weekday()), today, timezone)
    first = weeks_ending(this_week, HISTORY_WEEKS)[0].start_at
    midnights: dict[date, datetime] = {}

    def incident(started: datetime | None, day: date | None) -> datetime | None:
        if started is not None or day is None:
            return started
        if day not in midnights:
            midnights[day] = local_midnight(day, this_week.zone)
        return midnights[day]

    rows = conn.execute(_history_query(first))
    found = (
        instants(created, status, closed, removed, pm_removed, incident(started, day), ticket)
        for created, status, closed, removed, started, day, pm_removed, ticket in rows
    )
    now = local_midnight(today + timedelta(days=1), this_week.zone)
    return week_points(found, this_week, now)


def _history_query(first: datetime) -> Any:
    """Each item's columns with its postmortem's, and when its first closed ticket closed;
    leaving out the items certainly over before the first week (they count in no week)."""
    from sqlalchemy import and_, func, not_, or_, select

    from tracker.store.tables import ItemRow, PostmortemRow, TicketLinkRow

    item_t = ItemRow.__table__  # type: ignore[attr-defined]
    pm_t = PostmortemRow.__table__  # type: ignore[attr-defined]
    item, pm, link = item_t.c, pm_t.c, TicketLinkRow.__table__.c  # type: ignore[attr-defined]
    ticket_done = (
        select(
            link.item_id,
            func.min(func.coalesce(link.closed_at, link.refreshed_at, link.updated_at)).label("at"),
        )
        .where(link.role == "item", link.state == "closed", link.item_id.is_not(None))
        .group_by(link.item_id)
        .subquery()
    )
    # Each comparison guarded: NULL < x is NULL, and NOT NULL would drop the row.
    over = or_(
        and_(item.status == "done", or_(item.closed_at.is_(None), item.closed_at < first)),
        and_(item.status == "removed", item.removed_at.is_not(None), item.removed_at < first),
        and_(item.status != "removed", pm.removed_at.is_not(None), pm.removed_at < first),
    )
    return (
        select(
            item.created_at,
            item.status,
            item.closed_at,
            item.removed_at,
            pm.started,
            pm.incident_date,
            pm.removed_at,
            ticket_done.c.at,
        )
        .select_from(
            item_t.join(pm_t, item.postmortem_id == pm.id).outerjoin(
                ticket_done, ticket_done.c.item_id == item.id
            )
        )
        .where(not_(over))
    )
