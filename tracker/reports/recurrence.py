"""Repeats for the weekly report: postmortems of the period whose cause matches an earlier one.

The matching (the same failure mechanism, not merely the same category) is
``tracker.causes.repeats``'s, the same as ``pmt causes`` and the warnings of ``pmt ingest``;
this module asks it about the postmortems added during the period and keeps, for each match,
the earlier postmortem's action items with their state as of the report's day.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from tracker.reports.entries import RepeatEntry, RepeatItem
from tracker.reports.period import Period

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.config import Settings


def find_repeats(
    session: Session, settings: Settings, period: Period, as_of: date
) -> list[RepeatEntry]:
    from sqlmodel import select

    from tracker.causes.repeats import FIX_DID_NOT_HOLD, load_corpus
    from tracker.causes.repeats import find_repeats as causes_repeats
    from tracker.store.tables import PostmortemRow

    added = [
        row.key
        for row in session.exec(
            select(PostmortemRow).where(
                PostmortemRow.created_at >= period.start_at,
                PostmortemRow.created_at < period.end_at,
                PostmortemRow.removed_at.is_(None),  # type: ignore[union-attr]
            )
        )
    ]
    if not added:
        return []
    corpus = load_corpus(session, settings)
    entries = []
    for w in causes_repeats(corpus, session, added, settings, as_of):
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
