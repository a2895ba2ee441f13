"""Ticket drafts from stored rows and settings."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import pytest

from sync.drafts import TRACKING_UID, item_draft, labels_for, postmortem_url, tracking_draft
from tracker.config import Settings


@dataclass
class Item:
    uid: str = "u1"
    text: str = "Add alerting on queue depth"
    owner: str | None = "lena"
    owner_handle: bool = False
    due: date | None = date(2026, 3, 20)
    priority: str | None = "P1"
    kind: str | None = "detect"
    status: str = "open"


@dataclass
class Pm:
    key: str = "2026-03-02-db"
    path: str = "postmortems/2026/db.md"
    title: str | None = "Checkout down"
    incident_date: date | None = date(2026, 3, 2)
    incident_ticket: str | None = "OPS-9"
    root_cause: str | None = "A lock held by the backup job."


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.chdir(tmp_path)
    return Settings(github={"repo": "acme/ops"}, ingest={"root": "postmortems"})


def test_item_draft_carries_the_item_and_its_postmortem(settings: Settings) -> None:
    draft = item_draft(Item(), Pm(), settings, "github")
    assert draft.marker.postmortem_key == "2026-03-02-db" and draft.marker.item_uid == "u1"
    assert (draft.text, draft.owner, draft.due, draft.priority, draft.kind) == (
        "Add alerting on queue depth",
        "lena",
        date(2026, 3, 20),
        "P1",
        "detect",
    )
    assert draft.postmortem_path == "2026/db.md"
    assert draft.postmortem_url == "https://github.com/acme/ops/blob/main/2026/db.md"
    assert (draft.incident_date, draft.incident_ticket, draft.root_cause) == (
        date(2026, 3, 2),
        "OPS-9",
        "A lock held by the backup job.",
    )
    assert draft.labels == ("postmortem", "action-item", "priority:P1")
    assert not draft.done and draft.role == "item"


def test_fingerprint_follows_what_the_ticket_says(settings: Settings) -> None:
    base = item_draft(Item(), Pm(), settings, "github").fingerprint()
    assert item_draft(Item(), Pm(), settings, "github").fingerprint() == base
    for changed in (
        Item(text="Add alerting on queue age"),
        Item(owner="arjun"),
        Item(owner_handle=True),  # "@lena": now assigned to the login
        Item(due=date(2026, 4, 1)),
        Item(priority="P2"),
    ):
        assert item_draft(changed, Pm(), settings, "github").fingerprint() != base
    relabelled = settings.model_copy(
        update={"github": settings.github.model_copy(update={"labels": ["pm"]})}
    )
    assert item_draft(Item(), Pm(), relabelled, "github").fingerprint() != base


def test_a_draft_without_a_handle_keeps_the_fingerprint_of_before_the_field(
    settings: Settings,
) -> None:
    """Tickets synced before ``owner_handle`` existed must not all read as changed."""
    draft = item_draft(Item(), Pm(), settings, "github")
    state = asdict(draft)
    del state["owner_handle"]
    before = hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()
    assert draft.fingerprint() == before[:32]
    assert item_draft(Item(owner_handle=True), Pm(), settings, "github").owner_handle


def test_labels_per_tracker(settings: Settings) -> None:
    assert labels_for(settings, "github", None) == ("postmortem", "action-item")
    # Jira maps priorities to its priority field, not to a label.
    assert labels_for(settings, "jira", "P1") == ("postmortem", "action-item")


def test_postmortem_url_needs_a_repo_when_the_template_names_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert postmortem_url("db.md", Settings()) is None
    custom = Settings(github={"postmortem_url": "https://wiki.example.com/pm/{path}"})
    assert postmortem_url("db.md", custom) == "https://wiki.example.com/pm/db.md"


def test_tracking_draft_only_where_the_tracker_has_one(settings: Settings) -> None:
    draft = tracking_draft(Pm(), settings, "github")
    assert draft is not None and draft.role == "tracking" and draft.marker.item_uid == TRACKING_UID
    assert "Checkout down" in draft.text
    assert tracking_draft(Pm(), settings, "jira") is None
    off = settings.model_copy(
        update={"github": settings.github.model_copy(update={"tracking_issue": False})}
    )
    assert tracking_draft(Pm(), off, "github") is None
