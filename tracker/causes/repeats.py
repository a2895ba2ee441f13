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
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from tracker.bulk import fewer_collections
from tracker.causes import features as feat
from tracker.causes.classify import Classification, classify_many, front_matter_text
from tracker.causes.evidence import cause_text, text_evidence
from tracker.causes.features import STATS
from tracker.causes.similar import (
    PER_KEY,
    CauseDoc,
    KeyChooser,
    MaskArrays,
    MechanismIndex,
    PairScorer,
    bounds_from_parts,
    mechanism_mask,
    scores_from_parts,
)

if TYPE_CHECKING:
    import numpy as np
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

    STATS["front_matter_reads"] += 1
    try:
        with open(path, encoding="utf-8") as f:
            head = f.read(20_000)
    except (OSError, UnicodeDecodeError):
        return {}
    front, _, _ = split(head)
    return front


def front_matter_of(row: PostmortemRow, settings: Settings | None = None) -> dict[str, Any]:
    """The postmortem's front matter as the store keeps it, or read from its file when the row
    was written before pmt kept it (its stored path is under the project root)."""
    if row.front_matter is None:
        root = settings.project_root if settings is not None else "."
        return read_front_matter(os.path.join(root, row.path))
    front = json.loads(row.front_matter) if row.front_matter != "{}" else {}
    return front if isinstance(front, dict) else {}


def classify_rows(
    rows: Sequence[PostmortemRow],
    settings: Settings,
    documents: Mapping[str, Postmortem] | None = None,
) -> list[Classification]:
    """Classify stored postmortems in one batch: front matter (from the parsed document or the
    store) first."""
    documents = documents or {}
    fronts = [
        doc.front_matter
        if (doc := documents.get(row.key)) is not None
        else front_matter_of(row, settings)
        for row in rows
    ]
    return classify_many(
        [(row.root_cause, row.root_cause_detail, front) for row, front in zip(rows, fronts)],
        min_confidence=settings.causes.min_confidence,
    )


def classify_row(
    row: PostmortemRow, settings: Settings, document: Postmortem | None = None
) -> Classification:
    """Classify one stored postmortem (see ``classify_rows``)."""
    return classify_rows([row], settings, {row.key: document} if document is not None else None)[0]


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
    mechanisms: frozenset[str] | None
    unclassified = [row for row in rows if row.key in fresh or stored_classification(row) is None]
    computed = dict(
        zip((row.key for row in unclassified), classify_rows(unclassified, settings, documents))
    )
    for row in rows:
        stored = None if row.key in fresh else stored_classification(row)
        if stored is None:
            classifications[row.key] = computed[row.key]
            mechanisms = frozenset(computed[row.key].mechanisms)
        else:
            classifications[row.key] = stored
            mechanisms = None
            if not feat.is_current(row):
                mechanisms = frozenset(
                    text_evidence(row.root_cause, row.root_cause_detail).mechanisms
                )
        norm = None
        if row.key not in fresh and feat.is_current(row):
            # Kept from the last analysis: the same text and mechanisms, not recomputed.
            norm = row.cause_norm
            if mechanisms is None:
                mechanisms = frozenset(feat.unpack(row.cause_mechanisms))
        docs.append(CauseDoc(row.key, _similarity_text(row), _order(row), mechanisms, norm))
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
        (corpus.rows[i], corpus.rows[m.earlier], m.score)
        for i in queries
        for m in matches.get(i, [])
    ]
    return _warnings(found, corpus.classifications, session, as_of)


