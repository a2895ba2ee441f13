"""Alembic environment: runs on the connection ``tracker.store`` hands over.

The store takes its lock (PostgreSQL advisory lock, SQLite write transaction) and opens the
transaction itself, so that two processes starting on a fresh database do not both migrate.
"""

from __future__ import annotations

from alembic import context

from tracker.store.tables import ALL_TABLES

target_metadata = ALL_TABLES[0].metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # `alembic` on the command line: build one from the URL
        from sqlalchemy import create_engine

        engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as conn:
            _run(conn)
        return
    _run(connection)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        # SQLite alters tables by copying them; batch mode does that for later revisions.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
