"""The ``cause_*`` columns of postmortem rows: the stored classification and front matter read
back, classifications made in batches, repeat-search features kept current, and many rows'
columns written at once.

``write_columns`` is a speed path (one ``UPDATE`` per set of columns through the driver's
executemany): a thousand rows through the ORM's unit of work cost seconds in
``bench/causes_bench.py``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from tracker.causes import features as feat
from tracker.causes.classify import Classification, classify_many
from tracker.causes.features import STATS
from tracker.causes.similar import KeyChooser

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.config import Settings
    from tracker.models import Postmortem
    from tracker.store.tables import PostmortemRow

T = TypeVar("T")
# Values per ``IN (...)`` of a query.
CHUNK = 500


def chunked(values: Sequence[T], size: int = CHUNK) -> Iterator[list[T]]:
    """``values`` in consecutive lists of at most ``size``."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


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


def fronts_of(
    rows: Sequence[PostmortemRow], settings: Settings, documents: Mapping[str, Postmortem]
) -> list[dict[str, Any]]:
    """Each row's front matter: from its parsed document when the caller has it, else from
    the store (or its file)."""
    return [
        doc.front_matter
        if (doc := documents.get(row.key)) is not None
        else front_matter_of(row, settings)
        for row in rows
    ]


def classify_rows(
    rows: Sequence[PostmortemRow],
    settings: Settings,
    documents: Mapping[str, Postmortem] | None = None,
) -> list[Classification]:
    """Classify stored postmortems in one batch: front matter (from the parsed document or the
    store) first."""
    fronts = fronts_of(rows, settings, documents or {})
    return classify_many(
        [(row.root_cause, row.root_cause_detail, front) for row, front in zip(rows, fronts)],
        min_confidence=settings.causes.min_confidence,
    )


def classify_row(
    row: PostmortemRow, settings: Settings, document: Postmortem | None = None
) -> Classification:
    """Classify one stored postmortem (see ``classify_rows``)."""
    return classify_rows([row], settings, {row.key: document} if document is not None else None)[0]


def classification_columns(row: PostmortemRow, c: Classification) -> dict[str, Any]:
    """The ``cause_*`` columns of ``row`` that ``c`` changes."""
    new = {
        "cause_category": c.category,
        "cause_secondary": c.secondary,
        "cause_confidence": round(c.confidence, 3),
        "cause_source": c.source,
    }
    return {name: value for name, value in new.items() if getattr(row, name) != value}


def document_frequencies(session: Session, terms: set[str]) -> tuple[dict[str, int], int]:
    """How many (not removed) postmortems hold each of ``terms``, and how many there are."""
    from sqlalchemy import func, select
    from sqlmodel import col

    from tracker.store.tables import PostmortemRow

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

    from tracker.store.tables import PostmortemRow

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


def ensure_features(
    session: Session,
    fresh: Mapping[str, tuple[PostmortemRow, feat.Features]],
    writes: dict[int, tuple[PostmortemRow, dict[str, Any]]],
) -> dict[str, list[str]]:
    """Compute the missing or stale features of the store's other rows, choose the index keys
    of these and of the ``fresh`` rows, and add their ``cause_*`` columns to ``writes``.
    Returns the keys of the ``fresh`` rows."""
    from sqlalchemy import select
    from sqlmodel import col, or_

    from tracker.store.tables import PostmortemRow

    computed: dict[str, tuple[PostmortemRow, feat.Features]] = dict(fresh)
    stale = select(col(PostmortemRow.id), col(PostmortemRow.key)).where(
        col(PostmortemRow.removed_at).is_(None),
        or_(
            col(PostmortemRow.cause_keys).is_(None),
            col(PostmortemRow.cause_features_of).is_distinct_from(col(PostmortemRow.content_hash)),
        ),
    )
    stale_ids = [pm_id for pm_id, key in session.execute(stale) if key not in computed]
    for chunk in chunked(stale_ids):
        for row in session.scalars(select(PostmortemRow).where(col(PostmortemRow.id).in_(chunk))):
            computed[row.key] = (row, feat.compute(row.root_cause, row.root_cause_detail))
    # Document frequencies as they will be once these rows hold their new terms: the store's
    # counts, less the terms these rows hold now, plus their new ones.
    terms = {t for _, f in computed.values() for t in f.terms}
    df, n = document_frequencies(session, terms)
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