def _warnings(
    found: list[tuple[PostmortemRow, PostmortemRow, float]],
    classifications: Mapping[str, Classification],
    session: Session,
    as_of: date,
) -> list[RepeatWarning]:
    items = _items_by_postmortem(session, sorted({e.id for _, e, _ in found if e.id is not None}))
    # One tuple per earlier postmortem, shared by every warning that names it, and each
    # postmortem's fields read once (attributes of mapped rows are slow to read).
    states: dict[int, tuple[tuple[EarlierItem, ...], bool]] = {}
    fields: dict[int, tuple[str, str, str | None, date | None, str]] = {}

    def fields_of(row: PostmortemRow) -> tuple[str, str, str | None, date | None, str]:
        found = fields.get(id(row))
        if found is None:
            found = fields[id(row)] = (
                row.key,
                row.path,
                row.title,
                row.incident_date,
                classifications[row.key].category,
            )
        return found

    warnings = []
    for row, earlier, score in found:
        earlier_id = earlier.id
        assert earlier_id is not None
        state = states.get(earlier_id)
        if state is None:
            earlier_items = tuple(
                EarlierItem(
                    text=text,
                    owner=owner,
                    due=due,
                    status=_item_state(status, due, as_of),
                    ticket=ticket,
                    not_effective=bool(flag),
                )
                for text, owner, due, status, ticket, flag in items.get(earlier_id, [])
            )
            closed = bool(earlier_items) and all(i.status == "done" for i in earlier_items)
            state = states[earlier_id] = (earlier_items, closed)
        earlier_items, closed = state
        key, path, title, day, category = fields_of(row)
        earlier_key, earlier_path, earlier_title, earlier_day, earlier_category = fields_of(earlier)
        warnings.append(
            RepeatWarning(
                key=key,
                path=path,
                title=title,
                incident_date=day,
                category=category,
                earlier_key=earlier_key,
                earlier_path=earlier_path,
                earlier_title=earlier_title,
                earlier_date=earlier_day,
                earlier_category=earlier_category,
                score=score,
                kind=FIX_DID_NOT_HOLD if closed else FOLLOW_UP_NEVER_DONE,
                items=earlier_items,
            )
        )
    return warnings


def _classification_columns(row: PostmortemRow, c: Classification) -> dict[str, Any]:
    """The ``cause_*`` columns of ``row`` that ``c`` changes."""
    new = {
        "cause_category": c.category,
        "cause_secondary": c.secondary,
        "cause_confidence": round(c.confidence, 3),
        "cause_source": c.source,
    }
    return {name: value for name, value in new.items() if getattr(row, name) != value}


def _mark_not_effective(
    session: Session, warnings: Sequence[RepeatWarning], now: datetime
) -> list[RepeatWarning]:
    """Flag the closed items of the earlier postmortems whose fix did not hold, with one
    ``not_effective`` event per item, once: the first warning that names a postmortem flags
    its items. Returns the warnings with what they flagged."""
    from dataclasses import replace

    from sqlmodel import col, select

    from tracker.tables import ItemEventRow, ItemRow, PostmortemRow

    keys = sorted({w.earlier_key for w in warnings if w.kind == FIX_DID_NOT_HOLD})
    id_of: dict[str, int] = {}
    pending: dict[int, list[ItemRow]] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        query = select(PostmortemRow.id, PostmortemRow.key).where(col(PostmortemRow.key).in_(chunk))
        id_of.update((key, pm_id) for pm_id, key in session.exec(query) if pm_id is not None)
    ids = sorted(id_of.values())
    for start in range(0, len(ids), 500):
        closed = select(ItemRow).where(
            col(ItemRow.postmortem_id).in_(ids[start : start + 500]),
            ItemRow.status == "done",
            col(ItemRow.not_effective).is_(False),
        )
        for item in session.exec(closed.order_by(col(ItemRow.id))):
            pending.setdefault(item.postmortem_id, []).append(item)
    out = []
    for w in warnings:
        if w.kind == FIX_DID_NOT_HOLD:
            flagged = pending.pop(id_of[w.earlier_key], [])
            detail = json.dumps({"repeat": w.key, "path": w.path, "score": round(w.score, 3)})
            for item in flagged:
                assert item.id is not None
                item.not_effective = True
                item.updated_at = now
                session.add(item)
                session.add(
                    ItemEventRow(item_id=item.id, at=now, event="not_effective", detail=detail)
                )
            w = replace(
                w,
                marked_not_effective=len(flagged),
                items=tuple(replace(i, not_effective=True) for i in w.items),
            )
        out.append(w)
    return out


# Above this many keys, one pass over every row beats a LIKE per key.
_LIKE_LIMIT = 64


def _like_any(column: Any, values: Sequence[str]) -> Any:
    from sqlalchemy import or_

    return or_(*(column.like(f"%|{v}|%") for v in values))


