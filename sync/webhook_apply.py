"""Applying queued webhook deliveries, one at a time, by any number of workers.

``work_once`` claims the oldest queued delivery (``tracker.store.deliveries``: one worker per
delivery, across replicas), reads what it says through its tracker's receiver, records each
ticket state the way ``pmt refresh`` does (``sync.records.observe``: a ``ticket_event`` row per
change), and marks it done. A delivery older than the state already recorded changes nothing:
GitHub and Jira do not promise order, and a refresh may have read a newer state meanwhile. When
the store fails the delivery goes back to the queue, later, until ``serve.max_attempts``.
A push to the postmortems' repository is synced when ``[serve] auto_sync`` is on
(``sync.pushed``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sync.records import observe
from sync.redact import environment_forms, redact
from sync.registry import receivers
from sync.webhooks import Observed, Pushed, Receiver
from tracker.errors import PmtError
from tracker.store import DatabaseError
from tracker.store.deliveries import Delivery, claim, finish, give_back
from tracker.store.sync_state import update_ticket_link
from tracker.store.tables import TicketLinkRow, utcnow

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.config import Settings
    from tracker.store import Store

# How long a worker holds a claimed delivery before another may take it.
LEASE = timedelta(seconds=60)
# The wait before a failed delivery is tried again doubles from this, up to an hour.
FIRST_RETRY = timedelta(seconds=5)


@dataclass(frozen=True)
class Step:
    """What one ``work_once`` did."""

    delivery: Delivery
    outcome: str
    failed: bool
    # Seconds from the delivery's acceptance to its application.
    latency: float


def work_once(
    store: Store,
    settings: Settings,
    worker: str,
    *,
    now: datetime | None = None,
    readers: dict[str, Receiver] | None = None,
) -> Step | None:
    """Apply the oldest queued delivery; None when the queue is empty. ``now`` (tests): the
    time throughout; else the clock's, read again once the delivery is applied (a push's sync
    may take minutes)."""
    fixed = now

    def clock() -> datetime:
        return fixed if fixed is not None else utcnow()

    now = clock()
    delivery = claim(store, worker, LEASE, now)
    if delivery is None:
        return None
    reader = (readers or receivers()).get(delivery.source)
    try:
        if reader is None:
            outcome = f"no tracker called {delivery.source!r}: nothing to do"
        else:
            found = reader.changes(delivery.event, json.loads(delivery.payload), settings)
            outcome = "; ".join(record(store, reader.NAME, seen, now) for seen in found.tickets)
            if found.pushed is not None:
                outcome = _push(store, settings, found.pushed)
    except (PmtError, DatabaseError, OSError, ValueError, KeyError, TypeError) as exc:
        # The store failed, or a payload pmt cannot read: kept with the error, and retried.
        error = redact(f"{type(exc).__name__}: {exc}", environment_forms(os.environ))
        wait = min(FIRST_RETRY * 2 ** (delivery.attempts - 1), timedelta(hours=1))
        last = delivery.attempts >= settings.serve.max_attempts
        ended = clock()
        give_back(store, delivery, worker, error, ended + wait, last=last)
        return Step(delivery, error, True, _since(delivery, ended))
    ended = clock()
    finish(store, delivery, worker, outcome or "nothing pmt tracks", ended)
    return Step(delivery, outcome, False, _since(delivery, ended))


def record(store: Store, tracker: str, seen: Observed, now: datetime) -> str:
    """Record one ticket state a delivery reports; says what it did."""
    ticket = seen.ticket
    if seen.deleted:
        ticket = replace(ticket, state="closed", state_reason="deleted", closed_at=now)
    as_of = ticket.updated_at or now
    said: list[str] = []

    def change(session: Session, link: TicketLinkRow) -> bool:
        if link.refreshed_at is not None and as_of < link.refreshed_at:
            said.append(f"{ticket.key}: older than the state recorded, left as it was")
            return False
        before = link.state
        if observe(session, link, ticket, as_of):
            said.append(f"{ticket.key}: {before} -> {ticket.state}")
            return True
        said.append(f"{ticket.key}: unchanged")
        return False

    if update_ticket_link(store, tracker, ticket.key, change) is None:
        return f"{ticket.key}: not a ticket pmt links to"
    return said[0]


def _push(store: Store, settings: Settings, pushed: Pushed) -> str:
    if not settings.serve.auto_sync:
        return f"push {pushed.after[:12]}: [serve] auto_sync is off, nothing synced"
    from sync.pushed import sync_push

    return sync_push(store, settings, pushed)


def _since(delivery: Delivery, now: datetime) -> float:
    return max(0.0, (now - delivery.received_at).total_seconds())
