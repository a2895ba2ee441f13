"""Repeats kept in the store: written by the repeat search, read by ``pmt causes`` and the reports.

When a postmortem is searched for repeats (``tracker.causes.repeats.each_repeat``), the earlier
postmortems its cause repeats are written to ``cause_repeat`` with their scores, replacing what
was there, and ``postmortem.cause_repeats_of`` records what they were searched with: the text's
content hash and the repeat threshold. A period's repeats are then read by indexed queries,
without loading the store or the classifier; the postmortems asked about whose search is missing
or stale (written before pmt kept repeats, or the threshold changed) are analysed first
(``bring_up_to_date``), without marking anything not effective (``pmt ingest`` does that).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from tracker.causes.cause_columns import (
    chunked,
    stored_classification,
    summaries_by_id,
    write_values,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.causes.classify import Classification
    from tracker.causes.repeat_warning import RepeatWarning
    from tracker.config import Settings
    from tracker.store import Store

Pair = tuple[int, int, float]


def marker(content_hash: str | None, threshold: float) -> str:
    """What a postmortem's stored repeats were searched with."""
    return f"{content_hash or ''}@{threshold:g}"


def record(
    session: Session,
    searched: Sequence[tuple[int, str | None]],
    pairs: Sequence[Pair],
    threshold: float,
) -> None:
    """Replace the stored repeats of the postmortems ``searched`` (id, content hash) with
    ``pairs`` (later id, earlier id, score)."""
    from sqlalchemy import delete, insert

    from tracker.store.tables import CauseRepeatRow

    table = CauseRepeatRow.__table__  # type: ignore[attr-defined]
    ids = [pm_id for pm_id, _ in searched]
    for chunk in chunked(ids):
        session.execute(delete(table).where(table.c.postmortem_id.in_(chunk)))
    if pairs:
        session.execute(
            insert(table),
            [{"postmortem_id": q, "earlier_id": e, "score": round(s, 6)} for q, e, s in pairs],
        )
    write_values(
        session,
        {pm_id: {"cause_repeats_of": marker(digest, threshold)} for pm_id, digest in searched},
    )


def naming(session: Session, earlier_ids: Sequence[int]) -> list[int]:
    """The postmortems whose stored repeats name one of ``earlier_ids``."""
    from sqlalchemy import select

    from tracker.store.tables import CauseRepeatRow

    c = CauseRepeatRow.__table__.c  # type: ignore[attr-defined]
    found: set[int] = set()
    for chunk in chunked(earlier_ids):
        query = select(c.postmortem_id).where(c.earlier_id.in_(chunk)).distinct()
        found.update(pm_id for (pm_id,) in session.execute(query))
    return sorted(found)


def stale_keys(session: Session, rows: Iterable[Any], settings: Settings) -> list[str]:
    """Of ``rows``, the keys of those without a category or whose stored search is stale."""
    threshold = settings.causes.repeat_threshold
    return [
        row.key
        for row in rows
        if row.cause_category is None or row.cause_repeats_of != marker(row.content_hash, threshold)
    ]


def bring_up_to_date(store: Store, settings: Settings, keys: Sequence[str]) -> None:
    """Analyse the postmortems ``keys`` (classify, search, store their repeats), marking
    nothing not effective."""
    from tracker.causes.repeats import each_repeat

    for _ in each_repeat(store, keys, settings, mark=False, warn=False):
        pass


def stored_warnings(
    session: Session,
    rows: Sequence[Any],
    classifications: dict[str, Classification],
    settings: Settings,
    as_of: date,
    limit: int | None = None,
) -> tuple[list[RepeatWarning], int]:
    """The stored repeats of ``rows`` (in their order; each one's closest first, then the most
    recent earlier one), with the earlier postmortems' items as they are on ``as_of``, and how
    many there are: all of them, or the first ``limit`` (only those are read in full). Earlier
    postmortems that were removed are left out. ``classifications`` holds the rows' own; the
    earlier ones' are read from the store (or made, for one never classified)."""
    from sqlalchemy import select

    from tracker.causes.cause_columns import classify_rows, rows_by_id
    from tracker.causes.repeat_warning import build_warnings
    from tracker.store.tables import CauseRepeatRow, PostmortemRow

    pairs = CauseRepeatRow.__table__  # type: ignore[attr-defined]
    postmortems = PostmortemRow.__table__  # type: ignore[attr-defined]
    pair, pm = pairs.c, postmortems.c
    by_later: dict[int, list[tuple[int, float, str]]] = {}
    ids = [row.id for row in rows]
    for chunk in chunked(ids):
        query = (
            select(pair.postmortem_id, pair.earlier_id, pair.score, pm.cause_day)
            .join(postmortems, pm.id == pair.earlier_id)
            .where(pair.postmortem_id.in_(chunk), pm.removed_at.is_(None))
        )
        for later, earlier, score, day in session.execute(query):
            by_later.setdefault(later, []).append((earlier, score, day or ""))
    ordered: list[tuple[Any, int, float]] = []
    for row in rows:
        # The closest first; between equals, the most recent earlier postmortem.
        for earlier, score, _ in sorted(
            by_later.get(row.id, []), key=lambda p: (p[1], p[2], p[0]), reverse=True
        ):
            ordered.append((row, earlier, score))
    total = len(ordered)
    if limit is not None:
        ordered = ordered[:limit]
    earlier_rows = summaries_by_id(session, sorted({e for _, e, _ in ordered}))
    unclassified: list[Any] = []
    for row in earlier_rows.values():
        if row.key not in classifications:
            stored = stored_classification(row)
            if stored is None:
                unclassified.append(row)
            else:
                classifications[row.key] = stored
    if unclassified:
        # Never classified (stored before pmt kept categories): classify them from their text.
        full = list(rows_by_id(session, [row.id for row in unclassified]).values())
        for whole, made in zip(full, classify_rows(full, settings)):
            classifications[whole.key] = made
    found = [(row, earlier_rows[e], score) for row, e, score in ordered]
    return build_warnings(found, classifications, session, as_of), total
