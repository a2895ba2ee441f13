"""Postmortems whose files are gone: marked removed, never deleted.

When ``pmt ingest`` is given a folder, a stored postmortem whose file lay under that folder
and no longer exists there (deleted, or renamed without a front-matter ``id``, which makes a
new postmortem of it) is marked removed: its items leave ``pmt overdue``, ``pmt list`` and the
reports, and every row and event is kept. Nothing else is: a postmortem ingested in this run
(by key), one whose file still exists (excluded by a glob, say, or failing to parse), or one
outside the folders given. A file that comes back is ingested again as "updated" (its
content hash is cleared on removal) and its postmortem is no longer removed.

Stored paths are relative to the project root (``tracker.paths``; absolute ones are used as
they are); the folders given are resolved from the current folder.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy.engine import Connection

from tracker.store.documents import live_paths, mark_removed


def mark_vanished(
    conn: Connection,
    folders: Sequence[str],
    seen: Collection[str],
    now: datetime,
    *,
    root: str = ".",
) -> list[tuple[str, str]]:
    """Mark removed, in one transaction, each live postmortem whose file lay under one of
    ``folders`` (absolute paths) and is gone, except the keys in ``seen`` (ingested in this
    run). ``root``: the project root, which stored paths are relative to. Returns their
    (key, path)."""
    if not folders:
        return []
    prefixes = tuple(folder.rstrip(os.sep) + os.sep for folder in folders)
    gone: list[tuple[int, str, str]] = []
    with conn.begin():
        for pm_id, key, path in live_paths(conn):
            if key in seen or not path or path.startswith("<"):
                continue  # ingested just now, or not from a file ("<text>")
            absolute = os.path.abspath(os.path.join(root, path))
            if absolute.startswith(prefixes) and not os.path.lexists(absolute):
                gone.append((pm_id, key, path))
        mark_removed(conn, [pm_id for pm_id, _, _ in gone], now)
    return [(key, path) for _, key, path in gone]
