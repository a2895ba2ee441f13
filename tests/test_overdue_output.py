"""`pmt overdue` and `pmt list` print the same bytes as before the overdue query was rewritten.

The golden files in tests/data/overdue/ were printed by the earlier version (the JSON built by
SQLite's ``json_object``) from the examples/ postmortems with four ticket links; every format,
filters, an empty result, --fail, and two terminal widths. On PostgreSQL the JSON is now the
same bytes as on SQLite (it was ``json_build_object``'s ``{"item" : ...}`` before).
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.app import app
from cli.output import json_lines
from tests.conftest import REPO
from tracker.store import Store

GOLDEN = Path(__file__).resolve().parent / "data" / "overdue"
CASES = json.loads((GOLDEN / "cases.json").read_text(encoding="utf-8"))


@pytest.fixture
def examples(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The examples, ingested from their own folder, and tickets on four items: two trackers
    on one item, a closed one (not overdue), and a postmortem's tracking ticket."""
    from tracker.queries import record_link

    folder = tmp_path / "ex"
    folder.mkdir()
    for path in sorted((REPO / "examples").glob("*.md")):
        if path.name != "README.md":
            shutil.copy(path, folder / path.name)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("PMT_DATABASE_URL", store.url)
    result = CliRunner().invoke(app, ["ingest", "."])
    assert result.exit_code == 0, result.stderr
    github, jira = "https://github.com/acme/ops/issues/", "https://jira.example.com/browse/"
    with store.session() as s:
        record_link(s, 5, 1, "github", "acme/ops#1", f"{github}1", state="in_progress")
        record_link(s, 5, 1, "jira", "OPS-9001", f"{jira}OPS-9001")
        record_link(s, 3, 1, "jira", "OPS-1420", f"{jira}OPS-1420")
        record_link(s, 11, 3, "github", "acme/ops#2", None, state="closed")
        record_link(s, None, 2, "github", "acme/ops#3", f"{github}3", role="tracking")
    return store


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_is_the_golden_bytes(
    examples: Store, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = CASES[case]
    monkeypatch.setenv("COLUMNS", str(expected["columns"]))
    result = CliRunner().invoke(app, expected["args"])
    assert result.exit_code == expected["exit"], result.stderr
    assert result.stdout == (GOLDEN / f"{case}.out").read_text(encoding="utf-8")
    assert result.stderr == expected["stderr"]


def test_overdue_rows_come_one_by_one_with_their_days_late(examples: Store) -> None:
    """``overdue_rows`` is an iterator over the query (which fetches in batches), not a list."""
    from datetime import date

    from tracker.queries import overdue_rows

    with examples.reading() as conn:
        rows = overdue_rows(conn, date(2027, 1, 1))
        first = next(rows)
        assert first.days_overdue == (date(2027, 1, 1) - first.due).days
        assert len([first, *rows]) == 19


# json_lines encodes with pydantic_core: the same bytes as json.dumps, compact, not ASCII-only.
_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.text(max_size=40),
    st.dates(),  # OverdueRow.to_dict() leaves ``due`` a date
)


@given(st.lists(st.dictionaries(st.text(max_size=10), _values, max_size=6), max_size=4))
def test_json_lines_is_json_dumps(objects: list[dict[str, object]]) -> None:
    plain = [
        json.dumps(o, separators=(",", ":"), ensure_ascii=False, default=date.isoformat)
        for o in objects
    ]
    expected = "[\n  " + ",\n  ".join(plain) + "\n]\n" if objects else "[]\n"
    assert "".join(json_lines(objects)) == expected
