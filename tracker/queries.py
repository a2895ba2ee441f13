"""Questions asked of the store (overdue items, one postmortem, the list) and the small
writes the sync engine and root-cause analysis make (ticket links, ticket states, flags).

Reads return plain dataclasses with ``to_dict()`` (the JSON the commands print), built from
column tuples rather than ORM objects: ``pmt overdue`` may read tens of thousands of rows.
Writes take the caller's session; committing is the caller's (``Store.session()`` does it).
The overdue and list queries also take a plain connection (``Store.reading()``) and import
no ORM: sqlmodel's ORM costs ``pmt overdue`` more to import than its whole query.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    column,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.exc import IntegrityError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlmodel import Session

    from tracker.tables import ItemRow, PostmortemRow, TicketLinkRow

# The columns the read queries need, declared without the ORM: building the SQLModel classes
# of tracker.tables costs more than `pmt overdue`'s whole query. A test checks these against
# tracker.tables.
_ITEMS = table(
    "action_item",
    column("id", Integer),
    column("postmortem_id", Integer),
    column("uid", String),
    column("text", String),
    column("owner", String),
    column("due", Date),
    column("due_implicit", Boolean),
    column("priority", String),
    column("line", Integer),
    column("ticket", String),
    column("position", Integer),
    column("status", String),
)
_POSTMORTEMS = table(
    "postmortem",
    column("id", Integer),
    column("key", String),
    column("title", String),
    column("path", String),
    column("incident_date", Date),
    column("severity", String),
    column("removed_at", String),
)
_LINKS = table(
    "ticket_link",
    column("id", Integer),
    column("item_id", Integer),
    column("tracker", String),
    column("key", String),
    column("url", String),
    column("role", String),
    column("state", String),
)
_item, _pm, _link = _ITEMS.c, _POSTMORTEMS.c, _LINKS.c

# The JSON of one overdue item, in this order (documented in the README: a promise to users).
OVERDUE_FIELDS = (
    "item",
    "uid",
    "item_id",
    "owner",
    "due",
    "due_implicit",
    "days_overdue",
    "priority",
    "postmortem",
    "postmortem_title",
    "path",
    "line",
    "ticket",
    "ticket_state",
    "ticket_url",
    "tracker",
)


@dataclass(slots=True)
class OverdueRow:
    """One overdue action item. ``to_dict()`` is the documented JSON of ``pmt overdue``."""

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

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OverdueRow:
        data = dict(data)
        data["due"] = date.fromisoformat(data["due"])
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in OVERDUE_FIELDS}
        data["due"] = self.due.isoformat()
        return data


def _closed_ticket() -> Any:
    """An item whose ticket is closed is not chased, whatever its checkbox says."""
    closed = _LINKS.alias("closed_link")  # not the outer query's ticket_link
    return exists().where(closed.c.item_id == _item.id, closed.c.state == "closed")


def _overdue_condition(as_of: date, linked: Any = None) -> Any:
    """``linked``: the id of the item's first link in a query that joins it (with no tracker
    filter). An item without one has no link at all (every link of an item has the role
    "item"), so its closed-ticket check is skipped: one index probe less per item."""
    not_closed = ~_closed_ticket()
    if linked is not None:
        not_closed = or_(linked.is_(None), not_closed)
    return and_(
        _item.status == "open",
        _item.due < as_of,
        _pm.removed_at.is_(None),
        not_closed,
    )


def overdue(
    session: Session | Connection,
    as_of: date,
    owner: str | Sequence[str] | None = None,
    priority: str | Sequence[str] | None = None,
    postmortem: str | Sequence[str] | None = None,
    tracker: str | None = None,
) -> list[OverdueRow]:
    """Open items due before ``as_of``, by owner (case and a leading ``@`` ignored; items
    without an owner last), then oldest due date first.

    ``owner`` matches case-insensitively with or without a leading ``@``; ``priority`` takes
    P0..P4 (a list, or "P0,P1"); ``postmortem`` matches a key or a path; ``tracker`` keeps the
    items whose ticket is on that tracker (a linked ticket, else a document reference shaped
    like one of its keys). An item whose ticket is closed is not overdue.
    """
    found = overdue_json(
        session, as_of, owner=owner, priority=priority, postmortem=postmortem, tracker=tracker
    )
    rows = [OverdueRow.from_dict(json.loads(text)) for text in found]
    rows.sort(key=_by_owner)
    return rows


def _by_owner(row: OverdueRow) -> tuple[bool, str, date, str, int]:
    return (
        row.owner is None,
        (row.owner or "").lower().lstrip("@"),
        row.due,
        row.postmortem,
        row.line or 0,
    )


def overdue_json(
    session: Session | Connection,
    as_of: date,
    owner: str | Sequence[str] | None = None,
    priority: str | Sequence[str] | None = None,
    postmortem: str | Sequence[str] | None = None,
    tracker: str | None = None,
) -> list[str]:
    """``overdue`` as one JSON object (text) per item, each ``OverdueRow.to_dict()``'s shape,
    the oldest due date first (not grouped by owner).

    The database builds the JSON (SQLite ``json_object``, PostgreSQL ``json_build_object``):
    ``pmt overdue --format json`` prints tens of thousands of items, and encoding them in
    Python would cost more than the query. ``overdue`` reads these same objects, so the two
    cannot drift apart.
    """
    bind = session.get_bind() if hasattr(session, "get_bind") else session
    dialect = bind.dialect.name
    # One ticket per item: the first linked (only that tracker's with --tracker), joined
    # through the item's links, so an item without any (most) costs one index probe.
    l2 = _LINKS.alias("l2")
    mine = [_link.item_id == _item.id, _link.role == "item"]
    earlier_link = exists().where(l2.c.item_id == _item.id, l2.c.role == "item", l2.c.id < _link.id)
    if tracker:
        mine.append(_link.tracker == tracker)
        earlier_link = earlier_link.where(l2.c.tracker == tracker)
    link_on = and_(*mine, ~earlier_link)
    doc_tracker = case(
        (_item.ticket.like("%#%"), literal_column("'github'")),
        (_item.ticket.like("%github.com%"), literal_column("'github'")),
        (_item.ticket.is_not(None), literal_column("'jira'")),
        else_=None,
    )
    tracker_expr = func.coalesce(_link.tracker, doc_tracker)
    if dialect == "postgresql":
        days = literal(as_of, Date) - _item.due
        implicit: Any = _item.due_implicit
        build = func.json_build_object
    else:
        days = func.cast(func.julianday(as_of.isoformat()) - func.julianday(_item.due), Integer)
        implicit = case((_item.due_implicit == True, func.json("true")), else_=func.json("false"))
        build = func.json_object
    values = {
        "item": _item.text,
        "uid": _item.uid,
        "item_id": _item.id,
        "owner": _item.owner,
        "due": _item.due,
        "due_implicit": implicit,
        "days_overdue": days,
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
    assert tuple(values) == OVERDUE_FIELDS
    pairs: list[Any] = []
    for name, value in values.items():
        pairs += [literal_column(f"'{name}'"), value]
    document: Any = build(*pairs)
    if dialect == "postgresql":
        document = cast(document, String)
    query = (
        select(document)
        .select_from(
            _ITEMS.join(_POSTMORTEMS, _item.postmortem_id == _pm.id).outerjoin(_LINKS, link_on)
        )
        .where(_overdue_condition(as_of, linked=None if tracker else _link.id))
        # Oldest first. The order of the (status, due) index the query walks anyway: sorting by
        # owner here would cost a sort of every row; the table groups by owner itself.
        .order_by(_item.due, _item.id)
    )
    owners = _as_list(owner)
    if owners:
        wanted = {o.lower().lstrip("@") for o in owners}
        query = query.where(func.lower(_item.owner).in_(wanted | {f"@{o}" for o in wanted}))
    priorities = _as_list(priority)
    if priorities:
        query = query.where(_item.priority.in_([p.upper() for p in priorities]))
    postmortems = _as_list(postmortem)
    if postmortems:
        query = query.where(or_(_pm.key.in_(postmortems), _pm.path.in_(postmortems)))
    if tracker:
        query = query.where(tracker_expr == tracker)
    return [text for (text,) in session.execute(query).all()]


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    return [part.strip() for v in value for part in v.split(",") if part.strip()]


@dataclass(frozen=True)
class PostmortemSummary:
    """A line of ``pmt list``."""

    key: str
    title: str | None
    path: str
    incident_date: date | None
    severity: str | None
    items: int
    open: int
    done: int
    overdue: int
    removed: int

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["incident_date"] = self.incident_date.isoformat() if self.incident_date else None
        return data


def list_postmortems(session: Session | Connection, as_of: date) -> list[PostmortemSummary]:
    """Every postmortem with its item counts, newest incident first."""

    def count(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = (
        select(
            _pm.key,
            _pm.title,
            _pm.path,
            _pm.incident_date,
            _pm.severity,
            count(_item.status != "removed"),
            count(_item.status == "open"),
            count(_item.status == "done"),
            count(_overdue_condition(as_of)),
            count(_item.status == "removed"),
        )
        .select_from(_POSTMORTEMS.outerjoin(_ITEMS, _item.postmortem_id == _pm.id))
        .where(_pm.removed_at.is_(None))
        .group_by(_pm.id)
        .order_by(_pm.incident_date.desc().nulls_last(), _pm.key)
    )
    return [PostmortemSummary(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class ItemDetail:
    uid: str
    text: str
    owner: str | None
    due: date | None
    due_implicit: bool
    priority: str | None
    kind: str | None
    status: str
    overdue: bool
    days_overdue: int
    line: int | None
    section: str | None
    ticket: str | None
    ticket_state: str | None
    ticket_url: str | None
    not_effective: bool
    created_at: datetime
    closed_at: datetime | None
    removed_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("due", "created_at", "closed_at", "removed_at"):
            value = data[name]
            data[name] = value.isoformat() if value is not None else None
        return data


@dataclass(frozen=True)
class TicketSummary:
    tracker: str
    key: str
    url: str | None
    role: str
    state: str
    item_uid: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PostmortemDetail:
    """``pmt show``: a postmortem, its items (removed ones last) and its tickets."""

    postmortem: PostmortemRow
    items: list[ItemDetail] = field(default_factory=list)
    tickets: list[TicketSummary] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        pm = self.postmortem
        return {
            "key": pm.key,
            "path": pm.path,
            "title": pm.title,
            "incident_date": pm.incident_date.isoformat() if pm.incident_date else None,
            "severity": pm.severity,
            "incident_ticket": pm.incident_ticket,
            "root_cause": pm.root_cause,
            "cause_category": pm.cause_category,
            "updated_at": pm.updated_at.isoformat(),
            # Set when the postmortem's file was found gone (see tracker.vanished).
            "removed_at": pm.removed_at.isoformat() if pm.removed_at else None,
            "items": [i.to_dict() for i in self.items],
            "tickets": [t.to_dict() for t in self.tickets],
        }


def find_postmortem(
    session: Session, key_or_path: str, root: str = ".", project_root: str | None = None
) -> PostmortemRow | None:
    """A postmortem by key, by stored path, or by a path to its file from the current folder
    (its key relative to ``root``, its stored path relative to ``project_root``)."""
    from tracker.identity import path_key
    from tracker.tables import PostmortemRow

    wanted = key_or_path.strip()
    candidates = {wanted, Path(wanted).as_posix().removeprefix("./")}
    candidates.add(path_key(wanted, root))
    if project_root is not None:
        candidates.add(path_key(wanted, project_root))
    row = session.scalars(select(PostmortemRow).where(PostmortemRow.key.in_(candidates))).first()  # type: ignore[attr-defined]
    if row is None:
        row = session.scalars(
            select(PostmortemRow).where(PostmortemRow.path.in_(candidates))  # type: ignore[attr-defined]
        ).first()
    return row


def postmortem_detail(
    session: Session,
    key_or_path: str,
    as_of: date | None = None,
    *,
    root: str = ".",
    project_root: str | None = None,
) -> PostmortemDetail | None:
    from tracker.tables import TicketLinkRow

    pm = find_postmortem(session, key_or_path, root, project_root)
    if pm is None:
        return None
    as_of = as_of or date.today()
    items = items_of(session, pm.key)
    links = list(
        session.scalars(
            select(TicketLinkRow)
            .where(TicketLinkRow.postmortem_id == pm.id)  # type: ignore[arg-type]
            .order_by(TicketLinkRow.id)  # type: ignore[arg-type]
        )
    )
    by_item: dict[int, TicketLinkRow] = {}
    for link in links:
        if link.item_id is not None:
            by_item.setdefault(link.item_id, link)
    uid_of = {i.id: i.uid for i in items}
    details = []
    for item in items:
        item_link = by_item.get(item.id or 0)
        closed = any(li.state == "closed" for li in links if li.item_id == item.id)
        # As in ``overdue``: an item of a removed postmortem (its file is gone) is not chased.
        late = bool(
            item.status == "open"
            and item.due
            and item.due < as_of
            and not closed
            and pm.removed_at is None
        )
        details.append(
            ItemDetail(
                uid=item.uid,
                text=item.text,
                owner=item.owner,
                due=item.due,
                due_implicit=item.due_implicit,
                priority=item.priority,
                kind=item.kind,
                status=item.status,
                overdue=late,
                days_overdue=(as_of - item.due).days if late and item.due else 0,
                line=item.line,
                section=item.section,
                ticket=item_link.key if item_link else item.ticket,
                ticket_state=item_link.state if item_link else None,
                ticket_url=item_link.url if item_link else None,
                not_effective=item.not_effective,
                created_at=item.created_at,
                closed_at=item.closed_at,
                removed_at=item.removed_at,
            )
        )
    tickets = [
        TicketSummary(
            tracker=li.tracker,
            key=li.key,
            url=li.url,
            role=li.role,
            state=li.state,
            item_uid=uid_of.get(li.item_id) if li.item_id is not None else None,
        )
        for li in links
    ]
    return PostmortemDetail(pm, details, tickets)


def items_of(session: Session, postmortem_key: str) -> list[ItemRow]:
    """A postmortem's items in document order, removed ones (kept for history) last."""
    from sqlmodel import col

    from tracker.tables import ItemRow, PostmortemRow

    query = (
        select(ItemRow)
        .join(PostmortemRow, ItemRow.postmortem_id == PostmortemRow.id)  # type: ignore[arg-type]
        .where(col(PostmortemRow.key) == postmortem_key)
        .order_by(ItemRow.status == "removed", ItemRow.position, ItemRow.id)  # type: ignore[arg-type]
    )
    return list(session.scalars(query))


