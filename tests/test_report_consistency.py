"""The weekly report agrees with the commands a reader can check it against (issue 17).

Every figure of ``pmt report weekly`` is worked out again here from the JSON of ``pmt overdue``,
``pmt causes``, ``pmt list`` and ``pmt show`` on the same store (the examples, ingested as a new
user would), and the report's sections agree with one another: the done and completion figures,
the 12-week history, the title of a longer period, the causes window it names.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.app import app
from tests.conftest import REPO


def pmt(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def pmt_json(*args: str) -> Any:
    return json.loads(pmt(*args, "--format", "json").stdout)


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The examples folder ingested into a fresh store, from a project of their own."""
    project = tmp_path / "project"
    shutil.copytree(
        REPO / "examples", project / "postmortems", ignore=shutil.ignore_patterns("workflows")
    )
    (project / ".git").mkdir()
    monkeypatch.chdir(project)
    monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{tmp_path / 'pmt.db'}")
    pmt("ingest", "postmortems")
    return project


def _today() -> date:
    return datetime.now(UTC).date()


def _year_report() -> dict[str, Any]:
    """Everything since before the examples, to today: every item is in it."""
    data: dict[str, Any] = pmt_json(
        "report", "weekly", "--since", "2025-01-01", "--until", _today().isoformat()
    )
    return data


def test_every_overdue_figure_comes_from_pmt_overdue(examples: Path) -> None:
    report = _year_report()
    overdue = pmt_json("overdue")
    assert report["items"]["overdue_now"] == len(overdue) > 0
    assert sorted((e["text"], e["days_overdue"], e["due"]) for e in report["overdue"]) == sorted(
        (o["item"], o["days_overdue"], o["due"]) for o in overdue
    )
    by_priority = Counter(o["priority"] or "none" for o in overdue)
    assert {
        s["priority"]: s["overdue_now"] for s in report["by_priority"] if s["overdue_now"]
    } == by_priority
    by_owner: dict[str, list[int]] = {}
    for o in overdue:
        by_owner.setdefault((o["owner"] or "").lower().lstrip("@"), []).append(o["days_overdue"])
    for load in report["owners"]:
        late = by_owner[load["owner"].lower().lstrip("@")]
        assert (load["overdue"], load["most_days_late"]) == (len(late), max(late))
    # The five with the most overdue items (ties: the longest late first).
    ranked = sorted(by_owner.values(), key=lambda days: (-len(days), -max(days)))[:5]
    assert [(o["overdue"], o["most_days_late"]) for o in report["owners"]] == [
        (len(d), max(d)) for d in ranked
    ]


def test_open_added_done_and_completion_come_from_list_and_show(examples: Path) -> None:
    report = _year_report()
    listed = pmt_json("list")
    items = [
        i for pm in listed for i in pmt_json("show", pm["key"])["items"] if i["status"] != "removed"
    ]
    assert (
        report["items"]["open_now"]
        == sum(pm["open"] for pm in listed)
        == sum(i["status"] == "open" for i in items)
    )
    totals = report["items"]
    done = [i for i in items if i["status"] == "done"]
    # Every item was recorded today, inside the period: all added; the checked ones were
    # already done when pmt first read them (no closing date: not done *in* the period).
    assert totals["added"] == len(items)
    assert totals["done_when_recorded"] == len(done) > 0 and totals["closed"] == 0
    # Completion is done by the end of the period out of what existed: the parts are given.
    assert (totals["done_by_end"], totals["existing_at_end"]) == (len(done), len(items))
    assert totals["completion_rate"] == round(len(done) / len(items), 4)
    # Rows by priority add up to the total.
    for name in (
        "added",
        "closed",
        "open_now",
        "overdue_now",
        "done_by_end",
        "existing_at_end",
        "due",
        "met_deadline",
    ):
        assert sum(s[name] for s in report["by_priority"]) == totals[name], name
    # Each new postmortem's item count is pmt list's.
    counts = {pm["key"]: pm["items"] for pm in listed}
    assert {p["key"]: p["items"] for p in report["postmortems"]} == counts


def test_sections_agree_on_done_and_open(examples: Path) -> None:
    report = _year_report()
    totals, history = report["items"], report["history"]
    # The last week of the chart is the one going on: open now, and nothing done in it.
    assert history[-1]["open"] == totals["open_now"]
    assert sum(w["closed"] for w in history) == totals["closed"] == 0  # no item has a closing date
    glance = " ".join(report["at_a_glance"])
    assert (
        f"{totals['added']} action items added and {totals['closed']} done in this period" in glance
    )
    assert f"({totals['done_when_recorded']} of those added were already checked as done" in glance
    assert f"{totals['open_now']} still open" in glance
    assert (
        f"Completion: {totals['done_by_end']} of {totals['existing_at_end']} action items done so far"
        in glance
    )
    markdown = pmt(
        "report", "weekly", "--since", "2025-01-01", "--until", _today().isoformat()
    ).stdout
    all_row = next(line for line in markdown.splitlines() if line.startswith("| All |"))
    cells = [c.strip() for c in all_row.strip("|").split("|")]
    assert cells[1:6] == [
        str(totals["added"]),
        str(totals["closed"]),
        str(totals["open_now"]),
        str(totals["overdue_now"]),
        f"{round(totals['completion_rate'] * 100)}% ({totals['done_by_end']}/{totals['existing_at_end']})",
    ]


