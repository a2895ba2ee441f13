"""The incident's metadata: title, date, start and end with their zone, duration, impact and
share of users, severity, root cause, resolution, incident ticket.

Sources, most trusted first: YAML front matter; "Key: value" lines and two-column tables in
the part before the first section and in the summary ("**Duration:** 10:00 to 12:00 UTC");
the summary's prose ("from 3:00 PM to 5:15 PM GMT"); the timeline (first entry, and the first
entry that reads as recovery).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any

from tracker.models import TimelineEntry
from tracker.parsing import dates
from tracker.parsing.blocks import Block, ListBlock, Para, Table
from tracker.parsing.sections import Node, classify, normalise, plain, squeeze, title_node
from tracker.parsing.vocabulary import TEMPLATE_INSTRUCTION

_KEY_VALUE = re.compile(
    r"^(?:[-*+]\s+)?(?:\*\*|__)?(?P<k>[A-Za-z][\w /&().#'-]{0,40}?)\s*(?:\*\*|__)?\s*[:=]\s*(?:\*\*|__)?\s*(?P<v>\S.*)$"
)
_KEYS: list[tuple[str, re.Pattern[str]]] = [
    (
        "duration",
        re.compile(
            r"^(?:duration|outage duration|incident duration|length|total duration|downtime|outage length|time to (?:recover|recovery|resolve|resolution|restore|mitigate)|ttr|ttm|mttr)$"
        ),
    ),
    (
        "range",
        re.compile(
            r"^(?:time|times|when|window|time window|period|incident window|impact window|time frame|timeframe|incident time)$"
        ),
    ),
    (
        "start",
        re.compile(
            r"^(?:start(?:ed)?|start time|started at|begin|began|beginning|incident start|impact start|start of (?:incident|impact|outage)|outage start|onset)$"
        ),
    ),
    (
        "end",
        re.compile(
            r"^(?:end(?:ed)?|end time|ended at|resolved|resolved at|resolution time|recovered|recovered at|mitigated|mitigated at|incident end|impact end|end of (?:incident|impact|outage)|outage end|restored|fixed at)$"
        ),
    ),
    (
        "date",
        re.compile(r"^(?:date|incident date|day|date of incident|occurred|occurred on|reported)$"),
    ),
    ("timezone", re.compile(r"^(?:time ?zone|tz|zone)$")),
    (
        "severity",
        re.compile(r"^(?:severity|sev|incident severity|severity level|level|impact level)$"),
    ),
    (
        "impact",
        re.compile(
            r"^(?:impact|customer impact|user impact|impact summary|users affected|affected|who was affected|business impact)$"
        ),
    ),
    (
        "root_cause",
        re.compile(r"^(?:root ?causes?|cause|causes|rca|primary cause|underlying cause)$"),
    ),
    (
        "resolution",
        re.compile(r"^(?:resolution|fix|mitigation|resolved by|how it was fixed|remediation)$"),
    ),
    ("incident", re.compile(r"^(?:incident(?: id| number| ticket| #)?|ticket|jira|issue)$")),
    ("title", re.compile(r"^(?:title|incident title|name)$")),
]
_USERS = re.compile(
    r"(?<![\d.])(?P<n>\d{1,3}(?:\.\d+)?)\s?%\s+(?:of\s+)?"
    r"(?:(?:all|our|the|active|total|global|affected|us|eu|mobile|web|logged-in|paying)\s+){0,3}"
    r"(?:users?|customers?|visitors?|clients?|accounts?|tenants?|subscribers?|players?|members?|merchants?|people|traffic|requests?|sessions?)\b",
    re.IGNORECASE,
)
_SEVERITY = re.compile(r"\b(?P<v>sev(?:erity)?[\s-]?[0-5]|p[0-4] incident)\b", re.IGNORECASE)
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
    r"full|exhaust\w*|saturat\w*|spikes?|surge)\b",
    re.IGNORECASE,
)
_RECOVERY = re.compile(
    r"\b(?:resolved|recovered|recovery complete|restored|returns? to normal|back to normal|back to 100|back online|"
    r"back up|operational again|fully operational|fully functional|functioning normally|healthy again|moving again|"
    r"mitigated|incident (?:closed|ended|over|resolved)|all clear|full functionality|normal operation|self-heals?|"
    r"recover(?:s|ed)|(?:errors?|failures?|alerts?|impact|timeouts?)\s+(?:stop(?:s|ped)?|cease[ds]?|clear(?:s|ed)?|subside[ds]?))\b",
    re.IGNORECASE,
)
# Weaker signs of recovery, trusted only on the timeline's last entry.
_RECOVERY_WEAK = re.compile(
    r"\b(?:recover|return(?:s|ed)?|back|stop(?:s|ped)?|fixed|normal|ok|green)\b", re.IGNORECASE
)
_CAUSE_WORDS = re.compile(
    r"\b(?:caus\w*|due to|because|bug|failure|misconfigur\w*|error|broke\w*|triggered|result of|root cause)\b",
    re.IGNORECASE,
)
_STATES_CAUSE = re.compile(
    r"\broot[ -]?cause\b[^.;]{0,80}?\b(?:was|is|were|are|appears? to (?:be|have been)|turned out|seems)\b|\broot[ -]?cause\s*:",
    re.IGNORECASE,
)
_DURATION_WORDS = ("duration", "time to ", "downtime", "ttr", "ttm", "outage length", "length of")
# Cheap tests on a raw paragraph before its sentences are split and read.
_MENTIONS_CAUSE = ("root cause", "root-cause", "rootcause")
_MENTIONS_FIX = ("resol", "fixed", "mitigated", "remedied", "restored", "recovered")
_RESOLVED_BY = re.compile(
    r"\b(?:resolved|fixed|mitigated|remedied|restored|recovered)\s+by\b|\bresolution\b|\bto resolve\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(\[*_`])")
_YEAR = re.compile(r"\b(19[89]\d|20\d\d)\b")


@dataclass(slots=True)
class Meta:
    title: str | None = None
    # The incident's day as stated (front matter, "Date:", the title) or found in the summary.
    day: date | None = None
    guess_day: date | None = None
    year: int | None = None
    started: datetime | None = None
    ended: datetime | None = None
    started_text: str | None = None
    ended_text: str | None = None
    timezone: str | None = None
    duration_minutes: int | None = None
    impact: str | None = None
    users_affected_pct: float | None = None
    severity: str | None = None
    root_cause: str | None = None
    root_cause_detail: str | None = None
    resolution: str | None = None
    incident: str | None = None
    kv: dict[str, tuple[str, int]] = field(default_factory=dict)


def sentences(text: str) -> list[str]:
    return list(_sentences(text))


@lru_cache(maxsize=256)
def _sentences(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in _SENTENCE.split(squeeze(text)) if s.strip())


def title(root: Node, front: dict[str, Any]) -> str | None:
    value = front.get("title")
    if isinstance(value, str) and value.strip():
        return value.strip()
    node = title_node(root)
    if node is not None:
        return _clean_title(node.title)
    first_heading = root.children[0] if root.children else None
    for block in root.blocks:
        if isinstance(block, Para):
            line = plain(block.text.split("\n", 1)[0])
            if 0 < len(line) <= 120:
                return _clean_title(line)
            break
    if (
        first_heading is not None
        and first_heading.own_kind == "other"
        and first_heading.heading
        and not root.blocks
    ):
        # "#### Postmortem: API outage" above sections of the same level: the first heading,
        # when it names no section, is the title.
        return _clean_title(first_heading.title)
    return None


# Emoji and symbols around a title are decoration ("🔥 Login outage").
_TITLE_DECORATION = re.compile(r"^[^\w\"'(\[]+|[^\w\"')\].!?]+$")
_TITLE_KEY = re.compile(r"^(?:title|incident)\s*:\s*", re.IGNORECASE)


def _clean_title(text: str) -> str | None:
    text = _TITLE_DECORATION.sub("", text.strip())
    for quote in ('"', "'"):
        if text.count(quote) % 2 == 1:
            text = text.strip(quote).strip()
    text = _TITLE_KEY.sub("", text)
    return text or None


def key_values(nodes: list[Node]) -> Iterator[tuple[str, str, int]]:
    """("duration", "From 10:00 AM to 12:00 PM (UTC-4)", line) for "Key: value" lines and tables."""
    for node in nodes:
        if node.key_values is None:
            node.key_values = list(_node_key_values(node))
        yield from node.key_values


# Keys that, as a heading, name the short value under it ("### Duration" over "2 hours").
_HEADING_KEYS = frozenset(("date", "severity", "duration", "start", "end", "timezone", "incident"))


def _node_key_values(node: Node) -> Iterator[tuple[str, str, int]]:
    if node.heading is not None:
        heading = _kv(node.heading.text, node.heading.line)  # "### Duration: 17:30 - 01:00 PST"
        if heading is not None:
            yield heading
        elif node.blocks and isinstance(node.blocks[0], Para) and len(node.blocks[0].text) <= 80:
            name = _key_name(node.title.rstrip(":"))
            if name in _HEADING_KEYS:
                yield name, plain(node.blocks[0].text), node.blocks[0].line
    yield from _blocks_key_values(node.blocks)


def _blocks_key_values(blocks: list[Block]) -> Iterator[tuple[str, str, int]]:
    """ "Key: value" lines of paragraphs, list items (nested ones too: "- Duration:" over
    "- Start: ..." and "- End: ...") and two-column tables."""
    for block in blocks:
        if isinstance(block, Para):
            yield from _para_key_values(block)
        elif isinstance(block, ListBlock):
            for item in block.items:
                if item.text and (":" in item.text or "=" in item.text):
                    found = _kv(item.text.replace("\n", " "), item.line)
                    if found is None and item.text.rstrip("*_ ").endswith(":"):
                        # "- **Root Cause:**" over "  - The root cause was ...": the value below.
                        found = _kv(f"{item.text.rstrip()} {_first_text(item.children)}", item.line)
                    if found is not None:
                        yield found
                if item.children:
                    yield from _blocks_key_values(item.children)
        elif isinstance(block, Table):
            rows = [(block.header_line, block.header), *block.rows]
            for row_line, cells in rows:
                for i in range(0, len(cells) - 1, 2):
                    key, value = plain(cells[i]), plain(cells[i + 1])
                    name = _key_name(key)
                    if name and value:
                        yield name, value, row_line


def _first_text(blocks: list[Block]) -> str:
    for block in blocks:
        if isinstance(block, Para):
            return block.text.replace("\n", " ")
        if isinstance(block, ListBlock) and block.items and block.items[0].text:
            return block.items[0].text.replace("\n", " ")
    return ""


def _para_key_values(block: Para) -> Iterator[tuple[str, str, int]]:
    """ "Key: value" lines of a paragraph. A value runs on over the lines that follow it (the
    text wrapped) up to the next "Key: value" line or the paragraph's end."""
    lines = block.text.split("\n")
    current: tuple[str, list[str], int] | None = None
    for offset, line in enumerate(lines):
        found = _kv(line, block.line + offset) if (":" in line or "=" in line) else None
        if found is None and _other_key(line):
            found = ("", "", 0)  # a key pmt does not read ends the value before it
        if found is not None:
            if current is not None and current[0]:
                yield current[0], plain(" ".join(current[1])), current[2]
            current = (found[0], [found[1]], found[2])
        elif current is not None:
            current[1].append(line)
    if current is not None and current[0]:
        yield current[0], plain(" ".join(current[1])), current[2]


