"""A dict-backed ticket tracker that satisfies ``sync.base.TicketBackend``.

For engine tests (and any other helper's): it counts reads and writes, keeps every call, and can
be told to fail the way real trackers fail:

- ``crash_after_create={k}``: the k-th create (1-based) takes effect remotely, then the "process
  dies" (``SimulatedCrash``, a BaseException no handler in pmt catches);
- ``unknown_outcome_creates={k}``: the k-th create takes effect remotely but the caller gets a
  ``TransientError`` (a lost response);
- ``rate_limit_after_writes=K``: writes after the K-th raise ``RateLimitedError`` (until reset);
- ``hidden_from_listing``: keys the marker listing does not return yet (a lagging index);
- ``owners={name: account}``: an owner missing from it is a warning (``warnings``), as the real
  backends' owner maps make it;
- ``fail(op, exc)``: the next call of ``op`` ("create", "update", "list_postmortem", ...)
  raises ``exc`` before doing anything (for a create: before its request leaves, as when the
  process dies during the write pacing or a rate-limit wait, or the connection is refused);
- ``fail_in_flight("create", exc)``: the next create's request leaves (``intent.sent()``) and
  is lost on the way: ``exc`` is raised and no ticket is made;
- ``listing_hides_markers``: the marker listing returns tickets without their marker (a search
  that does not return Jira's issue property or description); their labels are still there;
- ``close(key)`` / ``set_state`` / ``add_existing`` to change the remote side by hand.

Key styles: ``FakeBackend()`` behaves like GitHub (keys ``acme/ops#12``), ``FakeBackend("jira")``
like Jira (keys ``OPS-12``, the item's ``pmt-<hex>`` token among the labels), so the engine is
exercised through the Protocol only. Every create calls ``intent.sent()`` right before its
"request" leaves, as the real backends do.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sync.base import (
    CreateIntent,
    NotFoundError,
    RateLimitedError,
    RemoteTicket,
    TicketDraft,
    TransientError,
)
from sync.markers import Marker


class SimulatedCrash(BaseException):
    """The process died right after a remote side effect."""


@dataclass
class FakeTicket:
    key: str
    title: str
    draft: TicketDraft | None
    marker: Marker | None
    state: str = "open"
    state_reason: str | None = None
    assignee: str | None = None
    closed_at: datetime | None = None
    labels: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    updates: int = 0


class FakeBackend:
    def __init__(
        self,
        name: str = "github",
        *,
        repo: str = "acme/ops",
        project: str = "OPS",
        crash_after_create: set[int] | None = None,
        unknown_outcome_creates: set[int] | None = None,
        rate_limit_after_writes: int | None = None,
        reset_at: datetime | None = None,
        owners: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.owners = owners
        self.warnings: list[str] = []
        self.repo = repo
        self.project = project
        self.tickets: dict[str, FakeTicket] = {}
        self.calls: list[tuple[str, str]] = []
        self.reads = 0
        self.writes = 0
        self.creates = 0
        self.crash_after_create = set(crash_after_create or ())
        self.unknown_outcome_creates = set(unknown_outcome_creates or ())
        self.rate_limit_after_writes = rate_limit_after_writes
        self.reset_at = reset_at or datetime(2030, 1, 1, 12, 30, tzinfo=UTC)
        self.hidden_from_listing: set[str] = set()
        self.listing_hides_markers = False
        self.failures: dict[str, list[BaseException]] = {}
        self.in_flight: dict[str, list[BaseException]] = {}
        self._next = 1
        # Real trackers serialise requests; threads sharing one fake must not corrupt it.
        self._lock = threading.RLock()

    # -- what tests use to set the scene -------------------------------------------------------

    def _new_key(self) -> str:
        number = self._next
        self._next += 1
        return f"{self.repo}#{number}" if self.name == "github" else f"{self.project}-{number}"

    def add_existing(self, title: str, state: str = "open") -> str:
        """A ticket somebody made by hand (no marker)."""
        with self._lock:
            key = self._new_key()
            self.tickets[key] = FakeTicket(
                key=key, title=title, draft=None, marker=None, state=state
            )
            if state == "closed":
                self.tickets[key].closed_at = datetime(2026, 1, 5, tzinfo=UTC)
            return key

    def set_state(
        self, key: str, state: str, reason: str | None = None, assignee: str | None = None
    ) -> None:
        ticket = self.tickets[key]
        ticket.state = state
        ticket.state_reason = reason
        ticket.assignee = assignee if assignee is not None else ticket.assignee
        ticket.closed_at = datetime(2026, 2, 1, 9, 0, tzinfo=UTC) if state == "closed" else None

    def fail(self, op: str, exc: BaseException) -> None:
        self.failures.setdefault(op, []).append(exc)

    def fail_in_flight(self, op: str, exc: BaseException) -> None:
        self.in_flight.setdefault(op, []).append(exc)

    def writes_of(self, op: str) -> int:
        return sum(1 for name, _ in self.calls if name == op)

    def reset_counts(self) -> None:
        self.calls.clear()
        self.reads = self.writes = 0

    # -- the Protocol --------------------------------------------------------------------------

    def parse_ref(self, ref: str) -> str | None:
        ref = ref.strip()
        if self.name == "github":
            m = re.fullmatch(r"(?:https?://[^/]+/)?([\w.-]+/[\w.-]+)(?:#|/issues/)(\d+)/?", ref)
            if m:
                return f"{m[1]}#{m[2]}"
            m = re.fullmatch(r"(?:\[)?#(\d+)(?:\].*)?", ref)
            return f"{self.repo}#{m[1]}" if m else None
        m = re.fullmatch(r"(?:https?://\S+/browse/)?([A-Z][A-Z0-9]+-\d+)", ref)
        return m[1] if m else None

    def url_for(self, key: str) -> str:
        if self.name == "github":
            repo, number = key.rsplit("#", 1)
            return f"https://github.com/{repo}/issues/{number}"
        return f"https://jira.example.com/browse/{key}"

    def list_postmortem(self, postmortem_key: str) -> dict[str, RemoteTicket]:
        with self._lock:
            self._read("list_postmortem", postmortem_key)
            return {
                key: self._remote(t, marker=not self.listing_hides_markers)
                for key, t in self.tickets.items()
                if t.marker is not None
                and t.marker.postmortem_key == postmortem_key
                and key not in self.hidden_from_listing
            }

    def fetch(self, keys: Sequence[str]) -> dict[str, RemoteTicket]:
        with self._lock:
            self._read("fetch", ",".join(keys))
            return {k: self._remote(self.tickets[k]) for k in keys if k in self.tickets}

    def create(self, draft: TicketDraft, intent: CreateIntent | None = None) -> RemoteTicket:
        with self._lock:
            self._injected("create")  # before the request leaves
            if intent is not None:
                intent.sent()
            lost = self.in_flight.get("create")
            if lost:
                raise lost.pop(0)
            self._write("create", draft.marker.item_uid, injected=False)
            self.creates += 1
            self._check_owner(draft)
            key = self._new_key()
            labels = [*draft.labels, draft.marker.postmortem_token]
            if self.name == "jira":
                labels.append(draft.marker.token)
            ticket = FakeTicket(
                key=key, title=draft.text[:256], draft=draft, marker=draft.marker, labels=labels
            )
            self.tickets[key] = ticket
            if self.creates in self.crash_after_create:
                raise SimulatedCrash(f"crashed after creating {key}")
            if self.creates in self.unknown_outcome_creates:
                raise TransientError(
                    f"502 Bad Gateway while creating a ticket (it was made as {key})"
                )
            return self._remote(ticket)

    def update(self, key: str, draft: TicketDraft) -> RemoteTicket:
        with self._lock:
            self._write("update", key)
            self._check_owner(draft)
            ticket = self._get(key)
            ticket.title = draft.text[:256]
            ticket.draft = draft
            ticket.labels = [*draft.labels, draft.marker.postmortem_token]
            if self.name == "jira":
                ticket.labels.append(draft.marker.token)
            ticket.updates += 1
            return self._remote(ticket)

    def mark_removed(self, key: str, note: str) -> None:
        with self._lock:
            self._write("mark_removed", key)
            ticket = self._get(key)
            ticket.comments.append(note)
            ticket.labels.append("removed-from-postmortem")

    def close(self, key: str) -> RemoteTicket:
        with self._lock:
            self._write("close", key)
            self.set_state(key, "closed", "completed")
            return self._remote(self._get(key))

    def comment(self, key: str, body: str) -> None:
        with self._lock:
            self._write("comment", key)
            self._get(key).comments.append(body)

    def link_children(self, parent_key: str, child_keys: Sequence[str]) -> None:
        with self._lock:
            self._write("link_children", parent_key)
            parent = self._get(parent_key)
            for child in child_keys:
                self._get(child)
                if child not in parent.children:
                    parent.children.append(child)

    # -- internals -----------------------------------------------------------------------------

    def _check_owner(self, draft: TicketDraft) -> None:
        if self.owners is None or not draft.owner or draft.owner in self.owners:
            return
        note = f"owner {draft.owner!r} is not in the owner map; the ticket is left unassigned"
        if note not in self.warnings:
            self.warnings.append(note)

    def _injected(self, op: str) -> None:
        pending = self.failures.get(op)
        if pending:
            raise pending.pop(0)

    def _read(self, op: str, arg: str) -> None:
        self._injected(op)
        self.reads += 1
        self.calls.append((op, arg))

    def _write(self, op: str, arg: str, *, injected: bool = True) -> None:
        if injected:
            self._injected(op)
        limit = self.rate_limit_after_writes
        if limit is not None and self.writes >= limit:
            raise RateLimitedError(
                "secondary rate limit for content creation", reset_at=self.reset_at
            )
        self.writes += 1
        self.calls.append((op, arg))

    def _get(self, key: str) -> FakeTicket:
        try:
            return self.tickets[key]
        except KeyError:
            raise NotFoundError(f"ticket {key} not found") from None

    def _remote(self, t: FakeTicket, *, marker: bool = True) -> RemoteTicket:
        return RemoteTicket(
            key=t.key,
            url=self.url_for(t.key),
            title=t.title,
            state=t.state,  # type: ignore[arg-type]
            state_reason=t.state_reason,
            assignee=t.assignee,
            closed_at=t.closed_at,
            marker=t.marker if marker else None,
            labels=tuple(t.labels),
        )

    # Items of a postmortem that have a ticket, by marker item uid (for assertions).
    def tickets_by_item(self, postmortem_key: str) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for key, t in self.tickets.items():
            if t.marker is not None and t.marker.postmortem_key == postmortem_key:
                found.setdefault(t.marker.item_uid, []).append(key)
        return found
