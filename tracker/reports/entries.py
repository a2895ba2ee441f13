"""The weekly report's data: typed values that ``tracker.reports.weekly`` computes from the
store and the ``render_*`` modules present (the definitions are in ``weekly``'s docstring)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from tracker.causes.taxonomy import BY_NAME, UNKNOWN
from tracker.reports.period import Period

PRIORITY_ORDER = ("P0", "P1", "P2", "P3", "P4", "none")
HISTORY_WEEKS = 12
CAUSE_WINDOW_DAYS = 90
OLDEST_LIMIT = 10
OWNER_LIMIT = 5
NO_OWNER = "(no owner)"

RepeatKind = Literal["follow_up_never_done", "fix_did_not_hold"]


def category_label(category: str | None) -> str:
    """The taxonomy's plain title of a category ("network_dns" -> "Network or DNS")."""
    key = category or UNKNOWN
    known = BY_NAME.get(key)
    return known.title if known else key.replace("_", " ").capitalize()


# ---------------------------------------------------------------------------------------------
# The report's data


@dataclass(frozen=True)
class PostmortemEntry:
    key: str
    path: str
    title: str | None
    incident_date: date | None
    duration_minutes: int | None
    impact: str | None
    severity: str | None
    cause_category: str
    cause_label: str
    items: int


@dataclass(frozen=True)
class ItemEntry:
    postmortem_key: str
    postmortem_title: str | None
    text: str
    owner: str | None
    priority: str | None
    due: date | None
    due_implicit: bool
    opened: date
    age_days: int
    days_overdue: int | None
    ticket: str | None
    ticket_url: str | None


@dataclass(frozen=True)
class ItemStats:
    """Counts for one priority ("P0".."P4", "none" for items without one) or for "all"."""

    priority: str
    added: int
    closed: int
    open_now: int
    overdue_now: int
    # Of the items that existed at the end of the period, the share done by then.
    completion_rate: float | None
    # Median days from the incident to done, over the items done during the period.
    median_days_to_close: float | None
    # Items whose due date fell in the period, and how many of them were done by that date.
    due: int
    met_deadline: int
    compliance: float | None
    # Items done during the period after their due date had passed.
    closed_late: int
    # The completion rate's parts: items existing at the end of the period, and those done by then.
    existing_at_end: int = 0
    done_by_end: int = 0
    # Of ``added``, those already checked when pmt first read them (done, but not "in" the period).
    done_when_recorded: int = 0


@dataclass(frozen=True)
class OwnerLoad:
    owner: str
    overdue: int
    open: int
    most_days_late: int


@dataclass(frozen=True)
class CategoryCount:
    category: str
    label: str
    recent: int
    previous: int

    @property
    def change(self) -> int:
        return self.recent - self.previous


@dataclass(frozen=True)
class CauseTrend:
    recent_start: date
    recent_end: date
    previous_start: date
    previous_end: date
    categories: list[CategoryCount]


@dataclass(frozen=True)
class RepeatItem:
    text: str
    owner: str | None
    status: str  # "open" | "overdue" | "done"


@dataclass(frozen=True)
class RepeatEntry:
    """A postmortem of the period whose cause matches an earlier one."""

    postmortem_key: str
    postmortem_title: str | None
    incident_date: date | None
    earlier_key: str
    earlier_title: str | None
    earlier_date: date | None
    category: str
    score: float
    kind: RepeatKind
    earlier_items: list[RepeatItem] = field(default_factory=list)

    @property
    def open_items(self) -> int:
        return sum(1 for i in self.earlier_items if i.status != "done")


@dataclass(frozen=True)
class WeekPoint:
    week: str
    start: date
    end: date
    # Items open at the end of the week, and items done during it.
    open: int
    closed: int


@dataclass(frozen=True)
class WeeklyReport:
    title: str
    period: Period
    generated_at: datetime
    # "Now" for the overdue, oldest and owner parts: the day the report was made.
    as_of: date
    postmortems: list[PostmortemEntry]
    totals: ItemStats
    by_priority: list[ItemStats]
    # The most overdue first: all of them, or as many as the rendering shows when the report
    # was built for one (``overdue_count`` counts them all).
    overdue: list[ItemEntry]
    oldest_open: list[ItemEntry]
    owners: list[OwnerLoad]
    causes: CauseTrend
    repeats: list[RepeatEntry]
    history: list[WeekPoint]
    # Each postmortem's address (key -> URL), where [github] postmortem_url can make one.
    links: dict[str, str] = field(default_factory=dict)

    @property
    def overdue_count(self) -> int:
        return self.totals.overdue_now

    def url_of(self, postmortem_key: str) -> str | None:
        return self.links.get(postmortem_key)

    @property
    def never_done(self) -> list[RepeatEntry]:
        return [r for r in self.repeats if r.kind == "follow_up_never_done"]

    @property
    def did_not_hold(self) -> list[RepeatEntry]:
        return [r for r in self.repeats if r.kind == "fix_did_not_hold"]

    @property
    def span(self) -> str:
        """ "this week" or "in this period", for sentences."""
        return "this week" if self.period.week else "in this period"