def _other_key(line: str) -> bool:
    """A "Key: value" line naming some other key: a short capitalised or bold key, no digits."""
    m = _KEY_VALUE.match(line.strip())
    if m is None:
        return False
    key = m.group("k")
    return (
        (key[0].isupper() or line.lstrip().startswith(("**", "__")))
        and len(key.split()) <= 4
        and not any(ch.isdigit() for ch in key)
    )


def _kv(line: str, number: int) -> tuple[str, str, int] | None:
    """A "Key: value" line (or "Key = value") naming a known key, read. Emphasis and inline
    HTML around the key are no part of it ("*Root Cause:*", "**Root** **cause**:")."""
    m = _KEY_VALUE.match(line.strip())
    if m is None and ("*" in line or "_" in line or "<" in line):
        m = _KEY_VALUE.match(plain(line))
    if not m:
        return None
    name = _key_name(m.group("k"))
    return (name, plain(m.group("v")), number) if name else None


# "Duration of the outage", "Start time of the incident": the key without what it is of.
_OF_INCIDENT = re.compile(
    r" (?:of|for) (?:the )?(?:outage|incident|issue|event|impact|downtime|disruption)$"
)


@lru_cache(maxsize=4096)
def _key_name(key: str) -> str | None:
    norm = _OF_INCIDENT.sub("", normalise(key))
    for name, pattern in _KEYS:
        if pattern.match(norm):
            return name
    return None


