"""When the incident started and ended: front matter, "Start:" / "End:" lines, a range or a
duration in the summary's prose, and the timeline's first and last entries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from tracker.models import TimelineEntry
from tracker.parsing import dates
from tracker.parsing.blocks import Para
from tracker.parsing.headings import plain
from tracker.parsing.sections import Node
from tracker.parsing.summary import SENTENCE, key_values

if TYPE_CHECKING:
    from tracker.parsing.metadata import Meta


_RANGE_BEFORE = re.compile(
    r"(?:\bto|\buntil|\btill|\bthrough|\band|[-–—~]|\bend(?:ed|ing)?(?: time)?(?: at)?:?|\bresolved(?: at)?|\brestored(?: at)?|\brecovered(?: at)?|\bby)"
    r"\s*(?:about|approximately|around|roughly|~|approx\.?)?\s*$",
    re.IGNORECASE,
)

_LASTED = re.compile(
    r"\b(?:lasted|lasting|for|over|outage of|downtime of|took)\s+(?:about|approximately|around|roughly|almost|nearly|over|just over|under|~)?\s*"
    r"(?P<d>(?:\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|forty-five|ninety)"
    r"\s*(?:days?|hours?|hrs?|minutes?|mins?)(?:\s*(?:and\s+)?(?:\d+|a half)\s*(?:hours?|minutes?|mins?))?(?:\s+and\s+a\s+half)?)\b",
    re.IGNORECASE,
)

_ONSET = re.compile(
    r"\b(?:down|outage|alert(?:s|ed)?|alarm|errors?|fail(?:s|ed|ing|ure)?|unavailable|degrad\w*|spike|paged?|"
    r"incident|broke|broken|drop(?:s|ped)?|0%|100%|impact\w*|stopped|halt\w*|crash\w*|timeouts?|latency|5\d\d|"
    r"full|exhaust\w*|saturat\w*|spikes?|surge|cannot|can't|unable|unreachable|(?:run|ran) out)\b",
    re.IGNORECASE,
)

_RECOVERY = re.compile(
    r"\b(?:resolved|resolution|recovered|recovery complete|restored|returns? to normal|back to normal|back to 100|back online|"
    r"back up|operational again|fully operational|fully functional|functioning normally|healthy again|moving again|"
    r"mitigated|incident (?:closed|ended|over|resolved)|all clear|full functionality|normal operation|self-heals?|"
    r"recover(?:s|ed)|(?:errors?|failures?|alerts?|impact|timeouts?)\s+(?:stop(?:s|ped)?|cease[ds]?|clear(?:s|ed)?|subside[ds]?))\b",
    re.IGNORECASE,
)

# Weaker signs of recovery, trusted only on the timeline's last entry.
_RECOVERY_WEAK = re.compile(
    r"\b(?:recover|return(?:s|ed)?|back|stop(?:s|ped)?|fixed|normal|ok|green)\b", re.IGNORECASE
)

_DURATION_WORDS = ("duration", "time to ", "downtime", "ttr", "ttm", "outage length", "length of")


@dataclass(slots=True)
class _Range:
    start: dates.Moment | None = None
    end: dates.Moment | None = None
    day: date | None = None


def _sentence_at(text: str, at: int) -> str:
    """The rest of the sentence from ``at``."""
    end = SENTENCE.search(text, at)
    return text[at : end.start() if end else len(text)]


def _find_range(text: str, date_order: str, year: int | None) -> _Range:
    """The first time in ``text``, the first later one that ends a range ("to", "until", a
    dash before it), and the first day written anywhere in it (only when there is a time).
    The moments are read until all three are known."""
    found = _Range()
    day = None
    for m in dates.iter_moments(text, date_order, year):
        if day is None:
            day = m.day
        if m.clock is not None:
            if found.start is None:
                found.start = m
            elif found.end is None and (
                _RANGE_BEFORE.search(text[max(0, m.start - 30) : m.start])
                or _RECOVERY.search(_sentence_at(text, m.end))
            ):
                found.end = m  # "... to 5:15 PM", or "At 12:16 p.m. service was restored."
        if found.end is not None and day is not None:
            break
    if found.start is not None:
        found.day = day
    return found


def _day_range(text: str, date_order: str, year: int | None) -> tuple[str, str] | None:
    """Two days with a range word between them and no time of day ("March 3 to March 5,
    2024"): the days as written."""
    found = list(dates.iter_moments(text, date_order, year))
    if len(found) != 2 or any(m.clock is not None for m in found):
        return None
    first, last = found
    if not _RANGE_BEFORE.search(text[first.end : last.start]):
        return None
    return first.raw, last.raw


def read_times(
    meta: Meta,
    front: dict[str, Any],
    summaries: list[Node],
    date_order: str,
    timeline: list[tuple[TimelineEntry, datetime | None, dates.Moment | None]],
    timeline_zone: str | None,
    all_nodes: list[Node] | None = None,
    lower: str = "",
) -> None:
    """``lower``: the document lower-cased, to skip the search of every section for a stated
    duration when the document uses none of the words that state one."""
    year = meta.year
    rng = _Range()
    explicit_duration: int | None = None

    fm_start, fm_end = (
        _front_time(front, ("started", "start", "start_time", "began")),
        _front_time(front, ("ended", "end", "end_time", "resolved", "resolved_at")),
    )
    fm_zone = front.get("timezone") or front.get("tz") or front.get("time_zone")

    days: tuple[str, str] | None = None
    for key in ("duration", "range"):
        if key in meta.kv:
            value = meta.kv[key][0]
            r = _find_range(value, date_order, year)
            if r.start is not None and rng.start is None:
                rng = r
            elif key == "duration" and explicit_duration is None:
                explicit_duration = dates.parse_duration(value)
            days = days or _day_range(value, date_order, year)
    if rng.start is None and "start" in meta.kv:
        rng = _find_range(meta.kv["start"][0], date_order, year)
        rng.end = None
    if "end" in meta.kv and rng.end is None:
        end = _find_range(meta.kv["end"][0], date_order, year)
        rng.end = end.start
        rng.day = rng.day or end.day
    if rng.start is None:
        # The first paragraph of the summary that gives a start, or a later one that gives a
        # start and an end ("From 8:50pm to 9:40pm EAT" after "it began at 8:50pm").
        paras = [b for node in summaries for b in node.blocks if isinstance(b, Para)]
        for block in paras:
            r = _find_range(plain(block.text), date_order, year)
            if (
                r.start is not None
                and rng.start is None
                or r.start is not None
                and r.end is not None
            ):
                rng = r
            if rng.end is not None:
                break
    if explicit_duration is None:
        explicit_duration = _prose_duration(summaries)
    if explicit_duration is None and all_nodes:
        # "Time to recovery: 54 hours 10 minutes" in a Stats or Metadata section; only in a
        # document that uses one of the words (looked for once a duration line is found: the
        # lines are fewer than the document's characters).
        says_duration: bool | None = None
        for name, value, _ in key_values(
            [n for n in all_nodes if n.kind not in ("actions", "timeline", "takeaways")]
        ):
            if name != "duration":
                continue
            if says_duration is None:
                says_duration = not lower or any(w in lower for w in _DURATION_WORDS)
            if says_duration and _find_range(value, date_order, year).start is None:
                explicit_duration = dates.parse_duration(value)
                if explicit_duration is not None:
                    break

    zone_text = None
    if rng.start is not None:
        zone_text = rng.start.zone or (rng.end.zone if rng.end else None)
    zone_text = (
        zone_text
        or timeline_zone
        or (str(fm_zone) if fm_zone else None)
        or (meta.kv.get("timezone") or (None,))[0]
    )
    tz = dates.zone_info(zone_text) if zone_text else None
    if zone_text and tz is None:
        zone_text = None

    day = rng.day or meta.day or meta.guess_day
    if rng.start is not None:
        meta.pm.started_text = rng.start.raw
        meta.pm.started = rng.start.at(rng.start.day or day, rng.start.tz or tz)
    if rng.end is not None:
        meta.pm.ended_text = rng.end.raw
        end_day = rng.end.day or (meta.pm.started.date() if meta.pm.started else day)
        meta.pm.ended = rng.end.at(
            end_day, rng.end.tz or (rng.start.tz if rng.start else None) or tz
        )
        if (
            meta.pm.started
            and meta.pm.ended
            and rng.end.day is None
            and _before(meta.pm.ended, meta.pm.started)
        ):
            meta.pm.ended += timedelta(days=1)

    if rng.start is None and days is not None:
        # "Duration: September 28th to September 29th, 2023": the days as written, no instant.
        meta.pm.started_text, meta.pm.ended_text = days
    elif rng.start is None and timeline:
        entry_zone = _times_from_timeline(meta, timeline, date_order)
        zone_text = zone_text or entry_zone
        if explicit_duration and meta.pm.ended is not None:
            _start_from_duration(meta, timeline, explicit_duration)
    elif rng.end is None and timeline:
        _end_from_timeline(meta, timeline)

    if fm_start is not None:
        meta.pm.started, meta.pm.started_text = (
            fm_start,
            meta.pm.started_text or str(front.get("started") or front.get("start")),
        )
    if fm_end is not None:
        meta.pm.ended = fm_end
    if (
        zone_text is None
        and meta.pm.started is not None
        and meta.pm.started.tzinfo is not None
        and fm_start is not None
    ):
        zone_text = str(fm_zone) if fm_zone else meta.pm.started.tzname()

    meta.pm.timezone = zone_text
    fm_duration = front.get("duration") or front.get("duration_minutes")
    if isinstance(fm_duration, (int, float)) and not isinstance(fm_duration, bool):
        explicit_duration = int(fm_duration)
    elif isinstance(fm_duration, str):
        explicit_duration = dates.parse_duration(fm_duration) or explicit_duration

    if explicit_duration is not None:
        meta.pm.duration_minutes = explicit_duration
    elif meta.pm.started is not None and meta.pm.ended is not None:
        meta.pm.duration_minutes = dates.minutes_between(meta.pm.started, meta.pm.ended)
    elif rng.start is not None and rng.end is not None and rng.start.clock and rng.end.clock:
        # Times without a day: the same day, or over midnight.
        a = rng.start.clock.hour * 60 + rng.start.clock.minute
        b = rng.end.clock.hour * 60 + rng.end.clock.minute
        meta.pm.duration_minutes = (b - a) % (24 * 60)


def _before(a: datetime, b: datetime) -> bool:
    if (a.tzinfo is None) != (b.tzinfo is None):
        return a.replace(tzinfo=None) < b.replace(tzinfo=None)
    return a < b


def _front_time(front: dict[str, Any], keys: tuple[str, ...]) -> datetime | None:
    for key in keys:
        value = front.get(key)
        if isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value.strip())
            except ValueError:
                continue
    return None


