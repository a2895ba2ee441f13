"""The period a report covers: an ISO week or a range of days, in the configured time zone.

A period is a range of local calendar days; ``start_at``/``end_at`` turn it into UTC instants
(half-open: ``start_at <= t < end_at``). Weeks are cut at local midnight, not UTC midnight: a
team in Tokyo closing an item at 08:00 on Monday closed it in the new week, although in UTC it
is still Sunday.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from tracker.errors import PmtError

_WEEK = re.compile(r"^(?P<year>\d{4})-?W(?P<week>\d{1,2})$", re.IGNORECASE)


class PeriodError(PmtError):
    """A --week / --since / --until that cannot be read (a usage error)."""

    exit_code = 2


@dataclass(frozen=True)
class Period:
    start: date  # first day, inclusive
    end: date  # last day, inclusive
    timezone: str

    @property
    def week(self) -> str | None:
        """``2026-W48`` when the period is exactly one ISO week, else None."""
        year, week, weekday = self.start.isocalendar()
        if weekday == 1 and self.end == self.start + timedelta(days=6):
            return f"{year}-W{week:02d}"
        return None

    @property
    def label(self) -> str:
        return self.week or f"{self.start.isoformat()} to {self.end.isoformat()}"

    @property
    def title(self) -> str:
        """The period for a report's title: "week 2026-W48", "November 2026", "Q4 2026",
        "2026", else "2026-11-03 to 2026-11-17"."""
        if self.week:
            return f"week {self.week}"
        start, end = self.start, self.end
        after = end + timedelta(days=1)
        if start.day == 1 and after.day == 1:
            if start.month == 1 and end.month == 12 and start.year == end.year:
                return str(start.year)
            if start.year == end.year and start.month == end.month:
                return f"{start:%B %Y}"
            if start.year == end.year and start.month % 3 == 1 and end.month == start.month + 2:
                return f"Q{start.month // 3 + 1} {start.year}"
        return self.label

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def start_at(self) -> datetime:
        return local_midnight(self.start, self.zone)

    @cached_property
    def end_at(self) -> datetime:
        """The first instant after the period (exclusive)."""
        return local_midnight(self.end + timedelta(days=1), self.zone)

    def contains(self, instant: datetime | None) -> bool:
        return instant is not None and self.start_at <= _aware(instant) < self.end_at

    def contains_day(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def local_day(self, instant: datetime) -> date:
        return _aware(instant).astimezone(self.zone).date()

    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "week": self.week,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "timezone": self.timezone,
            "start_at": self.start_at.isoformat(),
            "end_at": self.end_at.isoformat(),
        }


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _aware(instant: datetime) -> datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def iso_week(label: str, timezone: str) -> Period:
    """``2026-W48`` (or ``2026W48``) as a Monday-to-Sunday period."""
    match = _WEEK.match(label.strip())
    if not match:
        raise PeriodError(f"--week {label!r}: expected an ISO week such as 2026-W48")
    try:
        monday = date.fromisocalendar(int(match["year"]), int(match["week"]), 1)
    except ValueError:
        raise PeriodError(
            f"--week {label!r}: {match['year']} has no week {match['week']}"
        ) from None
    return Period(monday, monday + timedelta(days=6), timezone)


def last_full_week(now: datetime, timezone: str) -> Period:
    """The last Monday-to-Sunday week that has ended, in ``timezone``."""
    today = _aware(now).astimezone(ZoneInfo(timezone)).date()
    this_monday = today - timedelta(days=today.weekday())
    monday = this_monday - timedelta(days=7)
    return Period(monday, monday + timedelta(days=6), timezone)


def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PeriodError(f"{option} {value!r}: expected a date such as 2026-11-23") from None


def resolve_period(
    *,
    timezone: str,
    now: datetime,
    week: str | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
) -> Period:
    """The period asked for on the command line; the last full ISO week when nothing is."""
    if week and (since or until):
        raise PeriodError("--week cannot be combined with --since/--until")
    if week:
        return iso_week(week, timezone)
    if not since and not until:
        return last_full_week(now, timezone)
    today = _aware(now).astimezone(ZoneInfo(timezone)).date()
    start = since if isinstance(since, date) else parse_day(since, "--since") if since else None
    end = until if isinstance(until, date) else parse_day(until, "--until") if until else today
    if start is None:
        # --until alone: the seven days ending that day.
        start = end - timedelta(days=6)
    if end < start:
        raise PeriodError(f"--until {end.isoformat()} is before --since {start.isoformat()}")
    return Period(start, end, timezone)


def weeks_ending(period: Period, count: int) -> list[Period]:
    """The ``count`` ISO weeks up to and including the week of the period's last day."""
    last_monday = period.end - timedelta(days=period.end.weekday())
    weeks = []
    for back in range(count - 1, -1, -1):
        monday = last_monday - timedelta(days=7 * back)
        weeks.append(Period(monday, monday + timedelta(days=6), period.timezone))
    return weeks