def prepare(root: Node, front: dict[str, Any], date_order: str) -> Meta:
    """What is needed before the timeline is read: title, "Key: value" lines, the incident's day."""
    meta = Meta()
    meta.title = title(root, front)
    summaries = _summaries(root)
    for name, value, line in key_values(summaries):
        meta.kv.setdefault(name, (value, line))
    _year_and_day(meta, root, front, summaries, date_order)
    return meta


def complete(
    meta: Meta,
    root: Node,
    front: dict[str, Any],
    date_order: str,
    timeline: list[tuple[TimelineEntry, datetime | None, dates.Moment | None]],
    timeline_zone: str | None,
    text: str = "",
) -> Meta:
    """The rest, once the timeline is known (start and end fall back on it). ``text`` is the
    document, only to skip searches for what it plainly does not contain."""
    nodes = root.walk()
    summaries = _summaries(root)
    lower = text.lower()
    _times(meta, front, summaries, date_order, timeline, timeline_zone, nodes, lower)
    _impact(meta, front, nodes, summaries)
    _severity(meta, front, root)
    _root_cause(meta, front, nodes, summaries, lower)
    _resolution(meta, nodes, summaries, lower)
    incident = (
        front.get("incident") or front.get("ticket") or (meta.kv.get("incident") or (None,))[0]
    )
    if incident is not None and str(incident).strip():
        meta.incident = str(incident).strip()
    return meta


