"""When an incident started and ended, read from layouts real postmortems use (documents
written for these tests): a timeline whose entries name the event before its time, and a
timeline told day by day."""

from __future__ import annotations

from datetime import UTC, datetime

from tracker.parsing import parse_text

LABELLED = """# Cache cluster failover

## Summary

The cache cluster lost its primary and clients saw errors.

## Timeline

- **Incident start:** 2026-05-04 21:10 UTC
- **Time of detection:** 2026-05-04 21:18 UTC (paging alert)
- **Failover attempted:** 2026-05-04 21:40 UTC
- **Resolution:** 2026-05-04 22:05 UTC
- **Stable:** 2026-05-04 22:30 UTC onwards
"""

BY_DAY = """# Nightly builds broken

## Summary

Nightly builds failed for a week.

## Timeline

- **2026-02-02**: Builds cannot fetch dependencies: the mirror ran out of disk space.
- **2026-02-04**: Builds still fail; the mirror is moved to a larger volume.
- **2026-02-09**: The mirror's cache is rebuilt and the nightly build is green.
"""


def test_a_timeline_that_names_each_event_before_its_time() -> None:
    pm = parse_text(LABELLED)
    assert [(e.at, e.text) for e in pm.timeline][:2] == [
        ("2026-05-04 21:10 UTC", "Incident start"),
        ("2026-05-04 21:18 UTC", "Time of detection (paging alert)"),
    ]
    assert pm.started == datetime(2026, 5, 4, 21, 10, tzinfo=UTC)
    # The entry that says the incident was resolved ends it, not the last one.
    assert pm.ended == datetime(2026, 5, 4, 22, 5, tzinfo=UTC)
    assert pm.timezone == "UTC"


def test_a_timeline_told_day_by_day_runs_from_its_first_to_its_last_day() -> None:
    pm = parse_text(BY_DAY)
    # "cannot fetch", "ran out of disk space": the impact starts on the first day.
    assert pm.started_text == "2026-02-02"
    assert pm.ended_text == "2026-02-09"
    assert pm.started is None and pm.ended is None  # days, not instants


def test_a_labelled_line_without_a_time_is_not_an_entry() -> None:
    pm = parse_text(LABELLED.replace("2026-05-04 21:40 UTC", "after the alert"))
    assert "Failover attempted" not in [e.text for e in pm.timeline]
    assert len(pm.timeline) == 4


def test_a_duration_written_as_a_range_of_days() -> None:
    pm = parse_text(
        "# Sandbox access lost\n\n## Summary\n\n* Duration: March 3rd to March 5th, 2026.\n"
        "* Impact: nobody could reach the sandbox.\n"
    )
    assert (pm.started_text, pm.ended_text) == ("March 3rd", "March 5th, 2026")
    assert pm.started is None and pm.ended is None


def test_two_days_that_are_no_range_are_not_a_duration() -> None:
    pm = parse_text(
        "# Sandbox access lost\n\n## Summary\n\n* Duration: reported March 3rd, fixed in the "
        "release of March 9th, 2026.\n"
    )
    assert pm.ended_text is None
