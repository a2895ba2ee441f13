"""The deadline policy: when an action item written without a due date is due.

Counted from the incident's date, by priority (``[deadlines]`` in pmt.toml; by default P0 7
days, P1 28, P2 56, P3 and P4 90, no priority 56), in the spirit of the 4- and 8-week SLOs
that many teams set for priority follow-ups. Such a due date is marked implicit.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.config import DeadlineSettings


def days_for(priority: str | None, policy: DeadlineSettings) -> int:
    """Days allowed for an item of ``priority`` (None or unknown: the policy's default)."""
    if priority and priority in ("P0", "P1", "P2", "P3", "P4"):
        return int(getattr(policy, priority))
    return policy.default


def implicit_due(incident_date: date, priority: str | None, policy: DeadlineSettings) -> date:
    return incident_date + timedelta(days=days_for(priority, policy))


def due_date(
    written: date | None, incident_date: date, priority: str | None, policy: DeadlineSettings
) -> tuple[date, bool]:
    """The item's due date and whether it is implicit (came from the policy)."""
    if written is not None:
        return written, False
    return implicit_due(incident_date, priority, policy), True
