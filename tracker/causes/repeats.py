"""Repeats: a postmortem whose cause is the same failure mechanism as an earlier one.

``each_repeat`` (``analyse_postmortems``: in a list) is what ``pmt ingest`` and ``pmt sync``
call for the postmortems they just wrote: it classifies them (storing the category), finds
their repeats among the earlier postmortems (``tracker.causes.incremental``, against the index
of ``tracker.causes.index_keys``) and marks the fixes that did not hold
(``tracker.causes.repeat_warning``), a batch at a time. ``load_corpus`` and ``find_repeats`` are the read-only
part, for ``pmt causes`` and the reports: the whole store in memory (``MechanismIndex``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from tracker.bulk import bulk_work
from tracker.causes import features as feat
from tracker.causes.cause_columns import (
    chunked,
    classification_columns,
    classify_row,
    classify_rows,
    front_matter_of,
    fronts_of,
    read_front_matter,
    stored_classification,
    write_columns,
)
from tracker.causes.classify import Classification, classify_many, front_matter_text
from tracker.causes.evidence import text_evidence
from tracker.causes.repeat_warning import (
    FIX_DID_NOT_HOLD,
    FOLLOW_UP_NEVER_DONE,
    MAX_EARLIER,
    EarlierItem,
    RepeatWarning,
    build_warnings,
    mark_not_effective,
)
from tracker.causes.similar import CauseDoc, MechanismIndex

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.config import Settings
    from tracker.models import Postmortem
    from tracker.store import Store
    from tracker.store.tables import PostmortemRow

# Imported from here by the CLI, the reports and the benches.
__all__ = [
    "FIX_DID_NOT_HOLD",
    "FOLLOW_UP_NEVER_DONE",
    "MAX_EARLIER",
    "Corpus",
    "EarlierItem",
    "RepeatWarning",
    "analyse_postmortems",
    "cause_doc",
    "classify_row",
    "classify_rows",
    "each_repeat",
    "find_repeats",
    "front_matter_of",
    "load_corpus",
    "read_front_matter",
    "stored_classification",
    "write_columns",
]


@dataclass
class Corpus:
    """The postmortems of the store as the analysis sees them, with their similarity index."""

    rows: list[PostmortemRow]
    classifications: dict[str, Classification]
    index: MechanismIndex
    position: dict[str, int] = field(default_factory=dict)


def _order(row: PostmortemRow) -> tuple[str, int]:
    """The order of "earlier": the incident (or first-seen) day, then the store id."""
    return (feat.day_of(row), row.id or 0)


def cause_doc(
    row: PostmortemRow, mechanisms: frozenset[str] | None, norm: str | None = None
) -> CauseDoc:
    """A stored postmortem as the similarity index reads it: its cause text, its place in the
    order of "earlier", its failure mechanisms (and the normalised text when it is kept)."""
    text = feat.similarity_text(row.root_cause, row.root_cause_detail)
    return CauseDoc(row.key, text, _order(row), mechanisms, norm)


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

    from tracker.store.tables import PostmortemRow

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
        docs.append(cause_doc(row, mechanisms, norm))
    index = MechanismIndex(docs)
    return Corpus(rows, classifications, index, {row.key: i for i, row in enumerate(rows)})


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
    return build_warnings(found, corpus.classifications, session, as_of)


# Postmortems classified in one transaction, and searched for repeats in one: the memory a
# batch takes grows with its size (the classifier's matrices; the candidates' texts and their
# character TF-IDF), the time a run takes shrinks with it (bench/scale_bench.py).
CLASSIFY_BATCH = 500
SEARCH_BATCH = 1000
# A search batch that would compare more postmortems than this (the batch and its candidates)
# is split in two: the character TF-IDF of the postmortems compared is most of its memory.
MAX_INVOLVED = 8000


def analyse_postmortems(
    store: Store,
    keys: Iterable[str],
    settings: Settings,
    *,
    documents: Mapping[str, Postmortem] | None = None,
    as_of: date | None = None,
    now: datetime | None = None,
) -> list[RepeatWarning]:
    """Classify ``keys`` (storing the category), find their repeats, mark fixes that did not
    hold: ``each_repeat``'s warnings in a list."""
    return list(each_repeat(store, keys, settings, documents=documents, as_of=as_of, now=now))


