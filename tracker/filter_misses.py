"""Why a filter found nothing: ``pmt overdue --owner alcie`` should say there is no such owner,
not only that nothing is overdue.

Plain SQL on a connection, like the overdue query (no ORM: see ``tracker.queries.columns``).
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import get_close_matches
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from tracker.queries.columns import ITEMS, POSTMORTEMS, as_list

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlmodel import Session


def filter_misses(
    conn: Session | Connection,
    *,
    owner: str | Sequence[str] | None = None,
    postmortem: str | Sequence[str] | None = None,
) -> list[str]:
    """One sentence per ``--owner`` or ``--postmortem`` value that matches nothing in the store
    (overdue or not), with the closest known spelling when there is one."""
    misses = []
    owners = as_list(owner)
    if owners:
        known = [
            o
            for (o,) in conn.execute(
                select(ITEMS.c.owner).where(ITEMS.c.owner.is_not(None)).distinct()
            )
        ]
        plain = {o.lower().lstrip("@"): o for o in known}
        for wanted in owners:
            if wanted.lower().lstrip("@") not in plain:
                misses.append(
                    f"no action item has the owner {wanted!r}"
                    + _suggest(wanted.lower().lstrip("@"), plain)
                )
    for wanted in as_list(postmortem):
        found = conn.execute(
            select(func.count())
            .select_from(POSTMORTEMS)
            .where(or_(POSTMORTEMS.c.key == wanted, POSTMORTEMS.c.path == wanted))
        ).scalar()
        if not found:
            misses.append(f"no postmortem {wanted!r} in the store (pmt list shows them)")
    return misses


def _suggest(wanted: str, known: dict[str, str]) -> str:
    close = get_close_matches(wanted, list(known), n=1, cutoff=0.6)
    return f" (did you mean {known[close[0]]!r}?)" if close else ""
