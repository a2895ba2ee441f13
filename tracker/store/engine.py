"""The store's engine: the only place that makes database engines and sessions.

SQLite by default (a file in the platform's user data directory), PostgreSQL by URL for teams
that share one state. ``open_store`` brings the schema to the newest alembic revision; checking
that costs one query, and alembic is imported only when an upgrade is due.

Concurrency. Two ``pmt ingest`` runs (or an ingest and a sync) may write at the same time:
- SQLite: every writing session starts with ``BEGIN IMMEDIATE`` (it takes the write lock up
  front instead of failing half-way with "database is locked" when a read turns into a write),
  waits up to ``SQLITE_BUSY_TIMEOUT_S`` for the lock, and the file is in WAL mode so that
  readers never wait for writers.
- PostgreSQL: ``lock(session, name)`` takes a transaction-scoped advisory lock, which callers
  use to serialise work on one postmortem.
Unique constraints in ``tracker.store.tables`` are the last line of defence on both.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from tracker.errors import ConfigError, StoreError
from tracker.migrations import HEAD, SCRIPT_LOCATION

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.config import Settings

SQLITE_BUSY_TIMEOUT_S = 60
# Advisory lock taken while migrating, so that two processes never upgrade at once.
_MIGRATION_LOCK = "pmt:migrate"


# What the database raises when it fails (the server went away, a lock timed out), for the
# callers outside the store that must outlive such a failure (``pmt serve``'s workers and its
# health check): they name it without importing SQLAlchemy.
DatabaseError = SQLAlchemyError


def default_database_url() -> str:
    """``sqlite:///<user data dir>/pmt.db`` (the directory is created on first use)."""
    import platformdirs

    return f"sqlite:///{Path(platformdirs.user_data_dir('pmt')) / 'pmt.db'}"


def database_url(settings: Settings) -> str:
    """The configured URL; a relative SQLite file is under the project root (the folder of
    pmt.toml), so that a run from a subfolder opens the same database."""
    url = normalise_url(settings.database_url or default_database_url())
    prefix = "sqlite:///"
    if url.startswith(prefix):
        rest = url[len(prefix) :]
        name = rest.split("?", 1)[0]
        uri = "uri=true" in rest.partition("?")[2].lower()
        if name and name != ":memory:" and not uri and not os.path.isabs(os.path.expanduser(name)):
            return prefix + os.path.join(settings.project_root, rest)
    return url


def normalise_url(url: str) -> str:
    """Point PostgreSQL URLs at psycopg 3, whatever driver (or none) they name."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def lock_id(name: str) -> int:
    """A stable signed 64-bit number for ``name`` (PostgreSQL advisory locks take bigints)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class Store:
    """One database. ``Store(url)`` connects and brings the schema to head (``migrate=False``
    leaves the schema alone, for tests of the migrations themselves)."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = normalise_url(url)
        self.engine = _make_engine(self.url)
        self.dialect: str = self.engine.dialect.name
        if migrate:
            self.ensure_schema()

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back if it raises.

        ``write=False`` for read-only work: on SQLite it does not take the write lock.
        Objects stay usable after the block (no expiry on commit).
        """
        from sqlmodel import Session

        bind = self.engine if write else self.engine.execution_options(pmt_read_only=True)
        with Session(bind, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A plain connection for read-only queries (``tracker.queries`` read functions take it
        as well as a session). No ORM: ``pmt overdue`` then never imports sqlmodel's ORM,
        which would cost it more than its query."""
        with self.engine.connect() as conn:
            conn.execution_options(pmt_read_only=True)
            yield conn

    def is_empty(self) -> bool:
        """True when no postmortem has ever been ingested."""
        with self.engine.connect() as conn:
            conn.execution_options(pmt_read_only=True)
            return conn.execute(text("SELECT 1 FROM postmortem LIMIT 1")).first() is None

    def revision(self) -> str | None:
        """The schema revision recorded in the database (None: no pmt schema yet)."""
        with self.engine.connect() as conn:
            return _current_revision(conn.execution_options(pmt_read_only=True))

    def ensure_schema(self) -> None:
        """Upgrade to ``HEAD`` unless the database is already there (one cheap query)."""
        try:
            if self.revision() == HEAD:
                return
            self.upgrade("head")
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open the database {self!r}: {_reason(exc)}") from exc

    def upgrade(self, revision: str = "head") -> None:
        """Run the alembic migrations up to ``revision``, holding the store's write lock."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", SCRIPT_LOCATION)
        with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_id(_MIGRATION_LOCK)}
                )
            if _revision_in_transaction(conn) is None and _has_table(conn, "postmortem"):
                # Tables made without alembic (SQLModel.metadata.create_all, e.g. in a test):
                # they are the schema of their time, so adopt them rather than fail on CREATE TABLE
                # (the revision whose newest column they already have).
                config.attributes["connection"] = conn
                command.stamp(config, _adopted_revision(conn))
            config.attributes["connection"] = conn
            command.upgrade(config, revision)

    def dispose(self) -> None:
        self.engine.dispose()


