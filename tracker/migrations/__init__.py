"""Alembic migrations of the store's schema (``tracker.store.tables``).

``HEAD`` names the newest revision. ``tracker.store.engine`` compares it with the database's
``alembic_version`` in one query and imports alembic only when they differ, so that a command
such as ``pmt overdue`` does not pay for alembic on every run. A test keeps ``HEAD`` equal to
the head alembic computes from ``versions/``.

A new revision: add ``versions/NNNN_<what>.py`` with ``down_revision`` set to the previous one,
using ``op.batch_alter_table`` for changes to existing tables (SQLite cannot ALTER most things),
and set ``HEAD`` to its id.
"""

from __future__ import annotations

from pathlib import Path

HEAD = "0006"
SCRIPT_LOCATION = str(Path(__file__).resolve().parent)
