"""Webhook deliveries in: verified, deduplicated and queued before the sender gets its answer.

A tracker's package reads its own deliveries (``sync/backends/<name>/webhooks.py``, a
``Receiver``): it checks the signature against the secret, names the delivery and its event,
says when the event happened and whether pmt wants it, and later turns its payload into
ticket states (``Changes``). This module is the part every tracker shares:

- ``receive``: verify (an unsigned, badly signed or stale delivery is ``Rejected`` with 401,
  and the store is not touched), then queue it in the store (``tracker.store.deliveries``) —
  unless it was accepted before (a replay: nothing changes) or pmt has no use for its event;
- ``signature_matches``: the HMAC-SHA256 ``sha256=<hex>`` signature GitHub and Jira both send.

Applying a queued delivery is ``sync.webhook_apply``'s.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol

from sync.base import RemoteTicket

if TYPE_CHECKING:
    from tracker.store import Store

Outcome = Literal["queued", "duplicate", "ignored"]


class Rejected(Exception):
    """A delivery refused before anything is stored: ``status`` is the HTTP answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Inbound:
    """A verified delivery, as its tracker's receiver reads it."""

    delivery_id: str
    event: str
    # When the event happened (None: the delivery does not say); older than the configured age
    # is stale.
    happened_at: datetime | None
    # False: an event pmt has no use for (answered 202 and forgotten).
    wanted: bool


@dataclass(frozen=True)
class Observed:
    """A ticket's state as a delivery reports it, as of ``ticket.updated_at``."""

    ticket: RemoteTicket
    deleted: bool = False


@dataclass(frozen=True)
class Pushed:
    """A push to the default branch of the postmortems' repository."""

    # The commit the branch now points at.
    after: str
    # Files added or changed by the push, relative to the repository's root.
    paths: tuple[str, ...]


@dataclass
class Changes:
    """What a delivery says happened: ticket states to record, or a push to sync."""

    tickets: list[Observed] = field(default_factory=list)
    pushed: Pushed | None = None


class Receiver(Protocol):
    """What a tracker package's ``webhooks`` module provides."""

    # The tracker's name (the path /webhooks/<name>, and the links it updates).
    NAME: str
    # The ``tracker.config.Secrets`` field holding its webhook secret.
    SECRET_FIELD: str

    # Verify and read a delivery; raises Rejected (401 unsigned or bad signature, 400 malformed).
    def inbound(
        self, headers: Mapping[str, str], body: bytes, secret: str, payload: dict[str, Any]
    ) -> Inbound: ...

    # The ticket states a queued delivery's payload reports (keys as pmt stores them).
    def changes(self, event: str, payload: dict[str, Any], settings: Any) -> Changes: ...


@dataclass(frozen=True)
class Received:
    outcome: Outcome
    delivery_id: str
    event: str


def signature_matches(secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is ``sha256=<hex>`` of HMAC-SHA256(secret, body), compared in
    constant time."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def receive(
    store: Store,
    receiver: Receiver,
    headers: Mapping[str, str],
    body: bytes,
    *,
    secret: str | None,
    max_age: timedelta,
    now: datetime,
) -> Received:
    """Verify a delivery and queue it; raises Rejected without touching the store."""
    import json

    from tracker.store import deliveries as queue

    if not secret:
        raise Rejected(
            401, f"no {receiver.NAME} webhook secret is configured: deliveries cannot be verified"
        )
    try:
        payload = json.loads(body) if body else {}
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        # Checked after the signature would be fairer to the sender, but a body that is not
        # a JSON object is refused either way, and verifying it first costs an HMAC.
        if not signature_matches(secret, body, _signature(headers)):
            raise Rejected(401, "the delivery's signature does not match")
        raise Rejected(400, "the delivery's body is not a JSON object")
    inbound = receiver.inbound(headers, body, secret, payload)
    if inbound.happened_at is not None and now - inbound.happened_at > max_age:
        raise Rejected(
            401, f"stale delivery: its event happened at {inbound.happened_at.isoformat()}"
        )
    if not inbound.wanted:
        return Received("ignored", inbound.delivery_id, inbound.event)
    try:
        text = body.decode()
    except UnicodeDecodeError:  # JSON in UTF-16 or 32: stored as the text json.loads read
        text = json.dumps(payload)
    fresh = queue.accept(store, receiver.NAME, inbound.delivery_id, inbound.event, text, now)
    return Received("queued" if fresh else "duplicate", inbound.delivery_id, inbound.event)


def _signature(headers: Mapping[str, str]) -> str | None:
    return headers.get("x-hub-signature-256") or headers.get("x-hub-signature")
