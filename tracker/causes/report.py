"""``pmt causes``: root-cause categories over a period, their trend, and the repeats.

A postmortem belongs to the period by its incident date (the day pmt first saw it when the
document gives none). The trend compares each category's count with the previous period of
the same length. Repeats are those the repeat search stored for the postmortems of the period
(against every earlier postmortem, inside the period or before it), read without loading the
store: the cost follows the period. A postmortem of the two periods that was never analysed
(or whose stored search is stale) is analysed first, as ``pmt ingest`` would, except that
nothing is marked not effective (``pmt ingest`` does that).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from tracker.causes.cause_columns import stored_classification, summaries
from tracker.causes.classification import Classification
from tracker.causes.repeat_warning import RepeatWarning
from tracker.causes.taxonomy import BY_NAME, NAMES

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.causes.classify import Explanation
    from tracker.config import Settings
    from tracker.store import Store

# The default period when --since is not given: this many days up to --until.
DEFAULT_DAYS = 90


@dataclass(frozen=True)
class Period:
    since: date
    until: date

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        until = self.since - timedelta(days=1)
        return Period(until - timedelta(days=self.days - 1), until)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.since <= day <= self.until

    def to_dict(self) -> dict[str, str]:
        return {"since": self.since.isoformat(), "until": self.until.isoformat()}


@dataclass(frozen=True)
class CategoryCount:
    category: str
    title: str
    count: int
    previous_count: int
    postmortems: list[str]

    @property
    def change(self) -> int:
        return self.count - self.previous_count

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "title": self.title,
            "count": self.count,
            "previous_count": self.previous_count,
            "change": self.change,
            "postmortems": list(self.postmortems),
        }


@dataclass(frozen=True)
class PostmortemCause:
    key: str
    path: str
    title: str | None
    date: date
    classification: Classification
    repeats: list[RepeatWarning] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        c = self.classification
        return {
            "path": self.path,
            "key": self.key,
            "title": self.title,
            "date": self.date.isoformat(),
            "category": c.category,
            "secondary_category": c.secondary,
            "confidence": round(c.confidence, 3),
            "source": c.source,
            "repeats": [
                {
                    "earlier": r.earlier_path,
                    "earlier_key": r.earlier_key,
                    "score": round(r.score, 3),
                    "open_items": r.open_items,
                    "fix_held": r.fix_held,
                    "kind": r.kind,
                }
                for r in self.repeats
            ],
        }


@dataclass(frozen=True)
class CausesReport:
    period: Period
    previous: Period
    categories: list[CategoryCount]
    postmortems: list[PostmortemCause]
    # How many repeats the period has (``pairs`` may hold only the first of them).
    repeat_count: int | None = None

    @property
    def pairs(self) -> list[RepeatWarning]:
        return [r for p in self.postmortems for r in p.repeats]

    @property
    def repeats_found(self) -> int:
        return len(self.pairs) if self.repeat_count is None else self.repeat_count

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": {**self.period.to_dict(), "previous": self.previous.to_dict()},
            "categories": [c.to_dict() for c in self.categories],
            "postmortems": [p.to_dict() for p in self.postmortems],
            "pairs": [
                {
                    "later": r.path,
                    "earlier": r.earlier_path,
                    "score": round(r.score, 3),
                    "category": r.category,
                    "kind": r.kind,
                    "open_items": r.open_items,
                    "fix_held": r.fix_held,
                }
                for r in self.pairs
            ],
        }


def default_period(today: date, since: date | None, until: date | None) -> Period:
    until = until or today
    since = since or until - timedelta(days=DEFAULT_DAYS - 1)
    return Period(since, until)


def _day(row: Any, zone: ZoneInfo) -> date:
    day: date = row.incident_date or row.created_at.astimezone(zone).date()
    return day


def postmortems_between(session: Session, since: date, until: date, zone: ZoneInfo) -> list[Any]:
    """The (not removed) postmortems whose day is in ``since``..``until``, in "earlier
    first" order: by incident date, else the day pmt first saw them (both indexed). Their
    summaries (``cause_columns.summaries``), not their texts."""
    from datetime import datetime, time

    from sqlalchemy import and_, or_

    from tracker.store.tables import PostmortemRow

    start = datetime.combine(since, time.min, zone)
    end = datetime.combine(until + timedelta(days=1), time.min, zone)
    c = PostmortemRow.__table__.c  # type: ignore[attr-defined]
    found = summaries(
        session,
        c.removed_at.is_(None),
        or_(
            c.incident_date.between(since, until),
            and_(c.incident_date.is_(None), c.created_at >= start, c.created_at < end),
        ),
    )
    # The window in the zone's instants selects exactly the rows whose ``_day`` is in it.
    return sorted(found, key=lambda row: (_day(row, zone), row.id))


def causes_report(
    store: Store,
    settings: Settings,
    period: Period,
    as_of: date,
    *,
    repeats_limit: int | None = None,
) -> CausesReport:
    """Categories of the period with their trend, and each postmortem's repeats (only the
    first ``repeats_limit`` of them, in the order of their postmortems, when given: the
    report still counts them all).

    Only the postmortems of the period and of the one before are read, with their stored
    categories and repeats (``tracker.causes.stored``); those never analysed, or whose
    stored search is stale, are analysed first."""
    from tracker.causes.stored import bring_up_to_date, stale_keys, stored_warnings

    zone = ZoneInfo(settings.timezone)
    previous = period.previous()
    with store.session(write=False) as session:
        stale = stale_keys(
            session, postmortems_between(session, previous.since, period.until, zone), settings
        )
    if stale:
        bring_up_to_date(store, settings, stale)
    with store.session(write=False) as session:
        rows = postmortems_between(session, previous.since, period.until, zone)
        members = [row for row in rows if _day(row, zone) in period]
        classifications = {
            row.key: c for row in rows if (c := stored_classification(row)) is not None
        }
        warnings, repeat_count = stored_warnings(
            session, members, classifications, settings, as_of, repeats_limit
        )
    by_key: dict[str, list[RepeatWarning]] = {}
    for w in warnings:
        by_key.setdefault(w.key, []).append(w)
    now_counts: dict[str, list[str]] = {}
    before: dict[str, int] = {}
    for row in rows:
        day = _day(row, zone)
        category = classifications[row.key].category
        if day in period:
            now_counts.setdefault(category, []).append(row.path)
        elif day in previous:
            before[category] = before.get(category, 0) + 1
    categories = [
        CategoryCount(
            name,
            BY_NAME[name].title,
            len(now_counts.get(name, [])),
            before.get(name, 0),
            now_counts.get(name, []),
        )
        for name in NAMES
        if name in now_counts or name in before
    ]
    categories.sort(key=lambda c: (-c.count, -c.previous_count, NAMES.index(c.category)))
    postmortems = [
        PostmortemCause(
            key=row.key,
            path=row.path,
            title=row.title,
            date=_day(row, zone),
            classification=classifications[row.key],
            repeats=by_key.get(row.key, []),
        )
        for row in members
    ]
    return CausesReport(period, previous, categories, postmortems, repeat_count)


@dataclass(frozen=True)
class StoredExplanation:
    """``pmt causes --explain``: a stored postmortem's label and the features behind it."""

    key: str
    path: str
    title: str | None
    explanation: Explanation

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "key": self.key,
            "title": self.title,
            **self.explanation.to_dict(),
        }


def explain_postmortem(
    store: Store, settings: Settings, key_or_path: str
) -> StoredExplanation | None:
    """Classify the postmortem named (by key or path) as ingest would, with its reasons."""
    from tracker.causes.classify import explain
    from tracker.causes.repeats import front_matter_of
    from tracker.queries import find_postmortem

    project = settings.project_root
    with store.session(write=False) as session:
        row = find_postmortem(session, key_or_path, settings.ingest_root(project), project)
        if row is None:
            return None
        found = explain(
            row.root_cause,
            row.root_cause_detail,
            front_matter_of(row, settings),
            min_confidence=settings.causes.min_confidence,
        )
        return StoredExplanation(row.key, row.path, row.title, found)
