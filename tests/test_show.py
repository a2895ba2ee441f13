"""`pmt show` and `pmt list`: one postmortem in detail, and all of them with counts."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from typer.testing import CliRunner

from cli.app import app
from tests.store_data import item, postmortem
from tracker.config import Settings
from tracker.ingest import ingest_document
from tracker.queries import items_of, list_postmortems, record_link, record_ticket_state
from tracker.store import Store

T0 = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def filled(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("PMT_DATABASE_URL", store.url)
    ingest_document(
        store,
        postmortem(
            "INC-1",
            item("Add disk alerting", owner="alice", priority="P1"),
            item("Fix the runbook", owner="bob", due=date(2026, 6, 1), done=True),
            item("Drop me", owner="bob"),
            severity="SEV1",
        ),
        "h1",
        Settings(),
        now=T0,
    )
    ingest_document(
        store,
        postmortem(
            "INC-1",
            item("Add disk alerting", owner="alice", priority="P1"),
            item("Fix the runbook", owner="bob", due=date(2026, 6, 1), done=True),
            severity="SEV1",
        ),
        "h2",
        Settings(),
        now=T0,
    )
    ingest_document(
        store,
        postmortem("INC-2", item("Tune retries", due=date(2026, 9, 1)), when=date(2026, 8, 1)),
        "h3",
        Settings(),
        now=T0,
    )
    with store.session() as s:
        first = items_of(s, "INC-1")[0]
        link = record_link(
            s,
            first.id,
            first.postmortem_id,
            "jira",
            "OPS-12",
            "https://acme.atlassian.net/browse/OPS-12",
        )
        record_ticket_state(s, link, state="in_progress")
        record_link(s, None, first.postmortem_id, "jira", "OPS-10", None, role="tracking")
    return store


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_list_counts(filled: Store) -> None:
    with filled.session(write=False) as s:
        rows = list_postmortems(s, date(2026, 5, 1))
    assert [(r.key, r.items, r.open, r.done, r.overdue, r.removed) for r in rows] == [
        ("INC-2", 1, 1, 0, 0, 0),  # newest incident first
        ("INC-1", 2, 1, 1, 1, 1),
    ]


def test_show_json(filled: Store) -> None:
    code, out, err = run("show", "INC-1", "--as-of", "2026-05-01", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["key"], data["severity"], data["path"]) == (
        "INC-1",
        "SEV1",
        "postmortems/INC-1.md",
    )
    assert [(i["text"], i["status"], i["overdue"]) for i in data["items"]] == [
        ("Add disk alerting", "open", True),
        ("Fix the runbook", "done", False),
        ("Drop me", "removed", False),
    ]
    first = data["items"][0]
    assert (first["due"], first["due_implicit"], first["days_overdue"]) == ("2026-03-30", True, 32)
    assert (first["ticket"], first["ticket_state"]) == ("OPS-12", "in_progress")
    assert {(t["key"], t["role"]) for t in data["tickets"]} == {
        ("OPS-12", "item"),
        ("OPS-10", "tracking"),
    }


def test_show_by_path_and_table(filled: Store) -> None:
    code, out, err = run("show", "postmortems/INC-1.md", "--as-of", "2026-05-01")
    assert code == 0, err
    # Named as pmt overdue names it: the path from the project root, and the id.
    assert out.startswith("postmortems/INC-1.md (id INC-1)\nOutage INC-1 (2026-03-02, SEV1)\n")
    assert "overdue (32d)" in out and "2026-03-30*" in out and "removed" in out
    assert "Tracking ticket: OPS-10" in out


def test_show_csv_and_markdown(filled: Store) -> None:
    _code, out, _err = run("show", "INC-1", "--as-of", "2026-05-01", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["status"] for r in rows] == ["open", "done", "removed"]
    _code, out, _err = run("show", "INC-1", "--format", "markdown")
    assert (
        out.startswith("## postmortems/INC-1.md (id INC-1): Outage INC-1")
        and "| Add disk alerting |" in out
    )


def test_show_unknown_postmortem_is_a_clear_error(filled: Store) -> None:
    code, _out, err = run("show", "nope")
    assert code == 1
    assert "no postmortem 'nope' in the store" in err and "Traceback" not in err


def test_list_cli_formats(filled: Store) -> None:
    code, out, _err = run("list", "--as-of", "2026-05-01", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [(d["key"], d["open"], d["overdue"]) for d in data] == [("INC-2", 1, 0), ("INC-1", 1, 1)]
    _code, out, _err = run("list", "--as-of", "2026-05-01")
    assert "INC-1" in out and "Overdue" in out
    _code, out, _err = run("list", "--format", "csv")
    assert out.splitlines()[0] == "key,title,incident_date,severity,items,open,overdue"


def test_list_on_empty_store_says_how_to_ingest(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMT_DATABASE_URL", store.url)
    code, out, err = run("list")
    assert code == 0 and out == "" and "pmt ingest" in err
    code, out, _err = run("list", "--format", "json")
    assert json.loads(out) == []
