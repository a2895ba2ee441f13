"""Repeat search for a batch of postmortems against the index kept in the store.

Their candidates are the earlier postmortems filed under the same keys (``pairs`` slices them
from the postings ``index_keys.read_postings`` sorted once), and only those candidates' texts
are read and scored. A candidate whose mechanisms keep it under the threshold even with
identical wording is neither scored nor part of the character TF-IDF's documents, which is
fitted on the batch's postmortems and their candidates only, not the whole store. The array
work goes through ``tracker.causes.pairs.PAIR_MATH``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from tracker.causes import features as feat
from tracker.causes.cause_columns import (
    chunked,
    classify_rows,
    rows_by_id,
    stored_classification,
)
from tracker.causes.pairs import PAIR_MATH
from tracker.causes.repeat_warning import MAX_EARLIER, RepeatWarning, build_warnings
from tracker.causes.scoring import MaskArrays, bounds_from_parts, mechanism_mask, scores_from_parts
from tracker.causes.similar import PER_KEY
from tracker.causes.vectors import char_tfidf, drop_stop

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.causes.classify import Classification
    from tracker.config import Settings
    from tracker.store.tables import PostmortemRow

Order = tuple[str, int]


def search_batch(
    session: Session,
    ids: Sequence[int],
    postings: Any,
    query_mechanisms: Mapping[int, frozenset[str]],
    settings: Settings,
    as_of: date,
    *,
    warn: bool = True,
    max_involved: int | None = None,
) -> list[RepeatWarning] | None:
    """Search the postmortems ``ids`` (classified, their features and keys written) for
    repeats, store what is found (``tracker.causes.stored``) and return it as warnings, in
    that order (none unless ``warn``). None, with nothing written, when more than
    ``max_involved`` postmortems would be compared (their character TF-IDF is the memory a
    batch takes): the caller splits the batch. ``query_mechanisms`` are the mechanisms to search with
    where they are not the stored ones (a free-text front-matter cause adds to them)."""
    import numpy as np
    from sqlalchemy import select
    from sqlmodel import col

    from tracker.causes.stored import record
    from tracker.store.tables import PostmortemRow

    loaded = rows_by_id(session, ids)
    rows = [loaded[pm_id] for pm_id in ids if pm_id in loaded]
    queries: dict[int, Order] = {
        row.id: (row.cause_day or "", row.id)
        for row in rows
        if row.id is not None and row.cause_norm and row.cause_keys
    }
    query_ids, earlier_ids = PAIR_MATH.earlier_pairs(postings, list(queries), PER_KEY)
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
            mechs[row.id] = query_mechanisms.get(row.id) or frozenset(
                feat.unpack(row.cause_mechanisms)
            )
            order_of[row.id] = queries[row.id]
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
    used = np.flatnonzero(involved)
    if max_involved is not None and len(used) > max_involved and len(rows) > 1:
        return None
    position = np.full(len(every), -1, dtype=np.int64)
    position[used] = np.arange(len(used))
    # The character TF-IDF fitted on these documents only, not the whole store.
    chars = char_tfidf(drop_stop([norms[every[k]] for k in used]))
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
    record(
        session,
        [(row.id, row.content_hash) for row in rows if row.id is not None],
        [(q, e, score) for q, found in best.items() for score, e in found],
        threshold,
    )
    if not warn:
        return []
    named = {e for found in best.values() for _, e in found}
    earlier_rows = {pm_id: row for pm_id, row in loaded.items() if pm_id in named}
    earlier_rows.update(rows_by_id(session, sorted(named - set(earlier_rows))))
    classifications: dict[str, Classification] = {}
    unclassified = []
    for row in [*rows, *earlier_rows.values()]:
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
