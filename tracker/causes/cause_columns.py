"""The ``cause_*`` columns of postmortem rows: the stored classification and front matter read
back, classifications made in batches, and many rows' columns written at once (the
repeat-search features are kept current by ``tracker.causes.index_keys``).

``write_values`` is a speed path (one ``UPDATE`` per set of columns through the driver's
executemany): a thousand rows through the ORM's unit of work cost seconds in
``bench/causes_bench.py``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from tracker.causes.classification import Classification

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


# What reading stored categories and repeats needs of a postmortem (``summaries``).
SUMMARY_COLUMNS = (
    "id", "key", "path", "title", "incident_date", "created_at", "removed_at", "content_hash",
    "cause_category", "cause_secondary", "cause_confidence", "cause_source", "cause_day",
    "cause_repeats_of",
)  # fmt: skip


def summaries(session: Session, *where: Any) -> list[Any]:
    """The ``SUMMARY_COLUMNS`` of the postmortems matching ``where``, as rows read by name
    like a ``PostmortemRow`` (without the texts, and without the ORM's cost per row)."""
    from sqlalchemy import select

    from tracker.store.tables import PostmortemRow

    c = PostmortemRow.__table__.c  # type: ignore[attr-defined]
    return list(session.execute(select(*(c[name] for name in SUMMARY_COLUMNS)).where(*where)))


def summaries_by_id(session: Session, ids: Sequence[int]) -> dict[int, Any]:
    from tracker.store.tables import PostmortemRow

    c = PostmortemRow.__table__.c  # type: ignore[attr-defined]
    return {row.id: row for chunk in chunked(ids) for row in summaries(session, c.id.in_(chunk))}


def rows_by_id(session: Session, ids: Sequence[int]) -> dict[int, PostmortemRow]:
    """The stored postmortems ``ids``, by id."""
    from sqlmodel import col, select

    from tracker.store.tables import PostmortemRow

    found: dict[int, PostmortemRow] = {}
    for chunk in chunked(ids):
        for row in session.exec(select(PostmortemRow).where(col(PostmortemRow.id).in_(chunk))):
            assert row.id is not None
            found[row.id] = row
    return found


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
    from tracker.causes.features import STATS
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
    from tracker.causes.classify import classify_many

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


def write_columns(
    session: Session, rows: Mapping[int, tuple[PostmortemRow, dict[str, Any]]]
) -> None:
    """``write_values`` for rows the session holds, which are made to hold the same values
    without being marked changed."""
    from sqlalchemy.orm.attributes import set_committed_value

    for row, values in rows.values():
        for name, value in values.items():
            set_committed_value(row, name, value)
    write_values(session, {pm_id: values for pm_id, (_, values) in rows.items()})


def write_values(session: Session, rows: Mapping[int, Mapping[str, Any]]) -> None:
    """Write columns of many postmortem rows at once (UPDATE by id, one statement per set of
    columns, sent to the driver's cursor in the session's transaction): a thousand rows
    through the ORM's unit of work cost seconds, and SQLAlchemy's executemany more than
    SQLite's work. The values are the ``cause_*`` columns': text, numbers and NULL, as the
    driver takes them."""
    from tracker.store.tables import PostmortemRow

    table = PostmortemRow.__table__  # type: ignore[attr-defined]
    by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for pm_id, values in rows.items():
        if values:
            names = tuple(sorted(values))
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
