"""Ticket links: finding an item's or a postmortem's ticket, and the writes the sync engine
makes (a new link, a ticket's new state), each with its history event.

Writes take the caller's session; committing is the caller's (``Store.session()`` does it).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.store.tables import TicketLinkRow


def _first_link(session: Session, **equal: Any) -> TicketLinkRow | None:
    """The first ticket link whose columns have the values given."""
    from tracker.store.tables import TicketLinkRow

    columns = TicketLinkRow.__table__.c  # type: ignore[attr-defined]
    query = select(TicketLinkRow).where(*(columns[name] == value for name, value in equal.items()))
    return session.scalars(query).first()


def link_for_item(session: Session, item_id: int, tracker: str) -> TicketLinkRow | None:
    """The item's ticket on ``tracker``, if it has one."""
    return _first_link(session, item_id=item_id, tracker=tracker, role="item")


def tracking_link(session: Session, postmortem_id: int, tracker: str) -> TicketLinkRow | None:
    """The postmortem's tracking ticket on ``tracker``, if it has one."""
    return _first_link(session, postmortem_id=postmortem_id, tracker=tracker, role="tracking")


def record_link(
    session: Session,
    item_id: int | None,
    postmortem_id: int,
    tracker: str,
    key: str,
    url: str | None,
    role: str = "item",
    synced_hash: str | None = None,
    state: str = "open",
    *,
    at: datetime | None = None,
) -> TicketLinkRow:
    """Insert a ticket link, or return the one already recorded on any of its unique keys.

    Runs in a savepoint, so a concurrent insert that wins the race leaves the caller's
    transaction usable; the winner's row is returned. A new item link appends a
    ``ticket_linked`` item event, and the ticket's first observed state a ticket event.
    """
    from tracker.store.tables import ItemEventRow, TicketEventRow, TicketLinkRow, utcnow

    existing = _existing_link(session, item_id, postmortem_id, tracker, key, role)
    if existing is not None:
        return existing
    at = at or utcnow()
    link = TicketLinkRow(
        item_id=item_id,
        postmortem_id=postmortem_id,
        tracker=tracker,
        key=key,
        url=url,
        role=role,
        state=state,
        synced_hash=synced_hash,
        refreshed_at=at,
        created_at=at,
        updated_at=at,
    )
    try:
        with session.begin_nested():
            session.add(link)
            session.flush()
    except IntegrityError:
        existing = _existing_link(session, item_id, postmortem_id, tracker, key, role)
        if existing is None:
            raise
        return existing
    assert link.id is not None
    session.add(TicketEventRow(link_id=link.id, at=at, state=state))
    if item_id is not None:
        session.add(
            ItemEventRow(
                item_id=item_id,
                at=at,
                event="ticket_linked",
                detail=json.dumps({"tracker": tracker, "key": key}),
            )
        )
    session.flush()
    return link


def _existing_link(
    session: Session, item_id: int | None, postmortem_id: int, tracker: str, key: str, role: str
) -> TicketLinkRow | None:
    found = _first_link(session, tracker=tracker, key=key)
    if found is not None:
        return found
    if role == "item" and item_id is not None:
        return link_for_item(session, item_id, tracker)
    if role == "tracking":
        return tracking_link(session, postmortem_id, tracker)
    return None


def record_ticket_state(
    session: Session,
    link: TicketLinkRow,
    *,
    state: str,
    state_reason: str | None = None,
    assignee: str | None = None,
    closed_at: datetime | None = None,
    at: datetime | None = None,
) -> bool:
    """Store what the tracker says about ``link``'s ticket now; True when something changed.

    A change appends a ``ticket_event`` row (the history reports read); either way the link's
    ``refreshed_at`` moves to ``at``.
    """
    from tracker.store.tables import TicketEventRow, utcnow

    at = at or utcnow()
    new = (state, state_reason, assignee, closed_at)
    old = (link.state, link.state_reason, link.assignee, link.closed_at)
    link.refreshed_at = at
    changed = new != old
    if changed:
        link.state, link.state_reason, link.assignee, link.closed_at = new
        link.updated_at = at
        session.add(link)
        session.flush()
        assert link.id is not None
        session.add(
            TicketEventRow(
                link_id=link.id,
                at=at,
                state=state,
                state_reason=state_reason,
                assignee=assignee,
                closed_at=closed_at,
            )
        )
    else:
        session.add(link)
    session.flush()
    return changed
