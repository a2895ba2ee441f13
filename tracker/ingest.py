"""``pmt ingest``: parse postmortems and bring the store up to date with them.

Each file is its own transaction: a file that cannot be read or parsed is reported (path and
reason) and skipped, and the others still ingest. A file whose bytes (and the settings that
shape its rows) are unchanged since last time is skipped before it is parsed.

Paths: a postmortem's stored ``path`` is relative to the project root and its key (without a
front-matter id) to ``[ingest] root`` under it (``tracker.paths``), whatever folder pmt runs
in; the results name files as they were given. Temporary files a killed write-back left in the
folders of the files ingested are removed (``tracker.files.remove_stale_temps``).

Concurrency: the work on one postmortem is serialised (``tracker.store.lock``; on SQLite the
write transaction itself) and re-checks the stored hash under the lock, so two runs over the
same tree converge instead of inserting twice. The unique keys catch anything else; a file's
transaction that trips one is retried once, when it will see the other run's rows.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col

from tracker.bulk import fewer_collections
from tracker.deadlines import due_date
from tracker.errors import InputError, PmtError, StoreError
from tracker.files import remove_stale_temps_beside
from tracker.identity import KnownItem, match_items, path_key, postmortem_key
from tracker.models import ActionItem, Postmortem
from tracker.store import Store, lock
from tracker.tables import ItemEventRow, ItemRow, PostmortemRow, TicketLinkRow, utcnow
from tracker.vanished import mark_vanished

_PM = PostmortemRow.__table__  # type: ignore[attr-defined]
_ITEM = ItemRow.__table__  # type: ignore[attr-defined]
_EVENT = ItemEventRow.__table__  # type: ignore[attr-defined]
_LINK = TicketLinkRow.__table__  # type: ignore[attr-defined]

if TYPE_CHECKING:
    from tracker.config import Settings

# Bump when ingest would store different rows for the same file (it re-ingests everything).
INGEST_VERSION = "1"

FileStatus = str  # "new" | "updated" | "unchanged" | "failed" | "removed" (the file is gone)


@dataclass
class FileResult:
    """What happened to one file."""

    path: str
    status: FileStatus
    key: str | None = None
    items: int = 0
    # Item events recorded: created, closed, reopened, removed, restored, due_changed, ...
    events: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "status": self.status,
            "key": self.key,
            "items": self.items,
            "events": dict(self.events),
            "notes": list(self.notes),
            "error": self.error,
        }


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    # Temporary files left by a killed write-back, removed from the folders ingested.
    cleaned: list[str] = field(default_factory=list)
    # Files found under the paths given (through [ingest] include / exclude).
    discovered: int = 0

    @property
    def changed_keys(self) -> list[str]:
        """Keys of the postmortems that are new or changed (for hooks such as repeat detection)."""
        return [r.key for r in self.results if r.status in ("new", "updated") and r.key]

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed

    def counts(self) -> dict[str, int]:
        counted = Counter(r.status for r in self.results)
        return {s: counted.get(s, 0) for s in ("new", "updated", "unchanged", "failed", "removed")}

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [r.to_dict() for r in self.results],
            "totals": {"files": len(self.results), **self.counts()},
            "changed": self.changed_keys,
        }


@dataclass
class IngestResult:
    """One postmortem written to the store."""

    postmortem_id: int
    key: str
    status: FileStatus  # "new" | "updated" | "unchanged"
    # The document's items in order, each with its stable uid.
    items: list[tuple[str, ActionItem]] = field(default_factory=list)
    events: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)


def settings_fingerprint(settings: Settings) -> str:
    """What besides a file's bytes decides its rows: a change re-ingests unchanged files."""
    shaping = {
        "version": INGEST_VERSION,
        "parsing": settings.parsing.model_dump(),
        "deadlines": settings.deadlines.model_dump(),
        "timezone": settings.timezone,
    }
    return hashlib.sha256(json.dumps(shaping, sort_keys=True).encode()).hexdigest()[:16]


