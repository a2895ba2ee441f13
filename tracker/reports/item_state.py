"""Each action item's effective state over time, read from the store for the weekly report:
when it existed (from its incident), when it was done (its box checked or its ticket closed,
whichever came first), when it was removed. Column tuples, not ORM objects: a store may hold
tens of thousands of items."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from tracker.reports.period import Period, local_midnight

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass
class Item:
    """One action item with its effective state over time."""

    row: Row
    pm: Pm
    created_at: datetime
    opened_at: datetime
    # When it was done, if known. ``done_unseen``: it was already done when pmt first saw it,
    # at an unknown time before ``created_at`` (ingest records no closing date for those).
    closed_at: datetime | None
    done_unseen: bool
    removed_at: datetime | None
    link: Link | None

    def exists_at(self, instant: datetime) -> bool:
        # From the incident (``opened_at``), not from when pmt happened to read the document.
        return self.opened_at < instant and (self.removed_at is None or self.removed_at >= instant)

    def closed_by(self, instant: datetime) -> bool:
        return self.done_unseen or (self.closed_at is not None and self.closed_at < instant)

    def open_at(self, instant: datetime) -> bool:
        return self.exists_at(instant) and not self.closed_by(instant)

    def closed_within(self, start: datetime, end: datetime) -> bool:
        """Done in [start, end) while still part of its postmortem."""
        c = self.closed_at
        return (
            c is not None and start <= c < end and (self.removed_at is None or self.removed_at >= c)
        )

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


@dataclass(slots=True)
class Pm:
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
class Row:
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
class Link:
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


def load(session: Session, period: Period) -> tuple[list[Pm], list[Item]]:
    from tracker.store.tables import ItemRow, PostmortemRow, TicketLinkRow

    pm_t = PostmortemRow.__table__  # type: ignore[attr-defined]
    item_t = ItemRow.__table__  # type: ignore[attr-defined]
    link_t = TicketLinkRow.__table__  # type: ignore[attr-defined]
    postmortems = [
        Pm(*r) for r in _columns(session, pm_t, [f.name for f in dataclasses.fields(Pm)])
    ]
    by_id = {pm.id: pm for pm in postmortems}
    links: dict[int, list[Link]] = defaultdict(list)
    link_names = [f.name for f in dataclasses.fields(Link)]
    for r in _columns(
        session, link_t, link_names, link_t.c.role == "item", link_t.c.item_id.is_not(None)
    ):
        link = Link(*r)
        links[link.item_id].append(link)
    incidents = {pm.id: _incident_instant(pm, period) for pm in postmortems}
    items = []
    for r in _columns(session, item_t, [f.name for f in dataclasses.fields(Row)]):
        row = Row(*r)
        pm = by_id.get(row.postmortem_id)
        if pm is not None:
            items.append(_effective(row, pm, incidents[pm.id], links.get(row.id, []), period))
    return postmortems, items


def _effective(
    row: Row, pm: Pm, incident: datetime | None, links: Sequence[Link], period: Period
) -> Item:
    tickets = [
        utc(link.closed_at or link.refreshed_at or link.updated_at)
        for link in links
        if link.state == "closed"
    ]
    found = instants(
        row.created_at,
        row.status,
        row.closed_at,
        row.removed_at,
        pm.removed_at,
        incident,
        min(tickets) if tickets else None,
    )
    # The link shown with the item: a closed ticket first (it is why the item is done).
    shown = min(links, key=lambda lk: (lk.state != "closed", lk.id or 0)) if links else None
    return Item(row, pm, utc(row.created_at), *found, shown)


def instants(
    created: datetime,
    status: str,
    item_closed: datetime | None,
    item_removed: datetime | None,
    pm_removed: datetime | None,
    incident: datetime | None,
    ticket_closed: datetime | None,
) -> tuple[datetime, datetime | None, bool, datetime | None]:
    """An item's (opened, done, done_unseen, removed), the one rule of when an item was open:
    done at the earliest of its box checked and a ticket of it closed (``ticket_closed``, the
    earliest), unless it was already checked when pmt first read it (``done_unseen``: when is
    unknown); removed when it left its document or its document went; opened at the incident,
    or when pmt first recorded it if that is earlier, or when it was done if earlier still."""
    created = utc(created)
    done_unseen = status == "done" and item_closed is None
    candidates = [utc(t) for t in (item_closed if status == "done" else None, ticket_closed) if t]
    closed = None if done_unseen or not candidates else min(candidates)
    removed = (item_removed if status == "removed" else None) or pm_removed
    opened = min(created, incident) if incident else created
    if closed is not None and closed < opened:
        opened = closed
    return opened, closed, done_unseen, utc(removed) if removed else None


def _incident_instant(pm: Pm, period: Period) -> datetime | None:
    if pm.started is not None:
        return utc(pm.started)
    if pm.incident_date is not None:
        return local_midnight(pm.incident_date, period.zone)
    return None


def utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def removed_by(pm: Pm, instant: datetime) -> bool:
    return pm.removed_at is not None and utc(pm.removed_at) < instant
