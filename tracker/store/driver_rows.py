"""Ingest's speed path: ``DocumentRows`` whose inserts and lookups go straight to the driver.

A first ingest writes a postmortem, its items and their events for every file, each file in
its own transaction. Through SQLAlchemy's statement layer (cache keys, parameter processing,
result objects) and its transactions (events, transaction objects, the pool's bookkeeping)
that costs more than SQLite's own work. Here the SQL text is made once per table and dialect,
values go through the columns' own bind processors (UTC instants, booleans) and then straight
to the driver's cursor, inside the connection's transaction.

Same rows as the plain twin (``tracker.store.documents.DocumentRows``): a test writes the same
documents through both and compares every stored row. Reads and updates of existing rows are
the twin's own (a changed file is rare next to a new or unchanged one).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from tracker.store.documents import EVENT, ITEM, PM, DocumentRows, Found


def usable(conn: Connection) -> bool:
    """Whether a transaction may bypass SQLAlchemy's (SQLite, and none open on ``conn``)."""
    return conn.dialect.name == "sqlite" and not conn.in_transaction()


@contextmanager
def transaction(conn: Connection) -> Iterator[DocumentRows]:
    """A transaction driven on the driver's connection itself, committed when the block ends.

    Same SQL as the engine's "begin" event: ``BEGIN IMMEDIATE``, so the write lock is held from
    the start (SQLite needs no other lock). An error rolls back and propagates.
    """
    driver = conn.connection.driver_connection
    driver.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
    try:
        yield DriverRows(conn)
        driver.commit()  # type: ignore[union-attr]
    except BaseException:
        if driver.in_transaction:  # type: ignore[union-attr]
            driver.rollback()  # type: ignore[union-attr]
        raise


class DriverRows(DocumentRows):
    """``DocumentRows`` with driver-level inserts and lookups."""

    def find(self, key: str) -> Found | None:
        prepared = _prepared(PM, self.conn)
        cursor = _cursor(self.conn)
        cursor.execute(
            f"SELECT id, content_hash, path FROM postmortem WHERE key = {prepared.mark}", (key,)
        )
        row = cursor.fetchone()
        return None if row is None else Found(*row)

    def insert_postmortem(self, values: dict[str, Any]) -> int:
        prepared = _prepared(PM, self.conn)
        cursor = _cursor(self.conn)
        cursor.execute(prepared.insert_sql + " RETURNING id", prepared.params(values, {}))
        return int(cursor.fetchone()[0])

    def insert_items(self, rows: Sequence[dict[str, Any]]) -> None:
        _prepared(ITEM, self.conn).insert(self.conn, rows)

    def item_ids(self, pm_id: int) -> dict[str, int]:
        mark = _prepared(ITEM, self.conn).mark
        cursor = _cursor(self.conn)
        cursor.execute(f"SELECT uid, id FROM action_item WHERE postmortem_id = {mark}", (pm_id,))
        return {uid: item_id for uid, item_id in cursor.fetchall()}

    def insert_events(self, rows: Sequence[dict[str, Any]]) -> None:
        _prepared(EVENT, self.conn).insert(self.conn, rows)

    def created_events(self, pm_id: int, at: datetime) -> None:
        prepared = _prepared(EVENT, self.conn)
        sql = (
            f"INSERT INTO item_event (item_id, at, event) SELECT id, {prepared.mark}, 'created' "
            f"FROM action_item WHERE postmortem_id = {prepared.mark}"
        )
        _cursor(self.conn).execute(sql, (prepared.at(at), pm_id))


def _cursor(conn: Connection) -> Any:
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]


class _Prepared:
    """The INSERT of one table as driver SQL, with the columns' bind processors."""

    def __init__(self, table: Any, dialect: Any) -> None:
        # Positional parameters: "?" (sqlite3) or "%s" (psycopg).
        self.mark = "%s" if dialect.paramstyle in ("pyformat", "format") else "?"
        self.columns = [c.name for c in table.c if not c.primary_key]
        defaults = {
            c.name: c.default.arg for c in table.c if c.default is not None and c.default.is_scalar
        }
        self._with_defaults = [(c, defaults.get(c)) for c in self.columns]
        processors = {c.name: c.type.bind_processor(dialect) for c in table.c}
        self.processors = [
            (i, p) for i, c in enumerate(self.columns) if (p := processors[c]) is not None
        ]
        self.at = processors.get("at") or (lambda value: value)
        names = ", ".join(self.columns)
        marks = ", ".join(self.mark for _ in self.columns)
        self.insert_sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"

    def params(self, values: dict[str, Any], memo: dict[tuple[int, Any], Any]) -> list[Any]:
        get = values.get
        row = [get(c, d) for c, d in self._with_defaults]
        for index, proc in self.processors:
            value = row[index]
            if value is not None:
                # The rows of one file share their instants and flags: convert each once.
                found = memo.get((index, value), memo)
                if found is memo:
                    found = memo[(index, value)] = proc(value)
                row[index] = found
        return row

    def insert(self, conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
        memo: dict[tuple[int, Any], Any] = {}
        _cursor(conn).executemany(self.insert_sql, [self.params(r, memo) for r in rows])


_PREPARED: dict[tuple[str, str], _Prepared] = {}


def _prepared(table: Any, conn: Connection) -> _Prepared:
    key = (table.name, conn.dialect.name)
    found = _PREPARED.get(key)
    if found is None:
        found = _PREPARED[key] = _Prepared(table, conn.dialect)
    return found
