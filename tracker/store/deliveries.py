"""The webhook queue's repository: deliveries accepted, claimed by one worker, finished.

A delivery is written before ``pmt serve`` answers its sender, so an accepted delivery survives
a restart; it is applied later by a worker, in the background. Several replicas share one
queue: a worker claims the oldest queued delivery for a lease (PostgreSQL skips rows another
transaction is claiming, ``FOR UPDATE SKIP LOCKED``; SQLite serialises writers with ``BEGIN
IMMEDIATE``), so each delivery is applied by one worker at a time, and a worker that died lets
go when its lease ends. The row stays once applied: a replayed delivery id is refused by the
unique key ``(source, delivery_id)`` and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from tracker.store.engine import Store
from tracker.store.tables import DeliveryRow

_TABLE: Any = DeliveryRow.__table__  # type: ignore[attr-defined]
QUEUED, DONE, FAILED = "queued", "done", "failed"


@dataclass(frozen=True)
class Delivery:
    id: int
    source: str
    delivery_id: str
    event: str
    payload: str
    attempts: int
    received_at: datetime


def accept(
    store: Store, source: str, delivery_id: str, event: str, payload: str, now: datetime
) -> bool:
    """Queue a delivery; False when ``(source, delivery_id)`` was accepted before (a replay)."""
    row = {
        "source": source,
        "delivery_id": delivery_id,
        "event": event,
        "payload": payload,
        "status": QUEUED,
        "attempts": 0,
        "received_at": now,
    }
    try:
        with store.engine.begin() as conn:
            conn.execute(_TABLE.insert().values(**row))
    except IntegrityError:
        return False
    return True


def claim(store: Store, worker: str, lease: timedelta, now: datetime) -> Delivery | None:
    """The oldest queued delivery no live worker holds, now held by ``worker`` until
    ``now + lease``; None when there is none."""
    c = _TABLE.c
    free = and_(c.status == QUEUED, or_(c.lease_until.is_(None), c.lease_until < now))
    oldest = (
        select(c.id).where(free).order_by(c.id).limit(1).with_for_update(skip_locked=True)
    ).scalar_subquery()
    with store.engine.begin() as conn:
        row = conn.execute(
            update(_TABLE)
            .where(c.id == oldest)
            .values(claimed_by=worker, lease_until=now + lease, attempts=c.attempts + 1)
            .returning(c.id, c.source, c.delivery_id, c.event, c.payload, c.attempts, c.received_at)
        ).first()
    if row is None:
        return None
    return Delivery(*row)


def finish(store: Store, delivery: Delivery, worker: str, outcome: str, now: datetime) -> bool:
    """Mark a claimed delivery applied; False when ``worker`` no longer holds it (its lease
    ended and another worker took it)."""
    return _close(store, delivery, worker, {"status": DONE, "outcome": outcome, "done_at": now})


def give_back(
    store: Store,
    delivery: Delivery,
    worker: str,
    error: str,
    retry_at: datetime,
    *,
    last: bool,
) -> bool:
    """A delivery whose application failed: queued again from ``retry_at``, or ``failed`` for
    good when this was its ``last`` attempt."""
    values: dict[str, Any] = {"outcome": error, "claimed_by": None, "lease_until": retry_at}
    if last:
        values.update(status=FAILED, done_at=retry_at)
    return _close(store, delivery, worker, values)


def _close(store: Store, delivery: Delivery, worker: str, values: dict[str, Any]) -> bool:
    c = _TABLE.c
    with store.engine.begin() as conn:
        done = conn.execute(
            update(_TABLE)
            .where(c.id == delivery.id, c.claimed_by == worker, c.status == QUEUED)
            .values(**values)
        )
    return bool(done.rowcount)


def prune(store: Store, before: datetime) -> int:
    """Forget deliveries applied (or set aside) before ``before``; returns how many. A replay
    of one of them is refused anyway once its event is older than the age deliveries may have
    (``[serve] max_delivery_age_hours``), which ``before`` must not be later than."""
    c = _TABLE.c
    with store.engine.begin() as conn:
        gone = conn.execute(_TABLE.delete().where(c.status != QUEUED, c.done_at < before))
    return int(gone.rowcount or 0)


def queue_depth(store: Store) -> int:
    """Deliveries accepted and not yet applied (or waiting for a retry)."""
    c = _TABLE.c
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).where(c.status == QUEUED)).scalar_one())


def status_of(store: Store, source: str, delivery_id: str) -> tuple[str, str | None] | None:
    """A delivery's status and outcome, None when it was never accepted."""
    c = _TABLE.c
    with store.reading() as conn:
        row = conn.execute(
            select(c.status, c.outcome).where(c.source == source, c.delivery_id == delivery_id)
        ).first()
    return None if row is None else (str(row.status), row.outcome)
