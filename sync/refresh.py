"""``pmt refresh``: pull the state of every linked ticket and record what changed.

Reads in bulk: one marker listing per postmortem (it returns every ticket pmt made for it, with
its state), then ``fetch`` in batches of 100 for the linked tickets the listings did not return
(tickets pmt linked but did not make, or whose marker label was removed). Each change of state,
state reason, assignee or closing time appends a ``ticket_event`` row: the history ``pmt
overdue`` relies on (an item whose ticket is closed is not overdue).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sync.apply_results import stopped_message
from sync.base import RateLimitedError, RemoteTicket, TicketBackend
from sync.records import observe
from sync.service import FETCH_BATCH
from tracker.store import Store
from tracker.store.sync_state import LinkedTicket, linked_tickets, update_links_by_id
from tracker.store.tables import TicketLinkRow, utcnow

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass
class TicketChange:
    postmortem: str
    key: str
    url: str | None
    item: str | None  # the item's text; None for a tracking ticket
    before: str
    after: str
    state_reason: str | None
    assignee: str | None
    closed_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "postmortem": self.postmortem,
            "ticket": self.key,
            "url": self.url,
            "item": self.item,
            "from": self.before,
            "to": self.after,
            "state_reason": self.state_reason,
            "assignee": self.assignee,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
        }


@dataclass
class RefreshReport:
    tracker: str
    checked: int = 0
    changed: list[TicketChange] = field(default_factory=list)
    # Linked tickets the tracker no longer returns (deleted, moved, or no access).
    missing: list[str] = field(default_factory=list)
    stopped: str | None = None
    postmortems: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "tracker": self.tracker,
            "postmortems": self.postmortems,
            "checked": self.checked,
            "changed": [c.to_dict() for c in self.changed],
            "missing": list(self.missing),
            "stopped": self.stopped,
        }


def refresh(
    store: Store,
    backend: TicketBackend,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
) -> RefreshReport:
    """Read every linked ticket of ``backend``'s tracker and record its state."""
    report = RefreshReport(tracker=backend.name)
    links = linked_tickets(store, backend.name)
    by_pm: dict[str, list[LinkedTicket]] = {}
    for link in links:
        by_pm.setdefault(link.postmortem, []).append(link)
    report.postmortems = len(by_pm)
    seen: dict[str, RemoteTicket] = {}
    steps = len(by_pm) + -(-len(links) // FETCH_BATCH)
    done = 0
    try:
        for pm_key, pm_links in by_pm.items():
            listing = backend.list_postmortem(pm_key)
            wanted = {link.key for link in pm_links}
            seen.update({k: t for k, t in listing.items() if k in wanted})
            done += 1
            if on_progress is not None:
                on_progress(done, steps)
        missing = [link.key for link in links if link.key not in seen]
        for start in range(0, len(missing), FETCH_BATCH):
            seen.update(backend.fetch(missing[start : start + FETCH_BATCH]))
            done += 1
            if on_progress is not None:
                on_progress(done, steps)
    except RateLimitedError as exc:
        report.stopped = stopped_message(exc)
    _record(store, links, seen, report, now or utcnow())
    if report.stopped is None:
        report.missing = [link.key for link in links if link.key not in seen]
    return report


def _record(
    store: Store,
    links: list[LinkedTicket],
    seen: dict[str, RemoteTicket],
    report: RefreshReport,
    now: datetime,
) -> None:
    found = {link.id: link for link in links if link.key in seen}

    def change(session: Session, row: TicketLinkRow) -> bool:
        assert row.id is not None
        link = found[row.id]
        ticket = seen[link.key]
        before = row.state
        report.checked += 1
        if not observe(session, row, ticket, now):
            return False
        report.changed.append(
            TicketChange(
                postmortem=link.postmortem,
                key=link.key,
                url=row.url,
                item=link.item,
                before=before,
                after=ticket.state,
                state_reason=ticket.state_reason,
                assignee=ticket.assignee,
                closed_at=ticket.closed_at,
            )
        )
        return True

    # One transaction for all: a refresh is a snapshot, and it is cheap to run again.
    update_links_by_id(store, found, change)