def _document_frequencies(session: Session, terms: set[str]) -> tuple[dict[str, int], int]:
    """How many (not removed) postmortems hold each of ``terms``, and how many there are."""
    from sqlalchemy import func, select
    from sqlmodel import col

    from tracker.tables import PostmortemRow

    live = col(PostmortemRow.removed_at).is_(None)
    n = int(
        session.execute(
            select(func.count()).where(live, col(PostmortemRow.cause_terms).isnot(None))
        ).scalar_one()
    )
    if not terms:
        return {}, n
    rows = session.execute(
        select(col(PostmortemRow.cause_terms)).where(
            live, col(PostmortemRow.cause_terms).isnot(None)
        )
    )
    # Every row's terms, counted at once: a row lists each of its terms once between bars, and
    # no term holds a bar or a line break, so a term's count is the number of rows holding it.
    counts = Counter("\n".join(packed for (packed,) in rows).split("|"))
    return {t: counts[t] for t in sorted(terms)}, n


def write_columns(
    session: Session, rows: Mapping[int, tuple[PostmortemRow, dict[str, Any]]]
) -> None:
    """Write columns of many postmortem rows at once (UPDATE by id, one statement per set of
    columns, sent to the driver's cursor in the session's transaction), and make the rows in
    the session hold the same values without marking them changed: a thousand rows through
    the ORM's unit of work cost seconds, and SQLAlchemy's executemany more than SQLite's work.
    The values are the ``cause_*`` columns': text, numbers and NULL, as the driver takes them."""
    from sqlalchemy.orm.attributes import set_committed_value

    from tracker.tables import PostmortemRow

    table = PostmortemRow.__table__  # type: ignore[attr-defined]
    by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for pm_id, (row, values) in rows.items():
        if not values:
            continue
        names = tuple(sorted(values))
        for name in names:
            set_committed_value(row, name, values[name])
        by_columns.setdefault(names, []).append((*(values[name] for name in names), pm_id))
    if not by_columns:
        return
    connection = session.connection()
    mark = "%s" if connection.dialect.paramstyle in ("format", "pyformat") else "?"
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        for names, params in by_columns.items():
            for name in names:
                assert name in table.c, name  # names are the model's, never input
            assignments = ", ".join(f"{name} = {mark}" for name in names)
            cursor.executemany(f"UPDATE {table.name} SET {assignments} WHERE id = {mark}", params)
    finally:
        cursor.close()


def _ensure_features(
    session: Session,
    fresh: Mapping[str, tuple[PostmortemRow, feat.Features]],
    writes: dict[int, tuple[PostmortemRow, dict[str, Any]]],
) -> dict[str, list[str]]:
    """Compute the missing or stale features of the store's other rows, choose the index keys
    of these and of the ``fresh`` rows, and add their ``cause_*`` columns to ``writes``.
    Returns the keys of the ``fresh`` rows."""
    from sqlalchemy import select
    from sqlmodel import col, or_

    from tracker.tables import PostmortemRow

    computed: dict[str, tuple[PostmortemRow, feat.Features]] = dict(fresh)
    stale = select(col(PostmortemRow.id), col(PostmortemRow.key)).where(
        col(PostmortemRow.removed_at).is_(None),
        or_(
            col(PostmortemRow.cause_keys).is_(None),
            col(PostmortemRow.cause_features_of).is_distinct_from(col(PostmortemRow.content_hash)),
        ),
    )
    stale_ids = [pm_id for pm_id, key in session.execute(stale) if key not in computed]
    for start in range(0, len(stale_ids), 500):
        chunk = stale_ids[start : start + 500]
        for row in session.scalars(select(PostmortemRow).where(col(PostmortemRow.id).in_(chunk))):
            computed[row.key] = (row, feat.compute(row.root_cause, row.root_cause_detail))
    # Document frequencies as they will be once these rows hold their new terms: the store's
    # counts, less the terms these rows hold now, plus their new ones.
    terms = {t for _, f in computed.values() for t in f.terms}
    df, n = _document_frequencies(session, terms)
    for row, f in computed.values():
        if row.cause_terms is not None:
            n -= 1
            for t in feat.unpack(row.cause_terms):
                if t in terms:
                    df[t] -= 1
        n += 1
        for t in f.terms:
            df[t] = df.get(t, 0) + 1
    out = {}
    chooser = KeyChooser(df, n)
    for row, f in computed.values():
        assert row.id is not None
        keys = chooser.keys(f.mechanisms, f.terms)
        writes.setdefault(row.id, (row, {}))[1].update(feat.columns(row, f, keys))
        if row.key in fresh:
            out[row.key] = keys
    return out


