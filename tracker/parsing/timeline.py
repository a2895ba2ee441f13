"""Timeline entries from a timeline section: lists, tables, "HH:MM - text" lines, and
sub-headings that are times ("### 2024-03-01 10:34" followed by what happened)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from tracker.models import TimelineEntry
from tracker.parsing import dates
from tracker.parsing.blocks import ListBlock, ListItem, Para, Table
from tracker.parsing.headings import normalise, plain
from tracker.parsing.sections import Node

_LEAD = re.compile(
    r"^(?:at|on|around|about|approx\.?|approximately|by|~|\[|\(|-)\s*", re.IGNORECASE
)
# What stands between a time and what happened: "10:00 - ...", "**10:00**: ...", "[10:00] ...".
_SEPARATORS = " \t)]-–—:|,>"
_AFTER = re.compile(r"^\s*(?:\)|\])?\s*(?:[-–—:|,>]+|\s)\s*")
_PARENTHESES = re.compile(r"\(.*?\)")
# "Incident start: 2025-08-18 23:15 UTC": a short name, a colon, then the time.
_LABELLED = re.compile(r"^(?P<label>[A-Za-z][^:]{1,48}):\s*(?P<rest>\S.*)$")
# Times that run back by more than this without a new day crossed midnight.
_ROLLOVER = timedelta(hours=3)
_TIME_HEADER = re.compile(
    r"^(?:time|date|when|timestamp|date ?/ ?time|datetime|at|hour|clock|day)\b"
)
_TEXT_HEADER = re.compile(
    r"^(?:event|events|what|description|action|actions|details|update|activity|summary|note|notes|happened|impact)\b"
)


@dataclass(slots=True)
class _State:
    date_order: str
    year: int | None
    day: date | None
    tz: tzinfo | None
    last: datetime | None = None
    # Per entry, its instant (naive when no zone is known) and its time as read: metadata
    # falls back on them for the incident's start and end.
    reads: list[tuple[datetime | None, dates.Moment | None]] = field(default_factory=list)


def zone_hint(node: Node) -> str | None:
    """The zone a timeline says its times are in: "All times in CEST", "Time (UTC)", a heading
    "Timeline (all times PST)"."""
    texts = [node.title]
    for block in node.blocks[:3]:
        if isinstance(block, Para):
            texts.append(block.text)
        elif isinstance(block, Table):
            texts.extend(block.header)
    for child in node.children[:1]:
        texts.append(child.title)
    for text in texts:
        low = text.lower()
        if "time" in low or "utc" in low or "zone" in low or "(" in text or len(text) < 40:
            found = dates.find_zone(text)
            if found:
                return found
    return None


def read(
    node: Node, date_order: str, year: int | None, day: date | None, tz: tzinfo | None
) -> tuple[list[TimelineEntry], list[tuple[datetime | None, dates.Moment | None]]]:
    """The entries of a timeline section, and per entry its instant (naive when no zone is
    known) and its time as read."""
    state = _State(date_order, year, day, tz)
    out: list[TimelineEntry] = []
    _read_node(node, state, out, top=True)
    return out, state.reads


def _add(
    out: list[TimelineEntry],
    state: _State,
    entry: TimelineEntry,
    instant: datetime | None,
    moment: dates.Moment | None,
) -> None:
    out.append(entry)
    state.reads.append((instant, moment))


def _read_node(node: Node, state: _State, out: list[TimelineEntry], top: bool = False) -> None:
    heading_moment = None
    if not top and node.heading is not None:
        heading_moment = dates.leading_moment(
            plain(node.heading.text), state.date_order, state.year
        )
    if heading_moment is not None and heading_moment.clock is not None:
        text = next((plain(b.text) for b in node.blocks if isinstance(b, Para)), "")
        if not text:
            text = next(
                (
                    plain(b.items[0].text or "")
                    for b in node.blocks
                    if isinstance(b, ListBlock) and b.items
                ),
                "",
            )
        _entry(heading_moment, text, node.heading.line if node.heading else 0, state, out)
    else:
        if heading_moment is not None and heading_moment.day is not None:
            state.day = heading_moment.day
        for block in node.blocks:
            if isinstance(block, ListBlock):
                for item in block.items:
                    _read_item(item, state, out)
            elif isinstance(block, Table):
                _read_table(block, state, out)
            elif isinstance(block, Para):
                for offset, line in enumerate(block.text.split("\n")):
                    _read_line(line, block.line + offset, state, out)
    for child in node.children:
        if child.kind == "timeline":
            _read_node(child, state, out)


def _read_item(item: ListItem, state: _State, out: list[TimelineEntry]) -> None:
    if item.text is None:
        return
    moment = _read_line(item.text, item.line, state, out, rest=item.text)
    if moment is not None and moment.clock is None:
        # A day with its times below it: "- **2024-03-01**" then "  - 10:00 ...".
        for child in item.children:
            if isinstance(child, ListBlock):
                for sub in child.items:
                    _read_item(sub, state, out)


def _read_line(
    line: str, number: int, state: _State, out: list[TimelineEntry], rest: str | None = None
) -> dates.Moment | None:
    text = plain(rest if rest is not None else line)
    if not text or not (text[0].isdigit() or text[0].isalpha() or text[0] in "[(~-"):
        return None
    lead = _LEAD.match(text) if not text[0].isdigit() else None
    body = text[lead.end() :] if lead else text
    moment = dates.leading_moment(body, state.date_order, state.year)
    if moment is None:
        return _read_labelled(text, number, state, out)
    if moment.clock is None:
        if moment.day is not None:
            state.day = moment.day
            remainder = _AFTER.sub("", body[moment.end :], count=1).strip()
            if remainder and len(remainder) > 3 and remainder[0] != "(":
                # "2024-03-01: deploy started" - an entry with a day but no time.
                _add(
                    out,
                    state,
                    TimelineEntry(at=moment.raw, text=remainder, line=number, at_iso=None),
                    None,
                    moment,
                )
        return moment
    remainder = body[moment.end :].lstrip(_SEPARATORS)
    _entry(moment, remainder, number, state, out)
    return moment


def _read_labelled(
    text: str, number: int, state: _State, out: list[TimelineEntry]
) -> dates.Moment | None:
    """An entry named before its time: "Incident start: 2025-08-18 23:15 UTC", "Detected:
    10:32 (alerts)". What happened is the name, and what follows the time, if anything."""
    label = _LABELLED.match(text)
    if label is None:
        return None
    rest = label["rest"]
    moment = dates.leading_moment(rest, state.date_order, state.year)
    if moment is None or moment.clock is None:
        return None
    after = rest[moment.end :].strip(" \t-–—:,")
    _entry(moment, f"{label['label'].strip()} {after}".strip(), number, state, out)
    return moment


