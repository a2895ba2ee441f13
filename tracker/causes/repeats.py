"""Repeats: a postmortem whose cause is the same failure mechanism as an earlier one.

Two cases, told apart by the earlier postmortem's action items *now*:

* ``follow_up_never_done``: some of them are still open (or overdue), or it had none. The
  follow-up that might have prevented the repeat was never finished.
* ``fix_did_not_hold``: every one of them was closed, and the cause came back anyway. Those
  items are marked ``not_effective`` in the store (with an ``item_event`` saying which
  postmortem proved it), so reports can tell fixes that worked from fixes that did not.

``analyse_postmortems`` is what ``pmt ingest`` and ``pmt sync`` call for the postmortems they
just wrote: it classifies them (storing the category), finds their repeats among the earlier
postmortems and marks the fixes that did not hold. ``find_repeats`` is the read-only part, for
``pmt causes`` and the reports.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from tracker.causes.classify import (
    Classification,
    cause_text,
    classify_fields,
    text_evidence,
)
from tracker.causes.similar import CauseDoc, MechanismIndex

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.config import Settings
    from tracker.models import Postmortem
    from tracker.store import Store
    from tracker.tables import PostmortemRow

FOLLOW_UP_NEVER_DONE = "follow_up_never_done"
FIX_DID_NOT_HOLD = "fix_did_not_hold"
# At most this many earlier postmortems are reported per repeat (the closest ones).
MAX_EARLIER = 3
# Cause text compared: the sentence and the start of the section.
SIMILARITY_DETAIL_CHARS = 300


@dataclass(frozen=True, slots=True)
class EarlierItem:
    """One action item of the earlier postmortem, with its state today."""

    text: str
    owner: str | None
    due: date | None
    # "open" | "overdue" | "done"
    status: str
    ticket: str | None = None
    not_effective: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "owner": self.owner,
            "due": self.due.isoformat() if self.due else None,
            "status": self.status,
            "ticket": self.ticket,
            "not_effective": self.not_effective,
        }


@dataclass(frozen=True, slots=True)
class RepeatWarning:
    """``key`` (the later postmortem) repeats the cause of ``earlier_key``."""

    key: str
    path: str
    title: str | None
    incident_date: date | None
    category: str
    earlier_key: str
    earlier_path: str
    earlier_title: str | None
    earlier_date: date | None
    earlier_category: str
    score: float
    kind: str
    items: tuple[EarlierItem, ...] = ()
    # Items flagged not effective by this analysis (only in the fix_did_not_hold case).
    marked_not_effective: int = 0

    @property
    def open_items(self) -> int:
        return sum(1 for i in self.items if i.status != "done")

    @property
    def overdue_items(self) -> int:
        return sum(1 for i in self.items if i.status == "overdue")

    @property
    def fix_held(self) -> bool | None:
        """False when every earlier item was closed and the cause came back; None otherwise
        (the fix was never finished, so whether it would have held is not known)."""
        return False if self.kind == FIX_DID_NOT_HOLD else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "key": self.key,
            "category": self.category,
            "earlier": self.earlier_path,
            "earlier_key": self.earlier_key,
            "earlier_title": self.earlier_title,
            "earlier_date": self.earlier_date.isoformat() if self.earlier_date else None,
            "score": round(self.score, 3),
            "kind": self.kind,
            "open_items": self.open_items,
            "overdue_items": self.overdue_items,
            "fix_held": self.fix_held,
            "marked_not_effective": self.marked_not_effective,
            "items": [i.to_dict() for i in self.items],
        }


@dataclass
class Corpus:
    """The postmortems of the store as the analysis sees them, with their similarity index."""

    rows: list[PostmortemRow]
    classifications: dict[str, Classification]
    index: MechanismIndex
    position: dict[str, int] = field(default_factory=dict)


def _order(row: PostmortemRow) -> tuple[str, int]:
    day = row.incident_date or row.created_at.date()
    return (day.isoformat(), row.id or 0)


def _similarity_text(row: PostmortemRow) -> str:
    sentence, rest = cause_text(row.root_cause, row.root_cause_detail)
    return f"{sentence} {rest[:SIMILARITY_DETAIL_CHARS]}".strip()


def stored_classification(row: PostmortemRow) -> Classification | None:
    if row.cause_category is None:
        return None
    return Classification(
        row.cause_category,
        row.cause_secondary,
        row.cause_confidence if row.cause_confidence is not None else 0.0,
        row.cause_source or "classifier",
    )


def read_front_matter(path: str) -> dict[str, Any]:
    """The front matter of the file at ``path`` ({} when it is gone or has none)."""
    from tracker.parsing.frontmatter import split

    try:
        with open(path, encoding="utf-8") as f:
            head = f.read(20_000)
    except (OSError, UnicodeDecodeError):
        return {}
    front, _ = split(head)
    return front


def classify_row(
    row: PostmortemRow, settings: Settings, document: Postmortem | None = None
) -> Classification:
    """Classify a stored postmortem: front matter (from the parsed document or the file) first."""
    front = document.front_matter if document is not None else read_front_matter(row.path)
    return classify_fields(
        row.root_cause, row.root_cause_detail, front, min_confidence=settings.causes.min_confidence
    )


def load_corpus(
    session: Session,
    settings: Settings,
    *,
    classify_keys: Iterable[str] = (),
    documents: Mapping[str, Postmortem] | None = None,
) -> Corpus:
    """Every postmortem in the store (not removed) with a classification and the index.

    ``classify_keys`` are (re)classified from their text and front matter; the others keep the
    category stored at their last ingest, or are classified in memory when they have none.
    """
    from sqlmodel import select

    from tracker.tables import PostmortemRow

    rows = list(session.exec(select(PostmortemRow).where(PostmortemRow.removed_at.is_(None))))  # type: ignore[union-attr]
    rows.sort(key=_order)
    fresh = set(classify_keys)
    documents = documents or {}
    classifications: dict[str, Classification] = {}
    docs = []
    for row in rows:
        stored = None if row.key in fresh else stored_classification(row)
        if stored is None:
            computed = classify_row(row, settings, documents.get(row.key))
            classifications[row.key] = computed
            mechanisms = frozenset(computed.mechanisms)
        else:
            classifications[row.key] = stored
            mechanisms = frozenset(text_evidence(row.root_cause, row.root_cause_detail).mechanisms)
        docs.append(CauseDoc(row.key, _similarity_text(row), _order(row), mechanisms))
    index = MechanismIndex(docs)
    return Corpus(rows, classifications, index, {row.key: i for i, row in enumerate(rows)})


ItemState = tuple[str, "str | None", "date | None", str, "str | None", bool]


def _items_by_postmortem(session: Session, ids: Sequence[int]) -> dict[int, list[ItemState]]:
    """The (not removed) items of these postmortems in document order, as plain tuples."""
    from sqlalchemy import select
    from sqlmodel import col

    from tracker.tables import ItemRow

    found: dict[int, list[ItemState]] = {}
    for chunk_start in range(0, len(ids), 500):
        chunk = list(ids[chunk_start : chunk_start + 500])
        query = (
            select(
                col(ItemRow.postmortem_id),
                col(ItemRow.text),
                col(ItemRow.owner),
                col(ItemRow.due),
                col(ItemRow.status),
                col(ItemRow.ticket),
                col(ItemRow.not_effective),
            )
            .where(col(ItemRow.postmortem_id).in_(chunk), col(ItemRow.status) != "removed")
            .order_by(col(ItemRow.postmortem_id), col(ItemRow.position))
        )
        for pm_id, text, owner, due, status, ticket, flag in session.execute(query):
            found.setdefault(pm_id, []).append((text, owner, due, status, ticket, bool(flag)))
    return found


def _item_state(status: str, due: date | None, as_of: date) -> str:
    if status == "done":
        return "done"
    if due is not None and due < as_of:
        return "overdue"
    return "open"


def find_repeats(
    corpus: Corpus,
    session: Session,
    keys: Iterable[str],
    settings: Settings,
    as_of: date,
) -> list[RepeatWarning]:
    """For each of ``keys``, the earlier postmortems with the same failure mechanism."""
    threshold = settings.causes.repeat_threshold
    queries = [
        i
        for i in (corpus.position.get(key) for key in dict.fromkeys(keys))
        if i is not None and corpus.index.docs[i].text
    ]
    matches = corpus.index.matches_of(queries, threshold, limit=MAX_EARLIER)
    found = [
        (corpus.rows[i], corpus.rows[m.earlier], m.score) for i in queries for m in matches.get(i, [])
    ]
    items = _items_by_postmortem(session, sorted({e.id for _, e, _ in found if e.id is not None}))
    # One tuple per earlier postmortem, shared by every warning that names it.
    states: dict[int, tuple[EarlierItem, ...]] = {}
    warnings = []
    for row, earlier, score in found:
        assert earlier.id is not None
        earlier_items = states.get(earlier.id)
        if earlier_items is None:
            earlier_items = states[earlier.id] = tuple(
                EarlierItem(
                    text=text,
                    owner=owner,
                    due=due,
                    status=_item_state(status, due, as_of),
                    ticket=ticket,
                    not_effective=bool(flag),
                )
                for text, owner, due, status, ticket, flag in items.get(earlier.id, [])
            )
        closed = bool(earlier_items) and all(i.status == "done" for i in earlier_items)
        warnings.append(
            RepeatWarning(
                key=row.key,
                path=row.path,
                title=row.title,
                incident_date=row.incident_date,
                category=corpus.classifications[row.key].category,
                earlier_key=earlier.key,
                earlier_path=earlier.path,
                earlier_title=earlier.title,
                earlier_date=earlier.incident_date,
                earlier_category=corpus.classifications[earlier.key].category,
                score=score,
                kind=FIX_DID_NOT_HOLD if closed else FOLLOW_UP_NEVER_DONE,
                items=earlier_items,
            )
        )
    return warnings


def _store_classification(row: PostmortemRow, c: Classification, now: datetime) -> bool:
    new = (c.category, c.secondary, round(c.confidence, 3), c.source)
    old = (row.cause_category, row.cause_secondary, row.cause_confidence, row.cause_source)
    if new == old:
        return False
    row.cause_category, row.cause_secondary, row.cause_confidence, row.cause_source = new
    return True


def _mark_not_effective(
    session: Session, warning: RepeatWarning, earlier_id: int, now: datetime
) -> int:
    """Flag the earlier postmortem's closed items; one ``not_effective`` event per item, once."""
    from sqlmodel import select

    from tracker.tables import ItemEventRow, ItemRow

    query = select(ItemRow).where(
        ItemRow.postmortem_id == earlier_id,
        ItemRow.status == "done",
        ItemRow.not_effective.is_(False),  # type: ignore[attr-defined]
    )
    detail = json.dumps({"repeat": warning.key, "path": warning.path, "score": round(warning.score, 3)})
    flagged = 0
    for item in session.exec(query):
        assert item.id is not None
        item.not_effective = True
        item.updated_at = now
        session.add(item)
        session.add(ItemEventRow(item_id=item.id, at=now, event="not_effective", detail=detail))
        flagged += 1
    return flagged


