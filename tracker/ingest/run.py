"""``pmt ingest``: find postmortem files, read, hash and parse each, and store what changed.

Each file is its own transaction: a file that cannot be read or parsed is reported (path and
reason) and skipped, and the others still ingest. A file whose bytes (and the settings that
shape its rows) are unchanged since last time is skipped before it is parsed.

Paths: a postmortem's stored ``path`` is relative to the project root and its key (without a
front-matter id) to ``[ingest] root`` under it (``tracker.paths``), whatever folder pmt runs
in; the results name files as they were given. Temporary files a killed write-back left in the
folders of the files ingested are removed (``tracker.files.remove_stale_temps``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from tracker.bulk import bulk_work
from tracker.errors import InputError, PmtError
from tracker.files import remove_stale_temps_beside
from tracker.identity import path_key
from tracker.ingest.document import ingest_document
from tracker.ingest.hashing import content_hash, settings_fingerprint, unchanged_key
from tracker.ingest.report import FileResult, IngestReport
from tracker.store import Store
from tracker.store.documents import known_hashes
from tracker.store.tables import utcnow
from tracker.vanished import mark_vanished

if TYPE_CHECKING:
    from tracker.config import Settings


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
    run = _Run(store, settings, known_hashes(store))
    # One connection, a transaction per file.
    with store.engine.connect() as conn, bulk_work():
        for file in files.values():
            done(run.file(file, conn))
        for key, path in mark_vanished(conn, folders, run.seen, utcnow(), root=run.project):
            done(FileResult(path=path, status="removed", key=key))
    return report


def record_document(
    store: Store, path: str | Path, settings: Settings, *, data: bytes | None = None
) -> FileResult:
    """Store one postmortem file's new bytes (``data``, else read from ``path``): what a
    write-back just wrote, so that the next ingest sees the file unchanged."""
    with store.engine.connect() as conn:
        return _Run(store, settings, {}).file(Path(path), conn, data)


@dataclass
class _Run:
    """What the files of one run share: settings, roots, stored hashes, the keys seen."""

    store: Store
    settings: Settings
    # key -> (stored path, content hash) of every postmortem stored before the run.
    known: dict[str, tuple[str, str | None]]
    seen: dict[str, str] = field(default_factory=dict)  # key -> path: two files, one id?

    def __post_init__(self) -> None:
        self.fingerprint = settings_fingerprint(self.settings)
        # Absolute folders: the project root (stored paths) and [ingest] root (path keys).
        self.project = self.settings.project_root
        self.ingest_root = self.settings.ingest_root(self.project)

    def file(self, file: Path, conn: Connection, data: bytes | None = None) -> FileResult:
        """Read, hash, parse and store one file."""
        from tracker.parsing import parse_file

        shown = file.as_posix()
        if data is None:
            try:
                data = file.read_bytes()
            except OSError as exc:
                return FileResult(path=shown, status="failed", error=exc.strerror or str(exc))
        digest = content_hash(data, self.fingerprint)
        by_path = _path_key(file, self.ingest_root)
        stored = _path_key(file, self.project)
        quick = unchanged_key(data, digest, by_path, stored, self.known)
        if quick is not None and self.claim(quick, shown) is None:
            return FileResult(path=shown, status="unchanged", key=quick)
        try:
            # The bytes just hashed: the file is read once (and the rows match the hash).
            pm = parse_file(file, self.settings.parsing, data=data)
        except PmtError as exc:
            reason = getattr(exc, "reason", None) or str(exc)
            return FileResult(path=shown, status="failed", error=reason)
        if pm.errors:
            # Bad front matter or a due date that does not exist: the stored state stays as it
            # was (the id a typo would lose never changes the postmortem's identity).
            first = pm.errors[0]
            more = f" (and {len(pm.errors) - 1} more)" if len(pm.errors) > 1 else ""
            error = f"line {first.line}: {first.message}{more}"
            return FileResult(path=shown, status="failed", error=error)
        pm.path = stored
        key = str(pm.id).strip() if pm.id is not None and str(pm.id).strip() else by_path
        clash = self.claim(key, shown)
        if clash is not None:
            error = f"postmortem id {key!r} is also used by {clash}; ids must be unique"
            return FileResult(path=shown, status="failed", key=key, error=error)
        result = ingest_document(
            self.store,
            pm,
            digest,
            self.settings,
            key=key,
            probably_new=key not in self.known,
            connection=conn,
        )
        return FileResult(
            path=shown,
            status=result.status,
            key=result.key,
            items=len(result.items),
            events=dict(result.events),
            notes=[*(f"line {p.line}: {p.message}" for p in pm.problems), *result.notes],
        )

    def claim(self, key: str, path: str) -> str | None:
        """Record that ``path`` is ``key``; the other path when another file of this run was."""
        other = self.seen.setdefault(key, path)
        return other if other != path else None


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
