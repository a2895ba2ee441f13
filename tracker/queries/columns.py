"""The columns the read queries use, declared with SQLAlchemy Core rather than the ORM.

``pmt overdue``, ``pmt list``, ``pmt show``, ``pmt owners`` and the filter hints read through these: building
the SQLModel classes of ``tracker.store.tables`` costs ``pmt overdue`` more than its whole query
(``bench/overdue_bench.py``). They name a subset of those tables' columns with the same types,
which ``tests/test_queries.py`` checks column by column.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Boolean, Date, Integer, String, column, table
from sqlalchemy.sql.expression import TableClause

from tracker.store.types import UTCDateTime

ITEMS: TableClause = table(
    "action_item",
    column("id", Integer),
    column("postmortem_id", Integer),
    column("uid", String),
    column("text", String),
    column("owner", String),
    column("owner_handle", Boolean),
    column("due", Date),
    column("due_implicit", Boolean),
    column("priority", String),
    column("line", Integer),
    column("ticket", String),
    column("position", Integer),
    column("status", String),
    column("kind", String),
    column("section", String),
    column("not_effective", Boolean),
    column("created_at", UTCDateTime),
    column("closed_at", UTCDateTime),
    column("removed_at", UTCDateTime),
)
POSTMORTEMS: TableClause = table(
    "postmortem",
    column("id", Integer),
    column("key", String),
    column("title", String),
    column("path", String),
    column("incident_date", Date),
    column("severity", String),
    column("incident_ticket", String),
    column("root_cause", String),
    column("cause_category", String),
    column("updated_at", UTCDateTime),
    column("removed_at", UTCDateTime),
)
LINKS: TableClause = table(
    "ticket_link",
    column("id", Integer),
    column("item_id", Integer),
    column("postmortem_id", Integer),
    column("tracker", String),
    column("key", String),
    column("url", String),
    column("role", String),
    column("state", String),
)


def as_list(value: str | Sequence[str] | None) -> list[str]:
    """A filter as given on the command line: one value, several, or "a,b" lists."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    return [part.strip() for v in value for part in v.split(",") if part.strip()]