def analyse_postmortems(
    store: Store,
    keys: Iterable[str],
    settings: Settings,
    *,
    documents: Mapping[str, Postmortem] | None = None,
    as_of: date | None = None,
    now: datetime | None = None,
) -> list[RepeatWarning]:
    """Classify ``keys`` (storing the category), find their repeats, mark fixes that did not hold.

    ``documents`` are the parsed postmortems when the caller has them (their front matter may
    name the cause); otherwise the front matter is read from each postmortem's file.
    """
    from dataclasses import replace
    from zoneinfo import ZoneInfo

    from tracker.tables import utcnow

    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    now = now or utcnow()
    as_of = as_of or now.astimezone(ZoneInfo(settings.timezone)).date()
    with store.session() as session:
        corpus = load_corpus(session, settings, classify_keys=keys, documents=documents)
        for key in keys:
            i = corpus.position.get(key)
            if i is not None:
                row = corpus.rows[i]
                if _store_classification(row, corpus.classifications[key], now):
                    session.add(row)
        warnings = find_repeats(corpus, session, keys, settings, as_of)
        ids = {row.key: row.id for row in corpus.rows}
        out = []
        for w in warnings:
            if w.kind == FIX_DID_NOT_HOLD:
                earlier_id = ids[w.earlier_key]
                assert earlier_id is not None
                flagged = _mark_not_effective(session, w, earlier_id, now)
                items = tuple(replace(i, not_effective=True) for i in w.items)
                w = replace(w, marked_not_effective=flagged, items=items)
            out.append(w)
    return out

