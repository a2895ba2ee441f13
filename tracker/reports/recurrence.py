"""Repeats for the weekly report: postmortems of the period whose cause matches an earlier one.

The matching itself (same failure mechanism, not merely the same category) belongs to
``tracker.causes.repeats``; this module asks it about the postmortems of the period and turns
each match into a ``RepeatEntry`` with the earlier postmortem's action items and their state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker.reports.period import Period
from tracker.reports.weekly import RepeatEntry

if TYPE_CHECKING:
    from sqlmodel import Session


def find_repeats(session: Session, period: Period) -> list[RepeatEntry]:
    # Filled in against tracker.causes.repeats once it lands (see the report's hand-over notes).
    return []
