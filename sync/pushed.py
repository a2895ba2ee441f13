"""A push to the postmortems' repository, synced by ``pmt serve`` (``[serve] auto_sync``).

The service runs in a checkout of the project (the folder of ``pmt.toml``). On a push to the
default branch it brings that checkout up to the pushed commit (``git pull --ff-only``: a
checkout with local commits is an error, never a merge), keeps the files the push added or
changed that are postmortems (under ``[ingest] root``, through its include and exclude globs),
and syncs them as ``pmt sync --no-writeback --yes`` would: plan, then apply under each
postmortem's lock, so that two replicas or a concurrent ``pmt sync`` make each ticket once.
Nothing is written back into the Markdown: the service never commits.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sync.base import SyncError
from sync.branch import git
from sync.registry import get_backend
from sync.service import apply_sync, plan_sync
from sync.webhooks import Pushed
from tracker.discovery import matches

if TYPE_CHECKING:
    from tracker.config import Settings
    from tracker.store import Store


def sync_push(store: Store, settings: Settings, pushed: Pushed) -> str:
    """Pull the checkout and sync the postmortems the push touched; says what it did."""
    root = Path(settings.project_root)
    git(root, "pull", "--ff-only", "--quiet")
    top = Path(git(root, "rev-parse", "--show-toplevel"))
    paths = postmortem_paths(pushed, settings, top)
    if not paths:
        return f"push {pushed.after[:12]}: no postmortem added or changed"
    backend = get_backend(settings.sync.tracker, settings)
    planned = plan_sync(store, backend, settings, paths, writeback=False)
    applied = apply_sync(store, backend, settings, planned, writeback=False)
    made = sum(
        1
        for result in applied.results
        for done in result.results
        if done.action.kind == "create" and done.status == "done"
    )
    said = f"push {pushed.after[:12]}: synced {len(planned.plans)} postmortem(s), {made} ticket(s) made"
    if not planned.ingest.ok:
        said += f"; {len(planned.ingest.failed)} file(s) not read"
    if applied.stopped or applied.failed:
        raise SyncError(f"{said}; {applied.stopped or 'an action failed'}")
    return said


def postmortem_paths(pushed: Pushed, settings: Settings, top: Path) -> list[Path]:
    """The pushed files that are postmortems: under the ingest root, through its globs."""
    ingest_root = Path(settings.ingest_root())
    include, exclude = settings.ingest.include, settings.ingest.exclude
    found: list[Path] = []
    for name in pushed.paths:
        path = top / name
        try:
            under = path.relative_to(ingest_root).as_posix()
        except ValueError:
            continue
        if matches(under, include) and not matches(under, exclude) and path.is_file():
            found.append(path)
    return found
