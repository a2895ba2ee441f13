"""A lock per postmortem, held across a whole sync of it (plan, creates, write-back).

Two ``pmt sync`` runs of the same postmortem at the same time would both plan "create" for an
item with no link yet. Holding this lock from before the links are read until the last link
is recorded makes the second run see the first one's links (and create nothing).

The lock spans many transactions (each link is committed as soon as its ticket exists), so it
cannot be a transaction's lock:

- PostgreSQL: a session-level ``pg_advisory_lock`` on a dedicated connection, released
  explicitly (and by the server if the process dies, because the connection goes with it);
- SQLite: ``fcntl.flock`` on a lock file per postmortem in ``<database file>.locks/`` (or,
  for an in-memory database, in the user data directory). flock belongs to the open file, so
  it also excludes another thread of the same process, and the kernel drops it when the
  process dies.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.errors import StoreError

if TYPE_CHECKING:
    from tracker.store import Store

# How long to wait for another run before giving up, and how often to look.
DEFAULT_TIMEOUT_S = 600.0
_POLL_S = 0.05


@contextmanager
def postmortem_lock(
    store: Store,
    postmortem_key: str,
    *,
    timeout: float | None = DEFAULT_TIMEOUT_S,
    on_wait: Callable[[], None] | None = None,
) -> Iterator[None]:
    """Hold the sync lock of ``postmortem_key``; ``on_wait`` is called once if it must wait."""
    name = f"pmt:sync:{postmortem_key}"
    if store.dialect == "postgresql":
        with _pg_lock(store, name, postmortem_key, timeout, on_wait):
            yield
    else:
        with _file_lock(_lock_path(store, name), postmortem_key, timeout, on_wait):
            yield


@contextmanager
def _pg_lock(
    store: Store, name: str, shown: str, timeout: float | None, on_wait: Callable[[], None] | None
) -> Iterator[None]:
    from sqlalchemy import text

    from tracker.store import lock_id

    key = lock_id(name)
    # AUTOCOMMIT: the lock is the session's, and no transaction must stay open meanwhile.
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        deadline = None if timeout is None else time.monotonic() + timeout
        waited = False
        while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            if not waited and on_wait is not None:
                on_wait()
            waited = True
            if deadline is not None and time.monotonic() >= deadline:
                raise StoreError(_busy(shown, timeout))
            time.sleep(_POLL_S)
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})


def _lock_path(store: Store, name: str) -> Path:
    database = store.engine.url.database
    if database and database != ":memory:":
        folder = Path(database).expanduser().parent / (Path(database).name + ".locks")
    else:
        import platformdirs

        folder = Path(platformdirs.user_data_dir("pmt")) / "locks"
    digest = hashlib.sha256(name.encode()).hexdigest()[:20]
    return folder / f"{digest}.lock"


@contextmanager
def _file_lock(
    path: Path, shown: str, timeout: float | None, on_wait: Callable[[], None] | None
) -> Iterator[None]:
    import fcntl

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(
            f"{path}: cannot create the sync lock file: {exc.strerror or exc}"
        ) from exc
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        waited = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited and on_wait is not None:
                    on_wait()
                waited = True
                if deadline is not None and time.monotonic() >= deadline:
                    raise StoreError(_busy(shown, timeout)) from None
                time.sleep(_POLL_S)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _busy(shown: str, timeout: float | None) -> str:
    return f"another pmt sync of {shown} has held its lock for more than {timeout:.0f} s; try again later"