Order = tuple[str, int]


def _candidate_pairs(
    session: Session, queries: Mapping[int, tuple[Order, list[str]]], per_key: int = PER_KEY
) -> tuple[np.ndarray, np.ndarray]:
    """Each query (postmortem id -> its order and keys) with the earlier postmortems filed
    under one of its keys, the most recent ``per_key`` per key: two id arrays, a pair each,
    every pair once, sorted by query and then earlier id.

    The postings are read from the stored keys; the slicing of every (query, key) happens at
    once on sorted arrays (a query's place in a posting is a binary search, as with bisect)."""
    import numpy as np
    from sqlalchemy import select
    from sqlmodel import col

    from tracker.tables import PostmortemRow

    none = np.zeros(0, dtype=np.int64)
    wanted = sorted({k for _, keys in queries.values() for k in keys})
    if not wanted:
        return none, none
    number = {key: n for n, key in enumerate(wanted)}
    query = select(
        col(PostmortemRow.id), col(PostmortemRow.cause_day), col(PostmortemRow.cause_keys)
    ).where(col(PostmortemRow.removed_at).is_(None), col(PostmortemRow.cause_keys).isnot(None))
    if len(wanted) <= _LIKE_LIMIT:
        query = query.where(_like_any(col(PostmortemRow.cause_keys), wanted))
    # One entry per (postmortem, key) filed, then one per (query, key) asked.
    key_of: list[int] = []
    day_of: list[str] = []
    id_of: list[int] = []
    for pm_id, day, packed in session.execute(query):
        for key in feat.unpack(packed):
            n = number.get(key)
            if n is not None:
                key_of.append(n)
                day_of.append(day or "")
                id_of.append(pm_id)
    filed = len(key_of)
    if not filed:
        return none, none
    for pm_id, ((day, _), keys) in queries.items():
        for key in keys:
            key_of.append(number[key])
            day_of.append(day)
            id_of.append(pm_id)
    keys_a = np.array(key_of, dtype=np.int64)
    ids = np.array(id_of, dtype=np.int64)
    # "Earlier first" order (day, then id) as one dense rank, and (key, rank) as one number.
    _, day_rank = np.unique(np.array(day_of), return_inverse=True)
    _, rank = np.unique(day_rank.astype(np.int64) * (int(ids.max()) + 1) + ids, return_inverse=True)
    place = keys_a * (int(rank.max()) + 1) + rank
    by_place = np.argsort(place[:filed], kind="stable")
    postings, posted = place[:filed][by_place], ids[:filed][by_place]
    asked, asker = place[filed:], ids[filed:]
    # Each (query, key): the entries of its key before its own place, the last per_key of them.
    cut = np.searchsorted(postings, asked, side="left")
    first = np.searchsorted(postings, asked - rank[filed:], side="left")
    low = np.maximum(first, cut - per_key)
    lengths = cut - low
    total = int(lengths.sum())
    offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
    earlier = posted[np.repeat(low, lengths) + (np.arange(total) - offsets)]
    query_ids = np.repeat(asker, lengths)
    mine = earlier != query_ids
    width = int(ids.max()) + 1
    # Each pair once (a sort and a mask: np.unique is many times slower on millions).
    pairs = np.sort(query_ids[mine] * width + earlier[mine])
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    return pairs // width, pairs % width


