"""What the engine reads from and writes to the store: a postmortem's items and links.

``StoreRecorder`` is apply's ``LinkRecorder``: each call is its own committed transaction, so a
link exists in the database before the next remote call is made. Links and ticket states go
through the store's ``record_link`` / ``record_ticket_state`` (a ``ticket_event`` row per
observed change: the history ``pmt overdue`` and the reports read).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import Session, col

from sync.base import RemoteTicket
from sync.plan import LinkState, PlanItem
from tracker.errors import StoreError
from tracker.queries import record_link, record_ticket_state
from tracker.store import Store
from tracker.tables import ItemEventRow, ItemRow, PostmortemRow, TicketLinkRow, utcnow

# Item events around a create, so that a create whose answer was lost is known to the next run
# even when the tracker's search does not show its ticket yet (search indexes lag).
CREATE_SENT = "ticket_create_sent"
CREATE_REFUSED = "ticket_create_refused"


@dataclass
class PostmortemState:
    """One postmortem as the store knows it, with its links to one tracker."""

    postmortem: PostmortemRow
    items: list[ItemRow] = field(default_factory=list)
    # By item id.
    links: dict[int, TicketLinkRow] = field(default_factory=dict)
    tracking: TicketLinkRow | None = None
    # By item id: when a create was last sent for an item that has no link since, and was not
    # refused (a crash or a lost answer; the ticket may exist).
    creates_sent: dict[int, datetime] = field(default_factory=dict)

    def plan_items(self) -> list[PlanItem]:
        return [
            PlanItem(
                uid=r.uid,
                text=r.text,
                status=r.status,
                done=r.done,
                ticket=r.ticket,
                line=r.line,
                item_id=r.id,
            )
            for r in self.items
        ]

    def link_states(self) -> dict[str, LinkState]:
        by_id = {r.id: r.uid for r in self.items}
        return {
            by_id[item_id]: link_state(link)
            for item_id, link in self.links.items()
            if item_id in by_id
        }

    def item_ids(self) -> dict[str, int]:
        return {r.uid: r.id for r in self.items if r.id is not None}

    def unconfirmed_creates(self) -> dict[str, datetime]:
        """Item uid -> when a create was sent whose outcome no link or refusal confirms."""
        return {
            r.uid: self.creates_sent[r.id]
            for r in self.items
            if r.id is not None and r.id in self.creates_sent and r.id not in self.links
        }


def link_state(link: TicketLinkRow) -> LinkState:
    return LinkState(key=link.key, url=link.url, synced_hash=link.synced_hash, state=link.state)


def load_state(store: Store, postmortem_key: str, tracker: str) -> PostmortemState | None:
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
        state = PostmortemState(postmortem=pm, items=items)
        links = session.scalars(
            select(TicketLinkRow).where(
                col(TicketLinkRow.postmortem_id) == pm.id, col(TicketLinkRow.tracker) == tracker
            )
        )
        for link in links:
            if link.role == "tracking":
                state.tracking = link
            elif link.item_id is not None:
                state.links[link.item_id] = link
        state.creates_sent = _creates_sent(
            session, [r.id for r in items if r.id is not None], tracker
        )
        return state


def _creates_sent(session: Session, item_ids: list[int], tracker: str) -> dict[int, datetime]:
    if not item_ids:
        return {}
    events = session.scalars(
        select(ItemEventRow)
        .where(
            col(ItemEventRow.item_id).in_(item_ids),
            col(ItemEventRow.event).in_((CREATE_SENT, CREATE_REFUSED)),
        )
        .order_by(col(ItemEventRow.at), col(ItemEventRow.id))
    )
    sent: dict[int, datetime] = {}
    for event in events:
        if json.loads(event.detail or "{}").get("tracker") != tracker:
            continue
        if event.event == CREATE_SENT:
            sent[event.item_id] = _utc(event.at) or event.at
        else:
            sent.pop(event.item_id, None)
    return sent


def observe(
    session: Session, link: TicketLinkRow, ticket: RemoteTicket, at: datetime | None = None
) -> bool:
    """Bring ``link`` to what the tracker says (a ticket event when something changed)."""
    if ticket.url and link.url != ticket.url:
        link.url = ticket.url
    return record_ticket_state(
        session,
        link,
        state=ticket.state,
        state_reason=ticket.state_reason,
        assignee=ticket.assignee,
        closed_at=_utc(ticket.closed_at),
        at=at,
    )


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def observe_all(
    store: Store, postmortem_id: int, tracker: str, remote: dict[str, RemoteTicket]
) -> int:
    """Record the states of a postmortem's linked tickets as read in bulk; returns the changes."""
    if not remote:
        return 0
    changed = 0
    with store.session() as session:
        links = session.scalars(
            select(TicketLinkRow).where(
                col(TicketLinkRow.postmortem_id) == postmortem_id,
                col(TicketLinkRow.tracker) == tracker,
            )
        )
        for link in links:
            ticket = remote.get(link.key)
            if ticket is not None and observe(session, link, ticket):
                changed += 1
    return changed


class StoreRecorder:
    """``sync.apply.LinkRecorder`` on the store: one committed transaction per call."""

    def __init__(
        self, store: Store, postmortem_id: int, tracker: str, item_ids: dict[str, int]
    ) -> None:
        self.store = store
        self.postmortem_id = postmortem_id
        self.tracker = tracker
        self.item_ids = item_ids

    def record(self, uid: str | None, ticket: RemoteTicket, synced_hash: str | None) -> None:
        item_id = None if uid is None else self.item_ids[uid]
        with self.store.session() as session:
            link = record_link(
                session,
                item_id,
                self.postmortem_id,
                self.tracker,
                ticket.key,
                ticket.url or None,
                role="tracking" if uid is None else "item",
                synced_hash=synced_hash,
                state=ticket.state,
            )
            if link.key != ticket.key:
                # The unique keys are the last line of defence against a duplicate: say which.
                raise StoreError(
                    f"ticket {ticket.key} was not recorded: its item is already linked to "
                    f"{link.key} (a duplicate ticket; close it)"
                )
            observe(session, link, ticket)

    def create_sent(self, uid: str | None) -> None:
        self._create_event(uid, CREATE_SENT)

    def create_refused(self, uid: str | None) -> None:
        self._create_event(uid, CREATE_REFUSED)

    def _create_event(self, uid: str | None, event: str) -> None:
        # Items only: a postmortem's tracking ticket has no item row to hang the event on.
        if uid is None or uid not in self.item_ids:
            return
        with self.store.session() as session:
            session.add(
                ItemEventRow(
                    item_id=self.item_ids[uid],
                    at=utcnow(),
                    event=event,
                    detail=json.dumps({"tracker": self.tracker}),
                )
            )

    def set_synced_hash(self, key: str, synced_hash: str | None) -> None:
        with self.store.session() as session:
            link = self._link(session, key)
            link.synced_hash = synced_hash
            session.add(link)

    def observe(self, ticket: RemoteTicket) -> None:
        with self.store.session() as session:
            observe(session, self._link(session, ticket.key), ticket)

    def _link(self, session: Session, key: str) -> TicketLinkRow:
        link = session.scalars(
            select(TicketLinkRow).where(
                col(TicketLinkRow.tracker) == self.tracker, col(TicketLinkRow.key) == key
            )
        ).first()
        if link is None:
            raise StoreError(f"no local link for ticket {key}")
        return link
