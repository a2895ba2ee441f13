"""`pmt overdue`: which items are late, filters, formats, --fail and the empty store."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from typer.testing import CliRunner

from cli.app import app
from cli.output import to_json
from tests.store_data import item, postmortem
from tracker.config import Settings
from tracker.ingest import ingest_document
from tracker.queries import items_of, overdue, record_link, record_ticket_state
from tracker.store import Store

T0 = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
AS_OF = date(2026, 5, 1)


@pytest.fixture
def filled(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """Two postmortems; `pmt` commands in the test use this store."""
    monkeypatch.setenv("PMT_DATABASE_URL", store.url)
    settings = Settings()
    ingest_document(
        store,
        postmortem(
            "INC-1",
            item("Add disk alerting", owner="alice", priority="P1"),  # implicit due 2026-03-30
            item("Fix the runbook", owner="@Bob", due=date(2026, 4, 20), priority="P2"),
            item("Rotate keys", owner="alice", due=date(2026, 4, 1), done=True),  # done
            item("Write capacity plan", owner="carol", due=date(2026, 6, 1)),  # not yet due
            item("Page on queue depth", owner="carol", due=date(2026, 4, 2), ticket="OPS-7"),
        ),
        "h1",
        settings,
        now=T0,
    )
    ingest_document(
        store,
        postmortem(
            "INC-2",
            item("Tune retries", owner="alice", due=date(2026, 4, 30), priority="P0"),
            item("Closed in the tracker", owner="bob", due=date(2026, 4, 1)),
            item("Removed later", owner="bob", due=date(2026, 4, 1)),
            when=date(2026, 4, 1),
        ),
        "h2",
        settings,
        now=T0,
    )
    # "Removed later" leaves the document: removed items are never overdue.
    ingest_document(
        store,
        postmortem(
            "INC-2",
            item("Tune retries", owner="alice", due=date(2026, 4, 30), priority="P0"),
            item("Closed in the tracker", owner="bob", due=date(2026, 4, 1)),
            when=date(2026, 4, 1),
        ),
        "h3",
        settings,
        now=T0,
    )
    with store.session() as s:
        inc2 = items_of(s, "INC-2")
        closed = record_link(
            s,
            inc2[1].id,
            inc2[1].postmortem_id,
            "github",
            "acme/ops#9",
            "https://github.com/acme/ops/issues/9",
        )
        record_ticket_state(s, closed, state="closed", state_reason="completed")
        tuned = record_link(
            s,
            inc2[0].id,
            inc2[0].postmortem_id,
            "github",
            "acme/ops#10",
            "https://github.com/acme/ops/issues/10",
        )
        record_ticket_state(s, tuned, state="in_progress")
    return store


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_overdue_query(filled: Store) -> None:
    with filled.session(write=False) as s:
        rows = overdue(s, AS_OF)
    # By owner ("@Bob" is bob), then the oldest due date first.
    assert [(r.owner, r.item, r.days_overdue) for r in rows] == [
        ("alice", "Add disk alerting", 32),
        ("alice", "Tune retries", 1),
        ("@Bob", "Fix the runbook", 11),
        ("carol", "Page on queue depth", 29),
    ]
    first = rows[0]
    assert (first.due, first.due_implicit, first.priority, first.postmortem) == (
        date(2026, 3, 30),
        True,
        "P1",
        "INC-1",
    )
    tuned = rows[1]
    assert (tuned.ticket, tuned.ticket_state, tuned.tracker) == (
        "acme/ops#10",
        "in_progress",
        "github",
    )
    paged = rows[3]
    assert (paged.ticket, paged.ticket_state, paged.tracker) == ("OPS-7", None, "jira")


def test_due_today_is_not_overdue(filled: Store) -> None:
    with filled.session(write=False) as s:
        assert "Tune retries" not in [r.item for r in overdue(s, date(2026, 4, 30))]
        assert "Tune retries" in [r.item for r in overdue(s, date(2026, 5, 1))]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"owner": "alice"}, {"Add disk alerting", "Tune retries"}),
        ({"owner": ["bob"]}, {"Fix the runbook"}),  # "@Bob" in the document
        ({"priority": "P0,P1"}, {"Add disk alerting", "Tune retries"}),
        ({"postmortem": "INC-2"}, {"Tune retries"}),
        (
            {"postmortem": "postmortems/INC-1.md"},
            {"Add disk alerting", "Fix the runbook", "Page on queue depth"},
        ),
        ({"tracker": "github"}, {"Tune retries"}),
        ({"tracker": "jira"}, {"Page on queue depth"}),
    ],
)
def test_overdue_filters(filled: Store, kwargs: dict, expected: set[str]) -> None:
    with filled.session(write=False) as s:
        assert {r.item for r in overdue(s, AS_OF, **kwargs)} == expected


def test_an_item_tracked_twice_shows_its_first_ticket_and_any_closed_one_ends_the_chase(
    filled: Store,
) -> None:
    """GitHub and Jira both: the first link is the item's ticket (the tracker's own with
    --tracker), and a closed ticket in either tracker means the item is not overdue."""
    with filled.session() as s:
        inc1 = {i.text: i for i in items_of(s, "INC-1")}
        both, later_closed = inc1["Fix the runbook"], inc1["Add disk alerting"]
        record_link(
            s,
            both.id,
            both.postmortem_id,
            "github",
            "acme/ops#20",
            "https://github.com/acme/ops/issues/20",
        )
        jira = record_link(
            s,
            both.id,
            both.postmortem_id,
            "jira",
            "OPS-20",
            "https://jira.example.com/browse/OPS-20",
        )
        record_ticket_state(s, jira, state="in_progress")
        record_link(s, later_closed.id, later_closed.postmortem_id, "github", "acme/ops#21", None)
        closed = record_link(s, later_closed.id, later_closed.postmortem_id, "jira", "OPS-21", None)
        record_ticket_state(s, closed, state="closed", state_reason="done")
    with filled.session(write=False) as s:
        every = {r.item: r for r in overdue(s, AS_OF)}
        on_jira = {r.item: r for r in overdue(s, AS_OF, tracker="jira")}
        on_github = {r.item: r for r in overdue(s, AS_OF, tracker="github")}
    assert "Add disk alerting" not in every and "Add disk alerting" not in on_github
    assert (every["Fix the runbook"].ticket, every["Fix the runbook"].tracker) == (
        "acme/ops#20",
        "github",
    )
    assert (on_jira["Fix the runbook"].ticket, on_jira["Fix the runbook"].ticket_state) == (
        "OPS-20",
        "in_progress",
    )
    assert on_github["Fix the runbook"].ticket == "acme/ops#20"


def test_cli_json_is_the_documented_shape(filled: Store) -> None:
    code, out, err = run("overdue", "--as-of", "2026-05-01", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert len(data) == 4
    assert set(data[0]) == {
        "item",
        "uid",
        "item_id",
        "owner",
        "due",
        "due_implicit",
        "days_overdue",
        "priority",
        "postmortem",
        "postmortem_title",
        "path",
        "line",
        "ticket",
        "ticket_state",
        "ticket_url",
        "tracker",
    }
    assert data[0]["due"] == "2026-03-30" and data[0]["due_implicit"] is True
    assert [type(data[0][k]) for k in ("item_id", "days_overdue", "line")] == [int, int, int]
    assert data[1]["due_implicit"] is False and data[0]["days_overdue"] == 32
    assert [d["days_overdue"] for d in data] == sorted(
        (d["days_overdue"] for d in data), reverse=True
    )
    with filled.session(write=False) as s:  # the same items as the Python rows (not grouped)
        # to_dict() is the JSON object with ``due`` still a date: encoded, they are equal.
        rows = json.loads(to_json([r.to_dict() for r in overdue(s, AS_OF)]))
        assert sorted(data, key=lambda d: d["item_id"]) == sorted(rows, key=lambda d: d["item_id"])
    assert "4 overdue as of 2026-05-01" in err


def test_cli_table_groups_by_owner_and_marks_implicit_dues(filled: Store) -> None:
    code, out, err = run("overdue", "--as-of", "2026-05-01")
    assert code == 0
    assert "alice (2)" in out and "@Bob (1)" in out and "carol (1)" in out
    assert out.index("alice (2)") < out.index("@Bob (1)") < out.index("carol (1)")
    assert "2026-03-30*" in out and "2026-04-20*" not in out
    assert "deadline policy" in err


def test_cli_table_groups_spellings_of_one_owner(filled: Store) -> None:
    ingest_document(
        filled,
        postmortem("INC-3", item("Check the backups", owner="ALICE", due=date(2026, 4, 3))),
        "h4",
        Settings(),
        now=T0,
    )
    _code, out, _err = run("overdue", "--as-of", "2026-05-01")
    assert "alice (3)" in out and "ALICE" not in out.split("alice (3)")[0]
    assert "Check the backups" in out


def test_cli_csv_and_markdown(filled: Store) -> None:
    code, out, _ = run("overdue", "--as-of", "2026-05-01", "--format", "csv", "--owner", "alice")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["item"] for r in rows] == ["Add disk alerting", "Tune retries"]
    assert rows[0]["due_implicit"] == "yes" and rows[1]["ticket_state"] == "in_progress"
    code, out, _ = run("overdue", "--as-of", "2026-05-01", "--format", "markdown")
    assert "### alice" in out and "| Add disk alerting |" in out


def test_fail_exits_1_only_when_something_is_overdue(filled: Store) -> None:
    assert run("overdue", "--as-of", "2026-05-01", "--fail")[0] == 1
    code, out, err = run("overdue", "--as-of", "2026-03-01", "--fail")
    assert code == 0
    assert "nothing overdue as of 2026-03-01" in err


def test_empty_store_says_how_to_ingest(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMT_DATABASE_URL", store.url)
    code, out, err = run("overdue")
    assert code == 0
    assert "pmt ingest" in err and "nothing overdue" not in err
    assert out == ""
    code, out, err = run("overdue", "--format", "json")
    assert json.loads(out) == [] and "pmt ingest" in err


def test_today_is_taken_in_the_configured_zone(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.overdue_cmd import today

    assert today(Settings(timezone="Pacific/Kiritimati")) >= today(
        Settings(timezone="Pacific/Pago_Pago")
    )


def test_bad_tracker_is_a_usage_error(filled: Store) -> None:
    code, _out, err = run("overdue", "--tracker", "trello")
    assert code == 2 and "github or jira" in err


def test_overdue_imports_no_orm(filled: Store) -> None:
    """`pmt overdue` reads with plain SQL: importing sqlmodel's ORM would cost it more than
    its query (see bench/overdue_bench.py)."""
    import subprocess
    import sys

    from tests.conftest import REPO

    code = (
        "import sys\n"
        "sys.argv = ['pmt', 'overdue', '--format', 'json', '--as-of', '2026-05-01']\n"
        "from cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('LOADED=' + ','.join(m for m in ('sqlmodel', 'sqlalchemy.orm', 'tracker.store.tables') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert '"item"' in out.stdout, out.stderr
    assert "LOADED=\n" in out.stdout, out.stdout[-300:] + out.stderr
