"""What a repeat warning says, and how one is made from a matched pair.

Two kinds, told apart by the earlier postmortem's action items *now*: ``follow_up_never_done``
(some still open or overdue, or it had none) and ``fix_did_not_hold`` (every one closed, and the
cause came back). In the second case the earlier items are marked ``not_effective`` with an
``item_event`` saying which postmortem proved it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from tracker.causes.cause_columns import chunked

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.causes.classify import Classification
    from tracker.store.tables import PostmortemRow

FOLLOW_UP_NEVER_DONE = "follow_up_never_done"

FIX_DID_NOT_HOLD = "fix_did_not_hold"

# At most this many earlier postmortems are reported per repeat (the closest ones).
MAX_EARLIER = 3


@dataclass(frozen=True, slots=True)
class EarlierItem:
    """One action item of the earlier postmortem, with its state today."""

    text: str
    owner: str | None
    due: date | None
    # "open" | "overdue" | "done"
    status: str
    ticket: str | None = None
    not_effective: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "owner": self.owner,
            "due": self.due.isoformat() if self.due else None,
            "status": self.status,
            "ticket": self.ticket,
            "not_effective": self.not_effective,
        }


@dataclass(frozen=True, slots=True)
class RepeatWarning:
    """``key`` (the later postmortem) repeats the cause of ``earlier_key``."""

    key: str
    path: str
    title: str | None
    incident_date: date | None
    category: str
    earlier_key: str
    earlier_path: str
    earlier_title: str | None
    earlier_date: date | None
    earlier_category: str
    score: float
    kind: str
    items: tuple[EarlierItem, ...] = ()
    # Items flagged not effective by this analysis (only in the fix_did_not_hold case).
    marked_not_effective: int = 0

    @property
    def open_items(self) -> int:
        return sum(1 for i in self.items if i.status != "done")

    @property
    def overdue_items(self) -> int:
        return sum(1 for i in self.items if i.status == "overdue")

    @property
    def fix_held(self) -> bool | None:
        """False when every earlier item was closed and the cause came back; None otherwise
        (the fix was never finished, so whether it would have held is not known)."""
        return False if self.kind == FIX_DID_NOT_HOLD else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "key": self.key,
            "category": self.category,
            "earlier": self.earlier_path,
            "earlier_key": self.earlier_key,
            "earlier_title": self.earlier_title,
            "earlier_date": self.earlier_date.isoformat() if self.earlier_date else None,
            "score": round(self.score, 3),
            "kind": self.kind,
            "open_items": self.open_items,
            "overdue_items": self.overdue_items,
            "fix_held": self.fix_held,
            "marked_not_effective": self.marked_not_effective,
            "items": [i.to_dict() for i in self.items],
        }


ItemState = tuple[str, "str | None", "date | None", str, "str | None", bool]


def items_by_postmortem(session: Session, ids: Sequence[int]) -> dict[int, list[ItemState]]:
    """The (not removed) items of these postmortems in document order, as plain tuples."""
    from sqlalchemy import select
    from sqlmodel import col

    from tracker.store.tables import ItemRow

    found: dict[int, list[ItemState]] = {}
    for chunk in chunked(ids):
        query = (
            select(
                col(ItemRow.postmortem_id),
                col(ItemRow.text),
                col(ItemRow.owner),
                col(ItemRow.due),
                col(ItemRow.status),
                col(ItemRow.ticket),
                col(ItemRow.not_effective),
            )
            .where(col(ItemRow.postmortem_id).in_(chunk), col(ItemRow.status) != "removed")
            .order_by(col(ItemRow.postmortem_id), col(ItemRow.position))
        )
        for pm_id, text, owner, due, status, ticket, flag in session.execute(query):
            found.setdefault(pm_id, []).append((text, owner, due, status, ticket, bool(flag)))
    return found


def _item_state(status: str, due: date | None, as_of: date) -> str:
    if status == "done":
        return "done"
    if due is not None and due < as_of:
        return "overdue"
    return "open"


def build_warnings(
    found: list[tuple[PostmortemRow, PostmortemRow, float]],
    classifications: Mapping[str, Classification],
    session: Session,
    as_of: date,
) -> list[RepeatWarning]:
    items = items_by_postmortem(session, sorted({e.id for _, e, _ in found if e.id is not None}))
    # One tuple per earlier postmortem, shared by every warning that names it, and each
    # postmortem's fields read once (attributes of mapped rows are slow to read).
    states: dict[int, tuple[tuple[EarlierItem, ...], bool]] = {}
    fields: dict[int, tuple[str, str, str | None, date | None, str]] = {}

    def fields_of(row: PostmortemRow) -> tuple[str, str, str | None, date | None, str]:
        found = fields.get(id(row))
        if found is None:
            found = fields[id(row)] = (
                row.key,
                row.path,
                row.title,
                row.incident_date,
                classifications[row.key].category,
            )
        return found

    warnings = []
    for row, earlier, score in found:
        earlier_id = earlier.id
        assert earlier_id is not None
        state = states.get(earlier_id)
        if state is None:
            earlier_items = tuple(
                EarlierItem(
                    text=text,
                    owner=owner,
                    due=due,
                    status=_item_state(status, due, as_of),
                    ticket=ticket,
                    not_effective=bool(flag),
                )
                for text, owner, due, status, ticket, flag in items.get(earlier_id, [])
            )
            closed = bool(earlier_items) and all(i.status == "done" for i in earlier_items)
            state = states[earlier_id] = (earlier_items, closed)
        earlier_items, closed = state
        key, path, title, day, category = fields_of(row)
        earlier_key, earlier_path, earlier_title, earlier_day, earlier_category = fields_of(earlier)
        warnings.append(
            RepeatWarning(
                key=key,
                path=path,
                title=title,
                incident_date=day,
                category=category,
                earlier_key=earlier_key,
                earlier_path=earlier_path,
                earlier_title=earlier_title,
                earlier_date=earlier_day,
                earlier_category=earlier_category,
                score=score,
                kind=FIX_DID_NOT_HOLD if closed else FOLLOW_UP_NEVER_DONE,
                items=earlier_items,
            )
        )
    return warnings


def mark_not_effective(
    session: Session, warnings: Sequence[RepeatWarning], now: datetime
) -> list[RepeatWarning]:
    """Flag the closed items of the earlier postmortems whose fix did not hold, with one
    ``not_effective`` event per item, once: the first warning that names a postmortem flags
    its items. Returns the warnings with what they flagged."""
    from dataclasses import replace

    from sqlmodel import col, select

    from tracker.store.tables import ItemEventRow, ItemRow, PostmortemRow

    keys = sorted({w.earlier_key for w in warnings if w.kind == FIX_DID_NOT_HOLD})
    id_of: dict[str, int] = {}
    pending: dict[int, list[ItemRow]] = {}
    for chunk in chunked(keys):
        query = select(PostmortemRow.id, PostmortemRow.key).where(col(PostmortemRow.key).in_(chunk))
        id_of.update((key, pm_id) for pm_id, key in session.exec(query) if pm_id is not None)
    ids = sorted(id_of.values())
    for id_chunk in chunked(ids):
        closed = select(ItemRow).where(
            col(ItemRow.postmortem_id).in_(id_chunk),
            ItemRow.status == "done",
            col(ItemRow.not_effective).is_(False),
        )
        for item in session.exec(closed.order_by(col(ItemRow.id))):
            pending.setdefault(item.postmortem_id, []).append(item)
    out = []
    for w in warnings:
        if w.kind == FIX_DID_NOT_HOLD:
            flagged = pending.pop(id_of[w.earlier_key], [])
            detail = json.dumps({"repeat": w.key, "path": w.path, "score": round(w.score, 3)})
            for item in flagged:
                assert item.id is not None
                item.not_effective = True
                item.updated_at = now
                session.add(item)
                session.add(
                    ItemEventRow(item_id=item.id, at=now, event="not_effective", detail=detail)
                )
            w = replace(
                w,
                marked_not_effective=len(flagged),
                items=tuple(replace(i, not_effective=True) for i in w.items),
            )
        out.append(w)
    return out
