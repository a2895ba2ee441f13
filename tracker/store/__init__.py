"""The store: everything that reads or writes the database, and nothing else does.

- ``engine``: engines, sessions, the schema's upgrade on open, the per-transaction lock
  (``Store``, ``open_store``, ``lock``);
- ``tables``: the tables (SQLModel rows); the alembic revisions that build them live in
  ``tracker/migrations`` (``tracker.migrations.HEAD``);
- ``documents``: ingest's repository: a parsed postmortem's rows, read and written in one
  transaction per file;
- ``sync_state``: sync's repository: a postmortem's items and links to one tracker, the
  create intents, and the new bytes a write-back recorded; refresh's and remind's reads and
  writes (``linked_tickets``, ``update_links_by_id``, ``overdue_links``, ``record_reminder``).

Importing ``tracker.store`` loads the engine only: ``pmt overdue`` never pays for the ORM.
"""

from __future__ import annotations

from tracker.store.engine import (
    SQLITE_BUSY_TIMEOUT_S,
    DatabaseError,
    Store,
    database_url,
    default_database_url,
    lock,
    lock_id,
    normalise_url,
    open_store,
)

__all__ = [
    "SQLITE_BUSY_TIMEOUT_S",
    "DatabaseError",
    "Store",
    "database_url",
    "default_database_url",
    "lock",
    "lock_id",
    "normalise_url",
    "open_store",
]
