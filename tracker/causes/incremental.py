"""Repeat search for a few new postmortems against the index kept in the store.

``pmt ingest`` analyses the postmortems it just wrote without loading the store: their index
keys are chosen from the store's term counts (``cause_columns.ensure_features``), their
candidates are the earlier postmortems filed under the same keys (read from the stored keys),
and only those candidates' texts are read and scored. A candidate whose mechanisms keep it under
the threshold even with identical wording is neither scored nor part of the character TF-IDF's
documents. The array work goes through ``tracker.causes.pairs.PAIR_MATH``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from tracker.causes import features as feat
from tracker.causes.cause_columns import (
    chunked,
    classify_rows,
    ensure_features,
    stored_classification,
    write_columns,
)
from tracker.causes.pairs import PAIR_MATH, Entries
from tracker.causes.repeat_warning import MAX_EARLIER, RepeatWarning, build_warnings
from tracker.causes.scoring import MaskArrays, bounds_from_parts, mechanism_mask, scores_from_parts
from tracker.causes.similar import PER_KEY
from tracker.causes.vectors import char_tfidf, drop_stop

if TYPE_CHECKING:
    import numpy as np
    from sqlmodel import Session

    from tracker.causes.classify import Classification
    from tracker.config import Settings
    from tracker.store.tables import PostmortemRow

# Above this many keys, one pass over every row beats a LIKE per key.
LIKE_LIMIT = 64


def like_any(column: Any, values: Sequence[str]) -> Any:
    from sqlalchemy import or_

    return or_(*(column.like(f"%|{v}|%") for v in values))


Order = tuple[str, int]


def candidate_pairs(
    session: Session, queries: Mapping[int, tuple[Order, list[str]]], per_key: int = PER_KEY
) -> tuple[np.ndarray, np.ndarray]:
    """Each query (postmortem id -> its order and keys) with the earlier postmortems filed
    under one of its keys, the most recent ``per_key`` per key: two id arrays, a pair each,
    every pair once, sorted by query and then earlier id.

    The postings are read from the stored keys and sliced by ``PAIR_MATH.earlier_pairs``."""
    import numpy as np
    from sqlalchemy import select
    from sqlmodel import col

    from tracker.store.tables import PostmortemRow

    wanted = sorted({k for _, keys in queries.values() for k in keys})
    if not wanted:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    number = {key: n for n, key in enumerate(wanted)}
    query = select(
        col(PostmortemRow.id), col(PostmortemRow.cause_day), col(PostmortemRow.cause_keys)
    ).where(col(PostmortemRow.removed_at).is_(None), col(PostmortemRow.cause_keys).isnot(None))
    if len(wanted) <= LIKE_LIMIT:
        query = query.where(like_any(col(PostmortemRow.cause_keys), wanted))
    # One entry per (postmortem, key) filed, then one per (query, key) asked.
    filed: Entries = ([], [], [])
    for pm_id, day, packed in session.execute(query):
        for key in feat.unpack(packed):
            n = number.get(key)
            if n is not None:
                filed[0].append(n)
                filed[1].append(day or "")
                filed[2].append(pm_id)
    asked: Entries = ([], [], [])
    for pm_id, ((day, _), keys) in queries.items():
        for key in keys:
            asked[0].append(number[key])
            asked[1].append(day)
            asked[2].append(pm_id)
    return PAIR_MATH.earlier_pairs(filed, asked, per_key)


def incremental_repeats(
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

    from tracker.store.tables import PostmortemRow

    keys = ensure_features(session, fresh, writes)
    write_columns(session, writes)
    queries = {
        row.id: ((row.cause_day or "", row.id), keys[row.key])
        for row in rows
        if row.id is not None and row.key in keys and row.cause_norm
    }
    query_ids, earlier_ids = candidate_pairs(session, queries)
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
    for chunk in chunked(others):
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
    # The character TF-IDF fitted on these documents only, not the whole store.
    chars = char_tfidf(drop_stop([norms[every[k]] for k in ids]))
    cosines = PAIR_MATH.row_dots(chars, position[left], position[right])
    scores = scores_from_parts(cosines, None, overlap, damping)
    hit = scores >= threshold
    left, right, scores = left[hit], right[hit], scores[hit]
    recency = np.empty(len(every), dtype=np.int64)
    recency[sorted(range(len(every)), key=lambda k: order_of[every[k]])] = np.arange(len(every))
    chosen = PAIR_MATH.best_per_query(left, scores, recency[right], MAX_EARLIER)
    best: dict[int, list[tuple[float, int]]] = {}
    for k in chosen.tolist():
        best.setdefault(every[int(left[k])], []).append((float(scores[k]), every[int(right[k])]))
    named = {e for found in best.values() for _, e in found}
    earlier_rows: dict[int, PostmortemRow] = {
        row.id: row for row in rows if row.id is not None and row.id in named
    }
    missing = sorted(named - set(earlier_rows))
    for chunk in chunked(missing):
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
    return build_warnings(out, classifications, session, as_of)
