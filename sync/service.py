"""``pmt sync`` as a use case: ingest, plan every postmortem, then apply under a lock.

Two phases, so that the plan can be shown (and confirmed) before anything is written:

1. ``plan_sync``: ingest the paths, then per postmortem read its items and links, read the
   tracker in bulk (one marker listing, plus one ``fetch`` for linked tickets it did not
   return) and build the plan. A dry run stops here. Without credentials a dry run plans from
   the store only (``sync.store_only``): the tracker is not read, and the planner is told that
   no remote state is known.
2. ``apply_sync``: per postmortem, take its lock, **re-read the links** (another run may have
   made tickets meanwhile), re-plan against the remote state read in phase 1, apply that plan,
   write the links back, and record the document's new bytes as write-back hands them back
   (``tracker.ingest.record_document``: no discovery, no other file, no read of the file) so
   that the next ingest sees it unchanged.
   The ticket states read in phase 1 are recorded too, as ``pmt refresh`` would.
   The lock is held from the re-read until the last link is recorded, so two runs at once
   create each ticket once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sync.apply import ActionResult, ProgressFn, SyncResult, apply_plan
from sync.base import RemoteTicket, TicketBackend
from sync.drafts import item_draft, tracking_draft
from sync.plan import Action, Plan, PlanInput, build_plan
from sync.records import PostmortemState, StoreRecorder, link_state, load_state, observe_all
from sync.store_only import StoreOnlyBackend
from tracker.config import Settings
from tracker.ingest import IngestReport, document_digest, ingest_paths, record_document
from tracker.locks import postmortem_lock
from tracker.paths import shown as shown_path
from tracker.store import Store

# The tracker reads at most this many keys per fetch call (GitHub and Jira page at 100).
FETCH_BATCH = 100


@dataclass
class Planned:
    """Phase 1's answer: what was ingested and the plan of each postmortem."""

    ingest: IngestReport
    plans: list[Plan] = field(default_factory=list)
    # The remote state read for each postmortem (reused by phase 2, under the lock).
    remote: dict[str, dict[str, RemoteTicket]] = field(default_factory=dict)
    # The backend's warnings while planning (see ``TicketBackend.warnings``).
    warnings: list[str] = field(default_factory=list)
    # How many warnings the backend had before this run (a backend object may serve many).
    warnings_before: int = 0
    # Why the tracker was not asked ("no GitHub token"): a plan from the store only.
    unchecked: str | None = None

    @property
    def checked(self) -> bool:
        """Whether the tracker was read for this plan (ticket states, markers)."""
        return self.unchecked is None

    @property
    def writes(self) -> bool:
        return any(p.writes for p in self.plans)

    def plan_rows(self) -> list[dict[str, Any]]:
        return [row for plan in self.plans for row in plan.rows()]


@dataclass
class Applied:
    results: list[SyncResult] = field(default_factory=list)
    # Postmortems whose write-back changed the file (their new bytes recorded).
    reingested: list[str] = field(default_factory=list)
    # The backend's warnings over the whole run, planning included, each once.
    warnings: list[str] = field(default_factory=list)

    @property
    def stopped(self) -> str | None:
        return next((r.stopped for r in self.results if r.stopped), None)

    @property
    def failed(self) -> bool:
        return any(r.failed for r in self.results)

    @property
    def unreachable(self) -> bool:
        """The run stopped because the tracker could not be reached (nothing was sent)."""
        return any(r.unreachable for r in self.results)

    def result_rows(self) -> list[dict[str, Any]]:
        return [row for result in self.results for row in result.rows()]


def plan_sync(
    store: Store,
    backend: TicketBackend,
    settings: Settings,
    paths: Sequence[str | Path],
    *,
    writeback: bool | None = None,
) -> Planned:
    """Ingest ``paths`` and plan each postmortem they hold (reads the tracker, writes nothing;
    a ``StoreOnlyBackend`` is not read: the plan is from the store only)."""
    before = len(backend.warnings)
    report = ingest_paths(store, paths, settings)
    unchecked = backend.reason if isinstance(backend, StoreOnlyBackend) else None
    planned = Planned(ingest=report, warnings_before=before, unchecked=unchecked)
    # The postmortems whose files were read (not those that failed, nor those whose file is gone).
    read = ("new", "updated", "unchanged")
    keys = list(dict.fromkeys(r.key for r in report.results if r.status in read and r.key))
    for key in keys:
        state = load_state(store, key, backend.name)
        if state is None:
            continue
        remote = read_remote(backend, state) if planned.checked else {}
        planned.remote[key] = remote
        plan = plan_postmortem(
            state, remote, backend, settings, writeback=writeback, checked=planned.checked
        )
        planned.plans.append(plan)
    planned.warnings = _warnings(backend, before)
    return planned


