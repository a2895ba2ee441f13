"""Repeats for the weekly report: postmortems of the period whose cause matches an earlier one.

The matching (the same failure mechanism, not merely the same category) is
``tracker.causes.repeats``'s, the same as ``pmt causes`` and the warnings of ``pmt ingest``;
this module reads the repeats it stored for the postmortems added during the period
(``tracker.causes.stored``; ``prepare_repeats`` analyses those never searched) and keeps, for
each match, the earlier postmortem's action items with their state as of the report's day.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from tracker.reports.entries import RepeatEntry, RepeatItem
from tracker.reports.period import Period

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.config import Settings
    from tracker.store import Store


def _added(session: Session, period: Period) -> list[Any]:
    """The (not removed) postmortems added during the period, by the created_at index (their
    summaries: ``tracker.causes.cause_columns.summaries``)."""
    from tracker.causes.cause_columns import summaries
    from tracker.store.tables import PostmortemRow

    c = PostmortemRow.__table__.c  # type: ignore[attr-defined]
    found = summaries(
        session,
        c.created_at >= period.start_at,
        c.created_at < period.end_at,
        c.removed_at.is_(None),
    )
    return sorted(found, key=lambda row: (row.cause_day or "", row.id))


def prepare_repeats(store: Store, settings: Settings, period: Period) -> None:
    """Analyse the postmortems added during the period that were never searched for repeats
    (or whose stored search is stale), so that ``find_repeats`` reads them from the store."""
    from tracker.causes.stored import bring_up_to_date, stale_keys

    with store.session(write=False) as session:
        stale = stale_keys(session, _added(session, period), settings)
    if stale:
        bring_up_to_date(store, settings, stale)


def find_repeats(
    session: Session, settings: Settings, period: Period, as_of: date
) -> list[RepeatEntry]:
    """The stored repeats of the postmortems added during the period (``prepare_repeats``
    brings them up to date), with the earlier postmortems' items as they are on ``as_of``."""
    from tracker.causes.cause_columns import stored_classification
    from tracker.causes.repeat_warning import FIX_DID_NOT_HOLD
    from tracker.causes.stored import stored_warnings

    added = _added(session, period)
    if not added:
        return []
    classifications = {row.key: c for row in added if (c := stored_classification(row)) is not None}
    entries = []
    warnings, _ = stored_warnings(session, added, classifications, settings, as_of)
    for w in warnings:
        entries.append(
            RepeatEntry(
                postmortem_key=w.key,
                postmortem_title=w.title,
                incident_date=w.incident_date,
                earlier_key=w.earlier_key,
                earlier_title=w.earlier_title,
                earlier_date=w.earlier_date,
                category=w.category,
                score=round(w.score, 3),
                kind="fix_did_not_hold" if w.kind == FIX_DID_NOT_HOLD else "follow_up_never_done",
                earlier_items=[RepeatItem(i.text, i.owner, i.status) for i in w.items],
            )
        )
    entries.sort(key=lambda e: (e.incident_date or date.min, e.postmortem_key, -e.score))
    return entries
