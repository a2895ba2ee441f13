"""What repeat detection needs of one postmortem, computed once and kept in its row.

Reading the lexicon and normalising a cause costs 1-2 ms a postmortem; doing it for the whole
store on every ``pmt ingest`` made one new file cost seconds in a big store. So the features
are stored in the ``postmortem`` row (``cause_*`` columns) when a postmortem is analysed, and
rows that have none yet (written before the columns existed, or changed since: the content
hash they were computed from differs) are computed the first time the analysis needs them.

``STATS`` counts the expensive work (features computed, front matter read from files) so that
tests can check that one new postmortem does not re-read the store.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from tracker.causes.evidence import cause_text, text_evidence
from tracker.causes.normalise import normalise
from tracker.causes.vectors import word_terms

if TYPE_CHECKING:
    from tracker.store.tables import PostmortemRow

# Cause text compared: the sentence and the start of the section.
SIMILARITY_DETAIL_CHARS = 300

STATS: Counter[str] = Counter()


def pack(values: Iterable[str]) -> str:
    """``|a|b|``: every value is found by ``LIKE '%|a|%'`` (values hold no ``|``)."""
    return "|" + "".join(f"{v}|" for v in values)


def unpack(text: str | None) -> list[str]:
    return [v for v in (text or "").split("|") if v]


def similarity_text(root_cause: str | None, detail: str | None) -> str:
    sentence, rest = cause_text(root_cause, detail)
    return f"{sentence} {rest[:SIMILARITY_DETAIL_CHARS]}".strip()


class Described(Protocol):
    """What the features of a postmortem are computed from: a stored row, or its columns."""

    @property
    def content_hash(self) -> str | None: ...
    @property
    def incident_date(self) -> date | None: ...
    @property
    def created_at(self) -> datetime: ...


def day_of(row: Described) -> str:
    return (row.incident_date or row.created_at.date()).isoformat()


@dataclass(frozen=True, slots=True)
class Features:
    mechanisms: frozenset[str]
    norm: str
    terms: Counter[str]


def compute(
    root_cause: str | None, detail: str | None, mechanisms: frozenset[str] | None = None
) -> Features:
    """The features of a cause text (the mechanisms without any front-matter text; pass them
    when the caller has just read them)."""
    STATS["features_computed"] += 1
    if mechanisms is None:
        mechanisms = frozenset(text_evidence(root_cause, detail).mechanisms)
    norm = normalise(similarity_text(root_cause, detail))
    return Features(mechanisms, norm, word_terms(norm))


def is_current(row: PostmortemRow) -> bool:
    return (
        row.cause_norm is not None
        and row.cause_features_of == row.content_hash
        and row.cause_keys is not None
    )


def columns(row: Described, features: Features) -> dict[str, str | None]:
    """The ``cause_*`` columns that keep ``features`` in ``row``. Its index keys are cleared:
    they are chosen from the features once the store's term counts hold them
    (``tracker.causes.index_keys``), and a row without keys is not current."""
    return {
        "cause_features_of": row.content_hash,
        "cause_day": day_of(row),
        "cause_mechanisms": pack(sorted(features.mechanisms)),
        "cause_norm": features.norm,
        "cause_terms": pack(sorted(features.terms)),
        "cause_keys": None,
    }
