"""What applying a plan reports: one ``ActionResult`` per action, one ``SyncResult`` per
postmortem (the rows ``pmt sync`` prints, why a run stopped, the document's new bytes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sync.base import RateLimitedError
from sync.plan import Action

Status = Literal["done", "unchanged", "reported", "skipped", "failed", "not_run"]
ProgressFn = Callable[[Action, "ActionResult"], None]


@dataclass
class ActionResult:
    action: Action
    status: Status
    key: str | None = None
    url: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        a = self.action
        return {
            "item": a.uid,
            "line": a.line,
            "text": a.text,
            "action": a.kind,
            "resolution": a.resolution,
            "status": self.status,
            "ticket": self.key,
            "url": self.url,
            "error": self.error,
        }


@dataclass
class SyncResult:
    postmortem_key: str
    path: str
    tracker: str
    results: list[ActionResult] = field(default_factory=list)
    # Why the run stopped early (rate limit, credentials, tracker unreachable), or None.
    stopped: str | None = None
    # The run stopped because the tracker could not be reached (nothing was sent): exit 4.
    unreachable: bool = False
    reset_at: datetime | None = None
    # Calls that changed something on the tracker.
    remote_writes: int = 0
    # The document's bytes as write-back left them; None when it wrote nothing.
    written: bytes | None = None

    @property
    def document_written(self) -> bool:
        return self.written is not None

    @property
    def failed(self) -> bool:
        return self.stopped is not None or any(r.status == "failed" for r in self.results)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "postmortem": self.postmortem_key,
                "path": self.path,
                "tracker": self.tracker,
                **r.to_dict(),
            }
            for r in self.results
        ]


def stopped_message(exc: RateLimitedError) -> str:
    if exc.reset_at is not None:
        local = exc.reset_at.astimezone()
        return f"stopped on rate limit until {local:%H:%M}; run again to carry on"
    return "stopped on rate limit; run again to carry on"
