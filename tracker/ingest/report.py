"""What an ingest reports: per file, per postmortem written, and for the whole run."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tracker.models import ActionItem

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
