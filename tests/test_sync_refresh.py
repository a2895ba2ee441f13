"""`pmt refresh`: bulk reads, state history, and what `pmt overdue` then sees."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from cli.app import app
from sync import registry
from sync.refresh import refresh
from tests.fakes import FakeBackend
from tests.store_data import item, postmortem
from tracker.config import Settings
from tracker.ingest import ingest_document
from tracker.queries import items_of, overdue, record_link
from tracker.store import Store
from tracker.store.tables import TicketEventRow, TicketLinkRow


@pytest.fixture
def linked(store: Store) -> tuple[Store, FakeBackend, list[str]]:
    """Two postmortems; three items linked to tickets pmt made, one to a hand-made ticket."""
    backend = FakeBackend()
    settings = Settings()
    keys: list[str] = []
    for pm_key, texts in (
        ("INC-1", ["Add disk alerting", "Fix the runbook"]),
        ("INC-2", ["Tune retries", "Page on lag"]),
    ):
        ingest_document(
            store,
            postmortem(pm_key, *(item(t, due=date(2026, 3, 10), owner="al") for t in texts)),
            f"h-{pm_key}",
            settings,
        )
        with store.session() as s:
            rows = items_of(s, pm_key)
            for row in rows:
                if row.text == "Page on lag":
                    key = backend.add_existing("Page on lag (filed by hand)")
                else:
                    from sync.base import TicketDraft
                    from sync.markers import Marker

                    key = backend.create(
                        TicketDraft(marker=Marker(pm_key, row.uid), text=row.text)
                    ).key
                record_link(s, row.id, row.postmortem_id, "github", key, backend.url_for(key))
                keys.append(key)
    backend.reset_counts()
    return store, backend, keys


def test_refresh_reads_in_bulk_and_records_changes(
    linked: tuple[Store, FakeBackend, list[str]],
) -> None:
    store, backend, keys = linked
    backend.set_state(keys[0], "closed", "completed", assignee="al")
    backend.set_state(keys[3], "closed", "not_planned")

    report = refresh(store, backend)

    # One listing per postmortem, one fetch for the hand-made ticket the listings do not return.
    assert [op for op, _ in backend.calls] == ["list_postmortem", "list_postmortem", "fetch"]
    assert backend.writes == 0
    assert report.checked == 4 and report.missing == []
    assert {(c.key, c.before, c.after, c.state_reason) for c in report.changed} == {
        (keys[0], "open", "closed", "completed"),
        (keys[3], "open", "closed", "not_planned"),
    }
    with store.session(write=False) as s:
        link = s.scalars(select(TicketLinkRow).where(TicketLinkRow.key == keys[0])).one()
        assert (link.state, link.assignee, link.refreshed_at is not None) == ("closed", "al", True)
        history = s.scalars(select(TicketEventRow).where(TicketEventRow.link_id == link.id)).all()
        assert [e.state for e in history] == ["open", "closed"]
        late = {r.item for r in overdue(s, date(2026, 4, 1))}
    # A closed ticket's item is not overdue.
    assert late == {"Fix the runbook", "Tune retries"}


def test_refresh_again_records_nothing_new(linked: tuple[Store, FakeBackend, list[str]]) -> None:
    store, backend, keys = linked
    backend.set_state(keys[1], "closed", "completed")
    refresh(store, backend)
    with store.session(write=False) as s:
        before = len(s.scalars(select(TicketEventRow)).all())
    again = refresh(store, backend)
    with store.session(write=False) as s:
        after = len(s.scalars(select(TicketEventRow)).all())
    assert again.changed == [] and after == before


def test_refresh_reports_missing_tickets(
    linked: tuple[Store, FakeBackend, list[str]],
) -> None:
    store, backend, keys = linked
    del backend.tickets[keys[3]]
    report = refresh(store, backend)
    assert report.missing == [keys[3]]


def test_refresh_cli_json(
    linked: tuple[Store, FakeBackend, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, backend, keys = linked
    monkeypatch.setenv("PMT_DATABASE_URL", store.url)
    monkeypatch.setitem(registry.BACKENDS, "github", lambda settings, secrets: backend)
    backend.set_state(keys[2], "closed", "completed")
    result = CliRunner().invoke(app, ["refresh", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["checked"] == 4 and data["postmortems"] == 2
    assert [(c["ticket"], c["from"], c["to"]) for c in data["changed"]] == [
        (keys[2], "open", "closed")
    ]
    assert "1 changed" in result.stderr


def test_refresh_cli_with_nothing_linked(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMT_DATABASE_URL", store.url)
    monkeypatch.setitem(registry.BACKENDS, "github", lambda settings, secrets: FakeBackend())
    result = CliRunner().invoke(app, ["refresh"])
    assert result.exit_code == 0
    assert "run pmt sync first" in result.stderr
