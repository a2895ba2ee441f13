"""Ingest's repository: the driver-level speed path stores exactly the rows its plain twin does."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.store_data import item, postmortem
from tracker.config import Settings
from tracker.ingest import ingest_document
from tracker.ingest.diff import COPIED
from tracker.models import Postmortem
from tracker.store import Store
from tracker.store.documents import EVENT, ITEM, PM

T0 = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


def _history() -> list[tuple[Postmortem, str]]:
    """Documents and their hashes, in the order a tree's ingests would see them."""
    first = postmortem(
        "INC-1",
        item("Add alerting on disk usage", owner="alice", priority="P1"),
        item("Fix the runbook", line=11, due=date(2026, 4, 1), done=True),
        item("Rotate the keys", line=12, ticket="OPS-7"),
        severity="SEV2",
        root_cause="A full disk",
        front_matter={"id": "INC-1", "severity": "SEV2"},
    )
    undated = postmortem("INC-2", item("Write it down"), when=None)
    empty = postmortem("INC-3")
    edited = postmortem(
        "INC-1",
        item("Add alerting on disk usage and inodes", owner="bob", priority="P1"),
        item("Fix the runbook", line=11, due=date(2026, 4, 1), done=False),
        item("Page the on-call", line=13, priority="P0"),
        severity="SEV1",
        root_cause="A full disk",
    )
    moved = dataclasses.replace(edited, path="elsewhere/INC-1.md")
    restored = postmortem(
        "INC-1",
        item("Rotate the keys", line=12, ticket="OPS-7", done=True),
        item("Page the on-call", line=13, priority="P0", due=date(2026, 3, 20)),
        severity="SEV1",
    )
    return [
        (first, "h1"),
        (undated, "h2"),
        (empty, "h3"),
        (edited, "h4"),
        (moved, "h4"),
        (restored, "h5"),
    ]


def _rows(store: Store) -> dict[str, list[dict[str, Any]]]:
    with store.reading() as conn:
        return {
            table.name: [dict(r._mapping) for r in conn.execute(select(table).order_by(table.c.id))]
            for table in (PM, ITEM, EVENT)
        }


def _ingest(store: Store, *, plain: bool) -> list[tuple[str, dict[str, int]]]:
    seen: set[str] = set()
    said = []
    with store.engine.connect() as conn:
        for n, (pm, digest) in enumerate(_history()):
            key = str(pm.id)
            result = ingest_document(
                store,
                pm,
                digest,
                Settings(),
                now=T0 + timedelta(days=n),
                probably_new=key not in seen,
                connection=conn,
                plain=plain,
            )
            seen.add(key)
            said.append((result.status, dict(result.events)))
    return said


def test_speed_path_and_plain_twin_store_the_same_rows(tmp_path: Path) -> None:
    fast = Store(f"sqlite:///{tmp_path / 'fast.db'}")
    plain = Store(f"sqlite:///{tmp_path / 'plain.db'}")
    try:
        said = _ingest(fast, plain=False)
        assert said == _ingest(plain, plain=True)
        assert [status for status, _events in said] == [
            "new",
            "new",
            "new",
            "updated",
            "unchanged",
            "updated",
        ]
        stored = _rows(fast)
        assert stored == _rows(plain)
        assert len(stored["postmortem"]) == 3 and len(stored["action_item"]) == 5
        events = [e["event"] for e in stored["item_event"]]
        for name in ("created", "closed", "reopened", "removed", "restored", "updated"):
            assert name in events
    finally:
        fast.dispose()
        plain.dispose()


def test_copied_columns_derive_from_the_table_and_the_model() -> None:
    assert COPIED == (
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