def content_hash(data: bytes, fingerprint: str) -> str:
    return hashlib.sha256(fingerprint.encode() + b"\x00" + data).hexdigest()


def ingest_paths(
    store: Store,
    paths: Sequence[str | Path],
    settings: Settings,
    *,
    on_result: Callable[[FileResult], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest files and folders (recursively, through ``[ingest] include / exclude``).

    ``on_start(n)`` hears how many files were found before the first is read (for a progress
    bar); ``on_result`` hears about each file as it is done."""
    from tracker.discovery import discover
    from tracker.parsing import parse_file

    report = IngestReport()

    def done(result: FileResult) -> None:
        report.results.append(result)
        if on_result is not None:
            on_result(result)

    # One path at a time, so that a missing one is reported and the others still ingest.
    files: dict[str, Path] = {}
    folders: list[str] = []  # the folders given, absolute: where files may have vanished from
    for given in paths:
        try:
            found = discover([given], settings.ingest.include, settings.ingest.exclude)
        except InputError as exc:
            done(FileResult(path=str(given), status="failed", error=exc.reason))
            continue
        if os.path.isdir(given):
            folders.append(os.path.abspath(given))
        for file in found:
            files.setdefault(os.path.normpath(file), file)

    report.cleaned = [p.as_posix() for p in remove_stale_temps_beside(files)]
    report.discovered = len(files)
    if on_start is not None:
        on_start(len(files))
    fingerprint = settings_fingerprint(settings)
    project = settings.project_root
    roots = _Roots(project=project, ingest=settings.ingest_root(project))
    known = _known_hashes(store)
    seen: dict[str, str] = {}  # key -> path, to catch two files claiming one id
    # One connection, a transaction per file.
    with store.engine.connect() as conn, fewer_collections():
        for file in files.values():
            _ingest_file(
                store, conn, file, settings, roots, fingerprint, known, seen, parse_file, done
            )
        for key, path in mark_vanished(conn, folders, seen, utcnow(), root=project):
            done(FileResult(path=path, status="removed", key=key))
    return report


@dataclass(frozen=True)
class _Roots:
    """Absolute folders: the project root (stored paths) and ``[ingest] root`` (path keys)."""

    project: str
    ingest: str


def _ingest_file(
    store: Store,
    conn: Connection,
    file: Path,
    settings: Settings,
    roots: _Roots,
    fingerprint: str,
    known: dict[str, tuple[str, str | None]],
    seen: dict[str, str],
    parse_file: Callable[..., Postmortem],
    done: Callable[[FileResult], None],
) -> None:
    """Read, hash, parse and store one file; report what happened through ``done``."""
    shown = file.as_posix()
    try:
        data = file.read_bytes()
    except OSError as exc:
        done(FileResult(path=shown, status="failed", error=exc.strerror or str(exc)))
        return
    digest = content_hash(data, fingerprint)
    by_path = _path_key(file, roots.ingest)
    stored = _path_key(file, roots.project)
    quick = _unchanged_key(data, digest, by_path, stored, known)
    if quick is not None and _claim(seen, quick, shown) is None:
        done(FileResult(path=shown, status="unchanged", key=quick))
        return
    try:
        # The bytes just hashed: the file is read once (and the rows match the hash).
        pm = parse_file(file, settings.parsing, data=data)
    except PmtError as exc:
        done(
            FileResult(path=shown, status="failed", error=getattr(exc, "reason", None) or str(exc))
        )
        return
    if pm.errors:
        # Bad front matter or a due date that does not exist: the stored state stays as it was
        # (the id a typo would lose never changes the postmortem's identity).
        first = pm.errors[0]
        more = f" (and {len(pm.errors) - 1} more)" if len(pm.errors) > 1 else ""
        done(
            FileResult(
                path=shown, status="failed", error=f"line {first.line}: {first.message}{more}"
            )
        )
        return
    pm.path = stored
    key = str(pm.id).strip() if pm.id is not None and str(pm.id).strip() else by_path
    clash = _claim(seen, key, shown)
    if clash is not None:
        done(
            FileResult(
                path=shown,
                status="failed",
                key=key,
                error=f"postmortem id {key!r} is also used by {clash}; ids must be unique",
            )
        )
        return
    result = ingest_document(
        store, pm, digest, settings, key=key, probably_new=key not in known, connection=conn
    )
    done(
        FileResult(
            path=shown,
            status=result.status,
            key=result.key,
            items=len(result.items),
            events=dict(result.events),
            notes=[*(f"line {p.line}: {p.message}" for p in pm.problems), *result.notes],
        )
    )


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
) -> IngestResult:
    """Upsert one parsed postmortem and its items in one transaction (retried once on a race).

    ``probably_new``: the caller saw no postmortem with this key a moment ago, so the insert is
    tried without looking first; if another run inserted it meanwhile, the unique key refuses
    the insert and the retry looks it up. ``connection``: a connection to use (not in a
    transaction), to save a pool round trip per file when ingesting many.
    """
    key = key or postmortem_key(pm, settings.ingest_root())
    # _Prepared talks to the driver directly: its errors arrive unwrapped by SQLAlchemy.
    dbapi = store.engine.dialect.dbapi
    integrity = (IntegrityError, dbapi.IntegrityError) if dbapi else (IntegrityError,)
    refused = (OperationalError, dbapi.OperationalError) if dbapi else (OperationalError,)
    for attempt in (1, 2):
        try:
            # A plain connection (BEGIN IMMEDIATE on SQLite): most files are new or unchanged
            # and need no ORM session; an update opens one on this same transaction.
            first = probably_new and attempt == 1
            if first and connection is not None and _raw_sqlite(connection):
                return _insert_new_sqlite(
                    connection, pm, key, content_hash, settings, now or utcnow()
                )
            if connection is not None:
                with connection.begin():
                    return _upsert(
                        connection, pm, key, content_hash, settings, now or utcnow(), first
                    )
            with store.engine.begin() as conn:
                return _upsert(conn, pm, key, content_hash, settings, now or utcnow(), first)
        except integrity as exc:
            # Another run inserted the same rows between our read and our write; once more
            # under the lock we see them and update instead.
            if attempt == 2:
                reason = getattr(exc, "orig", None) or exc
                raise StoreError(
                    f"{pm.path}: could not store postmortem {key!r}: {reason}"
                ) from exc
        except refused as exc:
            reason = getattr(exc, "orig", None) or exc
            raise StoreError(f"{pm.path}: the database refused the write: {reason}") from exc
    raise AssertionError("unreachable")


def _raw_sqlite(conn: Connection) -> bool:
    """Whether a new postmortem's transaction may bypass SQLAlchemy's (SQLite, none open)."""
    return conn.dialect.name == "sqlite" and not conn.in_transaction()


def _insert_new_sqlite(
    conn: Connection, pm: Postmortem, key: str, digest: str, settings: Settings, now: datetime
) -> IngestResult:
    """``_insert_new`` in a transaction driven on the driver's connection itself.

    Most files of a first ingest take this path, one transaction each: SQLAlchemy's begin and
    commit (events, transaction objects, the pool's reset bookkeeping) cost about as much as
    the three inserts. Same SQL as its "begin" event: BEGIN IMMEDIATE, so the write lock is
    held from the start (SQLite needs no advisory lock). The inserts go to the driver anyway
    (``_Prepared``); an error rolls back and propagates (a unique key: the caller retries
    through the ordinary path, which looks the postmortem up).
    """
    driver = conn.connection.driver_connection
    driver.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
    try:
        result = _insert_new(conn, pm, key, digest, settings, now)
        driver.commit()  # type: ignore[union-attr]
    except BaseException:
        if driver.in_transaction:  # type: ignore[union-attr]
            driver.rollback()  # type: ignore[union-attr]
        raise
    return result


def _upsert(
    conn: Connection,
    pm: Postmortem,
    key: str,
    digest: str,
    settings: Settings,
    now: datetime,
    probably_new: bool = False,
    connection: Connection | None = None,
) -> IngestResult:
    lock(conn, f"postmortem:{key}")
    found = None if probably_new else _prepared(_PM, conn).find_by_key(conn, key)
    if found is None:
        return _insert_new(conn, pm, key, digest, settings, now)
    pm_id, stored_hash, stored_path = found
    if stored_hash == digest:
        if stored_path != pm.path:
            conn.execute(update(_PM).where(_PM.c.id == pm_id).values(path=pm.path, updated_at=now))
        return IngestResult(pm_id, key, "unchanged", _stored_pairs(conn, pm_id, pm))
    with Session(bind=conn, expire_on_commit=False) as session:
        row = session.get_one(PostmortemRow, pm_id)
        fields_changed = _copy_postmortem(row, pm, digest, now)
        session.flush()
        base, notes = _deadline_base(pm, row.created_at, settings)
        pairs, events, items_changed = _apply_items(
            conn, session, pm_id, key, pm.action_items, base, settings, now
        )
    # Bytes changed but no row did (a typo fixed in the summary, a new setting that changes
    # nothing for this file): report it unchanged, so hooks do not redo work for nothing.
    status = "updated" if fields_changed or items_changed else "unchanged"
    return IngestResult(pm_id, key, status, pairs, events, notes)


def _insert_new(
    conn: Connection, pm: Postmortem, key: str, digest: str, settings: Settings, now: datetime
) -> IngestResult:
    """A postmortem seen for the first time: plain inserts, three statements in all."""
    values: dict[str, Any] = {column: getattr(pm, attribute) for column, attribute in _COPIED}
    values.update(
        key=key,
        content_hash=digest,
        front_matter=front_matter_json(pm),
        created_at=now,
        updated_at=now,
    )
    pm_id = _prepared(_PM, conn).insert_returning_id(conn, values)
    base, notes = _deadline_base(pm, now, settings)
    uids = match_items(key, [], pm.action_items)
    rows = [
        _new_item(pm_id, uid, position, item, base, settings, now)
        for position, (uid, item) in enumerate(zip(uids, pm.action_items, strict=True))
    ]
    if rows:
        _prepared(_ITEM, conn).insert(conn, rows)
        # Every item is new: their "created" events in one statement, without their ids.
        _prepared(_EVENT, conn).created_events(conn, pm_id, now)
    events: Counter[str] = Counter({"created": len(rows)} if rows else {})
    return IngestResult(
        pm_id, key, "new", list(zip(uids, pm.action_items, strict=True)), events, notes
    )


def _new_item(
    pm_id: int,
    uid: str,
    position: int,
    item: ActionItem,
    base: date,
    settings: Settings,
    now: datetime,
) -> dict[str, Any]:
    due, implicit = due_date(item.due, base, item.priority, settings.deadlines)
    return {
        "postmortem_id": pm_id,
        "uid": uid,
        "text": item.text,
        "owner": item.owner,
        "due": due,
        "due_implicit": implicit,
        "priority": item.priority,
        "kind": item.kind,
        "done": item.done,
        "ticket": item.ticket,
        "line": item.line,
        "section": item.section,
        "position": position,
        "status": "done" if item.done else "open",
        "not_effective": False,
        "created_at": now,
        # Done before pmt first saw it: when is unknown, so no closing date.
        "closed_at": None,
        "removed_at": None,
        "updated_at": now,
    }


_COPIED = (
    ("path", "path"),
    ("title", "title"),
    ("incident_date", "date"),
    ("started", "started"),
    ("ended", "ended"),
    ("timezone", "timezone"),
    ("duration_minutes", "duration_minutes"),
    ("impact", "impact"),
    ("users_affected_pct", "users_affected_pct"),
    ("severity", "severity"),
    ("root_cause", "root_cause"),
    ("root_cause_detail", "root_cause_detail"),
    ("resolution", "resolution"),
    ("incident_ticket", "incident"),
)


def front_matter_json(pm: Postmortem) -> str:
    """The document's front matter as the store keeps it: JSON, dates as ISO strings."""
    if not pm.front_matter:
        return "{}"
    return json.dumps(pm.front_matter, default=str, ensure_ascii=False)


def _copy_postmortem(row: PostmortemRow, pm: Postmortem, digest: str, now: datetime) -> bool:
    """Copy the document's facts onto its row; True when one of them changed (a new
    ``cause:`` in the front matter is a change: the cause is classified again)."""
    changed = row.removed_at is not None
    for column, attribute in _COPIED:
        value = getattr(pm, attribute)
        if not _same(getattr(row, column), value):
            setattr(row, column, value)
            changed = True
    front_matter = front_matter_json(pm)
    if row.front_matter != front_matter:
        # Rows from before pmt kept front matter (NULL) take it without counting as changed.
        changed = changed or (row.front_matter is not None)
        row.front_matter = front_matter
    row.content_hash = digest
    row.removed_at = None
    row.updated_at = now
    return changed


def _same(stored: Any, value: Any) -> bool:
    # Instants come back from the database in UTC: compare them as instants.
    if isinstance(stored, datetime) and isinstance(value, datetime) and value.tzinfo is not None:
        return stored == value
    if isinstance(stored, datetime) and isinstance(value, datetime):
        return stored.replace(tzinfo=None) == value
    return bool(stored == value)


def _deadline_base(
    pm: Postmortem, first_seen_at: datetime, settings: Settings
) -> tuple[date, list[str]]:
    """The date implicit due dates count from: the incident's, else the first ingest's.

    The first ingest (not today's) so that an undated postmortem's deadlines do not move
    every time it is edited.
    """
    if pm.date is not None:
        return pm.date, []
    first_seen = first_seen_at.astimezone(ZoneInfo(settings.timezone)).date()
    notes = []
    if any(item.due is None for item in pm.action_items):
        notes.append(
            f"no incident date: implicit due dates are counted from the first ingest, {first_seen}"
        )
    return first_seen, notes


def _apply_items(
    conn: Connection,
    session: Session | None,
    pm_id: int,
    key: str,
    items: Sequence[ActionItem],
    base: date,
    settings: Settings,
    now: datetime,
) -> tuple[list[tuple[str, ActionItem]], Counter[str], bool]:
    """Match, update, insert and remove the items; returns uids, events and whether any row
    changed. Without a ``session`` the postmortem was just inserted and has no items yet."""
    stored: list[ItemRow] = []
    if session is not None:
        stored = list(session.scalars(select(ItemRow).where(col(ItemRow.postmortem_id) == pm_id)))
    links: dict[int, list[str]] = {}
    if stored:
        query = select(_LINK.c.item_id, _LINK.c.key).where(
            _LINK.c.postmortem_id == pm_id, _LINK.c.item_id.is_not(None)
        )
        for item_id, ticket_key in conn.execute(query):
            links.setdefault(item_id, []).append(ticket_key)
    known = [
        KnownItem(
            uid=r.uid,
            text=r.text,
            active=r.status != "removed",
            position=r.position,
            tickets=tuple(t for t in [r.ticket, *links.get(r.id or 0, [])] if t),
        )
        for r in stored
    ]
    uids = match_items(key, known, items)
    by_uid = {r.uid: r for r in stored}
    events: Counter[str] = Counter()
    new_rows: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = []  # events of existing rows

    def event(item_id: int, name: str, detail: dict[str, Any] | None = None) -> None:
        events[name] += 1
        pending.append(
            {
                "item_id": item_id,
                "at": now,
                "event": name,
                "detail": json.dumps(detail, default=str, sort_keys=True) if detail else None,
            }
        )

    rows_changed = False
    for position, (uid, item) in enumerate(zip(uids, items, strict=True)):
        due, implicit = due_date(item.due, base, item.priority, settings.deadlines)
        status = "done" if item.done else "open"
        row = by_uid.get(uid)
        if row is None:
            new_rows.append(_new_item(pm_id, uid, position, item, base, settings, now))
            continue
        assert row.id is not None
        changed = False
        if row.status == "removed":
            event(row.id, "restored", {"status": status})
            row.removed_at = None
            changed = True
        was_done = bool(row.done)
        if item.done and not was_done:
            event(row.id, "closed")
            row.closed_at = now
            changed = True
        elif not item.done and was_done:
            event(row.id, "reopened")
            row.closed_at = None
            changed = True
        if (row.due, row.due_implicit) != (due, implicit):
            event(row.id, "due_changed", {"from": row.due, "to": due, "implicit": implicit})
            row.due, row.due_implicit = due, implicit
            changed = True
        if item.ticket and item.ticket != row.ticket:
            event(row.id, "ticket_linked", {"ticket": item.ticket})
            row.ticket = item.ticket
            changed = True
        updates = {
            name: [getattr(row, name), getattr(item, name)]
            for name in ("text", "owner", "priority", "kind", "ticket")
            if getattr(row, name) != getattr(item, name)
        }
        if updates:
            event(row.id, "updated", updates)
            for name, (_old, value) in updates.items():
                setattr(row, name, value)
            changed = True
        if (row.line, row.section, row.position, row.done, row.status) != (
            item.line,
            item.section,
            position,
            item.done,
            status,
        ):
            row.line, row.section, row.position, row.done = (
                item.line,
                item.section,
                position,
                item.done,
            )
            row.status = status
            changed = True
        if changed:
            row.updated_at = now
            rows_changed = True

    kept = set(uids)
    for row in stored:
        if row.uid not in kept and row.status != "removed":
            assert row.id is not None
            event(row.id, "removed", {"text": row.text})
            row.status = "removed"
            row.removed_at = now
            row.updated_at = now
            rows_changed = True

    if session is not None:
        session.flush()
    if new_rows:
        _prepared(_ITEM, conn).insert(conn, new_rows)
        ids = _prepared(_ITEM, conn).ids_by_uid(conn, pm_id)
        for row_values in new_rows:
            event(ids[row_values["uid"]], "created")
    if pending:
        _prepared(_EVENT, conn).insert(conn, pending)
    return list(zip(uids, items, strict=True)), events, rows_changed or bool(new_rows)


class _Prepared:
    """INSERTs and lookups of one table, as driver SQL prepared once per dialect.

    A first ingest writes a postmortem, its items and their events for every file, each file
    in its own transaction. Through SQLAlchemy's statement layer (cache keys, parameter
    processing, result objects) that costs about as much as parsing the file; here the SQL
    text is made once, values go through the columns' own bind processors (UTC instants,
    booleans) and then straight to the driver's cursor, inside the connection's transaction.
    """

    def __init__(self, table: Any, dialect: Any) -> None:
        self.table = table
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

    def _params(self, values: dict[str, Any], memo: dict[tuple[int, Any], Any]) -> list[Any]:
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

    @staticmethod
    def _cursor(conn: Connection) -> Any:
        return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]

    def insert(self, conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
        memo: dict[tuple[int, Any], Any] = {}
        self._cursor(conn).executemany(self.insert_sql, [self._params(r, memo) for r in rows])

    def insert_returning_id(self, conn: Connection, values: dict[str, Any]) -> int:
        cursor = self._cursor(conn)
        cursor.execute(self.insert_sql + " RETURNING id", self._params(values, {}))
        return int(cursor.fetchone()[0])

    def created_events(self, conn: Connection, postmortem_id: int, at: datetime) -> None:
        """A "created" event for every item of a postmortem (which has only new items)."""
        sql = (
            f"INSERT INTO item_event (item_id, at, event) SELECT id, {self.mark}, 'created' "
            f"FROM action_item WHERE postmortem_id = {self.mark}"
        )
        self._cursor(conn).execute(sql, (self.at(at), postmortem_id))

    def find_by_key(self, conn: Connection, key: str) -> Any:
        cursor = self._cursor(conn)
        cursor.execute(
            f"SELECT id, content_hash, path FROM {self.table.name} WHERE key = {self.mark}", (key,)
        )
        return cursor.fetchone()

    def ids_by_uid(self, conn: Connection, postmortem_id: int) -> dict[str, int]:
        cursor = self._cursor(conn)
        cursor.execute(
            f"SELECT uid, id FROM {self.table.name} WHERE postmortem_id = {self.mark}",
            (postmortem_id,),
        )
        return {uid: item_id for uid, item_id in cursor.fetchall()}


_PREPARED: dict[tuple[str, str], _Prepared] = {}


def _prepared(table: Any, conn: Any) -> _Prepared:
    key = (table.name, conn.dialect.name)
    found = _PREPARED.get(key)
    if found is None:
        found = _PREPARED[key] = _Prepared(table, conn.dialect)
    return found


def _stored_pairs(conn: Connection, pm_id: int, pm: Postmortem) -> list[tuple[str, ActionItem]]:
    """The uids of an unchanged document's items: its active rows, in document order."""
    query = (
        select(_ITEM.c.uid)
        .where(_ITEM.c.postmortem_id == pm_id, _ITEM.c.status != "removed")
        .order_by(_ITEM.c.position)
    )
    uids = conn.execute(query).scalars()
    return list(zip(uids, pm.action_items, strict=False))


def _known_hashes(store: Store) -> dict[str, tuple[str, str | None]]:
    """key -> (path, content hash) of every stored postmortem, read once per run."""
    with store.session(write=False) as session:
        rows = session.execute(select(_PM.c.key, _PM.c.path, _PM.c.content_hash))
        return {key: (path, digest) for key, path, digest in rows}


_FRONT_MATTER_ID = re.compile(
    r"^id:[ \t]*['\"]?(?P<id>[^'\"\r\n#]+?)['\"]?[ \t]*(?:#.*)?$", re.MULTILINE
)


def _unchanged_key(
    data: bytes, digest: str, by_path: str, path: str, known: dict[str, tuple[str, str | None]]
) -> str | None:
    """The key of the stored postmortem this file is byte-for-byte, at the same stored
    ``path``, or None (parse it: a moved file's new path is then stored).

    The key needs the front matter's id, so look for it without parsing; a miss only costs a
    parse (the hash is checked again under the lock).
    """
    candidates = [by_path]
    if data.startswith(b"---"):
        end = data.find(b"\n---", 3)
        if end > 0:
            head = data[3:end].decode("utf-8", "replace")
            if m := _FRONT_MATTER_ID.search(head):
                candidates.insert(0, m.group("id").strip())
    for key in candidates:
        stored = known.get(key)
        if stored is not None and stored[1] == digest and stored[0] == path:
            return key
    return None


def _path_key(file: Path, root: str | os.PathLike[str]) -> str:
    """``identity.path_key``, with the root made absolute once per run rather than per file."""
    if os.sep == "/" and not os.path.altsep:
        base = _absolute_root(os.fspath(root), os.getcwd())
        absolute = os.path.abspath(file)
        if absolute.startswith(base):
            # Both normalised by abspath: the path below the root is the rest of the string.
            return absolute[len(base) :]
        if absolute != base[:-1]:
            # Outside the root: the absolute path, which abspath has already put in the form
            # that Path(...).as_posix() would give it (the common case of a folder ingested
            # from elsewhere, e.g. with the default root ".").
            return absolute
    return path_key(file, root)


@lru_cache(maxsize=8)
def _absolute_root(root: str, cwd: str) -> str:
    """The root as an absolute prefix ending in "/"."""
    return os.path.abspath(root).rstrip("/") + "/"


def _claim(seen: dict[str, str], key: str, path: str) -> str | None:
    """Record that ``path`` is ``key``; the other path when another file of this run was."""
    other = seen.setdefault(key, path)
    return other if other != path else None