def _best_per_query(
    query: np.ndarray, earlier: np.ndarray, score: np.ndarray, recency: np.ndarray, limit: int
) -> np.ndarray:
    """Indices of each query's ``limit`` best pairs, grouped by query (ascending): the highest
    scores first and, between equal scores, the most recent earlier postmortem first (then the
    first given). The pairs of a query must be contiguous.

    ``limit`` rounds of a per-query maximum over all pairs at once: a full sort of every pair
    (a million and more in a first analysis) cost several times more for the few kept."""
    import numpy as np

    n = len(query)
    if not n:
        return np.arange(0)
    order = None
    if np.any(query[1:] < query[:-1]):
        order = np.argsort(query, kind="stable")
        query, score, recency = query[order], score[order], recency[order]
    change = query[1:] != query[:-1]
    starts = np.flatnonzero(np.r_[True, change])
    group = np.cumsum(np.r_[False, change])
    remaining = np.array(score, dtype=np.float64)
    position = np.arange(n)
    picked: list[np.ndarray] = []
    for _ in range(limit):
        top = np.maximum.reduceat(remaining, starts)
        live = top > -np.inf
        if not live.any():
            break
        tied = (remaining == top[group]) & live[group]
        newest = np.maximum.reduceat(np.where(tied, recency, np.iinfo(np.int64).min), starts)
        first = np.minimum.reduceat(
            np.where(tied & (recency == newest[group]), position, n), starts
        )
        chosen = first[live]
        picked.append(chosen)
        remaining[chosen] = -np.inf
    # Rounds in order, then a stable sort by query: each query's pairs best first.
    selected = np.concatenate(picked)
    selected = selected[np.argsort(query[selected], kind="stable")]
    return order[selected] if order is not None else selected


