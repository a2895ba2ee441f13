"""Performing a plan: exactly its actions, in its order, recording each link as soon as it exists.

Guarantees (the engine tests check each one):

- **A create is recorded at once.** Each remote create is followed immediately by committing
  its link (``LinkRecorder.record``). A crash in between leaves only the ticket's marker, which
  the next run's plan finds and adopts.
- **An unknown outcome records no link.** A create that fails with ``TransientError`` (the
  request may or may not have made the ticket) is reported and never retried in this run.
  The backend commits a ``create_sent`` record right before the create request leaves (after
  pacing, label and account look-ups, rate-limit waits: ``sync.base.CreateIntent``), so the
  next run knows it was sent: it adopts the ticket if the marker listing shows it, and
  otherwise waits ``sync.search_lag_minutes`` (search indexes lag) before creating it again. A
  create that never left, or that the tracker refused (``create_refused``), may be sent again
  at once: a run killed while waiting to send holds nothing back.
- **A rate limit stops the run cleanly.** What was done is kept (links recorded, links written
  back); the rest is reported as not run, with the time the tracker allows more.
- **An unreachable tracker stops the run at once** (connection refused, DNS failure:
  ``UnreachableError``). Nothing was sent, so nothing is held back: the next run does it all.
- **Write-back is one atomic edit of the document** (``sync.apply_document``), after the
  tracker work, from the links known by then, refused if the document changed since the plan
  was made. Its new bytes come back on the result (``SyncResult.written``) to be recorded.
"""

from __future__ import annotations

from typing import Protocol

from sync.apply_document import write_document
from sync.apply_results import ActionResult, ProgressFn, Status, SyncResult, stopped_message
from sync.base import (
    AuthError,
    RateLimitedError,
    RemoteTicket,
    SyncError,
    TicketBackend,
    TransientError,
    UnreachableError,
)
from sync.plan import ADOPTED, REMOVED_PREFIX, Action, Plan, split_tracking_hash, tracking_hash
from sync.writeback import Digest, content_hash

REMOVED_NOTE = (
    "This action item was removed from its postmortem ({path}). The ticket is kept; close it if "
    "the work is no longer planned."
)


class LinkRecorder(Protocol):
    """Where apply records links (``sync.records.StoreRecorder`` writes them to the store).

    Every call commits before it returns: a link must survive a crash one line later.
    """

    # Record the link of an item (``uid``) or of the tracking ticket (``uid`` None).
    def record(self, uid: str | None, ticket: RemoteTicket, synced_hash: str | None) -> None: ...

    # Remember what was last pushed to the ticket ``key``.
    def set_synced_hash(self, key: str, synced_hash: str | None) -> None: ...

    # The ticket's state as the tracker just reported it (after an update or a close).
    def observe(self, ticket: RemoteTicket) -> None: ...

    # A create is about to be sent for the item ``uid``: until its link is recorded, the next
    # run knows the ticket may exist even if the tracker's search does not show it yet.
    def create_sent(self, uid: str | None) -> None: ...

    # The tracker refused that create (nothing was made): the item may be created again.
    def create_refused(self, uid: str | None) -> None: ...


class _Intent:
    """``sync.base.CreateIntent`` for one item's create: each call commits its record."""

    def __init__(self, recorder: LinkRecorder, uid: str | None) -> None:
        self.recorder = recorder
        self.uid = uid
        self.sent_once = False
        self.on_the_way = False

    def sent(self) -> None:
        self.sent_once = self.on_the_way = True
        self.recorder.create_sent(self.uid)

    def not_sent(self) -> None:
        if self.on_the_way:
            self.on_the_way = False
            self.recorder.create_refused(self.uid)


def apply_plan(
    plan: Plan,
    backend: TicketBackend,
    recorder: LinkRecorder,
    *,
    on_progress: ProgressFn | None = None,
    digest: Digest = content_hash,
    document: str | None = None,
) -> SyncResult:
    """Perform ``plan``. ``digest`` hashes the document the way ``plan.content_hash`` was made;
    ``document`` is where its file opens from here (default ``plan.path``, the stored path)."""
    return _Applier(plan, backend, recorder, on_progress, digest, document).run()


