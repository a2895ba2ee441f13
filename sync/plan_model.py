"""The values a sync plan is made of: the items and links it reads (``PlanItem``, ``LinkState``,
``PlanInput``), the ``Action`` it decides per item and the ``Plan`` of one postmortem, with the
``synced_hash`` conventions that record what was last pushed. The rules that make a plan are in
``sync.plan``; ``sync.apply`` carries it out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sync.base import RemoteTicket, TicketDraft

ActionKind = Literal[
    "create",
    "update",
    "link_existing",
    "adopt",
    "unchanged",
    "removed",
    "skip",
    "done_mismatch",
    "writeback",
    "attach",
]
Mismatch = Literal["item_done_ticket_open", "ticket_closed_item_open"]
Resolution = Literal["report", "close", "check_box"]
OnDoneMismatch = Literal["report", "close_ticket", "update_box"]

# Actions that change something on the tracker or in the document.
WRITING_KINDS = frozenset(
    {"create", "update", "link_existing", "adopt", "removed", "writeback", "attach"}
)

# ``synced_hash`` values with a meaning beyond "the fingerprint last pushed".
# An adopted ticket was made by a run that crashed: what it says is unknown, so it is pushed.
ADOPTED = "adopted"
# Prefix of a ticket already marked as removed from its document; the rest is the previous hash.
REMOVED_PREFIX = "removed:"


@dataclass(frozen=True)
class PlanItem:
    """An action item as stored (``tracker.store.tables.ItemRow`` has these fields)."""

    uid: str
    text: str
    status: str  # "open" | "done" | "removed"
    done: bool | None = None  # the checkbox as written; None when the item has none
    ticket: str | None = None  # the reference written in the document
    line: int | None = None
    item_id: int | None = None


@dataclass(frozen=True)
class LinkState:
    """A local link between an item (or the postmortem, for its tracking ticket) and a ticket."""

    key: str
    url: str | None
    synced_hash: str | None
    state: str = "open"


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    # The item's uid; None for the postmortem's tracking ticket.
    uid: str | None
    text: str
    line: int | None = None
    key: str | None = None
    url: str | None = None
    draft: TicketDraft | None = None
    detail: str = ""
    mismatch: Mismatch | None = None
    resolution: Resolution | None = None
    # An item back in its document after its (not pmt-made) ticket was marked removed: apply
    # forgets the mark locally, so that a later removal is reported again.
    restore: bool = False
    # The link's synced_hash when the plan was made (apply derives the next one from it).
    synced_hash: str | None = None
    # The ticket as last read, for adopt / link_existing (recorded with its state).
    remote: RemoteTicket | None = None
    # attach: the uids of the items whose tickets are the tracking ticket's children.
    children: tuple[str, ...] = ()

    @property
    def writes(self) -> bool:
        if self.kind == "done_mismatch":
            return self.resolution in ("close", "check_box")
        return self.kind in WRITING_KINDS

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.uid,
            "line": self.line,
            "text": self.text,
            "action": self.kind,
            "ticket": self.key,
            "url": self.url,
            "detail": self.detail or None,
            "mismatch": self.mismatch,
            "resolution": self.resolution,
        }


@dataclass(frozen=True)
class Plan:
    postmortem_key: str
    path: str
    tracker: str
    actions: tuple[Action, ...] = ()
    # sha256 of the document the plan was made from (write-back refuses any other version).
    content_hash: str | None = None

    @property
    def writes(self) -> bool:
        return any(a.writes for a in self.actions)

    def count(self, kind: ActionKind) -> int:
        return sum(1 for a in self.actions if a.kind == kind)

    def rows(self) -> list[dict[str, Any]]:
        """One row per action, for the table and for JSON."""
        return [
            {
                "postmortem": self.postmortem_key,
                "path": self.path,
                "tracker": self.tracker,
                **a.to_dict(),
            }
            for a in self.actions
        ]


@dataclass(frozen=True)
class PlanInput:
    postmortem_key: str
    path: str
    tracker: str
    items: Sequence[PlanItem]
    drafts: Mapping[str, TicketDraft]  # by item uid
    links: Mapping[str, LinkState] = field(default_factory=dict)  # by item uid
    # Every ticket pmt made for this postmortem (``list_postmortem``) plus fetched ones, by key.
    remote: Mapping[str, RemoteTicket] = field(default_factory=dict)
    tracking_draft: TicketDraft | None = None
    tracking_link: LinkState | None = None
    # Keys of item links of this postmortem attached to the tracking ticket last time are
    # folded into ``tracking_link.synced_hash`` (see ``tracking_hash``).
    on_done_mismatch: OnDoneMismatch = "report"
    writeback: bool = True
    content_hash: str | None = None
    # Item uid -> (when its create was sent, the time before which it is not sent again): items
    # a previous run may have made a ticket for that the marker listing does not show yet.
    unconfirmed: Mapping[str, tuple[datetime, datetime]] = field(default_factory=dict)
    # False when the tracker was not asked (``pmt sync --dry-run`` without credentials): then
    # ``remote`` is empty because nothing is known, not because no ticket exists.
    checked: bool = True


def tracking_hash(fingerprint: str, child_keys: Iterable[str]) -> str:
    """``synced_hash`` of a tracking ticket: its draft's fingerprint and the children attached."""
    children = hashlib.sha256("\n".join(sorted(set(child_keys))).encode()).hexdigest()[:16]
    return f"{fingerprint}:{children}"


def split_tracking_hash(value: str | None) -> tuple[str | None, str | None]:
    if not value or ":" not in value:
        return value, None
    body, children = value.rsplit(":", 1)
    return body, children


def summary(plans: Sequence[Plan]) -> dict[str, int]:
    """How many actions of each kind, for the one-line summary under the table."""
    counts: dict[str, int] = {}
    for plan in plans:
        for action in plan.actions:
            name: str = action.kind
            if action.kind == "done_mismatch" and action.resolution:
                name = f"done_mismatch:{action.resolution}"
            counts[name] = counts.get(name, 0) + 1
    return counts
