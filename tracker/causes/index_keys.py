"""The repeat search's index, kept in the store: each postmortem's features and index keys.

A run of the analysis (``tracker.causes.repeats.each_repeat``) writes the features of the
postmortems it analyses (``tracker.causes.features.columns``, which clears their keys), then:

1. ``refresh_stale``: the features of the store's other postmortems that have none, or whose
   text changed since they were computed (rows written before pmt kept them);
2. ``choose_keys``: the index keys of all those postmortems, chosen from the store's term
   counts as they now are (``similar.KeyChooser``: the counts include every new text);
3. ``read_postings``: the keys of the postmortems that may be candidates, as one index sorted
   once (``pairs.PAIR_MATH.index``) that every batch of queries is searched against.

Each step reads and writes ``CHUNK`` rows at a time and holds their columns, not ORM rows: the
memory it takes does not grow with the store, except for the term counts and the postings
(a few numbers per postmortem).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from tracker.causes import features as feat
from tracker.causes.cause_columns import CHUNK, chunked, write_values
from tracker.causes.pairs import PAIR_MATH
from tracker.causes.similar import KeyChooser
from tracker.causes.vectors import word_terms

if TYPE_CHECKING:
    from sqlmodel import Session

# Above this many keys, one pass over every row beats a LIKE per key.
LIKE_LIMIT = 64


def _table() -> Any:
    from tracker.store.tables import PostmortemRow

    return PostmortemRow.__table__.c  # type: ignore[attr-defined]


def _streamed(session: Session, query: Any) -> Iterator[Sequence[Any]]:
    """The rows of ``query`` in lists of ``CHUNK``, fetched as they are read."""
    result = session.execute(query.execution_options(yield_per=CHUNK))
    yield from result.partitions()


def _column_of(session: Session, ids: Sequence[int], column: Any) -> Iterator[tuple[int, Any]]:
    from sqlalchemy import select

    c = _table()
    for chunk in chunked(ids):
        yield from session.execute(select(c.id, column).where(c.id.in_(chunk)))


def refresh_stale(session: Session, skip: Iterable[int]) -> list[int]:
    """Compute and write the features of the store's postmortems (but ``skip``) that have none
    or stale ones; return their ids."""
    from sqlalchemy import or_, select

    c = _table()
    skipped = set(skip)
    stale = select(c.id).where(
        c.removed_at.is_(None),
        or_(c.cause_keys.is_(None), c.cause_features_of.is_distinct_from(c.content_hash)),
    )
    ids = [pm_id for (pm_id,) in session.execute(stale) if pm_id not in skipped]
    for chunk in chunked(ids):
        described = select(
            c.id,
            c.root_cause,
            c.root_cause_detail,
            c.content_hash,
            c.incident_date,
            c.created_at,
        ).where(c.id.in_(chunk))
        write_values(
            session,
            {
                row.id: feat.columns(row, feat.compute(row.root_cause, row.root_cause_detail))
                for row in session.execute(described)
            },
        )
    return ids


def document_frequencies(session: Session, terms: set[str]) -> tuple[dict[str, int], int]:
    """How many (not removed) postmortems hold each of ``terms``, and how many there are."""
    from sqlalchemy import func, select

    c = _table()
    live = (c.removed_at.is_(None), c.cause_terms.isnot(None))
    n = int(session.execute(select(func.count()).where(*live)).scalar_one())
    df = dict.fromkeys(sorted(terms), 0)
    if not terms:
        return df, n
    for rows in _streamed(session, select(c.cause_terms).where(*live)):
        # A row lists each of its terms once between bars, and no term holds a bar or a line
        # break: a term's count is the number of rows holding it.
        for term, count in Counter("\n".join(packed for (packed,) in rows).split("|")).items():
            if term in df:
                df[term] += count
    return df, n


def choose_keys(session: Session, ids: Sequence[int]) -> None:
    """Choose and write the index keys of the postmortems ``ids`` (their features written)."""
    from sqlalchemy import select

    c = _table()
    wanted: set[str] = set()
    for _, packed in _column_of(session, ids, c.cause_terms):
        wanted.update(feat.unpack(packed))
    df, n = document_frequencies(session, wanted)
    chooser = KeyChooser(df, n)
    for chunk in chunked(ids):
        described = select(c.id, c.cause_norm, c.cause_mechanisms).where(c.id.in_(chunk))
        write_values(
            session,
            {
                pm_id: {
                    "cause_keys": feat.pack(
                        chooser.keys(frozenset(feat.unpack(mechanisms)), word_terms(norm or ""))
                    )
                }
                for pm_id, norm, mechanisms in session.execute(described)
            },
        )


def read_postings(session: Session, queries: Sequence[int]) -> Any:
    """The postings of every postmortem filed under a key of one of ``queries`` (ids of
    postmortems whose keys are written), as ``PAIR_MATH.index`` sorts them."""
    from sqlalchemy import or_, select

    c = _table()
    wanted = sorted(
        {
            key
            for _, packed in _column_of(session, queries, c.cause_keys)
            for key in feat.unpack(packed)
        }
    )
    number = {key: n for n, key in enumerate(wanted)}
    query = select(c.id, c.cause_day, c.cause_keys).where(
        c.removed_at.is_(None), c.cause_keys.isnot(None)
    )
    if not wanted:
        return PAIR_MATH.index(([], [], []))
    if len(wanted) <= LIKE_LIMIT:
        query = query.where(or_(*(c.cause_keys.like(f"%|{key}|%") for key in wanted)))
    # One entry per (postmortem, key) filed.
    filed: tuple[list[int], list[str], list[int]] = ([], [], [])
    for rows in _streamed(session, query):
        for pm_id, day, packed in rows:
            for key in feat.unpack(packed):
                n = number.get(key)
                if n is not None:
                    filed[0].append(n)
                    filed[1].append(day or "")
                    filed[2].append(pm_id)
    return PAIR_MATH.index(filed)
