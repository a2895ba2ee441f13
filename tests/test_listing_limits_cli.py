"""Listings show the first screenful (issue 22): a table stops at ``DEFAULT_LIMIT`` rows (the
most overdue, the most recent) and says how many more there are; ``--limit N`` and ``--all``
choose; JSON and CSV print every row unless ``--limit`` is given. ``pmt overdue``, ``list``,
``show``, ``causes`` and ``remind``."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.app import app
from cli.options import DEFAULT_LIMIT
from cli.output import json_array, to_json
from tests.store_data import item, postmortem
from tracker.config import Settings
from tracker.ingest import ingest_document
from tracker.queries import (
    count_overdue,
    items_of,
    list_postmortems,
    overdue,
    overdue_page,
    overdue_rows,
    record_link,
    record_ticket_state,
)
from tracker.store import Store

T0 = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
AS_OF = date(2026, 6, 1)
OWNERS = ["alice", "@Bob", "bob", None]
# INC-01..INC-24, one item each: 22 overdue on AS_OF (INC-03's is done, INC-05's ticket is
# closed), INC-24's due date implicit and the latest of them; GONE's postmortem is removed; BIG
# has 25 items due in 2099.
OVERDUE = 22
POSTMORTEMS = 25


def _text(k: int) -> str:
    return f"Fix thing {k:02d}"


@pytest.fixture
def many(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    from sqlmodel import select

    from tracker.store.tables import PostmortemRow

    monkeypatch.setenv("PMT_DATABASE_URL", store.url)
    monkeypatch.setenv("COLUMNS", "200")
    settings = Settings()
    for k in range(1, 25):
        due = date(2026, 2, 1) + timedelta(days=k) if k < 24 else None
        pm = postmortem(
            f"INC-{k:02d}",
            item(_text(k), owner=OWNERS[k % 4], due=due, done=k == 3),
            when=date(2026, 1, 1) + timedelta(days=k),
        )
        ingest_document(store, pm, f"h{k}", settings, now=T0)
    ingest_document(
        store,
        postmortem("GONE", item("Gone with its file", owner="alice", due=date(2026, 1, 15))),
        "hg",
        settings,
        now=T0,
    )
    big = [
        item(f"Big item {n:02d}", line=10 + n, owner="dana", due=date(2099, 1, 1))
        for n in range(1, 26)
    ]
    ingest_document(store, postmortem("BIG", *big, when=date(2026, 5, 1)), "hb", settings, now=T0)
    with store.session() as s:
        [closed] = items_of(s, "INC-05")
        link = record_link(s, closed.id, closed.postmortem_id, "github", "acme/ops#5", None)
        record_ticket_state(s, link, state="closed", state_reason="completed")
        gone = s.exec(select(PostmortemRow).where(PostmortemRow.key == "GONE")).one()
        gone.removed_at = T0
        s.add(gone)
    return store


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def shown_items(out: str) -> list[str]:
    return [_text(k) for k in range(1, 25) if _text(k) in out]


# --- the queries ----------------------------------------------------------------------------


def test_overdue_page_is_the_most_overdue_cut_in_sql_grouped_by_owner(many: Store) -> None:
    with many.reading() as conn:
        every = overdue(conn, AS_OF)
        page = overdue_page(conn, AS_OF, 5)
        by_due = list(overdue_rows(conn, AS_OF))
        first = list(overdue_rows(conn, AS_OF, limit=5))
    assert len(every) == OVERDUE and page.total == OVERDUE
    # The five oldest due dates (INC-01, 02, 04, 06, 07: 03 is done, 05's ticket closed) ...
    assert [r.item for r in first] == [_text(k) for k in (1, 2, 4, 6, 7)]
    assert first == by_due[:5]
    # ... shown by owner as the whole list is (owners without case or "@", none last).
    assert page.rows == [r for r in every if r in first]
    assert [r.owner for r in page.rows] == ["alice", "@Bob", "bob", "bob", None]
    # A page as long as the list: no count needed, the same total.
    with many.reading() as conn:
        whole = overdue_page(conn, AS_OF, 100)
    assert whole.total == OVERDUE and whole.rows == every


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"owner": "bob"},  # "@Bob" and "bob"
        {"owner": ["alice", "nobody"]},
        {"priority": "P1"},
        {"postmortem": ["INC-01", "postmortems/INC-02.md", "GONE"]},
        {"tracker": "github"},
        {"owner": "alice", "postmortem": "INC-04"},
    ],
)
def test_count_overdue_counts_what_overdue_lists(many: Store, filters: dict) -> None:
    """Every way of counting (one pass over the items on SQLite, the filtered count through the
    index on PostgreSQL, or the listing's own query when a postmortem or tracker filter needs
    its joins) counts exactly what ``overdue`` lists."""
    with many.reading() as conn:
        for day in (date(2026, 1, 1), date(2026, 2, 10), AS_OF, date(2100, 1, 1)):
            assert count_overdue(conn, day, **filters) == len(overdue(conn, day, **filters))


def test_overdue_rows_by_owner_is_overdues_order(many: Store) -> None:
    with many.reading() as conn:
        for day in (AS_OF, date(2100, 1, 1)):
            sql = [r.item_id for r in overdue_rows(conn, day, by_owner=True)]
            assert sql == [r.item_id for r in overdue(conn, day)]


def test_a_page_of_postmortems_is_cut_before_its_items_are_counted(many: Store) -> None:
    with many.reading() as conn:
        every = list_postmortems(conn, AS_OF)
        page = list_postmortems(conn, AS_OF, 5)
    assert len(every) == POSTMORTEMS
    # The five newest, with the same counts as in the whole list.
    assert page == every[:5]
    assert page[0].key == "BIG" and page[0].items == 25 and page[0].overdue == 0
    assert [p.key for p in page[1:]] == ["INC-24", "INC-23", "INC-22", "INC-21"]


_values = st.one_of(
    st.none(),
    st.text(max_size=20),  # newlines and quotes included: escaped, never a line of their own
    st.integers(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.booleans(), max_size=2),
)


@given(st.lists(st.dictionaries(st.text(max_size=8), _values, max_size=4), max_size=4))
def test_json_array_is_to_json(objects: list[dict[str, object]]) -> None:
    assert "".join(json_array(objects)) == to_json(objects)


# --- pmt overdue ----------------------------------------------------------------------------


def test_overdue_table_shows_the_first_screenful_and_says_how_many_more(many: Store) -> None:
    code, out, err = run("overdue", "--as-of", "2026-06-01")
    assert code == 0, err
    shown = shown_items(out)
    assert len(shown) == DEFAULT_LIMIT
    # The least overdue two are cut: INC-23's and INC-24's (implicit, so no note).
    assert _text(23) not in shown and _text(24) not in shown and "Gone" not in out
    assert err.splitlines() == [
        f"pmt overdue: {OVERDUE} overdue as of 2026-06-01",
        (
            f"pmt overdue: showing the {DEFAULT_LIMIT} most overdue of {OVERDUE}; --limit N or "
            "--all for more, --format json|csv for scripts"
        ),
    ]
    # Still grouped by owner ("@Bob" and "bob" are one), each group's oldest due first.
    assert out.index("alice (") < out.index("@Bob (") < out.index("(no owner) (")
    assert out.index(_text(1)) < out.index(_text(21))


def test_overdue_limit_and_all(many: Store) -> None:
    code, out, err = run("overdue", "--as-of", "2026-06-01", "--limit", "3")
    assert code == 0
    assert shown_items(out) == [_text(1), _text(2), _text(4)]
    assert f"showing the 3 most overdue of {OVERDUE};" in err
    assert f"pmt overdue: {OVERDUE} overdue as of 2026-06-01" in err
    code, out, err = run("overdue", "--as-of", "2026-06-01", "--all")
    assert code == 0
    assert len(shown_items(out)) == OVERDUE and "showing" not in err
    # INC-24's due date is implicit: shown now, so the note is said.
    assert "2026-03-22*" in out and "deadline policy" in err


def test_overdue_json_and_csv_print_every_row_unless_limited(many: Store) -> None:
    code, out, err = run("overdue", "--as-of", "2026-06-01", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert len(data) == OVERDUE and "showing" not in err
    assert [d["due"] for d in data] == sorted(d["due"] for d in data)  # oldest due first
    code, out, err = run("overdue", "--as-of", "2026-06-01", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    with many.reading() as conn:
        by_owner = [r.item for r in overdue(conn, AS_OF)]
    assert [r["item"] for r in rows] == by_owner and "showing" not in err
    # The implicit due date is among them: said, as before.
    assert "deadline policy" in err
    code, out, err = run("overdue", "--as-of", "2026-06-01", "--format", "json", "--limit", "4")
    assert [d["item"] for d in json.loads(out)] == [_text(k) for k in (1, 2, 4, 6)]
    assert err.splitlines()[-1] == (
        f"pmt overdue: showing the 4 most overdue of {OVERDUE}; --limit N or --all for more"
    )
    code, out, _err = run("overdue", "--as-of", "2026-06-01", "--format", "csv", "--limit", "3")
    assert [r["item"] for r in csv.DictReader(io.StringIO(out))] == [_text(k) for k in (4, 1, 2)]


def test_overdue_markdown_prints_every_row(many: Store) -> None:
    code, out, err = run("overdue", "--as-of", "2026-06-01", "--format", "markdown")
    assert code == 0 and len(shown_items(out)) == OVERDUE and "showing" not in err


@pytest.mark.parametrize("cut", [[], ["--limit", "1"], ["--all"]])
def test_fail_counts_every_overdue_item_not_the_shown_ones(many: Store, cut: list[str]) -> None:
    code, _out, err = run("overdue", "--as-of", "2026-06-01", "--fail", *cut)
    assert code == 1
    assert f"pmt overdue: {OVERDUE} overdue as of 2026-06-01" in err
    assert run("overdue", "--as-of", "2026-01-01", "--fail", *cut)[0] == 0


@pytest.mark.parametrize(
    "command",
    [["overdue"], ["list"], ["show", "BIG"], ["causes"], ["remind", "--dry-run"]],
)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--limit", "5", "--all"], "give --limit N or --all, not both"),
        (["--limit", "0"], "expected 1 or more, not 0"),
        (["--limit", "-2"], "expected 1 or more, not -2"),
    ],
)
def test_limit_with_all_or_under_one_is_a_usage_error(
    many: Store, command: list[str], args: list[str], message: str
) -> None:
    code, out, err = run(*command, *args)
    assert code == 2, err
    assert err.startswith("pmt: error: invalid value for --limit") and message in err
    assert out == ""


# --- pmt list and pmt show ------------------------------------------------------------------


def test_list_shows_the_most_recent_and_says_how_many_more(many: Store) -> None:
    code, out, err = run("list", "--as-of", "2026-06-01")
    assert code == 0, err
    assert "INC-06" in out and "INC-05" not in out and "GONE" not in out
    assert err == (
        f"pmt list: showing the {DEFAULT_LIMIT} most recent of {POSTMORTEMS}; --limit N or "
        "--all for more, --format json|csv for scripts\n"
    )
    code, out, err = run("list", "--as-of", "2026-06-01", "--all")
    assert "INC-01" in out and err == ""
    code, out, err = run("list", "--limit", "2")
    assert "BIG" in out and "INC-24" in out and "INC-23" not in out
    assert f"showing the 2 most recent of {POSTMORTEMS};" in err


def test_list_json_and_csv_stream_every_postmortem(many: Store) -> None:
    code, out, err = run("list", "--as-of", "2026-06-01", "--format", "json")
    assert code == 0 and err == ""
    with many.reading() as conn:
        every = list_postmortems(conn, AS_OF)
    # The same bytes as the JSON printed before it was streamed.
    assert out == to_json([r.to_dict() for r in every])
    code, out, err = run("list", "--as-of", "2026-06-01", "--format", "csv")
    keys = [r["key"] for r in csv.DictReader(io.StringIO(out))]
    assert keys == [r.key for r in every] and err == ""
    code, out, err = run("list", "--as-of", "2026-06-01", "--format", "json", "--limit", "3")
    assert [d["key"] for d in json.loads(out)] == ["BIG", "INC-24", "INC-23"]
    assert f"showing the 3 most recent of {POSTMORTEMS}; --limit N or --all for more\n" in err


def test_show_cuts_the_item_table_not_the_json(many: Store) -> None:
    code, out, err = run("show", "BIG")
    assert code == 0, err
    assert "Big item 20" in out and "Big item 21" not in out
    assert err == (
        f"pmt show: showing the first {DEFAULT_LIMIT} of 25 items; --limit N or --all for more, "
        "--format json|csv for scripts\n"
    )
    code, out, err = run("show", "BIG", "--all")
    assert "Big item 25" in out and err == ""
    code, out, _err = run("show", "BIG", "--format", "csv", "--limit", "2")
    assert [r["text"] for r in csv.DictReader(io.StringIO(out))] == ["Big item 01", "Big item 02"]
    code, out, err = run("show", "BIG", "--format", "json", "--limit", "2")
    assert len(json.loads(out)["items"]) == 25 and err == ""


# --- pmt remind -----------------------------------------------------------------------------


def test_remind_cuts_the_digest_not_the_reminders(many: Store) -> None:
    # Run on the real clock: every item of INC-01..24 is long overdue; BIG's are not (2099).
    code, out, err = run("remind", "--dry-run")
    assert code == 0, err
    assert len(shown_items(out)) == DEFAULT_LIMIT
    assert f"{OVERDUE} overdue item(s) without a ticket" in err  # every one considered
    assert (
        f"pmt remind: showing the {DEFAULT_LIMIT} most overdue of {OVERDUE} items in the digest; "
        "--limit N or --all for more, --format json for scripts"
    ) in err
    code, out, err = run("remind", "--dry-run", "--all")
    assert len(shown_items(out)) == OVERDUE and "showing" not in err
    code, out, err = run("remind", "--dry-run", "--format", "json", "--limit", "1")
    assert len(json.loads(out)["reminders"]) == OVERDUE and "showing" not in err


# --- pmt causes -----------------------------------------------------------------------------

CERT = """\
# {title}

