"""The incident's metadata: title, date, start and end with their zone, duration, impact and
share of users, severity, root cause, resolution, incident ticket.

Sources, most trusted first: YAML front matter; "Key: value" lines and two-column tables in
the part before the first section and in the summary ("**Duration:** 10:00 to 12:00 UTC");
the summary's prose ("from 3:00 PM to 5:15 PM GMT"); the timeline (first entry, and the first
entry that reads as recovery).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from tracker.models import Postmortem, TimelineEntry
from tracker.parsing import dates
from tracker.parsing.blocks import ListBlock, Para
from tracker.parsing.headings import plain
from tracker.parsing.incident_times import read_times
from tracker.parsing.root_cause import read_resolution, read_root_cause
from tracker.parsing.sections import Node, title_node
from tracker.parsing.summary import key_values, section_text, summary_nodes

_USERS = re.compile(
    r"(?<![\d.])(?P<n>\d{1,3}(?:\.\d+)?)\s?%\s+(?:of\s+)?"
    r"(?:(?:all|our|the|active|total|global|affected|us|eu|mobile|web|logged-in|paying)\s+){0,3}"
    r"(?:users?|customers?|visitors?|clients?|accounts?|tenants?|subscribers?|players?|members?|merchants?|people|traffic|requests?|sessions?)\b",
    re.IGNORECASE,
)
_SEVERITY = re.compile(r"\b(?P<v>sev(?:erity)?[\s-]?[0-5]|p[0-4] incident)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(19[89]\d|20\d\d)\b")


@dataclass(slots=True)
class Meta:
    """The metadata being read: the ``Postmortem`` whose fields it fills (title, start and end,
    zone, impact, severity, root cause...), and what only the reading needs."""

    pm: Postmortem
    # The incident's day as stated (front matter, "Date:", the title) or found in the summary.
    day: date | None = None
    guess_day: date | None = None
    year: int | None = None
    kv: dict[str, tuple[str, int]] = field(default_factory=dict)


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


def prepare(pm: Postmortem, root: Node, front: dict[str, Any], date_order: str) -> Meta:
    """What is needed before the timeline is read: title, "Key: value" lines, the incident's day."""
    meta = Meta(pm)
    meta.pm.title = title(root, front)
    summaries = summary_nodes(root)
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
    summaries = summary_nodes(root)
    lower = text.lower()
    read_times(meta, front, summaries, date_order, timeline, timeline_zone, nodes, lower)
    _impact(meta, front, nodes, summaries)
    _severity(meta, front, root)
    read_root_cause(meta, front, nodes, summaries, lower)
    read_resolution(meta, nodes, summaries, lower)
    incident = (
        front.get("incident") or front.get("ticket") or (meta.kv.get("incident") or (None,))[0]
    )
    if incident is not None and str(incident).strip():
        meta.pm.incident = str(incident).strip()
    return meta


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
    if meta.pm.title:
        stated.append(meta.pm.title)
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


def _impact(meta: Meta, front: dict[str, Any], nodes: list[Node], summaries: list[Node]) -> None:
    value = front.get("impact")
    impact_node = next((n for n in nodes if n.kind == "impact" and n.own_kind == "impact"), None)
    if isinstance(value, str) and value.strip():
        meta.pm.impact = value.strip()
    elif impact_node is not None and (text := section_text(impact_node)):
        meta.pm.impact = text
    elif "impact" in meta.kv:
        meta.pm.impact = meta.kv["impact"][0]
    texts = [meta.pm.impact or ""]
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
                meta.pm.users_affected_pct = float(m.group("n"))
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
        meta.pm.severity = str(value).strip()
        return
    if "severity" in meta.kv:
        meta.pm.severity = meta.kv["severity"][0].strip().rstrip(".")
        return
    for text in [meta.pm.title or ""] + [b.text for b in root.blocks[:5] if isinstance(b, Para)]:
        m = _SEVERITY.search(text)
        if m:
            meta.pm.severity = m.group("v")
            return


def zone_of(text: str | None) -> tzinfo | None:
    return dates.zone_info(text) if text else None
