"""A postmortem on disk, a store, a fake tracker and the two sync phases, for engine tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sync.service import Applied, Planned, apply_sync, plan_sync
from tests.fakes import FakeBackend
from tracker.config import Settings
from tracker.store import Store

ITEMS = [
    "Add a timeout to the failover script's lock wait (@lena, due 2026-03-20, P1)",
    "Move the nightly backup off the primary database (@arjun, due 2026-04-01, P2)",
    "Alert when a failover takes longer than two minutes (@lena, due 2026-03-27, P1)",
]


def document(items: list[str] = ITEMS, *, boxes: bool = True, newline: str = "\n") -> str:
    lines = [
        "---",
        "id: 2026-03-02-db-failover",
        'title: "Checkout down: primary database failover stalled"',
        "date: 2026-03-02",
        "---",
        "",
        "# Checkout down: primary database failover stalled",
        "",
        "## Summary",
        "",
        "- **Duration:** 10:00 to 10:45 UTC on 2026-03-02 (45 minutes)",
        "- **Impact:** 30% of checkouts failed.",
        "- **Root cause:** The failover script waited on a lock held by the nightly backup job.",
        "",
        "## Timeline",
        "",
        "- 10:00 UTC Alerts fire for checkout errors.",
        "- 10:45 UTC Checkout recovered.",
        "",
        "## Root cause",
        "",
        "The failover script waited on a lock held by the nightly backup job.",
        "",
        "## Action items",
        "",
        *[f"- [ ] {text}" if boxes else f"- {text}" for text in items],
        "",
    ]
    return newline.join(lines)


PM_KEY = "2026-03-02-db-failover"


@dataclass
class Scene:
    store: Store
    backend: FakeBackend
    settings: Settings
    path: Path

    def plan(self, **kw: Any) -> Planned:
        return plan_sync(self.store, self.backend, self.settings, [self.path], **kw)

    def sync(self, **kw: Any) -> tuple[Planned, Applied]:
        writeback = kw.pop("writeback", None)
        planned = plan_sync(
            self.store, self.backend, self.settings, [self.path], writeback=writeback
        )
        applied = apply_sync(
            self.store, self.backend, self.settings, planned, writeback=writeback, **kw
        )
        return planned, applied

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def edit(self, old: str, new: str) -> None:
        data = self.path.read_bytes()
        assert old.encode() in data, old
        self.path.write_bytes(data.replace(old.encode(), new.encode()))


def make_scene(
    store: Store, tmp_path: Path, backend: FakeBackend | None = None, **settings: Any
) -> Scene:
    path = tmp_path / "postmortems" / "2026-03-02-db-failover.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(settings.pop("text", document()), encoding="utf-8")
    backend = backend or FakeBackend()
    config: dict[str, Any] = {
        "github": {"repo": "acme/ops", **settings.pop("github", {})},
        "ingest": {"root": str(tmp_path)},
        **settings,
    }
    if backend.name == "jira":
        config.setdefault("sync", {})["tracker"] = "jira"
    return Scene(store=store, backend=backend, settings=Settings(**config), path=path)


def kinds(planned: Planned) -> list[str]:
    return [a.kind for plan in planned.plans for a in plan.actions]
