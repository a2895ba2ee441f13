"""Dates, times, time zones and durations as people write them in postmortems.

Everything here works on short candidate strings (a timeline entry, a summary sentence, a
table cell), never on a whole document, and avoids dateutil: the formats that matter are few
and a handful of precompiled patterns read them faster and more predictably.

Ambiguous numeric dates (01/02/2026) are read in ``date_order`` ("mdy" or "dmy"); a date that
can only be read one way (13/02/2026, 2026-02-01, "Feb 1, 2026") is read that way.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from functools import lru_cache

from tracker.parsing.zones import ZONE_RE, find_zone, zone_info

# zone_info and find_zone live in tracker.parsing.zones; callers of old still find them here.
__all__ = [
    "DATE_RE",
    "MONTHS",
    "MONTH_NAME",
    "TIME_RE",
    "Moment",
    "date_problem",
    "find_moments",
    "find_zone",
    "iter_moments",
    "leading_moment",
    "minutes_between",
    "parse_clock",
    "parse_date",
    "parse_due",
    "parse_duration",
    "zone_info",
]

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
}  # fmt: skip

MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_MONTH = rf"{MONTH_NAME}\.?"
_WEEKDAY = (
    r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|rsday|urday)?\.?,?\s+)"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:\d{4}|'\d{2})"
DATE_RE = (
    r"(?:\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{4}/\d{1,2}/\d{1,2}"
    r"|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?!\d)"
    rf"|{_WEEKDAY}?{_MONTH}\s+{_DAY}(?:,?\s*{_YEAR})?(?![\d:])"
    rf"|{_WEEKDAY}?{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s*{_YEAR})?(?![\d:])"
    r")"
)
TIME_RE = (
    r"(?:\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:(?:\s?|-)[ap]\.?m\.?(?![a-z]))?|\d{1,2}\.\d{2}\s?[ap]\.?m\.?(?![a-z])"
    r"|\d{1,2}:?\s?[ap]\.?m\.?(?![a-z])|[0-2]\d[0-5]\d\s?hrs?\b|\d{1,2}h[0-5]\d\b)"
)

# One "moment": an optional date, a time, an optional zone, and a date written after the time
# ("10:00 AM UTC on May 15, 2024"); or an ISO timestamp; or a date alone.
# The gate up front lets the engine skip, cheaply, every position that cannot start a moment.
_MOMENT = re.compile(
    r"\b(?=[\dadfjmnostw])(?=\d|(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))"
    rf"(?:(?P<iso>\d{{4}}-\d{{2}}-\d{{2}}T\d{{1,2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?)(?P<isozone>Z|[+\-]\d{{2}}:?\d{{2}})?"
    rf"|(?:(?P<date1>{DATE_RE})(?:\s*,?\s*(?:at\s+|@\s*|T)?|\s+-\s+))?"
    rf"(?P<time>{TIME_RE})(?:\s*\(?\s*(?P<zone>{ZONE_RE})\)?)?"
    rf"(?:,?\s+(?:on\s+)?(?P<date2>{DATE_RE}))?"
    rf"|(?P<dateonly>{DATE_RE}))",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_SHORT_NUM_DATE = re.compile(r"(\d{1,2})/(\d{1,2})$")
_NUM_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})$")
_NAME_DATE = re.compile(
    rf"(?:{_WEEKDAY})?(?:(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH}))(?:,?\s*(?P<y>\d{{4}}|'\d{{2}}))?$",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"(\d{1,2})(?:[:.](\d{2})(?::(\d{2}))?(?:\.\d+)?)?\s?(?:([ap])\.?m\.?)?$", re.IGNORECASE
)
_QUARTER = re.compile(
    r"(?:(?:end\s+of\s+)?(?:the\s+)?)?(?:(\d{4})[\s-]?)?Q([1-4])(?:[\s,]+(\d{4}))?$", re.IGNORECASE
)
_MONTH_ONLY = re.compile(
    rf"(?:(?:the\s+)?end\s+of\s+)?(?P<m>{_MONTH})(?:,?\s+(?P<y>\d{{4}}))?$", re.IGNORECASE
)

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "ninety": 90,
}  # fmt: skip
_DURATION_PART = re.compile(
    r"(?P<n>\d+(?:\.\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
    r"\s*(?P<unit>days?|d|hours?|hrs?|hr|h|minutes?|mins?|m)(?![a-z])(?P<half>\s+and\s+a\s+half)?",
    re.IGNORECASE,
)
_UNIT_MINUTES = {"d": 1440, "h": 60, "m": 1}


@dataclass(slots=True)
class Moment:
    """A point in time found in text: what could be read of it, and where it was written."""

    start: int
    end: int
    raw: str
    day: date | None = None
    clock: time | None = None
    zone: str | None = None  # as written, e.g. "UTC-4", "Eastern time"
    tz: tzinfo | None = None

    def at(
        self, default_day: date | None = None, default_tz: tzinfo | None = None
    ) -> datetime | None:
        """The instant, when a day is known; aware when a zone is known."""
        day = self.day or default_day
        if day is None or self.clock is None:
            return None
        return datetime.combine(day, self.clock, tzinfo=self.tz or default_tz)


@lru_cache(maxsize=2048)
def parse_date(text: str, date_order: str = "mdy", default_year: int | None = None) -> date | None:
    """A calendar date from a short string, or None."""
    s = text.strip().strip(".,;()[]*_")
    if s[:4].lower() == "the ":
        s = s[4:]
    if not s:
        return None
    try:
        m = _ISO_DATE.match(s)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _NUM_DATE.match(s)
        if m:
            a, sep, b, y = int(m.group(1)), m.group(2), int(m.group(3)), _year(m.group(4))
            if sep == "." or a > 12 or (date_order == "dmy" and b <= 12):
                day, month = a, b
            else:
                month, day = a, b
            return date(y, month, day)
        m = _SHORT_NUM_DATE.match(s)
        if m and default_year is not None:
            a, b = int(m.group(1)), int(m.group(2))
            if a > 12 or (date_order == "dmy" and b <= 12):
                return date(default_year, b, a)
            return date(default_year, a, b)
        m = _NAME_DATE.match(s)
        if m:
            month = MONTHS[(m.group("m1") or m.group("m2")).lower().rstrip(".")]
            day = int(m.group("d1") or m.group("d2"))
            year = _year(m.group("y")) if m.group("y") else default_year
            if year is None:
                return None
            return date(year, month, day)
    except ValueError:  # 2026-02-30 and friends
        return None
    return None


def date_problem(text: str, date_order: str = "mdy") -> tuple[str, str] | None:
    """What is wrong with a date as written, if anything: ``("error", why)`` for a date that
    does not exist ("2026-02-30"), ``("warning", hint)`` for a numeric date whose day and month
    could be swapped ("03/04/2026"); None for a good date or text that is not a date."""
    s = text.strip().strip(".,;()[]*_")
    m = _ISO_DATE.match(s)
    parts = (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    m = _NUM_DATE.match(s) if parts is None else None
    if m is not None:
        a, b, y = int(m.group(1)), int(m.group(3)), _year(m.group(4))
        dmy = m.group(2) == "." or a > 12 or (date_order == "dmy" and b <= 12)
        parts = (y, b, a) if dmy else (y, a, b)
        if m.group(2) != "." and a <= 12 and b <= 12 and a != b:
            read = date(*parts) if _exists(parts) else None
            if read is not None:
                iso = read.isoformat()
                return "warning", (
                    f"{s} could be day/month or month/day; read as {iso} ([parsing] date_order = "
                    f'"{date_order}"); write {iso} to say which'
                )
    m = _NAME_DATE.match(s) if parts is None else None
    if m is not None and m.group("y"):
        month = MONTHS[(m.group("m1") or m.group("m2")).lower().rstrip(".")]
        parts = (_year(m.group("y")), month, int(m.group("d1") or m.group("d2")))
    if parts is None or _exists(parts):
        return None
    return "error", f"{s} is not a date that exists"


def _exists(parts: tuple[int, int, int]) -> bool:
    try:
        date(*parts)
    except ValueError:
        return False
    return True


def parse_due(text: str, date_order: str = "mdy", default_year: int | None = None) -> date | None:
    """A due date: any date ``parse_date`` reads, or a quarter or month (its last day).

    "Q2" and "Q2 2026" mean the last day of that quarter, "March" / "end of March" the last day
    of March, in the year written or else ``default_year`` (the incident's year).
    """
    found = parse_date(text, date_order, default_year)
    if found is not None:
        return found
    s = text.strip().strip(".,;()[]*_")
    m = _QUARTER.match(s)
    if m:
        year = int(m.group(1) or m.group(3) or 0) or default_year
        if year is None:
            return None
        month = int(m.group(2)) * 3
        return date(year, month, calendar.monthrange(year, month)[1])
    m = _MONTH_ONLY.match(s)
    if m:
        year = int(m.group("y")) if m.group("y") else default_year
        if year is None:
            return None
        month = MONTHS[m.group("m").lower().rstrip(".")]
        return date(year, month, calendar.monthrange(year, month)[1])
    return None


# Clocks written otherwise: "0300hrs", "10h47", "3:AM", "11:26-am" read as "03:00", "10:47", ...
_CLOCK_SPELLINGS = re.compile(
    r"^([0-2]\d)([0-5]\d)\s?hrs?$|^(\d{1,2})h([0-5]\d)$|(?::\s?|-)(?=[ap]\.?m)", re.IGNORECASE
)


def _as_colon_clock(m: re.Match[str]) -> str:
    hour, minute = m.group(1) or m.group(3), m.group(2) or m.group(4)
    return f"{hour}:{minute}" if minute else " "


@lru_cache(maxsize=2048)
def parse_clock(text: str) -> time | None:
    m = _TIME.match(_CLOCK_SPELLINGS.sub(_as_colon_clock, text.strip()).strip())
    if not m:
        return None
    hour, minute, second = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
    half = (m.group(4) or "").lower()
    if half and not (half == "p" and 13 <= hour <= 23):  # "13:20pm" is 13:20 all the same
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def find_moments(
    text: str, date_order: str = "mdy", default_year: int | None = None
) -> list[Moment]:
    """Every date or time written in ``text``, in order."""
    return list(iter_moments(text, date_order, default_year))


def iter_moments(
    text: str, date_order: str = "mdy", default_year: int | None = None
) -> Iterator[Moment]:
    """``find_moments``, read only as far as the caller goes."""
    if _DIGIT.search(text) is None:
        return  # every date and time has a digit
    for m in _MOMENT.finditer(text):
        moment = _moment(m, date_order, default_year)
        if moment is not None:
            yield moment


def leading_moment(
    text: str, date_order: str = "mdy", default_year: int | None = None
) -> Moment | None:
    """The date/time a timeline entry starts with, if it starts with one."""
    m = _MOMENT.match(text)
    return _moment(m, date_order, default_year) if m is not None else None


def _moment(m: re.Match[str], date_order: str, default_year: int | None) -> Moment | None:
    if m.group("iso"):
        try:
            stamp = datetime.fromisoformat(m.group("iso"))
        except ValueError:
            return None
        zone = m.group("isozone")
        return Moment(
            m.start(),
            m.end(),
            m.group(0),
            stamp.date(),
            stamp.time(),
            zone,
            zone_info(zone) if zone else None,
        )
    if m.group("dateonly"):
        day = parse_date(m.group("dateonly"), date_order, default_year)
        if day is None and not _has_year(m.group("dateonly")):
            # "March 3" with no year known: still a date mention, but no calendar day.
            return Moment(m.start(), m.end(), m.group(0))
        return Moment(m.start(), m.end(), m.group(0), day) if day else None
    clock = parse_clock(m.group("time"))
    if clock is None:
        return None
    raw_day = m.group("date1") or m.group("date2")
    day = parse_date(raw_day, date_order, default_year) if raw_day else None
    zone = m.group("zone")
    tz = zone_info(zone) if zone else None
    if zone and tz is None:
        zone = None
    end = m.end()
    if zone is None and m.group("zone"):
        end = m.end("time")
    raw = m.string[m.start() : end].rstrip(" ,")
    if raw.endswith(")") and raw.count("(") < raw.count(")"):
        raw = raw[:-1].rstrip()
    return Moment(m.start(), m.start() + len(raw), raw, day, clock, zone, tz)


def _has_year(text: str) -> bool:
    return bool(re.search(r"\d{4}|'\d{2}", text))


def _year(text: str) -> int:
    text = text.lstrip("'")
    year = int(text)
    return year + 2000 if year < 100 else year


def parse_duration(text: str) -> int | None:
    """Minutes from "2 hours 15 minutes", "2h15m", "45m", "nine hours", "a day and a half"."""
    total = 0.0
    matched = False
    for m in _DURATION_PART.finditer(text):
        n_text = m.group("n").lower()
        n = (
            float(_NUMBER_WORDS.get(n_text, 0) or n_text)
            if n_text not in _NUMBER_WORDS
            else float(_NUMBER_WORDS[n_text])
        )
        if m.group("half"):
            n += 0.5
        unit = m.group("unit").lower()[0]
        total += n * _UNIT_MINUTES[unit]
        matched = True
    if not matched or total <= 0:
        return None
    return round(total)


def minutes_between(start: datetime, end: datetime) -> int | None:
    """Whole minutes from ``start`` to ``end``; None when they cannot be compared or run backwards."""
    if (start.tzinfo is None) != (end.tzinfo is None):
        start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    delta = end - start
    if delta.total_seconds() < 0:
        return None
    return int(delta.total_seconds() // 60)
