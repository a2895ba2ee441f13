"""One parsed postmortem into the store: look up, diff (``tracker.ingest.diff``), write.

Concurrency: the work on one postmortem is serialised (``tracker.store.documents`` takes the
postmortem's lock; on SQLite the write transaction itself) and re-checks the stored hash under
it, so two runs over the same tree converge instead of inserting twice. The unique keys catch
anything else; a transaction that trips one is retried once, when it sees the other run's rows.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from tracker.identity import match_items, postmortem_key
from tracker.ingest.diff import (
    deadline_base,
    item_changes,
    new_item,
    new_postmortem,
    postmortem_changes,
)
from tracker.ingest.report import IngestResult
from tracker.models import Postmortem
from tracker.store import Store
from tracker.store.documents import DocumentRows, write_document
from tracker.store.tables import utcnow

if TYPE_CHECKING:
    from tracker.config import Settings


def ingest_document(
    store: Store,
    pm: Postmortem,
    content_hash: str,
    settings: Settings,
    *,
    key: str | None = None,
    now: datetime | None = None,
    probably_new: bool = False,
    connection: Connection | None = None,
    plain: bool = False,
) -> IngestResult:
    """Upsert one parsed postmortem and its items in one transaction (retried once on a race).

    ``probably_new``: the caller saw no postmortem with this key a moment ago, so the insert is
    tried without looking first. ``connection``: a connection to use (not in a transaction), to
    save a pool round trip per file when ingesting many. ``plain``: never the store's speed
    path (``tracker.store.documents.write_document``).
    """
    key = key or postmortem_key(pm, settings.ingest_root())
    at = now or utcnow()

    def work(rows: DocumentRows, new: bool) -> IngestResult:
        return _write(rows, pm, key, content_hash, settings, at, new)

    return write_document(
        store,
        key,
        work,
        where=pm.path,
        probably_new=probably_new,
        connection=connection,
        plain=plain,
    )


def _write(
    rows: DocumentRows,
    pm: Postmortem,
    key: str,
    digest: str,
    settings: Settings,
    now: datetime,
    probably_new: bool,
) -> IngestResult:
    found = None if probably_new else rows.find(key)
    if found is None:
        return _insert_new(rows, pm, key, digest, settings, now)
    if found.content_hash == digest:
        if found.path != pm.path:
            rows.set_path(found.id, pm.path, now)
        pairs = list(zip(rows.active_uids(found.id), pm.action_items, strict=False))
        return IngestResult(found.id, key, "unchanged", pairs)
    stored = rows.postmortem(found.id)
    values, fields_changed = postmortem_changes(stored, pm, digest, now)
    rows.update_postmortem(found.id, values)
    base, notes = deadline_base(pm, stored["created_at"], settings)
    items = rows.items(found.id)
    tickets = rows.linked_tickets(found.id) if items else {}
    changes = item_changes(key, items, tickets, pm.action_items, found.id, base, settings, now)
    for item_id, changed in changes.updates.items():
        rows.update_item(item_id, changed)
    if changes.new_rows:
        rows.insert_items(changes.new_rows)
        ids = rows.item_ids(found.id)
        for row in changes.new_rows:
            changes.event(ids[row["uid"]], "created", now)
    if changes.events:
        rows.insert_events(changes.events)
    # Bytes changed but no row did (a typo fixed in the summary, a new setting that changes
    # nothing for this file): report it unchanged, so hooks do not redo work for nothing.
    status = "updated" if fields_changed or changes.updates or changes.new_rows else "unchanged"
    pairs = list(zip(changes.uids, pm.action_items, strict=True))
    return IngestResult(found.id, key, status, pairs, changes.counts, notes)


def _insert_new(
    rows: DocumentRows, pm: Postmortem, key: str, digest: str, settings: Settings, now: datetime
) -> IngestResult:
    """A postmortem seen for the first time: plain inserts, three statements in all."""
    pm_id = rows.insert_postmortem(new_postmortem(pm, key, digest, now))
    base, notes = deadline_base(pm, now, settings)
    uids = match_items(key, [], pm.action_items)
    items = [
        new_item(pm_id, uid, position, item, base, settings, now)
        for position, (uid, item) in enumerate(zip(uids, pm.action_items, strict=True))
    ]
    if items:
        rows.insert_items(items)
        # Every item is new: their "created" events in one statement, without their ids.
        rows.created_events(pm_id, now)
    events: Counter[str] = Counter({"created": len(items)} if items else {})
    return IngestResult(
        pm_id, key, "new", list(zip(uids, pm.action_items, strict=True)), events, notes
    )
