"""``pmt owners``: every owner in the store, their open and overdue items, and who they are on
GitHub and Jira (``tracker.people``): the way to find who would be left unassigned.

Plain SQL on a connection, like ``tracker.queries`` (no ORM).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select

from tracker.people import github_login, jira_user, person_key
from tracker.queries.columns import ITEMS, POSTMORTEMS
from tracker.queries.overdue import overdue_condition

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from tracker.config import Settings


@dataclass(frozen=True)
class OwnerRow:
    owner: str  # a spelling without "@" when there is one
    spellings: list[str]
    open: int
    overdue: int
    github: str | None
    jira: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def owners(conn: Connection, settings: Settings, as_of: date) -> list[OwnerRow]:
    """Owners of items not removed, most overdue first; the same person's spellings merged."""
    count_open = func.coalesce(func.sum(case((ITEMS.c.status == "open", 1), else_=0)), 0)
    count_late = func.coalesce(func.sum(case((overdue_condition(as_of), 1), else_=0)), 0)
    # Written as a handle in any of the items: sync assigns those to the login.
    any_handle = func.max(case((ITEMS.c.owner_handle, 1), else_=0))
    query = (
        select(ITEMS.c.owner, count_open, count_late, any_handle)
        .select_from(ITEMS.join(POSTMORTEMS, ITEMS.c.postmortem_id == POSTMORTEMS.c.id))
        .where(
            ITEMS.c.owner.is_not(None),
            ITEMS.c.status != "removed",
            POSTMORTEMS.c.removed_at.is_(None),
        )
        .group_by(ITEMS.c.owner)
        .order_by(ITEMS.c.owner)
    )
    merged: dict[str, list[Any]] = {}
    for owner, open_n, late_n, handle in conn.execute(query):
        entry = merged.setdefault(person_key(owner), [[], 0, 0, []])
        entry[0].append(owner)
        entry[1] += int(open_n)
        entry[2] += int(late_n)
        entry[3].append(bool(handle))
    rows = []
    for spellings, open_n, late_n, handles in merged.values():
        # A spelling written as a handle ("@lena-k") names the login, whichever comes first.
        login = next(
            (
                g
                for s, h in zip(spellings, handles, strict=True)
                if (g := github_login(s, settings.github, handle=h))
            ),
            None,
        )
        shown = next((s for s in spellings if not s.startswith("@")), spellings[0])
        jira = jira_user(shown, settings.jira)
        rows.append(OwnerRow(shown, spellings, open_n, late_n, login, jira))
    rows.sort(key=lambda r: (-r.overdue, -r.open, person_key(r.owner)))
    return rows
