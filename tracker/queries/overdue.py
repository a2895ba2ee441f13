"""Overdue action items: one query over the tables, one typed row per item (``OverdueRow``).

``pmt overdue`` and ``pmt remind`` read them. The query is the same on SQLite and PostgreSQL;
the days late are counted in Python from the due date (the two have no common date arithmetic).
It reads through a plain connection as well as a session, with no ORM (see ``columns``), and
streams: rows come from the database as they are read, the oldest due date first (or by owner,
sorted by the database, for output that lists every row by owner). A table shows a page:
``overdue_page`` reads the N most overdue items (LIMIT in SQL) and counts the rest.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict, Unpack

from sqlalchemy import and_, case, exists, func, literal_column, or_, select

from tracker.queries.columns import ITEMS, LINKS, POSTMORTEMS, as_list

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlmodel import Session

# Rows fetched from the database at a time: the query streams (a server-side cursor on
# PostgreSQL) rather than loading every overdue item before the first is rendered.
BATCH = 1000

_item, _pm, _link = ITEMS.c, POSTMORTEMS.c, LINKS.c


class OverdueRow(NamedTuple):
    """One overdue action item. Its fields, in this order, are the JSON of ``pmt overdue``
    (documented in docs/tracking.md: a promise to users); ``to_dict()`` is that JSON's object."""

    item: str
    uid: str
    item_id: int
    owner: str | None
    due: date
    due_implicit: bool
    days_overdue: int
    priority: str | None
    postmortem: str
    postmortem_title: str | None
    path: str
    line: int | None
    # The linked ticket's key, else the reference written in the document.
    ticket: str | None
    # Its last known state (open / in_progress / closed); None when pmt has not seen it.
    ticket_state: str | None
    ticket_url: str | None
    # github / jira: the linked ticket's tracker, else judged by the reference's shape.
    tracker: str | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object, ``due`` still a ``date``: every encoder pmt uses writes it as
        YYYY-MM-DD (``cli.output``), and converting it here costs ``pmt overdue --format json``
        a fifth of its time on tens of thousands of items (bench/overdue_bench.py)."""
        return dict(zip(OVERDUE_FIELDS, self, strict=True))


# The JSON of one overdue item, in this order.
OVERDUE_FIELDS: tuple[str, ...] = OverdueRow._fields
# The one field the query does not select: counted from the due date, which comes before it.
_DAYS = OVERDUE_FIELDS.index("days_overdue")
_DUE = OVERDUE_FIELDS.index("due")


def closed_ticket() -> Any:
    """An item whose ticket is closed is not chased, whatever its checkbox says."""
    closed = LINKS.alias("closed_link")  # not the outer query's ticket_link
    return exists().where(closed.c.item_id == _item.id, closed.c.state == "closed")


def overdue_condition(as_of: date, linked: Any = None) -> Any:
    """Open, due before ``as_of``, in a postmortem still there, and no closed ticket.

    ``linked``: the id of the item's first link in a query that joins it (with no tracker
    filter). An item without one has no link at all (every link of an item has the role
    "item"), so its closed-ticket check is skipped: one index probe less per item."""
    not_closed = ~closed_ticket()
    if linked is not None:
        not_closed = or_(linked.is_(None), not_closed)
    return and_(
        _item.status == "open",
        _item.due < as_of,
        _pm.removed_at.is_(None),
        not_closed,
    )


class OverdueFilters(TypedDict, total=False):
    """What ``pmt overdue`` narrows the list by (see ``overdue``)."""

    owner: str | Sequence[str] | None
    priority: str | Sequence[str] | None
    postmortem: str | Sequence[str] | None
    tracker: str | None


def overdue(
    session: Session | Connection, as_of: date, **filters: Unpack[OverdueFilters]
) -> list[OverdueRow]:
    """Open items due before ``as_of``, by owner (case and a leading ``@`` ignored; items
    without an owner last), then oldest due date first.

    ``owner`` matches case-insensitively with or without a leading ``@``; ``priority`` takes
    P0..P4 (a list, or "P0,P1"); ``postmortem`` matches a key or a path; ``tracker`` keeps the
    items whose ticket is on that tracker (a linked ticket, else a document reference shaped
    like one of its keys). An item whose ticket is closed is not overdue.
    """
    return sorted(overdue_rows(session, as_of, **filters), key=_by_owner)


def _by_owner(row: OverdueRow) -> tuple[bool, str, date, str, int]:
    return (
        row.owner is None,
        (row.owner or "").lower().lstrip("@"),
        row.due,
        row.postmortem,
        row.line or 0,
    )


def overdue_rows(
    session: Session | Connection,
    as_of: date,
    *,
    limit: int | None = None,
    by_owner: bool = False,
    **filters: Unpack[OverdueFilters],
) -> Iterator[OverdueRow]:
    """``overdue``'s items as the database reads them, the oldest due date first (the order of
    the (status, due) index the query walks anyway; not grouped by owner), one batch at a time:
    ``pmt overdue --format json`` prints tens of thousands of items without holding them.

    ``limit``: only the first N (the N most overdue). ``by_owner``: in ``overdue``'s order
    instead, sorted by the database (``pmt overdue --format csv``), the same as ``overdue``'s
    for owners written in ASCII (the databases fold the case of other letters each its own way).
    """
    query = _query(as_of, **filters)
    if by_owner:
        query = query.order_by(None).order_by(*_owner_order(_dialect(session)))
    if limit is not None:
        query = query.limit(limit)
    for row in session.execute(query.execution_options(yield_per=BATCH)):
        yield OverdueRow._make((*row[:_DAYS], (as_of - row[_DUE]).days, *row[_DAYS:]))


class OverduePage(NamedTuple):
    """The first rows of the overdue items, and how many there are in all."""

    rows: list[OverdueRow]
    total: int


def overdue_page(
    session: Session | Connection, as_of: date, limit: int, **filters: Unpack[OverdueFilters]
) -> OverduePage:
    """The ``limit`` most overdue items (the oldest due date first, ties in the order they
    were stored), then in ``overdue``'s order (by owner), and the number of overdue items.

    The cut is the query's LIMIT: a table of the first screenful reads that many rows, and
    counts the rest (``count_overdue``) only when there may be more."""
    rows = list(overdue_rows(session, as_of, limit=limit, **filters))
    total = len(rows) if len(rows) < limit else count_overdue(session, as_of, **filters)
    return OverduePage(sorted(rows, key=_by_owner), total)


def count_overdue(
    session: Session | Connection, as_of: date, **filters: Unpack[OverdueFilters]
) -> int:
    """How many items ``overdue`` would return, counted by the database.

    Filtered by postmortem or tracker, the count is ``overdue``'s own query. Otherwise the
    removed postmortems are listed once and the plan is the database's best:

    - SQLite: one pass over the items, ``overdue_condition`` as a sum. In a big store most
      open items are overdue, and reading them through the (status, due) index, then each
      one's postmortem, costs twice as much (at 30,000 postmortems and 175,000 overdue items,
      0.06 s instead of 0.13 s);
    - PostgreSQL: the items through the (status, due) index, counted. Its sum over every item
      evaluates the closed-ticket test on each (at 100,000 items, 140-190 ms instead of 10 ms).

    Both count what ``overdue`` lists (tests/test_listing_limits_cli.py compares them on both
    databases)."""
    if filters.get("postmortem") or filters.get("tracker"):
        query = _query(as_of, **filters).with_only_columns(func.count()).order_by(None)
    else:
        removed = select(_pm.id).where(_pm.removed_at.is_not(None))
        late = and_(_item.status == "open", _item.due < as_of, ~closed_ticket())
        mine = [_item.postmortem_id.not_in(removed), *_item_filters(**filters)]
        if _dialect(session) == "sqlite":
            query = (
                select(func.coalesce(func.sum(case((late, 1), else_=0)), 0))
                .select_from(ITEMS)
                .where(*mine)
            )
        else:
            query = select(func.count()).select_from(ITEMS).where(late, *mine)
    return int(session.execute(query).scalar_one())


def _item_filters(
    owner: str | Sequence[str] | None = None,
    priority: str | Sequence[str] | None = None,
    **_others: Any,
) -> list[Any]:
    """The conditions of ``--owner`` and ``--priority``, on the item alone."""
    conditions = []
    owners = as_list(owner)
    if owners:
        wanted = {o.lower().lstrip("@") for o in owners}
        conditions.append(func.lower(_item.owner).in_(wanted | {f"@{o}" for o in wanted}))
    priorities = as_list(priority)
    if priorities:
        conditions.append(_item.priority.in_([p.upper() for p in priorities]))
    return conditions


def _dialect(session: Session | Connection) -> str:
    bind = session.get_bind() if hasattr(session, "get_bind") else session
    return str(bind.dialect.name)


def _owner_order(dialect: str) -> list[Any]:
    """``_by_owner`` in SQL: owners without case or a leading ``@`` (no owner last), then the
    oldest due date, the postmortem's key and the line; ties in the order they were stored.
    Text compares as Python compares it, by code point: PostgreSQL's "C" collation (its
    default may sort by the locale's rules), SQLite's default."""

    def text(value: Any) -> Any:
        return value.collate("C") if dialect == "postgresql" else value

    return [
        _item.owner.is_(None),
        text(func.lower(func.ltrim(_item.owner, "@"))),
        _item.due,
        text(_pm.key),
        func.coalesce(_item.line, 0),
        _item.id,
    ]


def _query(
    as_of: date,
    owner: str | Sequence[str] | None = None,
    priority: str | Sequence[str] | None = None,
    postmortem: str | Sequence[str] | None = None,
    tracker: str | None = None,
) -> Any:
    # One ticket per item: the first linked (only that tracker's with --tracker), joined
    # through the item's links, so an item without any (most) costs one index probe.
    l2 = LINKS.alias("l2")
    mine = [_link.item_id == _item.id, _link.role == "item"]
    earlier_link = exists().where(l2.c.item_id == _item.id, l2.c.role == "item", l2.c.id < _link.id)
    if tracker:
        mine.append(_link.tracker == tracker)
        earlier_link = earlier_link.where(l2.c.tracker == tracker)
    doc_tracker = case(
        (_item.ticket.like("%#%"), literal_column("'github'")),
        (_item.ticket.like("%github.com%"), literal_column("'github'")),
        (_item.ticket.is_not(None), literal_column("'jira'")),
        else_=None,
    )
    tracker_expr = func.coalesce(_link.tracker, doc_tracker)
    columns = {
        "item": _item.text,
        "uid": _item.uid,
        "item_id": _item.id,
        "owner": _item.owner,
        "due": _item.due,
        "due_implicit": _item.due_implicit,
        "priority": _item.priority,
        "postmortem": _pm.key,
        "postmortem_title": _pm.title,
        "path": _pm.path,
        "line": _item.line,
        "ticket": func.coalesce(_link.key, _item.ticket),
        "ticket_state": _link.state,
        "ticket_url": _link.url,
        "tracker": tracker_expr,
    }
    assert tuple(columns) == tuple(f for f in OVERDUE_FIELDS if f != "days_overdue")
    query = (
        select(*(value.label(name) for name, value in columns.items()))
        .select_from(
            ITEMS.join(POSTMORTEMS, _item.postmortem_id == _pm.id).outerjoin(
                LINKS, and_(*mine, ~earlier_link)
            )
        )
        .where(overdue_condition(as_of, linked=None if tracker else _link.id))
        .order_by(_item.due, _item.id)
    )
    query = query.where(*_item_filters(owner, priority))
    postmortems = as_list(postmortem)
    if postmortems:
        query = query.where(or_(_pm.key.in_(postmortems), _pm.path.in_(postmortems)))
    if tracker:
        query = query.where(tracker_expr == tracker)
    return query
