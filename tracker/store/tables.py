"""The database tables (SQLModel): postmortems, action items, tickets and their history.

Parsed documents are ``tracker.models`` value objects; these rows are what pmt remembers about
them between runs. Every timestamp is stored in UTC and read back timezone-aware (``UTCDateTime``)
on SQLite as on PostgreSQL. Rows are never deleted: an item that leaves its document gets
``status = "removed"``, and every change of state is appended to ``item_event`` / ``ticket_event``.

The schema is created and upgraded by the alembic revisions in ``tracker/migrations/versions``;
a change here needs a new revision there (the store refuses to guess).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from tracker.store.types import UTCDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


class PostmortemRow(SQLModel, table=True):
    __tablename__ = "postmortem"
    __table_args__ = (
        # `pmt causes` and the reports read a period's postmortems by their day.
        Index("ix_postmortem_incident_date", "incident_date"),
        Index("ix_postmortem_created_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Front-matter id, else the path relative to ingest.root (posix separators).
    key: str = Field(unique=True, index=True)
    # The path as it was given to `pmt ingest` last time.
    path: str
    title: str | None = None
    incident_date: date | None = None
    started: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended: datetime | None = Field(default=None, sa_type=UTCDateTime)
    timezone: str | None = None
    duration_minutes: int | None = None
    impact: str | None = Field(default=None, sa_type=Text)
    users_affected_pct: float | None = None
    severity: str | None = None
    root_cause: str | None = Field(default=None, sa_type=Text)
    root_cause_detail: str | None = Field(default=None, sa_type=Text)
    resolution: str | None = Field(default=None, sa_type=Text)
    incident_ticket: str | None = None
    # sha256 of the file's bytes: an unchanged file is skipped before it is parsed.
    content_hash: str | None = None
    # The front matter as JSON ("{}": none; NULL: ingested before pmt kept it).
    front_matter: str | None = Field(default=None, sa_type=Text)
    cause_category: str | None = None
    cause_secondary: str | None = None
    cause_confidence: float | None = None
    # "front_matter" | "classifier"
    cause_source: str | None = None
    # Repeat detection's features of the root-cause text (tracker.causes.features), computed
    # once and kept so that one new postmortem does not redo the whole store. NULL: not yet.
    # The content_hash they were computed from (stale when the file changed since).
    cause_features_of: str | None = None
    # The day that orders postmortems ("earlier"): incident date, else the first-seen date.
    cause_day: str | None = None
    # "|name|name|": the lexicon's mechanisms in the cause text.
    cause_mechanisms: str | None = Field(default=None, sa_type=Text)
    # The normalised cause text that the character TF-IDF compares.
    cause_norm: str | None = Field(default=None, sa_type=Text)
    # "|term|term|": the distinct word terms (unigrams, bigrams), for document frequencies.
    cause_terms: str | None = Field(default=None, sa_type=Text)
    # "|m:mechanism|w:term|": the inverted-index keys the postmortem is filed under.
    cause_keys: str | None = Field(default=None, sa_type=Text)
    # What the stored repeats (``cause_repeat``) of this postmortem were searched with,
    # "<content_hash>@<repeat threshold>"; NULL: never searched (tracker.causes.stored).
    cause_repeats_of: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CauseRepeatRow(SQLModel, table=True):
    """An earlier postmortem whose cause a later one repeats, as the repeat search found it
    when the later one was analysed (at most ``MAX_EARLIER`` per later postmortem)."""

    __tablename__ = "cause_repeat"
    __table_args__ = (UniqueConstraint("postmortem_id", "earlier_id", name="uq_cause_repeat_pair"),)

    id: int | None = Field(default=None, primary_key=True)
    # The later postmortem.
    postmortem_id: int = Field(foreign_key="postmortem.id", index=True)
    earlier_id: int = Field(foreign_key="postmortem.id", index=True)
    score: float


class ItemRow(SQLModel, table=True):
    __tablename__ = "action_item"
    __table_args__ = (
        UniqueConstraint("postmortem_id", "uid", name="uq_action_item_postmortem_uid"),
        # `pmt overdue` reads open items by due date.
        Index("ix_action_item_status_due", "status", "due"),
    )

    id: int | None = Field(default=None, primary_key=True)
    postmortem_id: int = Field(foreign_key="postmortem.id", index=True)
    # Stable identity within the postmortem (see tracker.identity).
    uid: str
    text: str = Field(sa_type=Text)
    owner: str | None = None
    # The owner was written as a handle ("@lena-k"; ``owner`` keeps no "@").
    owner_handle: bool = False
    due: date | None = None
    # True when `due` came from the deadline policy rather than the document.
    due_implicit: bool = False
    priority: str | None = None
    kind: str | None = None
    # The checkbox as written in the document (None: the item has no checkbox).
    done: bool | None = None
    # The ticket reference written in the document, if any.
    ticket: str | None = None
    line: int | None = None
    section: str | None = None
    position: int = 0
    # "open" | "done" | "removed"
    status: str = "open"
    # Set by root-cause analysis when the cause came back after the item was closed.
    not_effective: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ItemEventRow(SQLModel, table=True):
    __tablename__ = "item_event"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="action_item.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # "created" | "updated" | "closed" | "reopened" | "removed" | "restored" | "due_changed"
    # | "ticket_linked" | "not_effective"
    event: str
    # JSON text with what changed (e.g. {"from": "2026-01-01", "to": "2026-02-01"}), or None.
    detail: str | None = Field(default=None, sa_type=Text)


_ITEM_ROLE = text("role = 'item'")
_TRACKING_ROLE = text("role = 'tracking'")


class TicketLinkRow(SQLModel, table=True):
    __tablename__ = "ticket_link"
    __table_args__ = (
        UniqueConstraint("tracker", "key", name="uq_ticket_link_tracker_key"),
        # One ticket per item per tracker, and one tracking ticket per postmortem per tracker:
        # the last line of defence against a duplicate when two syncs race.
        Index(
            "uq_ticket_link_item_tracker",
            "item_id",
            "tracker",
            unique=True,
            sqlite_where=_ITEM_ROLE,
            postgresql_where=_ITEM_ROLE,
        ),
        Index(
            "uq_ticket_link_tracking",
            "postmortem_id",
            "tracker",
            "role",
            unique=True,
            sqlite_where=_TRACKING_ROLE,
            postgresql_where=_TRACKING_ROLE,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # None for a postmortem's tracking ticket.
    item_id: int | None = Field(default=None, foreign_key="action_item.id", index=True)
    postmortem_id: int = Field(foreign_key="postmortem.id", index=True)
    # "github" | "jira"
    tracker: str
    # "owner/repo#12" or "OPS-12"
    key: str
    url: str | None = None
    # "item" | "tracking"
    role: str = "item"
    # "open" | "in_progress" | "closed"
    state: str = "open"
    state_reason: str | None = None
    assignee: str | None = None
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    refreshed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # TicketDraft.fingerprint() of what was last pushed: equal means nothing to update.
    synced_hash: str | None = None
    last_reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class TicketEventRow(SQLModel, table=True):
    __tablename__ = "ticket_event"

    id: int | None = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="ticket_link.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    state: str | None = None
    state_reason: str | None = None
    assignee: str | None = None
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DeliveryRow(SQLModel, table=True):
    """A webhook delivery ``pmt serve`` accepted: kept until applied, so that none is lost across
    a restart, and after, so that a replayed delivery (same id) changes nothing."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("source", "delivery_id", name="uq_webhook_delivery_source_id"),
        # Workers claim the oldest queued delivery.
        Index("ix_webhook_delivery_status_id", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The tracker that sent it ("github" | "jira").
    source: str
    # The sender's id of the delivery (GitHub's X-GitHub-Delivery; Jira's webhook identifier).
    delivery_id: str
    # The sender's event name ("issues", "push", "jira:issue_updated").
    event: str
    payload: str = Field(sa_type=Text)
    # "queued" | "done" | "failed"
    status: str = "queued"
    # What applying it did ("recorded OPS-12 closed", "no link to acme/ops#3") or why it failed.
    outcome: str | None = Field(default=None, sa_type=Text)
    attempts: int = 0
    # The worker that holds it, until when (a worker that died lets go when its lease ends).
    claimed_by: str | None = None
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


ALL_TABLES = (
    PostmortemRow,
    ItemRow,
    ItemEventRow,
    TicketLinkRow,
    TicketEventRow,
    CauseRepeatRow,
    DeliveryRow,
)

__all__ = [
    "ALL_TABLES",
    "CauseRepeatRow",
    "DeliveryRow",
    "ItemEventRow",
    "ItemRow",
    "PostmortemRow",
    "TicketEventRow",
    "TicketLinkRow",
    "UTCDateTime",
    "utcnow",
]