def _summaries(root: Node) -> list[Node]:
    """The preamble (before the first classified section), the summary and impact sections,
    and sections named by a key of the incident's ("Duration:", "Date", "Severity")."""
    if root.summaries is not None:
        return root.summaries
    out = [root]
    preamble = True
    for node in root.walk()[1:]:
        if node.kind != "other":
            preamble = False
        if (
            node.kind in ("summary", "impact")
            or (preamble and node.kind == "other")
            or (node.kind == "other" and _key_name(node.title.rstrip(":")) in _HEADING_KEYS)
        ):
            out.append(node)
    root.summaries = out
    return out


def _year_and_day(
    meta: Meta, root: Node, front: dict[str, Any], summaries: list[Node], date_order: str
) -> None:
    stated: list[str] = []
    fm_date = front.get("date")
    if isinstance(fm_date, datetime):
        meta.day = fm_date.date()
    elif isinstance(fm_date, date):
        meta.day = fm_date
    elif fm_date is not None:
        stated.append(str(fm_date))
    if "date" in meta.kv:
        stated.append(meta.kv["date"][0])
    if meta.title:
        stated.append(meta.title)
    prose = [b.text for n in summaries[:3] for b in n.blocks[:4] if isinstance(b, Para)]
    if meta.year is None:
        meta.year = next((year for t in stated + prose if (year := _year_in(t))), None)
    if meta.day is None:
        meta.day = _first_day(stated, date_order, meta.year)
    if meta.day is None:
        meta.guess_day = _first_day(prose, date_order, meta.year)
    if meta.year is None and (meta.day or meta.guess_day):
        meta.year = (meta.day or meta.guess_day).year  # type: ignore[union-attr]


def _first_day(texts: list[str], date_order: str, year: int | None) -> date | None:
    for text in texts:
        for moment in dates.iter_moments(text, date_order, year or _year_in(text)):
            if moment.day is not None:
                return moment.day
    return None


def _year_in(text: str) -> int | None:
    m = _YEAR.search(text)
    return int(m.group(1)) if m else None


@dataclass(slots=True)
class _Range:
    start: dates.Moment | None = None
    end: dates.Moment | None = None
    day: date | None = None


def _sentence_at(text: str, at: int) -> str:
    """The rest of the sentence from ``at``."""
    end = _SENTENCE.search(text, at)
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