# The column each revision added, newest first: tables made without alembic are stamped
# with the newest revision whose column they have.
_REVISION_COLUMNS = (
    ("0005", "cause_repeats_of"),
    ("0003", "front_matter"),
    ("0002", "cause_keys"),
)


def _adopted_revision(conn: Connection) -> str:
    for revision, column in _REVISION_COLUMNS:
        if _has_column(conn, "postmortem", column):
            return revision
    return "0001"


def open_store(settings: Settings) -> Store:
    """The configured store, created on first use and upgraded to the newest schema.

    The default SQLite file's folder (the user data directory) is created when missing; the
    folder of a configured one is not: a typo in ``database_url`` is a configuration error
    (exit 2), not a new database somewhere unexpected.
    """
    url = database_url(settings)
    try:
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            folder = Path(url[len("sqlite:///") :].split("?", 1)[0]).expanduser().parent
            if settings.database_url:
                if not os.path.lexists(folder):
                    raise ConfigError(
                        f"database_url {url!r}: the folder {folder} does not exist; "
                        "create it, or fix database_url (PMT_DATABASE_URL)"
                    )
            else:
                folder.mkdir(parents=True, exist_ok=True)
        return Store(url)
    except ConfigError:
        raise
    except StoreError:
        raise
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open the database {url}: {_reason(exc)}") from exc
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"cannot open the database {url}: driver {exc.name} is not installed"
        ) from exc
    except OSError as exc:
        raise StoreError(f"cannot open the database {url}: {exc}") from exc


def lock(target: Session | Connection, name: str) -> None:
    """Serialise work on ``name`` (e.g. a postmortem key) until the transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: nothing more to do, the writing
    session or connection already holds the database's write lock (``BEGIN IMMEDIATE``).
    """
    bind = target.get_bind() if hasattr(target, "get_bind") else target
    if bind.dialect.name == "postgresql":
        target.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_id(name)})


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    try:
        return create_engine(url, pool_pre_ping=False)
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"cannot open the database {url}: driver {exc.name} is not installed"
        ) from exc
    except Exception as exc:  # a malformed URL: sqlalchemy raises ArgumentError and friends
        # A configuration error (exit 2): the URL itself is wrong, no server was asked.
        raise ConfigError(f"cannot use the database URL {url!r}: {exc}") from exc


def _sqlite_engine(url: str) -> Engine:
    kwargs: dict[str, Any] = {
        "connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
    }
    memory = url in ("sqlite://", "sqlite:///:memory:")
    if memory:
        from sqlalchemy.pool import StaticPool

        # One shared connection, or every session would see its own empty database.
        kwargs["poolclass"] = StaticPool
    else:
        _create_private(url)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite's own implicit
        # BEGIN is deferred and would defeat BEGIN IMMEDIATE).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if not memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            # WAL + NORMAL is durable across application crashes; only a power loss can drop
            # the last transactions, never corrupt the file.
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = conn.get_execution_options().get("pmt_read_only", False)
        # Straight to the driver: this runs once per transaction (once per file in an ingest),
        # and SQLAlchemy's statement machinery would cost more than SQLite's work.
        conn.connection.driver_connection.execute("BEGIN" if read_only else "BEGIN IMMEDIATE")  # type: ignore[union-attr]

    return engine


def _create_private(url: str) -> None:
    """Create a missing SQLite file readable by its owner only (0600): it holds incident data.

    SQLite would create it with the umask's permissions (0644, readable by every local user);
    its -wal and -shm files take the database file's. An existing file keeps its mode.
    """
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = parsed.database
    if not name or name == ":memory:" or str(parsed.query.get("uri", "")).lower() == "true":
        return
    try:
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return  # it exists (or its folder does not): SQLite opens it or says why it cannot
    os.close(fd)


_REVISION_QUERY = "SELECT version_num FROM alembic_version"


def _current_revision(conn: Connection) -> str | None:
    """The recorded revision, read on a connection outside any transaction."""
    try:
        row = conn.execute(text(_REVISION_QUERY)).first()
    except SQLAlchemyError:
        row = None  # no alembic_version table: a new database (or not a pmt one)
    conn.rollback()
    return str(row[0]) if row else None


def _revision_in_transaction(conn: Connection) -> str | None:
    """The same, inside the migration's transaction: a savepoint keeps a failed probe from
    aborting it (PostgreSQL refuses every later statement otherwise)."""
    try:
        with conn.begin_nested():
            row = conn.execute(text(_REVISION_QUERY)).first()
    except SQLAlchemyError:
        return None
    return str(row[0]) if row else None


def _has_table(conn: Connection, name: str) -> bool:
    from sqlalchemy import inspect

    return inspect(conn).has_table(name)


def _has_column(conn: Connection, table: str, column: str) -> bool:
    from sqlalchemy import inspect

    return any(c["name"] == column for c in inspect(conn).get_columns(table))


def _reason(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).strip().splitlines()[0]
