"""Repeats kept in the store (SQLite always, PostgreSQL when configured): what the search
found is stored with the later postmortem, read back by ``pmt causes`` for its period only,
searched again when an earlier postmortem arrives late or a text changes, and searched on
first use in a store that never kept them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlmodel import select

from tests.store_data import item, postmortem
from tracker.causes.features import STATS
from tracker.causes.repeats import analyse_postmortems
from tracker.causes.report import Period, causes_report
from tracker.config import Settings
from tracker.ingest import ingest_document
from tracker.store import Store
from tracker.store.tables import CauseRepeatRow, PostmortemRow

T0 = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
AS_OF = date(2026, 3, 5)
SETTINGS = Settings()
CERT_1 = "The TLS certificate for checkout.example.com expired; renewal had silently failed."
CERT_2 = "Our SSL cert on the payments API lapsed over the weekend because nobody renewed it."
DISK = "The disk on the logging hosts filled up with debug logs."


def add(store: Store, key: str, cause: str, *items, when: date, digest: str | None = None) -> None:
    pm = postmortem(key, *items, when=when, root_cause=cause)
    ingest_document(store, pm, digest or f"hash-{key}", SETTINGS, now=T0)


def analyse(store: Store, *keys: str):
    return analyse_postmortems(store, keys, SETTINGS, as_of=AS_OF, now=T0)


def stored_pairs(store: Store) -> set[tuple[str, str]]:
    with store.session(write=False) as s:
        key = {row.id: row.key for row in s.exec(select(PostmortemRow))}
        return {(key[r.postmortem_id], key[r.earlier_id]) for r in s.exec(select(CauseRepeatRow))}


def report(store: Store, since: date, until: date):
    return causes_report(store, SETTINGS, Period(since, until), AS_OF)


def test_what_the_search_finds_is_stored_and_read_back(store: Store) -> None:
    add(store, "OLD", CERT_1, item("Renew the certificate"), when=date(2025, 6, 1))
    add(store, "NEW", CERT_2, when=date(2026, 3, 1))
    [w] = analyse(store, "OLD", "NEW")
    assert stored_pairs(store) == {("NEW", "OLD")}
    got = report(store, date(2026, 1, 1), date(2026, 3, 31))
    [pair] = got.pairs
    assert (pair.key, pair.earlier_key, pair.kind) == ("NEW", "OLD", w.kind)
    assert pair.score == round(w.score, 6) or abs(pair.score - w.score) < 1e-6
    assert [i.text for i in pair.items] == ["Renew the certificate"]


def test_an_earlier_postmortem_ingested_late_is_found_by_the_later_one(store: Store) -> None:
    add(store, "NEW", CERT_2, when=date(2026, 3, 1))
    add(store, "OTHER", DISK, when=date(2026, 2, 1))
    assert analyse(store, "NEW", "OTHER") == []
    # The older postmortem arrives afterwards (a backfill): the later one is searched again.
    add(store, "OLD", CERT_1, when=date(2025, 6, 1))
    assert analyse(store, "OLD") == []  # no warning: OLD repeats nothing earlier
    assert stored_pairs(store) == {("NEW", "OLD")}
    [pair] = report(store, date(2026, 1, 1), date(2026, 3, 31)).pairs
    assert (pair.key, pair.earlier_key) == ("NEW", "OLD")


def test_a_changed_text_replaces_the_stored_repeats(store: Store) -> None:
    add(store, "OLD", CERT_1, when=date(2025, 6, 1))
    add(store, "NEW", CERT_2, when=date(2026, 3, 1))
    analyse(store, "OLD", "NEW")
    assert stored_pairs(store) == {("NEW", "OLD")}
    # The earlier one's cause is rewritten: the later one no longer repeats it.
    add(store, "OLD", DISK, when=date(2025, 6, 1), digest="hash-OLD-v2")
    analyse(store, "OLD")
    assert stored_pairs(store) == set()
    assert report(store, date(2026, 1, 1), date(2026, 3, 31)).pairs == []


def test_causes_analyses_only_its_two_periods(store: Store) -> None:
    # Nothing analysed: written by ingest_document alone, as in a store older than this.
    add(store, "LONG-AGO", DISK, when=date(2024, 1, 1))
    add(store, "OLD", CERT_1, when=date(2026, 1, 10))
    add(store, "NEW", CERT_2, when=date(2026, 3, 1))
    got = report(store, date(2026, 2, 1), date(2026, 3, 31))
    assert [(p.key, p.earlier_key) for p in got.pairs] == [("NEW", "OLD")]
    with store.session(write=False) as s:
        category = {row.key: row.cause_category for row in s.exec(select(PostmortemRow))}
    # NEW (the period) and OLD (the previous period) got their categories; LONG-AGO was
    # not classified, only described for the search.
    assert category["NEW"] == category["OLD"] == "cert_credential"
    assert category["LONG-AGO"] is None
    # Asked again: everything is read from the store.
    STATS.clear()
    assert [
        (p.key, p.earlier_key) for p in report(store, date(2026, 2, 1), date(2026, 3, 31)).pairs
    ] == [("NEW", "OLD")]
    assert STATS["features_computed"] == 0


def test_a_removed_earlier_postmortem_is_not_reported(store: Store) -> None:
    add(store, "OLD", CERT_1, when=date(2025, 6, 1))
    add(store, "NEW", CERT_2, when=date(2026, 3, 1))
    analyse(store, "OLD", "NEW")
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE postmortem SET removed_at = :t WHERE key = 'OLD'"), {"t": T0})
    assert report(store, date(2026, 1, 1), date(2026, 3, 31)).pairs == []


def test_a_new_threshold_makes_the_stored_search_stale(store: Store) -> None:
    add(store, "OLD", CERT_1, when=date(2025, 6, 1))
    add(store, "NEW", CERT_2, when=date(2026, 3, 1))
    analyse(store, "OLD", "NEW")
    strict = Settings(causes={"repeat_threshold": 0.99})
    got = causes_report(store, strict, Period(date(2026, 1, 1), date(2026, 3, 31)), AS_OF)
    assert got.pairs == []
    assert stored_pairs(store) == set()
