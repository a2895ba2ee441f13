"""Dates, times, zones and durations as postmortems write them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from tracker.parsing.dates import (
    find_moments,
    find_zone,
    leading_moment,
    parse_date,
    parse_due,
    parse_duration,
    zone_info,
)


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2026-03-01", "mdy", date(2026, 3, 1)),
        ("2026/3/1", "dmy", date(2026, 3, 1)),
        ("01/02/2026", "mdy", date(2026, 1, 2)),
        ("01/02/2026", "dmy", date(2026, 2, 1)),
        ("13/02/2026", "mdy", date(2026, 2, 13)),
        ("02/13/2026", "dmy", date(2026, 2, 13)),
        ("01.02.2026", "mdy", date(2026, 2, 1)),
        ("5-26-21", "mdy", date(2021, 5, 26)),
        ("March 3, 2026", "mdy", date(2026, 3, 3)),
        ("Mar 3rd 2026", "dmy", date(2026, 3, 3)),
        ("3 March 2026", "mdy", date(2026, 3, 3)),
        ("the 3rd of March 2026", "mdy", date(2026, 3, 3)),
        ("3rd of March 2026", "mdy", date(2026, 3, 3)),
        ("Tuesday, March 3, 2026", "mdy", date(2026, 3, 3)),
        ("2026-02-30", "mdy", None),
        ("yesterday", "mdy", None),
    ],
)
def test_parse_date(text: str, order: str, expected: date | None) -> None:
    assert parse_date(text, order) == expected


def test_a_date_without_a_year_takes_the_default_year() -> None:
    assert parse_date("March 3", default_year=2025) == date(2025, 3, 3)
    assert parse_date("March 3") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Q2", date(2026, 6, 30)),
        ("Q4 2027", date(2027, 12, 31)),
        ("2027-Q1", date(2027, 3, 31)),
        ("end of Q3", date(2026, 9, 30)),
        ("end of February", date(2026, 2, 28)),
        ("April", date(2026, 4, 30)),
        ("2026-05-01", date(2026, 5, 1)),
    ],
)
def test_parse_due(text: str, expected: date) -> None:
    assert parse_due(text, default_year=2026) == expected


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("2 hours 15 minutes", 135),
        ("2h15m", 135),
        ("45m", 45),
        ("45 min", 45),
        ("1.5 hours", 90),
        ("nine hours", 540),
        ("an hour and a half", 90),
        ("54 hours 10 minutes", 3250),
        ("a day", 1440),
        ("no idea", None),
    ],
)
def test_parse_duration(text: str, minutes: int | None) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    ("zone", "offset"),
    [
        ("UTC", 0),
        ("GMT", 0),
        ("Z", 0),
        ("UTC-4", -240),
        ("UTC+05:30", 330),
        ("+02:00", 120),
        ("PST", -480),
        ("PDT", -420),
        ("CEST", 120),
        ("EST", -300),
    ],
)
def test_fixed_zones(zone: str, offset: int) -> None:
    tz = zone_info(zone)
    assert tz is not None
    assert tz.utcoffset(None) == timedelta(minutes=offset)


def test_region_and_iana_zones_follow_daylight_saving() -> None:
    eastern = zone_info("Eastern time")
    assert eastern is not None
    assert datetime(2026, 7, 1, 12, tzinfo=eastern).utcoffset() == timedelta(hours=-4)
    assert datetime(2026, 1, 1, 12, tzinfo=eastern).utcoffset() == timedelta(hours=-5)
    paris = zone_info("Europe/Paris")
    assert paris is not None and datetime(2026, 7, 1, tzinfo=paris).utcoffset() == timedelta(
        hours=2
    )
    assert zone_info("Mars/Olympus") is None


def test_moments_in_prose() -> None:
    found = find_moments("On June 10, 2024, from 3:00 PM to 5:15 PM GMT the site was down")
    assert [m.raw for m in found] == ["June 10, 2024", "3:00 PM", "5:15 PM GMT"]
    assert found[2].clock == time(17, 15) and found[2].tz == UTC


def test_moment_with_date_after_the_time() -> None:
    (m,) = find_moments("12:00 PM (UTC-4) on May 15, 2024", default_year=None)
    assert m.at() == datetime(2024, 5, 15, 12, 0, tzinfo=timezone(timedelta(hours=-4)))
    assert m.zone == "UTC-4"


def test_iso_timestamp() -> None:
    (m,) = find_moments("at 2026-01-03T10:00:00Z the job failed")
    assert m.at() == datetime(2026, 1, 3, 10, tzinfo=UTC)


def test_leading_moment_needs_the_time_first() -> None:
    assert leading_moment("Jan 14, 10:18 AM", default_year=2026).at() == datetime(
        2026, 1, 14, 10, 18
    )  # type: ignore[union-attr]
    assert leading_moment("the deploy at 10:00") is None


def test_find_zone_in_notes() -> None:
    assert find_zone("All times in CEST") == "CEST"
    assert find_zone("Time (UTC)") == "UTC"
    assert find_zone("Timeline (all times approximate)") is None


@pytest.mark.parametrize(
    ("summary", "minutes"),
    [
        ("The outage lasted 3 hours.", 180),
        ("Lasted 3 hours, and every user was affected.", 180),  # at the start of a sentence
        ("TOOK ABOUT 45 MINUTES to recover.", 45),
        ("Checkout was slow for most of the afternoon.", None),
    ],
)
def test_a_duration_stated_in_the_summary(summary: str, minutes: int | None) -> None:
    from tracker.parsing import parse_text

    assert parse_text(f"# Outage\n\n## Summary\n\n{summary}\n").duration_minutes == minutes


@pytest.mark.parametrize(
    ("written", "clock", "zone"),
    [
        ("0300hrs (EAT)", time(3, 0), "EAT"),  # military hours
        ("10h47 CEST", time(10, 47), "CEST"),
        ("3:AM", time(3, 0), None),
        ("11:26-am", time(11, 26), None),
        ("13:20pm EAT", time(13, 20), "EAT"),  # a 24-hour clock with pm all the same
        ("06:05 Central African Time", time(6, 5), "Central African Time"),  # not US Central
    ],
)
def test_clocks_written_otherwise(written: str, clock: time, zone: str | None) -> None:
    (m,) = find_moments(written)
    assert (m.clock, m.zone) == (clock, zone)


def test_a_range_glued_by_a_dash_is_not_an_offset() -> None:
    assert [m.raw for m in find_moments("23:15-02:43 UTC")] == ["23:15", "02:43 UTC"]
    assert find_moments("10:00-05:00")[0].zone == "-05:00"  # an ISO offset stays one


@pytest.mark.parametrize(
    ("zone", "hours"), [("WAT", 1), ("CAT", 2), ("EAT", 3), ("SAST", 2), ("East Africa Time", 3)]
)
def test_african_zones(zone: str, hours: int) -> None:
    tz = zone_info(zone)
    assert tz is not None and tz.utcoffset(None) == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2026-02-30", ("error", "2026-02-30 is not a date that exists")),
        ("February 30, 2026", ("error", "February 30, 2026 is not a date that exists")),
        ("13/04/2026", None),
        ("2026-03-04", None),
        ("3 replicas", None),
    ],
)
def test_date_problems(text: str, problem: tuple[str, str] | None) -> None:
    from tracker.parsing.dates import date_problem

    assert date_problem(text) == problem


def test_an_ambiguous_date_is_a_warning_with_a_hint() -> None:
    from tracker.parsing.dates import date_problem

    severity, hint = date_problem("03/04/2026", "dmy")  # type: ignore[misc]
    assert severity == "warning" and "read as 2026-04-03" in hint and "write 2026-04-03" in hint