Date: {day}

## Root cause
The TLS certificate on {host} expired; the renewal cron job had been failing silently.

## Action items
- [ ] Alert 30 days before any certificate expires (owner: bob, due: 2025-12-01)
"""


@pytest.fixture
def causes_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{tmp_path / 'pmt.db'}")
    monkeypatch.setenv("COLUMNS", "200")
    (tmp_path / "pms").mkdir()
    for n, (day, host) in enumerate(
        [("2025-02-10", "checkout"), ("2025-04-02", "api"), ("2025-06-20", "search")], 1
    ):
        text = CERT.format(title=f"Outage {n}: certificate expired", day=day, host=host)
        (tmp_path / "pms" / f"{day}-cert.md").write_text(text, encoding="utf-8")
    assert run("ingest", "pms")[0] == 0
    return tmp_path


def test_causes_cuts_repeats_and_category_members_in_tables_only(causes_dir: Path) -> None:
    period = ["--since", "2025-01-01", "--until", "2025-12-31"]
    code, out, err = run("causes", *period, "--format", "json")
    assert code == 0, err
    whole = json.loads(out)
    assert len(whole["pairs"]) >= 2  # the later certificates repeat the first
    code, out, err = run("causes", *period, "--limit", "1")
    assert code == 0, err
    assert "and 2 more" in out  # the category of the three, its first member listed
    repeats = out.split("Repeated causes", 1)[1]
    assert sum("-cert.md" in line for line in repeats.splitlines()) == 1
    assert err.splitlines()[-1] == (
        f"pmt causes: showing the first 1 of {len(whole['pairs'])} repeats and the first 1 "
        "postmortems of each category; --limit N or --all for more, --format json for scripts"
    )
    code, out, err = run("causes", *period)  # under the default limit: nothing cut
    assert "more" not in out and "showing" not in err
    code, out, err = run("causes", *period, "--format", "json", "--limit", "1")
    assert json.loads(out) == whole and "showing" not in err
