"""Ingest's repository: a postmortem's rows (postmortem, action_item, item_event) per file.

``write_document`` runs one file's work in one transaction, under the postmortem's lock
(``tracker.store.engine.lock``; on SQLite the write transaction itself), and retries it once
when a unique key refuses a write (another run inserted the same rows meanwhile; the retry
sees them). The work is given a ``DocumentRows``: the reads and writes ingest needs, and no
more, in SQLAlchemy Core.

A speed path (``tracker.store.driver_rows``) does the same writes as SQL prepared once and
handed straight to the driver, in a transaction driven on the driver's connection: a first
ingest writes three statements per file, and SQLAlchemy's statement and transaction layers
cost more than SQLite's work. ``plain=True`` takes this module's twin instead; a test writes
the same documents through both and compares every stored row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import insert, literal, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from tracker.errors import StoreError
from tracker.store.engine import Store, lock
from tracker.store.tables import ItemEventRow, ItemRow, PostmortemRow, TicketLinkRow

PM = PostmortemRow.__table__  # type: ignore[attr-defined]
ITEM = ItemRow.__table__  # type: ignore[attr-defined]
EVENT = ItemEventRow.__table__  # type: ignore[attr-defined]
LINK = TicketLinkRow.__table__  # type: ignore[attr-defined]

R = TypeVar("R")


class Found(NamedTuple):
    """A stored postmortem, as much of it as decides whether a file changed."""

    id: int
    content_hash: str | None
    path: str


class DocumentRows:
    """The rows of one postmortem inside one transaction (the plain twin: SQLAlchemy Core)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def find(self, key: str) -> Found | None:
        query = select(PM.c.id, PM.c.content_hash, PM.c.path).where(PM.c.key == key)
        row = self.conn.execute(query).first()
        return None if row is None else Found(*row)

    def set_path(self, pm_id: int, path: str, now: datetime) -> None:
        self.update_postmortem(pm_id, {"path": path, "updated_at": now})

    def postmortem(self, pm_id: int) -> dict[str, Any]:
        """Every column of the postmortem."""
        return dict(self.conn.execute(select(PM).where(PM.c.id == pm_id)).one()._mapping)

    def insert_postmortem(self, values: dict[str, Any]) -> int:
        return int(self.conn.execute(insert(PM).values(values).returning(PM.c.id)).scalar_one())

    def update_postmortem(self, pm_id: int, values: dict[str, Any]) -> None:
        self.conn.execute(update(PM).where(PM.c.id == pm_id).values(values))

    def active_uids(self, pm_id: int) -> list[str]:
        """The uids of the items still in the document, in document order."""
        query = (
            select(ITEM.c.uid)
            .where(ITEM.c.postmortem_id == pm_id, ITEM.c.status != "removed")
            .order_by(ITEM.c.position)
        )
        return list(self.conn.execute(query).scalars())

    def items(self, pm_id: int) -> list[dict[str, Any]]:
        """Every item row of the postmortem (removed ones too), each as its columns."""
        query = select(ITEM).where(ITEM.c.postmortem_id == pm_id).order_by(ITEM.c.id)
        return [dict(row._mapping) for row in self.conn.execute(query)]

    def linked_tickets(self, pm_id: int) -> dict[int, list[str]]:
        """Item id -> the keys of the tickets linked to it (by sync, in any tracker)."""
        query = select(LINK.c.item_id, LINK.c.key).where(
            LINK.c.postmortem_id == pm_id, LINK.c.item_id.is_not(None)
        )
        links: dict[int, list[str]] = {}
        for item_id, ticket_key in self.conn.execute(query):
            links.setdefault(item_id, []).append(ticket_key)
        return links

    def insert_items(self, rows: Sequence[dict[str, Any]]) -> None:
        self.conn.execute(insert(ITEM), list(rows))

    def item_ids(self, pm_id: int) -> dict[str, int]:
        query = select(ITEM.c.uid, ITEM.c.id).where(ITEM.c.postmortem_id == pm_id)
        return {uid: item_id for uid, item_id in self.conn.execute(query)}

    def update_item(self, item_id: int, values: dict[str, Any]) -> None:
        self.conn.execute(update(ITEM).where(ITEM.c.id == item_id).values(values))

    def insert_events(self, rows: Sequence[dict[str, Any]]) -> None:
        self.conn.execute(insert(EVENT), list(rows))

    def created_events(self, pm_id: int, at: datetime) -> None:
        """A "created" event for every item of a postmortem (which has only new items)."""
        chosen = select(ITEM.c.id, literal(at, EVENT.c.at.type), literal("created"))
        self.conn.execute(
            insert(EVENT).from_select(
                ["item_id", "at", "event"], chosen.where(ITEM.c.postmortem_id == pm_id)
            )
        )


