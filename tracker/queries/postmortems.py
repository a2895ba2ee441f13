"""Postmortems as ``pmt list`` and ``pmt show`` see them: every one with its counts, or one
with its items and tickets.

Reads return plain dataclasses with ``to_dict()`` (the JSON the commands print). The list reads
through a plain connection (no ORM, see ``columns``) and streams; a page of it (``pmt list``'s
first screenful) is cut in SQL before the items are counted. ``pmt show`` reads one
postmortem's rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import case, func, select

from tracker.queries.columns import ITEMS, LINKS, POSTMORTEMS
from tracker.queries.overdue import overdue_condition

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlmodel import Session

    from tracker.store.tables import PostmortemRow

_item, _pm = ITEMS.c, POSTMORTEMS.c

T = TypeVar("T")


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


def list_postmortems(
    session: Session | Connection, as_of: date, limit: int | None = None
) -> list[PostmortemSummary]:
    """Every postmortem with its item counts, newest incident first (``limit``: the first N)."""
    return list(postmortem_summaries(session, as_of, limit))


def postmortem_summaries(
    session: Session | Connection, as_of: date, limit: int | None = None
) -> Iterator[PostmortemSummary]:
    """``list_postmortems`` as the database reads it, a batch at a time.

    With ``limit``, the page of postmortems (the N newest) is chosen first, in a subquery,
    and only their items are counted: the first screenful of ``pmt list`` costs the same in
    a store of ten postmortems or of thirty thousand."""

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
            count(overdue_condition(as_of)),
            count(_item.status == "removed"),
        )
        .select_from(POSTMORTEMS.outerjoin(ITEMS, _item.postmortem_id == _pm.id))
        .where(_pm.removed_at.is_(None))
        .group_by(_pm.id)
        .order_by(*_newest_first(POSTMORTEMS))
    )
    if limit is not None:
        # Its own alias: the same table in the outer query would correlate it away.
        page = POSTMORTEMS.alias("page")
        query = query.where(
            _pm.id.in_(
                select(page.c.id)
                .where(page.c.removed_at.is_(None))
                .order_by(*_newest_first(page))
                .limit(limit)
            )
        )
    for row in session.execute(query.execution_options(yield_per=1000)):
        yield PostmortemSummary(*row)


def count_postmortems(session: Session | Connection) -> int:
    """How many postmortems ``list_postmortems`` lists (those not removed)."""
    query = select(func.count()).select_from(POSTMORTEMS).where(_pm.removed_at.is_(None))
    return int(session.execute(query).scalar_one())


def _newest_first(pm: Any) -> tuple[Any, ...]:
    """``pmt list``'s order: newest incident first (none last), then by key."""
    return (pm.c.incident_date.desc().nulls_last(), pm.c.key)


@dataclass(frozen=True)
class ItemDetail:
    """An item of ``pmt show``: its stored row's fields of the same name, and what is worked
    out (``overdue``, ``days_overdue``, and the ticket from its first link)."""

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
    """A ticket of ``pmt show``: its link's fields of the same name, and its item's uid."""

    tracker: str
    key: str
    url: str | None
    role: str
    state: str
    item_uid: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _copied(cls: type[T], source: object, **worked_out: Any) -> T:
    """A ``cls`` with ``worked_out``'s values and, for every other field, ``source``'s
    attribute of that name."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    values = {n: worked_out[n] if n in worked_out else getattr(source, n) for n in names}
    return cls(**values)


@dataclass
class PostmortemDetail:
    """``pmt show``: a postmortem, its items (removed ones last) and its tickets."""

    # The postmortem's columns (``tracker.queries.columns.POSTMORTEMS``), read by name.
    postmortem: Any
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


def _candidates(key_or_path: str, root: str, project_root: str | None) -> set[str]:
    """What ``key_or_path`` may be stored as: a key, a stored path, or a path to the file from
    the current folder (its key relative to ``root``, its path relative to ``project_root``)."""
    from tracker.identity import path_key

    wanted = key_or_path.strip()
    candidates = {wanted, Path(wanted).as_posix().removeprefix("./")}
    candidates.add(path_key(wanted, root))
    if project_root is not None:
        candidates.add(path_key(wanted, project_root))
    return candidates


def find_postmortem(
    session: Session, key_or_path: str, root: str = ".", project_root: str | None = None
) -> PostmortemRow | None:
    """A postmortem by key, by stored path, or by a path to its file from the current folder
    (its key relative to ``root``, its stored path relative to ``project_root``)."""
    from tracker.store.tables import PostmortemRow

    candidates = _candidates(key_or_path, root, project_root)
    row = session.scalars(select(PostmortemRow).where(PostmortemRow.key.in_(candidates))).first()  # type: ignore[attr-defined]
    if row is None:
        row = session.scalars(
            select(PostmortemRow).where(PostmortemRow.path.in_(candidates))  # type: ignore[attr-defined]
        ).first()
    return row


def postmortem_detail(
    session: Session | Connection,
    key_or_path: str,
    as_of: date | None = None,
    *,
    root: str = ".",
    project_root: str | None = None,
) -> PostmortemDetail | None:
    """``pmt show``'s postmortem (found as ``find_postmortem`` finds it), read through the
    light columns (``tracker.queries.columns``): no ORM."""
    candidates = _candidates(key_or_path, root, project_root)
    pm = None
    for column in (_pm.key, _pm.path):
        pm = session.execute(select(*POSTMORTEMS.c).where(column.in_(candidates))).first()
        if pm is not None:
            break
    if pm is None:
        return None
    as_of = as_of or date.today()
    items = list(
        session.execute(
            select(*ITEMS.c)
            .where(_item.postmortem_id == pm.id)
            .order_by(_item.status == "removed", _item.position, _item.id)
        )
    )
    links = list(
        session.execute(select(*LINKS.c).where(LINKS.c.postmortem_id == pm.id).order_by(LINKS.c.id))
    )
    by_item: dict[int, Any] = {}
    for link in links:
        if link.item_id is not None:
            by_item.setdefault(link.item_id, link)
    uid_of = {i.id: i.uid for i in items}
    closed_items = {li.item_id for li in links if li.state == "closed"}
    details = []
    for item in items:
        item_link = by_item.get(item.id)
        # As in ``overdue``: an item of a removed postmortem (its file is gone) is not chased.
        late = bool(
            item.status == "open"
            and item.due
            and item.due < as_of
            and item.id not in closed_items
            and pm.removed_at is None
        )
        details.append(
            _copied(
                ItemDetail,
                item,
                due_implicit=bool(item.due_implicit),
                not_effective=bool(item.not_effective),
                overdue=late,
                days_overdue=(as_of - item.due).days if late and item.due else 0,
                ticket=item_link.key if item_link else item.ticket,
                ticket_state=item_link.state if item_link else None,
                ticket_url=item_link.url if item_link else None,
            )
        )
    tickets = [
        _copied(
            TicketSummary,
            li,
            item_uid=uid_of.get(li.item_id) if li.item_id is not None else None,
        )
        for li in links
    ]
    return PostmortemDetail(pm, details, tickets)
