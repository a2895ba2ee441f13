"""Questions asked of the store (overdue items, one postmortem, the list) and the small
writes the sync engine and root-cause analysis make (ticket links, ticket states, flags).

Reads return plain dataclasses with ``to_dict()`` (the JSON the commands print), built from
column tuples rather than ORM objects: ``pmt overdue`` may read tens of thousands of rows.
Writes take the caller's session; committing is the caller's (``Store.session()`` does it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from tracker.identity import path_key, ticket_anchor
from tracker.tables import ItemEventRow, ItemRow, PostmortemRow, TicketEventRow, TicketLinkRow, utcnow

_ITEMS = ItemRow.__table__  # type: ignore[attr-defined]
_POSTMORTEMS = PostmortemRow.__table__  # type: ignore[attr-defined]
_LINKS = TicketLinkRow.__table__  # type: ignore[attr-defined]
_item, _pm, _link = _ITEMS.c, _POSTMORTEMS.c, _LINKS.c


@dataclass(frozen=True)
class OverdueRow:
    """One overdue action item. ``to_dict()`` keys are the documented JSON of ``pmt overdue``."""

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
    ticket: str | None
    ticket_state: str | None
    ticket_url: str | None
    tracker: str | None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["due"] = self.due.isoformat()
        return data


def _closed_ticket() -> Any:
    """An item whose ticket is closed is not chased, whatever its checkbox says."""
    closed = _LINKS.alias("closed_link")  # not the outer query's ticket_link
    return exists().where(closed.c.item_id == _item.id, closed.c.state == "closed")


def _overdue_condition(as_of: date) -> Any:
    return and_(
        _item.status == "open",
        _item.due < as_of,
        _pm.removed_at.is_(None),
        ~_closed_ticket(),
    )


def overdue(
    session: Session,
    as_of: date,
    owner: str | Sequence[str] | None = None,
    priority: str | Sequence[str] | None = None,
    postmortem: str | Sequence[str] | None = None,
    tracker: str | None = None,
) -> list[OverdueRow]:
    """Open items due before ``as_of``, by owner then due date.

    ``owner`` matches case-insensitively with or without a leading ``@``; ``postmortem``
    matches a key or a path; ``tracker`` keeps items whose ticket is on that tracker (a linked
    ticket, or else a reference in the document shaped like one of its keys).
    """
    join = _item.postmortem_id == _pm.id
    link_on = and_(_link.item_id == _item.id, _link.role == "item")
    if tracker:
        link_on = and_(link_on, _link.tracker == tracker)
    query = (
        select(
            _item.id, _item.uid, _item.text, _item.owner, _item.due, _item.due_implicit,
            _item.priority, _item.line, _item.ticket,
            _pm.key, _pm.title, _pm.path,
            _link.tracker, _link.key, _link.state, _link.url,
        )
        .select_from(_ITEMS.join(_POSTMORTEMS, join).outerjoin(_LINKS, link_on))
        .where(_overdue_condition(as_of))
        .order_by(
            _item.owner.is_(None),
            func.ltrim(func.lower(_item.owner), "@"),
            _item.due,
            _pm.key,
            _item.position,
            _link.id,
        )
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
        query = query.where(or_(_link.id.is_not(None), _item.ticket.is_not(None)))

    rows: list[OverdueRow] = []
    seen: set[int] = set()
    for (
        item_id, uid, text, item_owner, due, implicit, prio, line, doc_ticket,
        key, title, path, link_tracker, link_key, state, url,
    ) in session.execute(query):
        if item_id in seen:  # tickets on two trackers: show the first
            continue
        seen.add(item_id)
        if tracker and link_key is None and tracker_of(doc_ticket) != tracker:
            continue
        rows.append(
            OverdueRow(
                item=text,
                uid=uid,
                item_id=item_id,
                owner=item_owner,
                due=due,
                due_implicit=bool(implicit),
                days_overdue=(as_of - due).days,
                priority=prio,
                postmortem=key,
                postmortem_title=title,
                path=path,
                line=line,
                ticket=link_key or doc_ticket,
                ticket_state=state,
                ticket_url=url,
                tracker=link_tracker or tracker_of(doc_ticket),
            )
        )
    return rows


def tracker_of(ref: str | None) -> str | None:
    """Which tracker a reference written in a document points at, judged by its shape."""
    anchor = ticket_anchor(ref)
    if anchor is None:
        return None
    return "github" if anchor.startswith("#") else "jira"


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


def list_postmortems(session: Session, as_of: date) -> list[PostmortemSummary]:
    """Every postmortem with its item counts, newest incident first."""

    def count(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = (
        select(
            _pm.key, _pm.title, _pm.path, _pm.incident_date, _pm.severity,
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
            "items": [i.to_dict() for i in self.items],
            "tickets": [t.to_dict() for t in self.tickets],
        }


def find_postmortem(session: Session, key_or_path: str, root: str = ".") -> PostmortemRow | None:
    """A postmortem by key, by stored path, or by a path to its file (relative to ``root``)."""
    wanted = key_or_path.strip()
    candidates = {wanted, Path(wanted).as_posix().removeprefix("./")}
    candidates.add(path_key(wanted, root))
    row = session.scalars(select(PostmortemRow).where(PostmortemRow.key.in_(candidates))).first()  # type: ignore[attr-defined]
    if row is None:
        row = session.scalars(
            select(PostmortemRow).where(PostmortemRow.path.in_(candidates))  # type: ignore[attr-defined]
        ).first()
    return row


def postmortem_detail(
    session: Session, key_or_path: str, as_of: date | None = None, *, root: str = "."
) -> PostmortemDetail | None:
    pm = find_postmortem(session, key_or_path, root)
    if pm is None:
        return None
    as_of = as_of or date.today()
    items = items_of(session, pm.key)
    links = list(session.scalars(select(TicketLinkRow).where(TicketLinkRow.postmortem_id == pm.id).order_by(TicketLinkRow.id)))  # type: ignore[arg-type]
    by_item: dict[int, TicketLinkRow] = {}
    for link in links:
        if link.item_id is not None:
            by_item.setdefault(link.item_id, link)
    uid_of = {i.id: i.uid for i in items}
    details = []
    for item in items:
        link = by_item.get(item.id or 0)
        closed = any(li.state == "closed" for li in links if li.item_id == item.id)
        late = bool(item.status == "open" and item.due and item.due < as_of and not closed)
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
                ticket=link.key if link else item.ticket,
                ticket_state=link.state if link else None,
                ticket_url=link.url if link else None,
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
    query = (
        select(ItemRow)
        .join(PostmortemRow, ItemRow.postmortem_id == PostmortemRow.id)  # type: ignore[arg-type]
        .where(PostmortemRow.key == postmortem_key)
        .order_by(ItemRow.status == "removed", ItemRow.position, ItemRow.id)  # type: ignore[arg-type]
    )
    return list(session.scalars(query))


def link_for_item(session: Session, item_id: int, tracker: str) -> TicketLinkRow | None:
    query = select(TicketLinkRow).where(
        TicketLinkRow.item_id == item_id, TicketLinkRow.tracker == tracker, TicketLinkRow.role == "item"
    )
    return session.scalars(query).first()


def tracking_link(session: Session, postmortem_id: int, tracker: str) -> TicketLinkRow | None:
    query = select(TicketLinkRow).where(
        TicketLinkRow.postmortem_id == postmortem_id,
        TicketLinkRow.tracker == tracker,
        TicketLinkRow.role == "tracking",
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
    same_key = select(TicketLinkRow).where(TicketLinkRow.tracker == tracker, TicketLinkRow.key == key)
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


def set_not_effective(session: Session, item_ids: Iterable[int], *, at: datetime | None = None) -> int:
    """Flag items whose cause came back after they were closed; returns how many were new."""
    at = at or utcnow()
    ids = sorted(set(item_ids))
    if not ids:
        return 0
    rows = session.scalars(select(ItemRow).where(ItemRow.id.in_(ids), ItemRow.not_effective.is_(False)))  # type: ignore[union-attr,attr-defined]
    flagged = 0
    for row in rows:
        assert row.id is not None
        row.not_effective = True
        row.updated_at = at
        session.add(ItemEventRow(item_id=row.id, at=at, event="not_effective"))
        flagged += 1
    session.flush()
    return flagged