def link_for_item(session: Session, item_id: int, tracker: str) -> TicketLinkRow | None:
    from sqlmodel import col

    from tracker.tables import TicketLinkRow

    query = select(TicketLinkRow).where(
        col(TicketLinkRow.item_id) == item_id,
        col(TicketLinkRow.tracker) == tracker,
        col(TicketLinkRow.role) == "item",
    )
    return session.scalars(query).first()


def tracking_link(session: Session, postmortem_id: int, tracker: str) -> TicketLinkRow | None:
    from sqlmodel import col

    from tracker.tables import TicketLinkRow

    query = select(TicketLinkRow).where(
        col(TicketLinkRow.postmortem_id) == postmortem_id,
        col(TicketLinkRow.tracker) == tracker,
        col(TicketLinkRow.role) == "tracking",
    )
    return session.scalars(query).first()


def record_link(
    session: Session,
    item_id: int | None,
    postmortem_id: int,
    tracker: str,
    key: str,
    url: str | None,
    role: str = "item",
    synced_hash: str | None = None,
    state: str = "open",
    *,
    at: datetime | None = None,
) -> TicketLinkRow:
    """Insert a ticket link, or return the one already recorded on any of its unique keys.

    Runs in a savepoint, so a concurrent insert that wins the race leaves the caller's
    transaction usable; the winner's row is returned. A new item link appends a
    ``ticket_linked`` item event, and the ticket's first observed state a ticket event.
    """
    from tracker.tables import ItemEventRow, TicketEventRow, TicketLinkRow, utcnow

    existing = _existing_link(session, item_id, postmortem_id, tracker, key, role)
    if existing is not None:
        return existing
    at = at or utcnow()
    link = TicketLinkRow(
        item_id=item_id,
        postmortem_id=postmortem_id,
        tracker=tracker,
        key=key,
        url=url,
        role=role,
        state=state,
        synced_hash=synced_hash,
        refreshed_at=at,
        created_at=at,
        updated_at=at,
    )
    try:
        with session.begin_nested():
            session.add(link)
            session.flush()
    except IntegrityError:
        existing = _existing_link(session, item_id, postmortem_id, tracker, key, role)
        if existing is None:
            raise
        return existing
    assert link.id is not None
    session.add(TicketEventRow(link_id=link.id, at=at, state=state))
    if item_id is not None:
        session.add(
            ItemEventRow(
                item_id=item_id,
                at=at,
                event="ticket_linked",
                detail=json.dumps({"tracker": tracker, "key": key}),
            )
        )
    session.flush()
    return link


