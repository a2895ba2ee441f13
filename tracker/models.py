"""Value objects of a parsed postmortem.

These are what the parser returns and what every other layer reads. They are plain
dataclasses (not pydantic models, not tables) because the parser makes tens of thousands of
them per second and because they carry no behaviour beyond turning themselves into JSON.
The database tables live in ``tracker.store.tables``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# Section kinds the parser recognises. ``other`` is a section it keeps but does not use.
SECTION_KINDS = (
    "summary",
    "impact",
    "timeline",
    "root_cause",
    "resolution",
    "actions",
    "takeaways",
    "lessons",
    "other",
)

# Priorities are normalised to P0..P4 (P0 the most urgent).
PRIORITIES = ("P0", "P1", "P2", "P3", "P4")


@dataclass(slots=True)
class ActionItem:
    """One concrete next step found in the corrective / preventative section."""

    text: str
    line: int
    owner: str | None = None
    # Whether the owner was written as a handle ("@lena-k"): ``owner`` keeps no "@" ("lena-k"),
    # and only a handle may be taken for a GitHub login (tracker.people).
    owner_handle: bool = False
    due: date | None = None
    priority: str | None = None
    kind: str | None = None
    done: bool | None = None
    ticket: str | None = None
    # Ticket references the text only mentions ("see OPS-1420"): related, not the item's own.
    related: str | None = None
    # The heading of the (sub)section the item was found under, for humans and for identity.
    section: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "owner": self.owner,
            "owner_handle": self.owner_handle,
            "due": self.due.isoformat() if self.due else None,
            "priority": self.priority,
            "kind": self.kind,
            "done": self.done,
            "ticket": self.ticket,
            "related": self.related,
            "line": self.line,
            "section": self.section,
        }


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in a document, at a line: an ``error`` (pmt parse exits 1, pmt ingest
    keeps the file's stored state) or a ``warning`` (reported, the file is used)."""

    line: int
    message: str
    severity: str = "error"

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "severity": self.severity, "message": self.message}


@dataclass(slots=True)
class TimelineEntry:
    """One line of the timeline: when (as written and, where possible, as an instant) and what."""

    at: str
    text: str
    line: int
    # The instant, when the entry's time could be read with a date and a zone.
    at_iso: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "at_iso": self.at_iso.isoformat() if self.at_iso else None,
            "text": self.text,
            "line": self.line,
        }


@dataclass(slots=True)
class Section:
    heading: str
    kind: str
    line: int
    level: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"heading": self.heading, "kind": self.kind, "line": self.line, "level": self.level}


@dataclass(slots=True)
class Postmortem:
    """Everything pmt understands about one postmortem document."""

    path: str
    title: str | None = None
    # Front-matter ``id`` when present: the document's identity across renames.
    id: str | None = None
    # The incident's calendar date (from the start time, front matter or a "Date:" line).
    date: date | None = None
    started: datetime | None = None
    ended: datetime | None = None
    # Start and end as written ("10:00 AM", "12:00 PM (UTC-4)"), also when no day is known and
    # ``started`` / ``ended`` therefore stay empty.
    started_text: str | None = None
    ended_text: str | None = None
    # The zone as written ("UTC", "PST", "UTC-4", "Europe/Paris"); None when none is given.
    timezone: str | None = None
    duration_minutes: int | None = None
    impact: str | None = None
    # Share of users affected in percent, where the document states one.
    users_affected_pct: float | None = None
    severity: str | None = None
    # The root cause in one sentence (the summary's line, else the section's first sentence)...
    root_cause: str | None = None
    # ...and the root-cause section's whole text.
    root_cause_detail: str | None = None
    resolution: str | None = None
    # The incident's own ticket (front matter ``incident:``), e.g. OPS-123.
    incident: str | None = None
    action_items: list[ActionItem] = field(default_factory=list)
    takeaways: list[str] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    front_matter: dict[str, Any] = field(default_factory=dict)
    # What pmt found wrong while reading (bad front matter, a due date that does not exist).
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def section(self, kind: str) -> Section | None:
        return next((s for s in self.sections if s.kind == kind), None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape documented in docs/parse-lint-new.md (``pmt parse --format json``)."""
        return {
            "path": self.path,
            "id": self.id,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "started": self.started.isoformat() if self.started else None,
            "ended": self.ended.isoformat() if self.ended else None,
            "started_text": self.started_text,
            "ended_text": self.ended_text,
            "timezone": self.timezone,
            "duration_minutes": self.duration_minutes,
            "impact": self.impact,
            "users_affected_pct": self.users_affected_pct,
            "severity": self.severity,
            "root_cause": self.root_cause,
            "root_cause_detail": self.root_cause_detail,
            "resolution": self.resolution,
            "incident": self.incident,
            "action_items": [i.to_dict() for i in self.action_items],
            "takeaways": list(self.takeaways),
            "timeline": [t.to_dict() for t in self.timeline],
            "sections": [s.to_dict() for s in self.sections],
            "front_matter": _jsonable(self.front_matter),
            "problems": [p.to_dict() for p in self.problems],
        }


def _jsonable(value: Any) -> Any:
    """Front matter may hold YAML dates and datetimes; JSON wants strings."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(dataclasses.asdict(value))
    return value