def each_repeat(
    store: Store,
    keys: Iterable[str],
    settings: Settings,
    *,
    documents: Mapping[str, Postmortem] | None = None,
    as_of: date | None = None,
    now: datetime | None = None,
    batch: int = SEARCH_BATCH,
    mark: bool = True,
    warn: bool = True,
) -> Iterator[RepeatWarning]:
    """Classify ``keys`` (storing the category), find their repeats (storing them), mark the
    fixes that did not hold (unless not ``mark``), and yield the repeats (unless not
    ``warn``): those of the earliest postmortems first.

    ``documents`` are the parsed postmortems when the caller has them (their front matter may
    name the cause); otherwise the front matter is read from each postmortem's file.

    The work goes in batches, each its own transaction, so that memory does not grow with
    the number of postmortems: classify them and write their features; then bring the rest
    of the store's features up to date and choose every new index key (``index_keys``); then
    search the postmortems for repeats ``batch`` at a time, in "earlier first" order (a
    batch's candidates are then mostly the same recent postmortems). A batch's repeats are
    yielded once it is committed. Later postmortems that may now repeat one of these (it is
    among their candidates, or was named by their stored repeats) are searched again, and
    their stored repeats replaced, without a warning.
    """
    from zoneinfo import ZoneInfo

    from tracker.causes import stored
    from tracker.causes.index_keys import choose_keys, read_postings, refresh_stale
    from tracker.causes.pairs import PAIR_MATH
    from tracker.causes.similar import PER_KEY
    from tracker.store.tables import utcnow

    keys = list(dict.fromkeys(keys))
    if not keys:
        return
    now = now or utcnow()
    as_of = as_of or now.astimezone(ZoneInfo(settings.timezone)).date()
    with bulk_work():
        ids: list[int] = []
        query_mechanisms: dict[int, frozenset[str]] = {}
        for chunk in chunked(keys, CLASSIFY_BATCH):
            with store.session() as session:
                ids += _classify_and_describe(
                    session, chunk, settings, documents or {}, query_mechanisms
                )
        with store.session() as session:
            stale = refresh_stale(session, ids)
            choose_keys(session, ids + stale)
            postings = read_postings(session, ids)
            mine = set(ids)
            again = set(PAIR_MATH.later_ids(postings, ids, PER_KEY))
            again.update(stored.naming(session, ids))
            again -= mine
            if again:
                postings = read_postings(session, ids + sorted(again))
            order = _earlier_first(session, ids)
            others = _earlier_first(session, sorted(again))
        for id_chunk in chunked(order, batch):
            with store.session() as session:
                warnings = _search(
                    session, id_chunk, postings, query_mechanisms, settings, as_of, warn
                )
                if mark:
                    warnings = mark_not_effective(session, warnings, now)
            yield from warnings
        for id_chunk in chunked(others, batch):
            with store.session() as session:
                _search(session, id_chunk, postings, {}, settings, as_of, False)


def _search(
    session: Session,
    ids: list[int],
    postings: Any,
    query_mechanisms: Mapping[int, frozenset[str]],
    settings: Settings,
    as_of: date,
    warn: bool,
) -> list[RepeatWarning]:
    """``search_batch``, halving the batch while it would compare too many postmortems."""
    from tracker.causes.incremental import search_batch

    found = search_batch(
        session,
        ids,
        postings,
        query_mechanisms,
        settings,
        as_of,
        warn=warn,
        max_involved=MAX_INVOLVED,
    )
    if found is not None:
        return found
    half = len(ids) // 2
    return [
        *_search(session, ids[:half], postings, query_mechanisms, settings, as_of, warn),
        *_search(session, ids[half:], postings, query_mechanisms, settings, as_of, warn),
    ]


def _classify_and_describe(
    session: Session,
    keys: list[str],
    settings: Settings,
    documents: Mapping[str, Postmortem],
    query_mechanisms: dict[int, frozenset[str]],
) -> list[int]:
    """Classify the (not removed) postmortems ``keys`` and write their category and features;
    return their ids. The mechanisms a free-text front-matter cause adds go to
    ``query_mechanisms`` (they are searched with, not stored)."""
    from sqlmodel import col, select

    from tracker.store.tables import PostmortemRow

    found = {
        row.key: row
        for row in session.exec(
            select(PostmortemRow).where(
                col(PostmortemRow.key).in_(keys), col(PostmortemRow.removed_at).is_(None)
            )
        )
    }
    rows = [found[key] for key in keys if key in found]
    fronts = fronts_of(rows, settings, documents)
    classified = classify_many(
        [(row.root_cause, row.root_cause_detail, front) for row, front in zip(rows, fronts)],
        min_confidence=settings.causes.min_confidence,
    )
    writes: dict[int, tuple[PostmortemRow, dict[str, Any]]] = {}
    for row, front, c in zip(rows, fronts, classified):
        assert row.id is not None
        mechanisms = frozenset(c.mechanisms)
        # The stored mechanisms are the text's own; a free-text front-matter cause adds to
        # them for this postmortem's search only (as in load_corpus).
        text_only = mechanisms if front_matter_text(front) is None else None
        features = feat.compute(row.root_cause, row.root_cause_detail, text_only)
        if features.mechanisms != mechanisms:
            query_mechanisms[row.id] = mechanisms
        writes[row.id] = (row, {**classification_columns(row, c), **feat.columns(row, features)})
    write_columns(session, writes)
    return [pm_id for pm_id in writes]


def _earlier_first(session: Session, ids: list[int]) -> list[int]:
    """``ids`` in "earlier first" order: the stored day, then the id."""
    from sqlalchemy import select
    from sqlmodel import col

    from tracker.store.tables import PostmortemRow

    day: dict[int, str] = {}
    for chunk in chunked(ids):
        query = select(col(PostmortemRow.id), col(PostmortemRow.cause_day)).where(
            col(PostmortemRow.id).in_(chunk)
        )
        day.update((pm_id, d or "") for pm_id, d in session.execute(query))
    return sorted(ids, key=lambda pm_id: (day.get(pm_id, ""), pm_id))