def _existing_link(
    session: Session, item_id: int | None, postmortem_id: int, tracker: str, key: str, role: str
) -> TicketLinkRow | None:
    from sqlmodel import col

    from tracker.tables import TicketLinkRow

    same_key = select(TicketLinkRow).where(
        col(TicketLinkRow.tracker) == tracker, col(TicketLinkRow.key) == key
    )
    found = session.scalars(same_key).first()
    if found is not None:
        return found
    if role == "item" and item_id is not None:
        return link_for_item(session, item_id, tracker)
    if role == "tracking":
        return tracking_link(session, postmortem_id, tracker)
    return None


def record_ticket_state(
    session: Session,
    link: TicketLinkRow,
    *,
    state: str,
    state_reason: str | None = None,
    assignee: str | None = None,
    closed_at: datetime | None = None,
    at: datetime | None = None,
) -> bool:
    """Store what the tracker says about ``link``'s ticket now; True when something changed.

    A change appends a ``ticket_event`` row (the history reports read); either way the link's
    ``refreshed_at`` moves to ``at``.
    """
    from tracker.tables import TicketEventRow, utcnow

    at = at or utcnow()
    new = (state, state_reason, assignee, closed_at)
    old = (link.state, link.state_reason, link.assignee, link.closed_at)
    link.refreshed_at = at
    changed = new != old
    if changed:
        link.state, link.state_reason, link.assignee, link.closed_at = new
        link.updated_at = at
        session.add(link)
        session.flush()
        assert link.id is not None
        session.add(
            TicketEventRow(
                link_id=link.id,
                at=at,
                state=state,
                state_reason=state_reason,
                assignee=assignee,
                closed_at=closed_at,
            )
        )
    else:
        session.add(link)
    session.flush()
    return changed


def set_not_effective(
    session: Session, item_ids: Iterable[int], *, at: datetime | None = None
) -> int:
    """Flag items whose cause came back after they were closed; returns how many were new."""
    from tracker.tables import ItemEventRow, ItemRow, utcnow

    at = at or utcnow()
    ids = sorted(set(item_ids))
    if not ids:
        return 0
    rows = session.scalars(
        select(ItemRow).where(ItemRow.id.in_(ids), ItemRow.not_effective.is_(False))  # type: ignore[union-attr,attr-defined]
    )
    flagged = 0
    for row in rows:
        assert row.id is not None
        row.not_effective = True
        row.updated_at = at
        session.add(ItemEventRow(item_id=row.id, at=at, event="not_effective"))
        flagged += 1
    session.flush()
    return flagged
