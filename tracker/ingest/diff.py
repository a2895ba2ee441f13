"""What changed: a parsed postmortem against the rows the store keeps of it (no SQL here).

The postmortem's row copies the document's fields (``COPIED``, derived from the table and
``tracker.models.Postmortem``); its items are matched to the stored ones by
``tracker.identity.match_items`` and every change of state becomes an item event (created,
closed, reopened, removed, restored, due_changed, ticket_linked, updated). The answers are
column values for ``tracker.store.documents`` to write.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from tracker.deadlines import due_date
from tracker.identity import KnownItem, match_items
from tracker.models import ActionItem, Postmortem
from tracker.store.tables import PostmortemRow

if TYPE_CHECKING:
    from tracker.config import Settings

# Columns named differently from the document's fields they copy.
_RENAMED = {"incident_date": "date", "incident_ticket": "incident"}
# Shared names that are not a copy: the row's own id (the document's is its key), and the
# front matter, kept as JSON (``front_matter_json``).
_NOT_COPIED = {"id", "front_matter"}
_FIELDS = {f.name for f in dataclasses.fields(Postmortem)}
# (column, document field) of every postmortem column that copies a field of the document.
COPIED: tuple[tuple[str, str], ...] = tuple(
    (c.name, _RENAMED.get(c.name, c.name))
    for c in PostmortemRow.__table__.c  # type: ignore[attr-defined]
    if c.name not in _NOT_COPIED and _RENAMED.get(c.name, c.name) in _FIELDS
)


def front_matter_json(pm: Postmortem) -> str:
    """The document's front matter as the store keeps it: JSON, dates as ISO strings."""
    if not pm.front_matter:
        return "{}"
    return json.dumps(pm.front_matter, default=str, ensure_ascii=False)


def new_postmortem(pm: Postmortem, key: str, digest: str, now: datetime) -> dict[str, Any]:
    """The row of a postmortem seen for the first time."""
    values: dict[str, Any] = {column: getattr(pm, attribute) for column, attribute in COPIED}
    values.update(
        key=key,
        content_hash=digest,
        front_matter=front_matter_json(pm),
        created_at=now,
        updated_at=now,
    )
    return values


def postmortem_changes(
    stored: dict[str, Any], pm: Postmortem, digest: str, now: datetime
) -> tuple[dict[str, Any], bool]:
    """The columns to write onto a stored postmortem's row, and whether one of the document's
    facts changed (a new ``cause:`` in the front matter is a change: it is classified again)."""
    changed = stored["removed_at"] is not None
    values: dict[str, Any] = {}
    for column, attribute in COPIED:
        value = getattr(pm, attribute)
        if not _same(stored[column], value):
            values[column] = value
            changed = True
    front_matter = front_matter_json(pm)
    if stored["front_matter"] != front_matter:
        # Rows from before pmt kept front matter (NULL) take it without counting as changed.
        changed = changed or (stored["front_matter"] is not None)
        values["front_matter"] = front_matter
    values.update(content_hash=digest, removed_at=None, updated_at=now)
    return values, changed


def _same(stored: Any, value: Any) -> bool:
    # Instants come back from the database in UTC: compare them as instants.
    if isinstance(stored, datetime) and isinstance(value, datetime) and value.tzinfo is not None:
        return stored == value
    if isinstance(stored, datetime) and isinstance(value, datetime):
        return stored.replace(tzinfo=None) == value
    return bool(stored == value)


def deadline_base(
    pm: Postmortem, first_seen_at: datetime, settings: Settings
) -> tuple[date, list[str]]:
    """The date implicit due dates count from: the incident's, else the first ingest's.

    The first ingest (not today's) so that an undated postmortem's deadlines do not move
    every time it is edited.
    """
    if pm.date is not None:
        return pm.date, []
    first_seen = first_seen_at.astimezone(ZoneInfo(settings.timezone)).date()
    notes = []
    if any(item.due is None for item in pm.action_items):
        notes.append(
            f"no incident date: implicit due dates are counted from the first ingest, {first_seen}"
        )
    return first_seen, notes


