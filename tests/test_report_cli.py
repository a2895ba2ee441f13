"""``pmt report weekly`` as users type it: each format, --output, periods and errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from tests.report_data import ZONE, fill, sqlite_store_fixture  # noqa: F401 (fixture)


@pytest.fixture
def env(sqlite_store, monkeypatch: pytest.MonkeyPatch):
    fill(sqlite_store)
    monkeypatch.setenv("PMT_DATABASE_URL", sqlite_store.url)
    monkeypatch.setenv("PMT_TIMEZONE", ZONE)
    return sqlite_store


def run(*args: str):
    return CliRunner().invoke(app, ["report", "weekly", *args])


def test_markdown_is_the_default(env) -> None:
    result = run("--week", "2026-W48")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("# Postmortem follow-ups: week 2026-W48\n")
    assert "## At a glance" in out and "- 2 new postmortems this week." in out
    assert (
        "| Checkout outage | 2026-11-24 | 1 h 35 min | Checkout failed for 30% of users | Configuration change | 3 |"
        in out
    )
    assert "## Overdue now" in out and "## Recurring causes" in out
    assert "## Open and done over the last 12 weeks" in out


def test_json_for_scripts(env) -> None:
    result = run("--week", "2026-W48", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["period"]["week"] == "2026-W48"
    assert data["period"]["timezone"] == ZONE
    assert [p["title"] for p in data["postmortems"]] == ["Resolver timeouts", "Checkout outage"]
    assert set(data["repeats"]) == {"follow_up_never_done", "fix_did_not_hold"}
    assert len(data["history"]) == 12
    assert data["items"]["priority"] == "all"
    # The overdue list is as of today: the test data's items are all long overdue by now.
    assert {e["text"] for e in data["overdue"]} >= {
        "Monitor certificate expiry",
        "Document the resolver setup",
    }


def test_html_to_a_file(env, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "week48.html"
    result = run("--week", "2026-W48", "--format", "html", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"wrote the html report for week 2026-W48 to {target}" in result.stderr
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<title>Postmortem follow-ups: week 2026-W48</title>" in html
    assert 'id="chart-open-closed"' in html and 'id="chart-causes"' in html


def test_markdown_and_json_to_files(env, tmp_path: Path) -> None:
    for fmt, name in (("markdown", "r.md"), ("json", "r.json")):
        result = run(
            "--since", "2026-11-01", "--until", "2026-11-30", "-f", fmt, "-o", str(tmp_path / name)
        )
        assert result.exit_code == 0, result.output
    # A month is titled as one, not as a "week 2026-11-01 to 2026-11-30".
    assert (tmp_path / "r.md").read_text().startswith("# Postmortem follow-ups: November 2026\n")
    assert json.loads((tmp_path / "r.json").read_text())["period"]["start"] == "2026-11-01"


def test_default_period_is_last_week(env) -> None:
    result = run("--format", "json")
    assert result.exit_code == 0, result.output
    period = json.loads(result.stdout)["period"]
    today = datetime.now(UTC).date()
    assert period["week"] is not None
    assert period["end"] < today.isoformat()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "48"], "--week '48': expected an ISO week such as 2026-W48"),
        (["--since", "2026-13-01"], "--since '2026-13-01': expected a date such as 2026-11-23"),
        (
            ["--week", "2026-W48", "--until", "2026-11-01"],
            "--week cannot be combined with --since/--until",
        ),
    ],
)
def test_bad_periods_are_usage_errors(env, args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"pmt: error: {message}"


def test_unwritable_output_is_one_line(env, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("--output", str(blocker / "report.md"))
    assert result.exit_code == 1
    assert result.stderr.strip().startswith(
        f"pmt: error: {blocker / 'report.md'}: cannot write the report"
    )
    assert "Traceback" not in result.output


def test_empty_store_says_so(sqlite_store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMT_DATABASE_URL", sqlite_store.url)
    result = run("--week", "2026-W48")
    assert result.exit_code == 0
    assert "the store is empty" in result.stderr
    assert "No new postmortems this week." in result.stdout


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(app, ["report", "weekly", "--help"])
    assert result.exit_code == 0
    assert "pmt report weekly --week 2026-W48 --format html" in result.stdout