class _Applier:
    def __init__(
        self,
        plan: Plan,
        backend: TicketBackend,
        recorder: LinkRecorder,
        on_progress: ProgressFn | None,
        digest: Digest,
        document: str | None = None,
    ) -> None:
        self.digest = digest
        self.plan = plan
        self.document = document if document is not None else plan.path
        self.backend = backend
        self.recorder = recorder
        self.on_progress = on_progress
        self.result = SyncResult(plan.postmortem_key, plan.path, plan.tracker)
        # Ticket (key, url) per item uid (None: the tracking ticket), filled as tickets appear.
        self.tickets: dict[str | None, tuple[str, str | None]] = {}
        for action in plan.actions:
            if action.key and action.kind != "skip":
                self.tickets.setdefault(action.uid, (action.key, action.url))

    def run(self) -> SyncResult:
        document: list[tuple[Action, ActionResult]] = []
        for action in self.plan.actions:
            if action.kind == "writeback" or action.resolution == "check_box":
                result = ActionResult(action, "not_run", action.key, action.url)
                document.append((action, result))
            elif self.result.stopped is not None:
                result = ActionResult(
                    action, "not_run", action.key, action.url, self.result.stopped
                )
            else:
                result = self._perform(action)
            self.result.results.append(result)
            if action.kind != "writeback" and action.resolution != "check_box":
                self._progress(action, result)
        # The write-backs last, in one edit, from the tickets known by now.
        self.result.written = write_document(
            self.plan, self.document, document, self.tickets, self.backend.url_for, self.digest
        )
        for action, result in document:
            self._progress(action, result)
        return self.result

    def _progress(self, action: Action, result: ActionResult) -> None:
        if self.on_progress is not None:
            self.on_progress(action, result)

    # -- tracker actions -----------------------------------------------------------------------

    def _perform(self, action: Action) -> ActionResult:
        intent = _Intent(self.recorder, action.uid) if action.kind == "create" else None
        try:
            return self._dispatch(action, intent)
        except SyncError as exc:
            if intent is not None:
                if not isinstance(exc, TransientError):
                    # Refused (4xx, rate limit, credentials) or never sent (unreachable): no
                    # ticket was made.
                    intent.not_sent()
                elif not intent.sent_once:
                    # A backend that did not say when its request left: the outcome is unknown
                    # all the same, so the next run must know the create may have happened.
                    intent.sent()
            return self._failed(action, exc)

    def _failed(self, action: Action, exc: SyncError) -> ActionResult:
        if isinstance(exc, RateLimitedError):
            self.result.stopped = stopped_message(exc)
            self.result.reset_at = exc.reset_at
            return ActionResult(action, "not_run", action.key, action.url, self.result.stopped)
        if isinstance(exc, (AuthError, UnreachableError)):
            self.result.stopped = f"stopped: {exc}"
            self.result.unreachable = isinstance(exc, UnreachableError)
            return ActionResult(action, "failed", action.key, action.url, str(exc))
        error = str(exc)
        if isinstance(exc, TransientError) and action.kind == "create" and not exc.outcome_unknown:
            # Said once: a backend that knows the outcome is unknown says so itself.
            error += (
                "; it may or may not have been created: nothing was recorded, and the next "
                "run finds it by its marker if it was"
            )
        return ActionResult(action, "failed", action.key, action.url, error)

    def _dispatch(self, action: Action, intent: _Intent | None = None) -> ActionResult:
        kind = action.kind
        if kind == "create":
            assert action.draft is not None and intent is not None
            self.result.remote_writes += 1
            # The backend records the intent right before the request leaves.
            ticket = self.backend.create(action.draft, intent)
            fingerprint = action.draft.fingerprint()
            synced = tracking_hash(fingerprint, []) if action.uid is None else fingerprint
            # The one line that must follow a create: record it before anything else can fail.
            self.recorder.record(action.uid, ticket, synced)
            self.tickets[action.uid] = (ticket.key, ticket.url)
            return ActionResult(action, "done", ticket.key, ticket.url)
        if kind == "adopt":
            assert action.draft is not None and action.key is not None
            found = action.remote or RemoteTicket(
                key=action.key, url=action.url or "", title="", state="open"
            )
            # Recorded first (as "adopted": its content is unknown), so that a failure of the
            # update below still leaves the link, and the next run retries the update.
            placeholder = tracking_hash(ADOPTED, []) if action.uid is None else ADOPTED
            self.recorder.record(action.uid, found, placeholder)
            self.tickets[action.uid] = (found.key, found.url)
            self.result.remote_writes += 1
            ticket = self.backend.update(action.key, action.draft)
            fingerprint = action.draft.fingerprint()
            self.recorder.set_synced_hash(
                ticket.key, tracking_hash(fingerprint, []) if action.uid is None else fingerprint
            )
            self.recorder.observe(ticket)
            return ActionResult(action, "done", ticket.key, ticket.url)
        if kind == "update":
            assert action.draft is not None and action.key is not None
            self.result.remote_writes += 1
            ticket = self.backend.update(action.key, action.draft)
            fingerprint = action.draft.fingerprint()
            if action.uid is None:
                _, children = split_tracking_hash(action.synced_hash)
                synced = f"{fingerprint}:{children}" if children else tracking_hash(fingerprint, [])
            else:
                synced = fingerprint
            self.recorder.set_synced_hash(ticket.key, synced)
            self.recorder.observe(ticket)
            return ActionResult(action, "done", ticket.key, ticket.url)
        if kind == "link_existing":
            assert action.key is not None
            found = action.remote or RemoteTicket(
                key=action.key, url=action.url or "", title="", state="open"
            )
            # None: a ticket pmt did not write is followed, never rewritten.
            self.recorder.record(action.uid, found, None)
            return ActionResult(action, "done", found.key, found.url)
        if kind == "removed":
            assert action.key is not None
            self.result.remote_writes += 1
            self.backend.mark_removed(action.key, REMOVED_NOTE.format(path=self.plan.path))
            self.recorder.set_synced_hash(action.key, REMOVED_PREFIX + (action.synced_hash or ""))
            return ActionResult(action, "done", action.key, action.url)
        if kind == "done_mismatch":
            if action.resolution == "close":
                assert action.key is not None
                self.result.remote_writes += 1
                ticket = self.backend.close(action.key)
                self.recorder.observe(ticket)
                return ActionResult(action, "done", ticket.key, ticket.url)
            return ActionResult(action, "reported", action.key, action.url, None)
        if kind == "attach":
            return self._attach(action)
        if kind == "unchanged":
            if action.restore and action.key is not None:
                self.recorder.set_synced_hash(action.key, None)
            return ActionResult(action, "unchanged", action.key, action.url)
        return ActionResult(action, "skipped", action.key, action.url, action.detail or None)

    def _attach(self, action: Action) -> ActionResult:
        parent = self.tickets.get(None)
        if parent is None:
            return ActionResult(action, "skipped", None, None, "no tracking ticket")
        children = [self.tickets[uid][0] for uid in action.children if uid in self.tickets]
        if not children:
            return ActionResult(action, "skipped", parent[0], parent[1], "no item ticket to attach")
        assert action.draft is not None
        self.result.remote_writes += 1
        self.backend.link_children(parent[0], children)
        missing = len(action.children) - len(children)
        # Only a complete set is remembered: a child missing now is attached by the next run.
        if not missing:
            self.recorder.set_synced_hash(
                parent[0], tracking_hash(action.draft.fingerprint(), children)
            )
        error = f"{missing} item(s) had no ticket yet" if missing else None
        return ActionResult(action, "done", parent[0], parent[1], error)


__all__ = [
    "ActionResult",
    "LinkRecorder",
    "ProgressFn",
    "Status",
    "SyncResult",
    "apply_plan",
    "stopped_message",
]