def new_item(
    pm_id: int,
    uid: str,
    position: int,
    item: ActionItem,
    base: date,
    settings: Settings,
    now: datetime,
) -> dict[str, Any]:
    """The row of an item seen for the first time."""
    due, implicit = due_date(item.due, base, item.priority, settings.deadlines)
    return {
        "postmortem_id": pm_id,
        "uid": uid,
        "text": item.text,
        "owner": item.owner,
        "owner_handle": item.owner_handle,
        "due": due,
        "due_implicit": implicit,
        "priority": item.priority,
        "kind": item.kind,
        "done": item.done,
        "ticket": item.ticket,
        "line": item.line,
        "section": item.section,
        "position": position,
        "status": "done" if item.done else "open",
        "not_effective": False,
        "created_at": now,
        # Done before pmt first saw it: when is unknown, so no closing date.
        "closed_at": None,
        "removed_at": None,
        "updated_at": now,
    }


@dataclass
class ItemChanges:
    """The items of a document against the stored ones."""

    # The document's items' uids, in document order.
    uids: list[str]
    # Item id -> the columns that changed.
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Rows of the items seen for the first time (their "created" events follow their insert).
    new_rows: list[dict[str, Any]] = field(default_factory=list)
    # Events of the stored items, as rows of item_event.
    events: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def event(self, item_id: int, name: str, at: datetime, detail: Any = None) -> None:
        self.counts[name] += 1
        text = json.dumps(detail, default=str, sort_keys=True) if detail else None
        self.events.append({"item_id": item_id, "at": at, "event": name, "detail": text})


# The item's fields that an "updated" event reports, old and new.
_UPDATED = ("text", "owner", "owner_handle", "priority", "kind", "ticket")


def item_changes(
    key: str,
    stored: Sequence[dict[str, Any]],
    tickets: dict[int, list[str]],
    items: Sequence[ActionItem],
    pm_id: int,
    base: date,
    settings: Settings,
    now: datetime,
) -> ItemChanges:
    """Match ``items`` to the ``stored`` rows (``tickets``: the keys linked to each by sync)
    and say what to update, insert and record."""
    known = [
        KnownItem(
            uid=r["uid"],
            text=r["text"],
            active=r["status"] != "removed",
            position=r["position"],
            tickets=tuple(t for t in [r["ticket"], *tickets.get(r["id"], [])] if t),
        )
        for r in stored
    ]
    changes = ItemChanges(uids=match_items(key, known, items))
    by_uid = {r["uid"]: r for r in stored}
    for position, (uid, item) in enumerate(zip(changes.uids, items, strict=True)):
        row = by_uid.get(uid)
        if row is None:
            changes.new_rows.append(new_item(pm_id, uid, position, item, base, settings, now))
            continue
        due = due_date(item.due, base, item.priority, settings.deadlines)
        values = _item_update(changes, row, item, position, due, now)
        if values:
            changes.updates[row["id"]] = {**values, "updated_at": now}
    kept = set(changes.uids)
    for row in stored:
        if row["uid"] not in kept and row["status"] != "removed":
            changes.event(row["id"], "removed", now, {"text": row["text"]})
            changes.updates[row["id"]] = {"status": "removed", "removed_at": now, "updated_at": now}
    return changes


def _item_update(
    changes: ItemChanges,
    row: dict[str, Any],
    item: ActionItem,
    position: int,
    due: tuple[date | None, bool],
    now: datetime,
) -> dict[str, Any]:
    """The columns of a stored item that the document changes (their events recorded)."""
    item_id = row["id"]
    status = "done" if item.done else "open"
    values: dict[str, Any] = {}
    if row["status"] == "removed":
        changes.event(item_id, "restored", now, {"status": status})
        values["removed_at"] = None
    was_done = bool(row["done"])
    if item.done and not was_done:
        changes.event(item_id, "closed", now)
        values["closed_at"] = now
    elif not item.done and was_done:
        changes.event(item_id, "reopened", now)
        values["closed_at"] = None
    if (row["due"], row["due_implicit"]) != due:
        detail = {"from": row["due"], "to": due[0], "implicit": due[1]}
        changes.event(item_id, "due_changed", now, detail)
        values["due"], values["due_implicit"] = due
    ticket = row["ticket"]
    if item.ticket and item.ticket != ticket:
        changes.event(item_id, "ticket_linked", now, {"ticket": item.ticket})
        values["ticket"] = ticket = item.ticket
    current = {**row, "ticket": ticket}
    updates = {
        name: [current[name], getattr(item, name)]
        for name in _UPDATED
        if current[name] != getattr(item, name)
    }
    if updates:
        changes.event(item_id, "updated", now, updates)
        values.update({name: value for name, (_old, value) in updates.items()})
    place = {
        "line": item.line,
        "section": item.section,
        "position": position,
        "done": item.done,
        "status": status,
    }
    if any(row[name] != value for name, value in place.items()):
        values.update(place)
    return values