def _incremental_repeats(
    session: Session,
    rows: Sequence[PostmortemRow],
    classifications: dict[str, Classification],
    query_mechanisms: Mapping[str, frozenset[str]],
    fresh: Mapping[str, tuple[PostmortemRow, feat.Features]],
    writes: dict[int, tuple[PostmortemRow, dict[str, Any]]],
    settings: Settings,
    as_of: date,
) -> list[RepeatWarning]:
    """``find_repeats`` for ``rows`` without loading the store: their candidates come from the
    stored index keys, and only they are scored. ``writes`` (the rows' new classifications)
    are written with their features, before the index is read."""
    import numpy as np
    from sqlalchemy import select
    from sqlmodel import col

    from tracker.tables import PostmortemRow

    keys = _ensure_features(session, fresh, writes)
    write_columns(session, writes)
    queries = {
        row.id: ((row.cause_day or "", row.id), keys[row.key])
        for row in rows
        if row.id is not None and row.key in keys and row.cause_norm
    }
    query_ids, earlier_ids = _candidate_pairs(session, queries)
    others = np.setdiff1d(
        earlier_ids, np.fromiter(queries, dtype=np.int64, count=len(queries))
    ).tolist()
    # What is compared of every postmortem involved: its text, mechanisms and order.
    norms: dict[int, str] = {}
    mechs: dict[int, frozenset[str]] = {}
    order_of: dict[int, Order] = {}
    for row in rows:
        if row.id in queries:
            norms[row.id] = row.cause_norm or ""
            mechs[row.id] = query_mechanisms[row.key]
            order_of[row.id] = queries[row.id][0]
    for start in range(0, len(others), 500):
        chunk = others[start : start + 500]
        query = select(
            col(PostmortemRow.id),
            col(PostmortemRow.cause_norm),
            col(PostmortemRow.cause_mechanisms),
            col(PostmortemRow.cause_day),
        ).where(col(PostmortemRow.id).in_(chunk))
        for pm_id, norm, packed, day in session.execute(query):
            norms[pm_id], mechs[pm_id] = norm or "", frozenset(feat.unpack(packed))
            order_of[pm_id] = (day or "", pm_id)
    every = sorted(norms)
    every_ids = np.array(every, dtype=np.int64)
    left = np.searchsorted(every_ids, query_ids)
    right = np.searchsorted(every_ids, earlier_ids)
    assert np.array_equal(every_ids[right], earlier_ids), "a candidate postmortem was not read"
    threshold = settings.causes.repeat_threshold
    # A candidate whose mechanisms keep it under the threshold even with identical wording
    # cannot match: it is neither scored nor part of the character TF-IDF's documents.
    overlap, damping = MaskArrays([mechanism_mask(mechs[pm_id]) for pm_id in every]).parts(
        left, right
    )
    possible = bounds_from_parts(overlap, damping) >= threshold
    left, right, overlap, damping = (
        left[possible],
        right[possible],
        overlap[possible],
        damping[possible],
    )
    involved = np.zeros(len(every), dtype=bool)
    involved[right] = True
    involved[
        np.searchsorted(every_ids, np.fromiter(queries, dtype=np.int64, count=len(queries)))
    ] = True
    ids = np.flatnonzero(involved)
    position = np.full(len(every), -1, dtype=np.int64)
    position[ids] = np.arange(len(ids))
    scorer = PairScorer([norms[every[k]] for k in ids])
    scores = scores_from_parts(
        scorer.char_cosines(position[left], position[right]), None, overlap, damping
    )
    hit = scores >= threshold
    left, right, scores = left[hit], right[hit], scores[hit]
    recency = np.empty(len(every), dtype=np.int64)
    recency[sorted(range(len(every)), key=lambda k: order_of[every[k]])] = np.arange(len(every))
    chosen = _best_per_query(left, right, scores, recency[right], MAX_EARLIER)
    best: dict[int, list[tuple[float, int]]] = {}
    for k in chosen.tolist():
        best.setdefault(every[int(left[k])], []).append((float(scores[k]), every[int(right[k])]))
    named = {e for found in best.values() for _, e in found}
    earlier_rows: dict[int, PostmortemRow] = {
        row.id: row for row in rows if row.id is not None and row.id in named
    }
    missing = sorted(named - set(earlier_rows))
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        for row in session.scalars(select(PostmortemRow).where(col(PostmortemRow.id).in_(chunk))):
            assert row.id is not None
            earlier_rows[row.id] = row
    unclassified = []
    for row in earlier_rows.values():
        if row.key not in classifications:
            stored = stored_classification(row)
            if stored is None:
                unclassified.append(row)
            else:
                classifications[row.key] = stored
    for row, c in zip(unclassified, classify_rows(unclassified, settings)):
        classifications[row.key] = c
    out: list[tuple[PostmortemRow, PostmortemRow, float]] = []
    for row in rows:
        for score, e in best.get(row.id or 0, []):
            out.append((row, earlier_rows[e], score))
    return _warnings(out, classifications, session, as_of)


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
    from zoneinfo import ZoneInfo

    from tracker.tables import utcnow

    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    now = now or utcnow()
    as_of = as_of or now.astimezone(ZoneInfo(settings.timezone)).date()
    documents = documents or {}
    with store.session() as session, fewer_collections():
        from sqlmodel import col, select

        from tracker.tables import PostmortemRow

        found = {
            row.key: row
            for start in range(0, len(keys), 500)
            for row in session.exec(
                select(PostmortemRow).where(
                    col(PostmortemRow.key).in_(keys[start : start + 500]),
                    col(PostmortemRow.removed_at).is_(None),
                )
            )
        }
        rows = [found[key] for key in keys if key in found]
        classifications: dict[str, Classification] = {}
        query_mechanisms: dict[str, frozenset[str]] = {}
        fresh: dict[str, tuple[PostmortemRow, feat.Features]] = {}
        writes: dict[int, tuple[PostmortemRow, dict[str, Any]]] = {}
        fronts = [
            doc.front_matter
            if (doc := documents.get(row.key)) is not None
            else front_matter_of(row, settings)
            for row in rows
        ]
        classified = classify_many(
            [(row.root_cause, row.root_cause_detail, front) for row, front in zip(rows, fronts)],
            min_confidence=settings.causes.min_confidence,
        )
        for row, front, c in zip(rows, fronts, classified):
            classifications[row.key] = c
            query_mechanisms[row.key] = frozenset(c.mechanisms)
            # The stored mechanisms are the text's own; a free-text front-matter cause adds to
            # them for this postmortem's search only (as in load_corpus).
            text_only = frozenset(c.mechanisms) if front_matter_text(front) is None else None
            fresh[row.key] = (row, feat.compute(row.root_cause, row.root_cause_detail, text_only))
            assert row.id is not None
            writes[row.id] = (row, _classification_columns(row, c))
        warnings = _incremental_repeats(
            session, rows, classifications, query_mechanisms, fresh, writes, settings, as_of
        )
        return _mark_not_effective(session, warnings, now)
