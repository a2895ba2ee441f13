"""What the engine reads from and writes to the store: a postmortem's items and links.

``StoreRecorder`` is apply's ``LinkRecorder``: each call is its own committed transaction, so a
link exists in the database before the next remote call is made. The reads and writes are the
store's (``tracker.store.sync_state``); this module says what they mean for a sync: the plan's
inputs, and a remote ticket as a link's state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sync.base import RemoteTicket
from sync.plan import LinkState, PlanItem
from tracker.errors import StoreError
from tracker.queries import record_ticket_state
from tracker.store import Store
from tracker.store import sync_state as rows
from tracker.store.tables import ItemRow, PostmortemRow, TicketLinkRow

if TYPE_CHECKING:
    from sqlmodel import Session

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
    found = rows.load_sync_rows(store, postmortem_key, tracker, (CREATE_SENT, CREATE_REFUSED))
    if found is None:
        return None
    state = PostmortemState(postmortem=found.postmortem, items=found.items)
    for link in found.links:
        if link.role == "tracking":
            state.tracking = link
        elif link.item_id is not None:
            state.links[link.item_id] = link
    for event in found.events:
        if rows.event_detail(event).get("tracker") != tracker:
            continue
        if event.event == CREATE_SENT:
            state.creates_sent[event.item_id] = _utc(event.at) or event.at
        else:
            state.creates_sent.pop(event.item_id, None)
    return state


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

    def seen(session: Session, link: TicketLinkRow) -> bool:
        ticket = remote.get(link.key)
        return ticket is not None and observe(session, link, ticket)

    return rows.update_links(store, postmortem_id, tracker, seen)


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
        stored = rows.record_new_link(
            self.store,
            None if uid is None else self.item_ids[uid],
            self.postmortem_id,
            self.tracker,
            ticket.key,
            ticket.url or None,
            synced_hash=synced_hash,
            state=ticket.state,
            then=lambda session, link: observe(session, link, ticket),
        )
        if stored != ticket.key:
            # The unique keys are the last line of defence against a duplicate: say which.
            raise StoreError(
                f"ticket {ticket.key} was not recorded: its item is already linked to "
                f"{stored} (a duplicate ticket; close it)"
            )

    def create_sent(self, uid: str | None) -> None:
        self._create_event(uid, CREATE_SENT)

    def create_refused(self, uid: str | None) -> None:
        self._create_event(uid, CREATE_REFUSED)

    def _create_event(self, uid: str | None, event: str) -> None:
        # Items only: a postmortem's tracking ticket has no item row to hang the event on.
        if uid is None or uid not in self.item_ids:
            return
        rows.add_item_event(self.store, self.item_ids[uid], event, {"tracker": self.tracker})

    def set_synced_hash(self, key: str, synced_hash: str | None) -> None:
        def change(_session: Session, link: TicketLinkRow) -> bool:
            link.synced_hash = synced_hash
            return True

        rows.update_link(self.store, self.tracker, key, change)

    def observe(self, ticket: RemoteTicket) -> None:
        rows.update_link(
            self.store,
            self.tracker,
            ticket.key,
            lambda session, link: observe(session, link, ticket),
        )