def apply_sync(
    store: Store,
    backend: TicketBackend,
    settings: Settings,
    planned: Planned,
    *,
    writeback: bool | None = None,
    on_progress: ProgressFn | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Applied:
    """Apply each postmortem's plan under its lock; stops everything on a rate limit."""
    if not planned.checked:
        raise ValueError(f"a plan from the store only is never applied ({planned.unchecked})")
    applied = Applied()
    stopped: str | None = None
    root = settings.project_root
    for shown in planned.plans:
        key = shown.postmortem_key
        if stopped is not None:
            result = SyncResult(key, shown.path, shown.tracker, stopped=stopped)
            result.results = [
                ActionResult(a, "not_run", a.key, a.url, stopped) for a in shown.actions
            ]
            applied.results.append(result)
            continue
        wait = (lambda k=key: on_wait(k)) if on_wait is not None else None
        with postmortem_lock(store, key, on_wait=wait):
            # Re-read under the lock: the links another run recorded meanwhile are now ours to see.
            state = load_state(store, key, backend.name)
            if state is None:  # pragma: no cover - postmortems are never deleted
                continue
            remote = planned.remote.get(key, {})
            plan = plan_postmortem(state, remote, backend, settings, writeback=writeback)
            assert state.postmortem.id is not None
            # The states read in bulk for the plan are news too (what `pmt refresh` records);
            # recorded before apply, whose own observations (after a close) are newer.
            observe_all(store, state.postmortem.id, backend.name, remote)
            recorder = StoreRecorder(store, state.postmortem.id, backend.name, state.item_ids())
            digest = document_digest(settings)
            # The stored path is relative to the project root; pmt may run in a subfolder.
            document = shown_path(plan.path, root)
            result = apply_plan(
                plan, backend, recorder, on_progress=on_progress, digest=digest, document=document
            )
            applied.results.append(result)
            if result.written is not None:
                # The store must know the new bytes (and the references now in the lines), or
                # the next run would see a changed file and plan the write-back again. They are
                # the bytes write-back wrote: the file is not read back.
                record_document(store, document, settings, data=result.written)
                applied.reingested.append(key)
        stopped = result.stopped
    applied.warnings = _warnings(backend, planned.warnings_before)
    return applied


def _warnings(backend: TicketBackend, since: int) -> list[str]:
    return list(dict.fromkeys(backend.warnings[since:]))


def read_remote(backend: TicketBackend, state: PostmortemState) -> dict[str, RemoteTicket]:
    """The tracker's side of one postmortem in bulk: one listing, plus one fetch if needed."""
    remote = dict(backend.list_postmortem(state.postmortem.key))
    wanted: list[str] = []
    for link in [*state.links.values(), *([state.tracking] if state.tracking else [])]:
        if link.key not in remote:
            wanted.append(link.key)
    linked_ids = set(state.links)
    for item in state.items:
        if item.id in linked_ids or not item.ticket or item.status == "removed":
            continue
        key = backend.parse_ref(item.ticket)
        if key is not None and key not in remote:
            wanted.append(key)
    wanted = list(dict.fromkeys(wanted))
    for start in range(0, len(wanted), FETCH_BATCH):
        remote.update(backend.fetch(wanted[start : start + FETCH_BATCH]))
    return remote


def plan_postmortem(
    state: PostmortemState,
    remote: dict[str, RemoteTicket],
    backend: TicketBackend,
    settings: Settings,
    *,
    writeback: bool | None = None,
    now: datetime | None = None,
    checked: bool = True,
) -> Plan:
    pm = state.postmortem
    lag = timedelta(minutes=settings.sync.search_lag_minutes)
    moment = now or datetime.now(UTC)
    unconfirmed = {
        uid: (sent, sent + lag)
        for uid, sent in state.unconfirmed_creates().items()
        if sent + lag > moment
    }
    drafts = {
        row.uid: item_draft(row, pm, settings, backend.name)
        for row in state.items
        if row.status != "removed"
    }
    data = PlanInput(
        postmortem_key=pm.key,
        path=pm.path,
        tracker=backend.name,
        items=state.plan_items(),
        drafts=drafts,
        links=state.link_states(),
        remote=remote,
        tracking_draft=tracking_draft(pm, settings, backend.name),
        tracking_link=link_state(state.tracking) if state.tracking else None,
        on_done_mismatch=settings.sync.on_done_mismatch,
        writeback=settings.sync.writeback if writeback is None else writeback,
        content_hash=pm.content_hash,
        unconfirmed=unconfirmed,
        checked=checked,
    )
    return build_plan(data, backend.parse_ref, backend.url_for)


def total_actions(planned: Planned) -> int:
    return sum(len(p.actions) for p in planned.plans)


__all__ = [
    "Action",
    "Applied",
    "Planned",
    "apply_sync",
    "plan_postmortem",
    "plan_sync",
    "read_remote",
]
