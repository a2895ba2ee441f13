"""Repeats: a postmortem whose cause is the same failure mechanism as an earlier one.

``analyse_postmortems`` is what ``pmt ingest`` and ``pmt sync`` call for the postmortems they
just wrote: it classifies them (storing the category), finds their repeats among the earlier
postmortems (``tracker.causes.incremental``) and marks the fixes that did not hold
(``tracker.causes.repeat_warning``). ``load_corpus`` and ``find_repeats`` are the read-only
part, for ``pmt causes`` and the reports: the whole store in memory (``MechanismIndex``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
from tracker.causes.incremental import incremental_repeats
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

    from tracker.store.tables import utcnow

    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    now = now or utcnow()
    as_of = as_of or now.astimezone(ZoneInfo(settings.timezone)).date()
    documents = documents or {}
    with store.session() as session, bulk_work():
        from sqlmodel import col, select

        from tracker.store.tables import PostmortemRow

        found = {
            row.key: row
            for chunk in chunked(keys)
            for row in session.exec(
                select(PostmortemRow).where(
                    col(PostmortemRow.key).in_(chunk),
                    col(PostmortemRow.removed_at).is_(None),
                )
            )
        }
        rows = [found[key] for key in keys if key in found]
        classifications: dict[str, Classification] = {}
        query_mechanisms: dict[str, frozenset[str]] = {}
        fresh: dict[str, tuple[PostmortemRow, feat.Features]] = {}
        writes: dict[int, tuple[PostmortemRow, dict[str, Any]]] = {}
        fronts = fronts_of(rows, settings, documents)
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
            writes[row.id] = (row, classification_columns(row, c))
        warnings = incremental_repeats(
            session, rows, classifications, query_mechanisms, fresh, writes, settings, as_of
        )
        return mark_not_effective(session, warnings, now)
