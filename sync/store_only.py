"""Planning without the tracker: what ``pmt sync --dry-run`` uses when the credentials are missing.

A registration (``sync/backends/*/registration.py``) raises ``MissingCredentials`` when nothing
but the credentials stops it from making its backend; any other configuration error stays a
plain ``ConfigError``. The registry (``sync.registry.get_backend``) then hands a dry run a
``StoreOnlyBackend``: the tracker's backend made without credentials (so its settings are still
checked), of which only the parts that need no request are reachable: its name, reading a
reference, making a URL. The planner is fed "no remote state known" (``PlanInput.checked``) and
the tracker is never asked; anything that would ask it raises.
"""

from __future__ import annotations

from collections.abc import Sequence

from sync.base import CreateIntent, RemoteTicket, TicketBackend, TicketDraft
from tracker.errors import ConfigError


class MissingCredentials(ConfigError):
    """Only the credentials are missing (the message says what to set, as any ConfigError)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        # Short, for "pmt sync: <reason>: this plan is from the store only; ...".
        self.reason = reason


class StoreOnlyBackend:
    """A backend that is never asked anything: references and URLs only."""

    def __init__(self, backend: TicketBackend, reason: str) -> None:
        self.name = backend.name
        self.warnings: list[str] = []
        # Why the tracker is not asked ("no GitHub token").
        self.reason = reason
        self._backend = backend

    def parse_ref(self, ref: str) -> str | None:
        return self._backend.parse_ref(ref)

    def url_for(self, key: str) -> str:
        return self._backend.url_for(key)

    def _not_asked(self, what: str) -> RuntimeError:
        return RuntimeError(f"{what}: the tracker is not asked ({self.reason})")

    def list_postmortem(self, postmortem_key: str) -> dict[str, RemoteTicket]:
        raise self._not_asked("list_postmortem")

    def fetch(self, keys: Sequence[str]) -> dict[str, RemoteTicket]:
        raise self._not_asked("fetch")

    def create(self, draft: TicketDraft, intent: CreateIntent | None = None) -> RemoteTicket:
        raise self._not_asked("create")

    def update(self, key: str, draft: TicketDraft) -> RemoteTicket:
        raise self._not_asked("update")

    def mark_removed(self, key: str, note: str) -> None:
        raise self._not_asked("mark_removed")

    def close(self, key: str) -> RemoteTicket:
        raise self._not_asked("close")

    def comment(self, key: str, body: str) -> None:
        raise self._not_asked("comment")

    def link_children(self, parent_key: str, child_keys: Sequence[str]) -> None:
        raise self._not_asked("link_children")
