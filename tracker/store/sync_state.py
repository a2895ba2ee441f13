"""Sync's repository: a postmortem's items and its links to one tracker, read and recorded;
every linked ticket of a tracker (``pmt refresh``); the overdue items' links and their
reminders (``pmt remind``).

Each write is its own committed transaction, so that a link exists in the database before the
next remote call is made (``sync.records.StoreRecorder`` calls these). Ticket states go
through ``tracker.queries.record_ticket_state`` (a ``ticket_event`` row per observed change:
the history ``pmt overdue`` and the reports read).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlmodel import col

from tracker.errors import StoreError
from tracker.store.engine import Store
from tracker.store.tables import ItemEventRow, ItemRow, PostmortemRow, TicketLinkRow, utcnow

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.queries import OverdueRow


@dataclass
class SyncRows:
    """One postmortem as the store knows it, with its links to one tracker."""

    postmortem: PostmortemRow
    # In document order.
    items: list[ItemRow] = field(default_factory=list)
    links: list[TicketLinkRow] = field(default_factory=list)
    # The items' events named in the load, oldest first.
    events: list[ItemEventRow] = field(default_factory=list)


def load_sync_rows(
    store: Store, postmortem_key: str, tracker: str, events: tuple[str, ...] = ()
) -> SyncRows | None:
    """The postmortem ``postmortem_key``, its items, its links to ``tracker`` and its items'
    events named in ``events``; None when no such postmortem is stored."""
    with store.session(write=False) as session:
        pm = session.scalars(
            select(PostmortemRow).where(col(PostmortemRow.key) == postmortem_key)
        ).first()
        if pm is None:
            return None
        items = list(
            session.scalars(
                select(ItemRow)
                .where(col(ItemRow.postmortem_id) == pm.id)
                .order_by(col(ItemRow.position), col(ItemRow.id))
            )
        )
        rows = SyncRows(postmortem=pm, items=items, links=_links(session, pm.id, tracker))
        ids = [r.id for r in items if r.id is not None]
        if ids and events:
            rows.events = list(
                session.scalars(
                    select(ItemEventRow)
                    .where(col(ItemEventRow.item_id).in_(ids), col(ItemEventRow.event).in_(events))
                    .order_by(col(ItemEventRow.at), col(ItemEventRow.id))
                )
            )
        return rows


def _links(session: Session, postmortem_id: int | None, tracker: str) -> list[TicketLinkRow]:
    return list(
        session.scalars(
            select(TicketLinkRow).where(
                col(TicketLinkRow.postmortem_id) == postmortem_id,
                col(TicketLinkRow.tracker) == tracker,
            )
        )
    )


# Told a link (in a session): returns whether it changed anything.
LinkUpdate = Callable[["Session", TicketLinkRow], bool]


def update_links(store: Store, postmortem_id: int, tracker: str, change: LinkUpdate) -> int:
    """``change`` each of a postmortem's links to ``tracker``, in one transaction; returns how
    many it changed."""
    with store.session() as session:
        return sum(1 for link in _links(session, postmortem_id, tracker) if change(session, link))


def update_links_by_id(store: Store, link_ids: Iterable[int], change: LinkUpdate) -> None:
    """``change`` each link of ``link_ids`` (in that order) in one transaction; a link no longer
    stored is passed over."""
    with store.session() as session:
        for link_id in link_ids:
            link = session.get(TicketLinkRow, link_id)
            if link is not None:
                change(session, link)


def update_link(store: Store, tracker: str, key: str, change: LinkUpdate) -> None:
    """``change`` the link to ticket ``key`` of ``tracker``, in its own transaction."""
    with store.session() as session:
        link = session.scalars(
            select(TicketLinkRow).where(
                col(TicketLinkRow.tracker) == tracker, col(TicketLinkRow.key) == key
            )
        ).first()
        if link is None:
            raise StoreError(f"no local link for ticket {key}")
        change(session, link)
        session.add(link)


def update_ticket_link(store: Store, tracker: str, key: str, change: LinkUpdate) -> bool | None:
    """``change`` the link to ticket ``key`` of ``tracker`` holding a lock on that ticket, so
    that two workers reporting on one ticket record one after the other; None when pmt has no
    link to it."""
    from tracker.store.engine import lock

    with store.session() as session:
        lock(session, f"pmt:ticket:{tracker}:{key}")
        link = session.scalars(
            select(TicketLinkRow).where(
                col(TicketLinkRow.tracker) == tracker, col(TicketLinkRow.key) == key
            )
        ).first()
        if link is None:
            return None
        return change(session, link)


def record_new_link(
    store: Store,
    item_id: int | None,
    postmortem_id: int,
    tracker: str,
    key: str,
    url: str | None,
    *,
    synced_hash: str | None,
    state: str,
    then: LinkUpdate,
) -> str:
    """Record the link to a ticket just made or found (``tracker.queries.record_link``) and
    ``then`` update it, in one transaction; returns the key of the link the store holds (another
    one when the item, or the postmortem's tracking ticket, was already linked)."""
    from tracker.queries import record_link

    with store.session() as session:
        link = record_link(
            session,
            item_id,
            postmortem_id,
            tracker,
            key,
            url,
            role="tracking" if item_id is None else "item",
            synced_hash=synced_hash,
            state=state,
        )
        if link.key == key:
            then(session, link)
        return link.key


def add_item_event(store: Store, item_id: int, event: str, detail: dict[str, str]) -> None:
    """Append an event to an item's history, now."""
    with store.session() as session:
        session.add(
            ItemEventRow(item_id=item_id, at=utcnow(), event=event, detail=json.dumps(detail))
        )


def event_detail(event: ItemEventRow) -> dict[str, str]:
    detail = json.loads(event.detail or "{}")
    return detail if isinstance(detail, dict) else {}


@dataclass(frozen=True)
class LinkedTicket:
    """A link to a ticket, with the postmortem and the item (its text) it follows."""

    id: int
    key: str
    postmortem: str
    item: str | None  # None for a postmortem's tracking ticket


def linked_tickets(store: Store, tracker: str) -> list[LinkedTicket]:
    """Every link to a ticket of ``tracker``, by postmortem key, then in the order recorded."""
    query = (
        select(
            col(TicketLinkRow.id), col(TicketLinkRow.key), col(PostmortemRow.key), col(ItemRow.text)
        )
        .join(PostmortemRow, col(TicketLinkRow.postmortem_id) == col(PostmortemRow.id))
        .outerjoin(ItemRow, col(TicketLinkRow.item_id) == col(ItemRow.id))
        .where(col(TicketLinkRow.tracker) == tracker)
        .order_by(col(PostmortemRow.key), col(TicketLinkRow.id))
    )
    with store.session(write=False) as session:
        return [
            LinkedTicket(int(link_id), key, pm, text)
            for link_id, key, pm, text in session.execute(query)
        ]


def overdue_links(
    store: Store, as_of: date, *, owner: str | None = None, tracker: str | None = None
) -> list[tuple[OverdueRow, TicketLinkRow | None, bool]]:
    """The overdue items (``tracker.queries.overdue``), each with its ticket's link when pmt has
    seen that ticket (the item names a tracker and its ticket has a known state), and whether
    its owner was written as a handle (``ItemRow.owner_handle``: the owner is stored without
    its "@")."""
    from tracker.queries import link_for_item, overdue

    with store.session(write=False) as session:
        # Few owners are handles: their open items, in one query.
        handles = set(
            session.scalars(
                select(col(ItemRow.id)).where(
                    col(ItemRow.owner_handle).is_(True), col(ItemRow.status) == "open"
                )
            )
        )
        return [
            (
                row,
                link_for_item(session, row.item_id, row.tracker)
                if row.tracker and row.ticket_state
                else None,
                row.item_id in handles,
            )
            for row in overdue(session, as_of, owner=owner, tracker=tracker)
        ]


def record_reminder(store: Store, link_id: int, at: datetime) -> None:
    """Remember that the link's ticket was reminded ``at``, in its own transaction."""
    with store.session() as session:
        link = session.get(TicketLinkRow, link_id)
        if link is not None:
            link.last_reminded_at = at
            link.updated_at = utcnow()
            session.add(link)