def _entry(
    moment: dates.Moment, text: str, line: int, state: _State, out: list[TimelineEntry]
) -> None:
    if moment.day is not None:
        state.day = moment.day
    at = moment.at(state.day, state.tz)
    if at is not None and moment.day is None and state.last is not None:
        # Times written without a day that run backwards crossed midnight.
        last = (
            state.last.replace(tzinfo=at.tzinfo)
            if (state.last.tzinfo is None) != (at.tzinfo is None)
            else state.last
        )
        if at < last - _ROLLOVER:
            at = at + timedelta(days=1)
            state.day = at.date()
    if at is not None:
        state.last = at
    aware = at if (at is not None and at.tzinfo is not None) else None
    _add(out, state, TimelineEntry(at=moment.raw, text=text, line=line, at_iso=aware), at, moment)


def _read_table(table: Table, state: _State, out: list[TimelineEntry]) -> None:
    header = [normalise(_PARENTHESES.sub("", h)) for h in table.header]
    ti = next((i for i, h in enumerate(header) if _TIME_HEADER.match(h)), None)
    if ti is None:
        ti = 0
    # "| Date | Time | Event |": the day and the time in two columns.
    di = None
    if header[ti].startswith("date") and ti + 1 < len(header) and header[ti + 1].startswith("time"):
        di, ti = ti, ti + 1
    xi = next((i for i, h in enumerate(header) if i != ti and _TEXT_HEADER.match(h)), None)
    if xi is None:
        # The widest other column is the description.
        widths = [
            (sum(len(r[1][i]) for r in table.rows if i < len(r[1])), i)
            for i in range(len(header))
            if i != ti
        ]
        xi = max(w for w in widths if w[1] != di)[1] if len(widths) > (di is not None) else None
    for line, cells in table.rows:
        if ti >= len(cells):
            continue
        cell = plain(cells[ti])
        if di is not None and di < len(cells) and plain(cells[di]):
            cell = f"{plain(cells[di])} {cell}"
        moment = dates.leading_moment(cell, state.date_order, state.year)
        if moment is None or moment.clock is None and moment.day is None:
            continue
        text = plain(cells[xi]) if xi is not None and xi < len(cells) else ""
        if moment.clock is None:
            if moment.day is not None:
                state.day = moment.day
            _add(
                out,
                state,
                TimelineEntry(at=moment.raw, text=text, line=line, at_iso=None),
                None,
                moment,
            )
            continue
        _entry(moment, text, line, state, out)
