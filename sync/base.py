"""The one interface every ticket tracker implements, and the types that cross it.

    SyncError                 a tracker refused or failed (a PmtError: one line, exit 1)
    ├── AuthError             the token is missing, wrong or lacks a permission
    ├── NotFoundError         the repository, project or ticket does not exist
    ├── RateLimitedError      the tracker asked us to stop until ``reset_at``
    ├── TransientError        a network fault or a 5xx that outlived the retries (the request
    │                         may have been performed)
    ├── UnreachableError      connection refused, DNS failure: nothing was sent (exit 4)
    └── RequestError          the tracker rejected what we sent (4xx other than the above)

Backends translate their client library's exceptions into this tree at the boundary
(``raise ... from exc``), with every configured secret redacted (``sync.redact``), so the
engine and the CLI never see PyGithub, jira or requests types, nor a token.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol

from sync.markers import Marker
from tracker.errors import PmtError

TicketState = Literal["open", "in_progress", "closed"]


class SyncError(PmtError):
    pass


class AuthError(SyncError):
    pass


class NotFoundError(SyncError):
    pass


class RateLimitedError(SyncError):
    def __init__(self, message: str, reset_at: datetime | None = None) -> None:
        super().__init__(message)
        self.reset_at = reset_at


class TransientError(SyncError):
    def __init__(self, message: str, *, outcome_unknown: bool = False) -> None:
        super().__init__(message)
        # True for a create that may have taken effect, when the message already says so.
        self.outcome_unknown = outcome_unknown


class RequestError(SyncError):
    pass


class UnreachableError(SyncError):
    """The tracker could not be reached at all (connection refused, DNS failure, no connection
    made in time): the request never left, so nothing was done. A run stops at the first one."""

    exit_code = 4


class CreateIntent(Protocol):
    """How a backend tells the engine where a create request is, so that the record of a create
    whose answer was lost is made only once the request is really on its way."""

    # The create request leaves now (after any pacing, label or account look-up, rate-limit wait).
    def sent(self) -> None: ...

    # It did not leave after all, or the tracker did not perform it (a rate limit to wait out).
    def not_sent(self) -> None: ...


@dataclass(frozen=True)
class TicketDraft:
    """What a ticket should say, built from an action item and its postmortem.

    Backends render it (Markdown on GitHub, ADF or wiki markup on Jira), cut the title to the
    tracker's limit and resolve ``owner`` to an account through ``tracker.people``.
    """

    marker: Marker
    text: str
    # "item" for an action item; "tracking" for a postmortem's tracking ticket (its children
    # are linked with link_children).
    role: Literal["item", "tracking"] = "item"
    owner: str | None = None
    # The owner was written as a handle ("@lena-k"): GitHub takes it for the login.
    owner_handle: bool = False
    due: date | None = None
    priority: str | None = None
    kind: str | None = None
    done: bool = False
    postmortem_title: str | None = None
    postmortem_path: str | None = None
    postmortem_url: str | None = None
    incident_date: date | None = None
    incident_ticket: str | None = None
    root_cause: str | None = None
    labels: tuple[str, ...] = ()

    def fingerprint(self) -> str:
        """Hash of the desired state: equal fingerprints mean there is nothing to update."""
        state = asdict(self)
        if not self.owner_handle:
            # Left out when false, so that the tickets synced before the field existed do not
            # all read as changed; a handle (a new assignee) is an update.
            del state["owner_handle"]
        payload = json.dumps(state, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class RemoteTicket:
    """A ticket as the tracker reports it."""

    key: str  # "owner/repo#123" on GitHub, "OPS-123" on Jira
    url: str
    title: str
    state: TicketState
    state_reason: str | None = None  # GitHub: completed / not_planned; Jira: the resolution
    assignee: str | None = None
    closed_at: datetime | None = None
    updated_at: datetime | None = None
    marker: Marker | None = None
    labels: tuple[str, ...] = field(default=())


class TicketBackend(Protocol):
    """A ticket tracker. Every method is one logical operation; reads are batched."""

    # "github" or "jira": the value stored with each link and accepted by --tracker.
    name: str

    # What the user should hear that did not stop the run (an owner with no account in the
    # owner map, an assignee the tracker refused, a link it refused), in the order it happened.
    warnings: list[str]

    # The canonical key of a reference written in a postmortem ("#12", "acme/ops#12", a URL,
    # "OPS-12"), or None when the reference is not this tracker's.
    def parse_ref(self, ref: str) -> str | None: ...

    # The web address of a ticket, for write-back and for people.
    def url_for(self, key: str) -> str: ...

    # Every ticket pmt made for one postmortem (found by its marker label, one paginated
    # listing), keyed by ticket key, each with its marker read back. Used for re-sync state,
    # for recovery after a crash between a create and its local record, and by refresh.
    def list_postmortem(self, postmortem_key: str) -> dict[str, RemoteTicket]: ...

    # Current state of arbitrary tickets (e.g. existing ones a postmortem links to), batched
    # where the tracker allows.
    def fetch(self, keys: Sequence[str]) -> dict[str, RemoteTicket]: ...

    # Create a ticket carrying ``draft.marker``. Never retried blindly by the backend. Calls
    # ``intent.sent()`` right before the request leaves, ``intent.not_sent()`` when it waits.
    def create(self, draft: TicketDraft, intent: CreateIntent | None = None) -> RemoteTicket: ...

    # Make an existing ticket say what ``draft`` says (title, body, labels, assignee, due).
    def update(self, key: str, draft: TicketDraft) -> RemoteTicket: ...

    # Comment on a ticket and add a label, for an item removed from its postmortem.
    def mark_removed(self, key: str, note: str) -> None: ...

    # Close a ticket as completed (used when sync.on_done_mismatch = "close_ticket").
    def close(self, key: str) -> RemoteTicket: ...

    # Add a comment (reminders, notes).
    def comment(self, key: str, body: str) -> None: ...

    # Attach children to a parent (GitHub sub-issues; Jira issue links). Idempotent.
    def link_children(self, parent_key: str, child_keys: Sequence[str]) -> None: ...