def _times(
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

    for key in ("duration", "range"):
        if key in meta.kv:
            value = meta.kv[key][0]
            r = _find_range(value, date_order, year)
            if r.start is not None and rng.start is None:
                rng = r
            elif key == "duration" and explicit_duration is None:
                explicit_duration = dates.parse_duration(value)
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
        meta.started_text = rng.start.raw
        meta.started = rng.start.at(rng.start.day or day, rng.start.tz or tz)
    if rng.end is not None:
        meta.ended_text = rng.end.raw
        end_day = rng.end.day or (meta.started.date() if meta.started else day)
        meta.ended = rng.end.at(end_day, rng.end.tz or (rng.start.tz if rng.start else None) or tz)
        if (
            meta.started
            and meta.ended
            and rng.end.day is None
            and _before(meta.ended, meta.started)
        ):
            meta.ended += timedelta(days=1)

    if rng.start is None and timeline:
        entry_zone = _times_from_timeline(meta, timeline, date_order)
        zone_text = zone_text or entry_zone
        if explicit_duration and meta.ended is not None:
            _start_from_duration(meta, timeline, explicit_duration)
    elif rng.end is None and timeline:
        _end_from_timeline(meta, timeline)

    if fm_start is not None:
        meta.started, meta.started_text = (
            fm_start,
            meta.started_text or str(front.get("started") or front.get("start")),
        )
    if fm_end is not None:
        meta.ended = fm_end
    if (
        zone_text is None
        and meta.started is not None
        and meta.started.tzinfo is not None
        and fm_start is not None
    ):
        zone_text = str(fm_zone) if fm_zone else meta.started.tzname()

    meta.timezone = zone_text
    fm_duration = front.get("duration") or front.get("duration_minutes")
    if isinstance(fm_duration, (int, float)) and not isinstance(fm_duration, bool):
        explicit_duration = int(fm_duration)
    elif isinstance(fm_duration, str):
        explicit_duration = dates.parse_duration(fm_duration) or explicit_duration

    if explicit_duration is not None:
        meta.duration_minutes = explicit_duration
    elif meta.started is not None and meta.ended is not None:
        meta.duration_minutes = dates.minutes_between(meta.started, meta.ended)
    elif rng.start is not None and rng.end is not None and rng.start.clock and rng.end.clock:
        # Times without a day: the same day, or over midnight.
        a = rng.start.clock.hour * 60 + rng.start.clock.minute
        b = rng.end.clock.hour * 60 + rng.end.clock.minute
        meta.duration_minutes = (b - a) % (24 * 60)


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
    if not timed:
        # A timeline of days only ("2022-09-07: release fails"): the days as written, and no
        # instant (a day is not a time of day).
        timed = [(e, None, m) for e, _, m in timeline if m is not None and m.day is not None]
        if not timed:
            return None
    half = timed[: max(1, (len(timed) + 1) // 2)]
    start_i = next((i for i, (e, _, _) in enumerate(half) if _ONSET.search(e.text)), 0)
    start, instant, moment = timed[start_i]
    meta.started_text = start.at
    meta.started = instant
    end = next(((e, t) for e, t, _ in timed[start_i + 1 :] if _RECOVERY.search(e.text)), None)
    if end is None and len(timed) > start_i + 1 and _RECOVERY_WEAK.search(timed[-1][0].text):
        end = (timed[-1][0], timed[-1][1])
    if end is not None:
        meta.ended_text = end[0].at
        meta.ended = end[1]
    return moment.zone


def _end_from_timeline(
    meta: Meta, timeline: list[tuple[TimelineEntry, datetime | None, dates.Moment | None]]
) -> None:
    """A start stated without an end: the end is the timeline's first entry after the start
    that reads as recovery, else its last entry when that reads as one."""
    timed = [(e, t) for e, t, m in timeline if m is not None and m.clock is not None]
    if meta.started is not None:
        started = meta.started
        timed = [
            (e, t)
            for e, t in timed
            if t is None or (t.tzinfo is None) != (started.tzinfo is None) or t > started
        ]
    end = next(((e, t) for e, t in timed if _RECOVERY.search(e.text)), None)
    if end is None and timed and _RECOVERY_WEAK.search(timed[-1][0].text):
        end = timed[-1]
    if end is not None:
        meta.ended_text, meta.ended = end[0].at, end[1]


def _start_from_duration(
    meta: Meta,
    timeline: list[tuple[TimelineEntry, datetime | None, dates.Moment | None]],
    minutes: int,
) -> None:
    """With a stated duration and a timeline end, the start is the entry nearest to end minus
    duration ("the chain halted for almost four hours": the block committed four hours before)."""
    assert meta.ended is not None
    target = meta.ended - timedelta(minutes=minutes)
    best: tuple[float, TimelineEntry, datetime] | None = None
    for entry, instant, _ in timeline:
        if (
            instant is None
            or (instant.tzinfo is None) != (target.tzinfo is None)
            or instant >= meta.ended
        ):
            continue
        gap = abs((instant - target).total_seconds())
        if best is None or gap < best[0]:
            best = (gap, entry, instant)
    if best is not None and best[0] <= max(30 * 60, 0.3 * minutes * 60):
        meta.started_text = best[1].at
        meta.started = best[2]


def _section_text(node: Node) -> str:
    """A section's prose as plain text: paragraphs and list items, one per line."""
    parts: list[str] = []
    for n in node.walk():
        for block in n.blocks:
            if isinstance(block, Para):
                parts.append(plain(block.text))
            elif isinstance(block, ListBlock):
                parts.extend(plain(item.text) for item in block.items if item.text)
    return "\n".join(p for p in parts if p)


def _impact(meta: Meta, front: dict[str, Any], nodes: list[Node], summaries: list[Node]) -> None:
    value = front.get("impact")
    impact_node = next((n for n in nodes if n.kind == "impact" and n.own_kind == "impact"), None)
    if isinstance(value, str) and value.strip():
        meta.impact = value.strip()
    elif impact_node is not None and (text := _section_text(impact_node)):
        meta.impact = text
    elif "impact" in meta.kv:
        meta.impact = meta.kv["impact"][0]
    texts = [meta.impact or ""]
    for node in summaries:
        if node.kind == "summary":
            texts.extend(b.text for b in node.blocks if isinstance(b, Para) and "%" in b.text)
            texts.extend(
                i.text
                for b in node.blocks
                if isinstance(b, ListBlock)
                for i in b.items
                if i.text and "%" in i.text
            )
    for text in texts:
        if "%" in text:
            m = _users_share(text.replace("\n", " "))
            if m:
                meta.users_affected_pct = float(m.group("n"))
                break


def _users_share(text: str) -> re.Match[str] | None:
    """``_USERS.search(text)``, tried only where a match can start: a share is a run of digits
    and dots right before "%" (one space between allowed), so each "%" gives one place to try
    (a search over the whole text tries every place and costs more than the rest of _impact)."""
    p = text.find("%")
    while p >= 0:
        s = p - 1 if p > 0 and text[p - 1].isspace() else p
        while s > 0 and (text[s - 1] == "." or text[s - 1].isdecimal()):
            s -= 1
        if s < p:
            m = _USERS.match(text, s)
            if m:
                return m
        p = text.find("%", p + 1)
    return None


def _severity(meta: Meta, front: dict[str, Any], root: Node) -> None:
    value = front.get("severity") or front.get("sev")
    if value is not None and str(value).strip():
        meta.severity = str(value).strip()
        return
    if "severity" in meta.kv:
        meta.severity = meta.kv["severity"][0].strip().rstrip(".")
        return
    for text in [meta.title or ""] + [b.text for b in root.blocks[:5] if isinstance(b, Para)]:
        m = _SEVERITY.search(text)
        if m:
            meta.severity = m.group("v")
            return


def _root_cause(
    meta: Meta, front: dict[str, Any], nodes: list[Node], summaries: list[Node], lower: str = ""
) -> None:
    # ``lower``: the document lower-cased, to skip the searches for "root cause" it cannot answer.
    names_cause = not lower or any(w in lower for w in _MENTIONS_CAUSE)
    rc_nodes = [
        n
        for n in nodes
        if n.kind == "root_cause" and (n.parent is None or n.parent.kind != "root_cause")
    ]
    if rc_nodes:
        detail = "\n\n".join(t for t in (_section_text(n) for n in rc_nodes) if t)
        meta.root_cause_detail = detail or None

    # 1. "Root cause: ..." on a line of its own (summary or the root-cause section).
    candidates = [
        kv
        for kv in key_values(summaries + rc_nodes)
        if kv[0] == "root_cause" and not TEMPLATE_INSTRUCTION.match(kv[1])
    ]
    if candidates:
        meta.root_cause = _first_sentence(candidates[0][1], whole=True)
        return
    # 2. The root-cause section's first sentence, when it speaks of a cause ("The issue was
    #    caused by ..."); a section that opens with background gives way to the summary's line.
    for node in [n for n in rc_nodes if "contribut" not in n.title.lower()][:1]:
        first = next(
            (x for x in _node_sentences(node, deep=True) if len(x) > 15 and not x.endswith(":")),
            None,
        )
        if first and _CAUSE_WORDS.search(first):
            meta.root_cause = first
            return
    # 3. A summary sentence saying what the root cause was.
    for node in summaries if names_cause else ():
        for sentence in _node_sentences(node, having=_MENTIONS_CAUSE):
            if _STATES_CAUSE.search(sentence):
                meta.root_cause = sentence
                return
    # 4. The root-cause section's first sentence ("Contributing factors" only as a last resort).
    for node in [n for n in rc_nodes if "contribut" not in n.title.lower()]:
        for sentence in _node_sentences(node, deep=True):
            if len(sentence) > 15 and not sentence.endswith(":"):
                meta.root_cause = sentence
                return
    # 5. Any sentence that names the root cause, outside the action section.
    for node in nodes if names_cause else ():
        if node.kind in ("actions", "takeaways"):
            continue
        for sentence in _node_sentences(node, having=_MENTIONS_CAUSE):
            if _STATES_CAUSE.search(sentence):
                meta.root_cause = sentence
                return
    # 6. Front matter, then the summary's first sentence when it speaks of a cause.
    value = front.get("root_cause") or front.get("cause")
    if isinstance(value, str) and value.strip():
        meta.root_cause = value.strip()
        return
    for node in summaries:
        if node.kind != "summary":
            continue
        first = next(iter(_node_sentences(node)), None)
        if first and _CAUSE_WORDS.search(first):
            meta.root_cause = first
            return
    # 7. The first contributing factor.
    for node in rc_nodes:
        for sentence in _node_sentences(node, deep=True):
            if len(sentence) > 15:
                meta.root_cause = sentence
                return


def _node_sentences(node: Node, deep: bool = False, having: tuple[str, ...] = ()) -> Iterator[str]:
    """The sentences of a section's paragraphs (and, ``deep``, its subsections and list items);
    with ``having``, only of paragraphs holding one of those lower-case words (splitting costs
    more than looking)."""
    for n in node.walk() if deep else [node]:
        for block in n.blocks:
            if isinstance(block, Para):
                if having:
                    lower = block.text.lower()
                    if not any(word in lower for word in having):
                        continue
                text = plain(block.text)
                if (
                    (":" in text or "=" in text)
                    and _KEY_VALUE.match(text)
                    and len(text.split(":", 1)[0].split()) <= 4
                    and text.split(":", 1)[0].istitle()
                ):
                    # "Primary Causes:" style labels and "Date: ..." lines are not prose.
                    key = text.split(":", 1)[0]
                    if classify(key) != "other" or _key_name(key):
                        continue
                yield from (x for x in sentences(text) if not TEMPLATE_INSTRUCTION.match(x))
            elif isinstance(block, ListBlock) and deep:
                for item in block.items:
                    if item.text:
                        yield from (
                            x
                            for x in sentences(plain(item.text))
                            if not TEMPLATE_INSTRUCTION.match(x)
                        )


def _first_sentence(text: str, whole: bool = False) -> str:
    found = sentences(text)
    if not found:
        return text.strip()
    return found[0] if not whole or len(found[0]) > 25 else " ".join(found[:2])


def _resolution(meta: Meta, nodes: list[Node], summaries: list[Node], lower: str = "") -> None:
    res_nodes = [
        n
        for n in nodes
        if n.kind == "resolution" and (n.parent is None or n.parent.kind != "resolution")
    ]
    for node in res_nodes:
        text = _section_text(node)
        if text:
            meta.resolution = text
            return
    kv = [
        v
        for v in key_values(summaries + [n for n in nodes if n.kind == "root_cause"])
        if v[0] == "resolution"
    ]
    if kv:
        meta.resolution = kv[0][1]
        return
    # A combined "Root Cause and Resolution" section: its paragraph about the fix.
    for node in nodes:
        if node.kind == "root_cause" and "resol" in normalise(node.title):
            paras = [plain(b.text) for b in node.blocks if isinstance(b, Para)]
            for text in paras[1:]:
                if _RESOLVED_BY.search(text) or re.search(
                    r"\b(?:rolled back|rolling back|reverted|fixed)\b", text, re.IGNORECASE
                ):
                    meta.resolution = text
                    return
    if lower and not any(w in lower for w in _MENTIONS_FIX):
        return
    for node in summaries:
        for sentence in _node_sentences(node, having=_MENTIONS_FIX):
            if _RESOLVED_BY.search(sentence):
                meta.resolution = sentence
                return


def zone_of(text: str | None) -> tzinfo | None:
    return dates.zone_info(text) if text else None