def test_the_causes_figures_come_from_pmt_causes(examples: Path) -> None:
    report = _year_report()
    window = report["causes"]
    causes = pmt_json(
        "causes", "--since", window["recent"]["start"], "--until", window["recent"]["end"]
    )
    assert causes["period"]["previous"] == {
        "since": window["previous"]["start"],
        "until": window["previous"]["end"],
    }
    counted = {c["category"]: (c["count"], c["previous_count"]) for c in causes["categories"]}
    assert {c["category"]: (c["recent"], c["previous"]) for c in window["categories"]} == counted
    # The causes window is the last 90 days up to today, and the report says so.
    assert window["window_days"] == 90 and window["recent"]["end"] == _today().isoformat()
    assert date.fromisoformat(window["recent"]["end"]) - date.fromisoformat(
        window["recent"]["start"]
    ) == timedelta(days=89)


def test_each_repeat_is_one_pmt_causes_finds(examples: Path) -> None:
    report = _year_report()
    repeats = report["repeats"]["follow_up_never_done"] + report["repeats"]["fix_did_not_hold"]
    assert repeats, "the August TLS outage repeats the February one"
    for entry in repeats:
        day = entry["incident_date"]
        causes = pmt_json("causes", "--since", day, "--until", day)
        found = {
            (p["key"], r["earlier_key"]): r for p in causes["postmortems"] for r in p["repeats"]
        }
        pair = found[(entry["postmortem_key"], entry["earlier_key"])]
        assert round(pair["score"], 3) == entry["score"]
        assert pair["open_items"] == entry["open_items"]


def test_the_chart_shows_what_was_open_after_a_first_ingest_and_no_future_week(
    examples: Path,
) -> None:
    # Last week's report, made just after the very first ingest.
    history = pmt_json("report", "weekly")["history"]
    assert len(history) == 12
    assert any(w["open"] for w in history), "items count from their incident, not from the ingest"
    assert all(date.fromisoformat(w["start"]) <= _today() for w in history)
    # A period running into next year plots no week after this one.
    long = pmt_json(
        "report",
        "weekly",
        "--since",
        "2025-01-01",
        "--until",
        (_today() + timedelta(days=400)).isoformat(),
    )
    starts = [date.fromisoformat(w["start"]) for w in long["history"]]
    assert max(starts) <= _today() < max(starts) + timedelta(days=7)
    html = pmt(
        "report", "weekly", "--since", "2025-01-01", "--until", "2099-12-31", "--format", "html"
    ).stdout
    assert "the last week is counted up to" in html


@pytest.mark.parametrize(
    ("args", "title"),
    [
        (["--week", "2026-W48"], "Postmortem follow-ups: week 2026-W48"),
        (["--since", "2026-01-01", "--until", "2026-12-31"], "Postmortem follow-ups: 2026"),
        (
            ["--since", "2026-11-01", "--until", "2026-11-30"],
            "Postmortem follow-ups: November 2026",
        ),
        (["--since", "2026-10-01", "--until", "2026-12-31"], "Postmortem follow-ups: Q4 2026"),
        (
            ["--since", "2026-11-02", "--until", "2026-11-15"],
            "Postmortem follow-ups: 2026-11-02 to 2026-11-15",
        ),
    ],
)
def test_a_longer_period_is_titled_as_itself(examples: Path, args: list[str], title: str) -> None:
    assert pmt_json("report", "weekly", *args)["title"] == title
    markdown = pmt("report", "weekly", *args).stdout
    assert markdown.startswith(f"# {title}\n")
    assert "week 2026-01-01" not in markdown


def test_a_title_of_ones_own_names_the_period(
    examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMT_REPORT_TITLE", "Follow-ups ({period})")
    assert (
        pmt_json("report", "weekly", "--week", "2026-W48")["title"] == "Follow-ups (week 2026-W48)"
    )
    assert (
        pmt_json("report", "weekly", "--since", "2026-01-01", "--until", "2026-12-31")["title"]
        == "Follow-ups (2026)"
    )


def test_the_causes_part_says_its_window(examples: Path) -> None:
    markdown = pmt("report", "weekly", "--since", "2026-01-01", "--until", "2026-12-31").stdout
    assert "## Recurring causes (last 90 days)" in markdown
    assert "This is not the report's period: pmt causes --since 2026-01-01" in markdown
    glance = markdown.split("## New postmortems")[0]
    assert "Most common cause over the last 90 days (to " in glance
    html = pmt(
        "report", "weekly", "--since", "2026-01-01", "--until", "2026-12-31", "-f", "html"
    ).stdout
    assert (
        "Recurring causes (last 90 days)" in html and "This is not the report&#x27;s period" in html
    )
