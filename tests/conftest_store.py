"""Store fixtures: the same tests on SQLite (always) and PostgreSQL (when configured).

Use them from any test module (``tests/conftest.py`` imports them, so just name them):

``store``
    A migrated, empty ``tracker.store.Store``, parametrised over ``sqlite`` and
    ``postgresql``. The PostgreSQL case runs when ``PMT_TEST_DATABASE_URL`` names a server
    (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``) and is skipped otherwise with
    the reason "PMT_TEST_DATABASE_URL is not set: PostgreSQL tests skipped". Every test gets
    empty tables (SQLite: a fresh file copied from a migrated template; PostgreSQL: the
    session's own database, truncated). ``store.url`` is a URL another process or thread may
    open (``Store(store.url)``) to test concurrency.

``empty_database_url``
    The URL of an empty database with no schema at all (same parametrisation), for tests of
    migrations: open it with ``Store(url, migrate=False)``.

The test session never touches the tables of the database the URL names: it creates its own
``pmt_test_<random>`` databases on that server and drops them at the end, so that several
test runs can share one server at the same time.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_ENV = "PMT_TEST_DATABASE_URL"
PG_SKIP_REASON = f"{PG_ENV} is not set: PostgreSQL tests skipped"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
_TABLES = "ticket_event, ticket_link, item_event, action_item, postmortem, webhook_delivery"


class _PgServer:
    """Creates and drops throwaway databases on the server named by PMT_TEST_DATABASE_URL."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        from tracker.store import normalise_url

        self.base = make_url(normalise_url(url))
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create(self) -> str:
        from sqlalchemy import text

        name = f"pmt_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return self.base.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self.created:
            self.created.remove(name)

    def close(self) -> None:
        for name in list(self.created):
            self.drop(self.base.set(database=name).render_as_string(hide_password=False))
        self.admin.dispose()


@pytest.fixture(scope="session")
def _pg_server() -> Iterator[_PgServer]:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(PG_SKIP_REASON)
    server = _PgServer(url)
    yield server
    server.close()


@pytest.fixture(scope="session")
def _pg_session_store(_pg_server: _PgServer) -> Iterator[object]:
    from tracker.store import Store

    store = Store(_pg_server.create())
    yield store
    store.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tracker.store import Store

    path = tmp_path_factory.mktemp("store-template") / "template.db"
    store = Store(f"sqlite:///{path}")
    # Fold the WAL into the main file so that copying the one file copies everything.
    raw = store.engine.raw_connection()
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    store.dispose()
    return path


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """A migrated, empty Store on each backend (see the module docstring)."""
    from tracker.store import Store

    if request.param == "sqlite":
        path = tmp_path / "pmt.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        sqlite_store = Store(f"sqlite:///{path}")
        yield sqlite_store
        sqlite_store.dispose()
        return
    pg_store = request.getfixturevalue("_pg_session_store")
    from sqlalchemy import text

    with pg_store.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(text(f"TRUNCATE {_TABLES} RESTART IDENTITY CASCADE"))
    yield pg_store
    pg_store.engine.dispose()  # type: ignore[attr-defined]


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no tables) on each backend, dropped after the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server = request.getfixturevalue("_pg_server")
    url = server.create()
    yield url
    server.drop(url)