def write_document(
    store: Store,
    key: str,
    work: Callable[[DocumentRows, bool], R],
    *,
    where: str,
    probably_new: bool = False,
    connection: Connection | None = None,
    plain: bool = False,
) -> R:
    """``work(rows, probably_new)`` in one transaction, retried once on a unique key.

    ``probably_new``: the caller saw no postmortem with this key a moment ago, and ``work`` may
    insert without looking first (the first attempt only: if another run inserted it meanwhile,
    the unique key refuses the insert and the retry looks). ``connection``: one to use (not in
    a transaction), saving a pool round trip per file when ingesting many. ``where`` names the
    file in errors. ``plain``: the plain twin, never the speed path.
    """
    from tracker.store import driver_rows

    dbapi = store.engine.dialect.dbapi
    # The speed path talks to the driver directly: its errors arrive unwrapped by SQLAlchemy.
    integrity = (IntegrityError, dbapi.IntegrityError) if dbapi else (IntegrityError,)
    refused = (OperationalError, dbapi.OperationalError) if dbapi else (OperationalError,)
    for attempt in (1, 2):
        first = probably_new and attempt == 1
        try:
            if first and not plain and connection is not None and driver_rows.usable(connection):
                # Most files of a first ingest: no transaction of SQLAlchemy's at all.
                with driver_rows.transaction(connection) as rows:
                    return work(rows, True)
            with _transaction(store, connection, key, plain) as rows:
                return work(rows, first)
        except integrity as exc:
            if attempt == 2:
                reason = getattr(exc, "orig", None) or exc
                raise StoreError(f"{where}: could not store postmortem {key!r}: {reason}") from exc
        except refused as exc:
            reason = getattr(exc, "orig", None) or exc
            raise StoreError(f"{where}: the database refused the write: {reason}") from exc
    raise AssertionError("unreachable")


@contextmanager
def _transaction(
    store: Store, connection: Connection | None, key: str, plain: bool
) -> Iterator[DocumentRows]:
    from tracker.store.driver_rows import DriverRows

    make = DocumentRows if plain else DriverRows
    if connection is not None:
        with connection.begin():
            lock(connection, f"postmortem:{key}")
            yield make(connection)
        return
    with store.engine.begin() as conn:
        lock(conn, f"postmortem:{key}")
        yield make(conn)


def known_hashes(store: Store) -> dict[str, tuple[str, str | None]]:
    """key -> (path, content hash) of every stored postmortem, read once per ingest."""
    with store.reading() as conn:
        rows = conn.execute(select(PM.c.key, PM.c.path, PM.c.content_hash))
        return {key: (path, digest) for key, path, digest in rows}


def live_paths(conn: Connection) -> list[tuple[int, str, str]]:
    """(id, key, stored path) of every postmortem not marked removed."""
    query = select(PM.c.id, PM.c.key, PM.c.path).where(PM.c.removed_at.is_(None))
    return [(pm_id, key, path) for pm_id, key, path in conn.execute(query)]


def mark_removed(conn: Connection, ids: Sequence[int], now: datetime) -> None:
    """Mark postmortems removed (their files are gone); the hash is cleared, so that a file
    that comes back is ingested again."""
    for start in range(0, len(ids), 500):
        conn.execute(
            update(PM)
            .where(PM.c.id.in_(ids[start : start + 500]), PM.c.removed_at.is_(None))
            .values(removed_at=now, updated_at=now, content_hash=None)
        )