def _prose_duration(summaries: list[Node]) -> int | None:
    for node in summaries:
        for block in node.blocks:
            if not isinstance(block, Para):
                continue
            low = block.text.lower()  # "Lasted 3 hours" opens a sentence as often as not
            if "last" in low or "for " in low or "took" in low or "outage of" in low:
                m = _LASTED.search(block.text.replace("\n", " "))
                if m:
                    return dates.parse_duration(m.group("d"))
    return None


def _times_from_timeline(
    meta: Meta,
    timeline: list[tuple[TimelineEntry, datetime | None, dates.Moment | None]],
    date_order: str,
) -> str | None:
    """Start: the first entry that reads as the impact starting (in the first half), else the
    first; end: the first later entry that reads as recovery. Returns the start's zone."""
    timed = [(e, t, m) for e, t, m in timeline if m is not None and m.clock is not None]
    days_only = not timed
    if days_only:
        # A timeline of days only ("2022-09-07: release fails"): the days as written, and no
        # instant (a day is not a time of day).
        timed = [(e, None, m) for e, _, m in timeline if m is not None and m.day is not None]
        if not timed:
            return None
    half = timed[: max(1, (len(timed) + 1) // 2)]
    start_i = next((i for i, (e, _, _) in enumerate(half) if _ONSET.search(e.text)), 0)
    start, instant, moment = timed[start_i]
    meta.pm.started_text = start.at
    meta.pm.started = instant
    end = next(((e, t) for e, t, _ in timed[start_i + 1 :] if _RECOVERY.search(e.text)), None)
    if end is None and len(timed) > start_i + 1 and _RECOVERY_WEAK.search(timed[-1][0].text):
        end = (timed[-1][0], timed[-1][1])
    if end is None and days_only and len(timed) > start_i + 1:
        # An incident told day by day lasts until the last day the timeline tells of.
        end = (timed[-1][0], None)
    if end is not None:
        meta.pm.ended_text = end[0].at
        meta.pm.ended = end[1]
    return moment.zone


def _end_from_timeline(
    meta: Meta, timeline: list[tuple[TimelineEntry, datetime | None, dates.Moment | None]]
) -> None:
    """A start stated without an end: the end is the timeline's first entry after the start
    that reads as recovery, else its last entry when that reads as one."""
    timed = [(e, t) for e, t, m in timeline if m is not None and m.clock is not None]
    if meta.pm.started is not None:
        started = meta.pm.started
        timed = [
            (e, t)
            for e, t in timed
            if t is None or (t.tzinfo is None) != (started.tzinfo is None) or t > started
        ]
    end = next(((e, t) for e, t in timed if _RECOVERY.search(e.text)), None)
    if end is None and timed and _RECOVERY_WEAK.search(timed[-1][0].text):
        end = timed[-1]
    if end is not None:
        meta.pm.ended_text, meta.pm.ended = end[0].at, end[1]


def _start_from_duration(
    meta: Meta,
    timeline: list[tuple[TimelineEntry, datetime | None, dates.Moment | None]],
    minutes: int,
) -> None:
    """With a stated duration and a timeline end, the start is the entry nearest to end minus
    duration ("the chain halted for almost four hours": the block committed four hours before)."""
    assert meta.pm.ended is not None
    target = meta.pm.ended - timedelta(minutes=minutes)
    best: tuple[float, TimelineEntry, datetime] | None = None
    for entry, instant, _ in timeline:
        if (
            instant is None
            or (instant.tzinfo is None) != (target.tzinfo is None)
            or instant >= meta.pm.ended
        ):
            continue
        gap = abs((instant - target).total_seconds())
        if best is None or gap < best[0]:
            best = (gap, entry, instant)
    if best is not None and best[0] <= max(30 * 60, 0.3 * minutes * 60):
        meta.pm.started_text = best[1].at
        meta.pm.started = best[2]
