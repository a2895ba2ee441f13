"""Incremental repeat detection (SQLite always, PostgreSQL when configured): the features of a
postmortem are stored once, a new postmortem reads only its candidates, and rows written
before the features existed are filled in when first needed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlmodel import select

from tests.store_data import item, postmortem
from tracker.causes.features import STATS
from tracker.causes.repeats import FIX_DID_NOT_HOLD, MAX_EARLIER, analyse_postmortems
from tracker.config import Settings
from tracker.ingest import ingest_document
from tracker.migrations import HEAD
from tracker.store import Store
from tracker.store.tables import PostmortemRow

T0 = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
AS_OF = date(2026, 3, 5)
SETTINGS = Settings()

CERT_1 = "The TLS certificate for checkout.example.com expired; renewal had silently failed."
CERT_2 = "Our SSL cert on the payments API lapsed over the weekend because nobody renewed it."
OTHERS = [
    "The disk on the logging hosts filled up with debug logs.",
    "A leap second made the NTP clients spin and the JVMs hung.",
    "A bad configuration was pushed to all regions at once without a canary.",
    "Replication lag on the database replica served stale reads after failover.",
    "A retry storm without backoff overloaded the API after a brief blip.",
    "The DNS record for the API was deleted by a Terraform change.",
]


def add(
    store: Store, key: str, cause: str | None, *items, when: date, digest: str | None = None
) -> None:
    pm = postmortem(key, *items, when=when, root_cause=cause)
    ingest_document(store, pm, digest or f"hash-{key}", SETTINGS, now=T0)


def analyse(store: Store, *keys: str):
    return analyse_postmortems(store, keys, SETTINGS, as_of=AS_OF, now=T0)


def row(store: Store, key: str) -> PostmortemRow:
    with store.session(write=False) as s:
        return s.exec(select(PostmortemRow).where(PostmortemRow.key == key)).one()


def test_features_are_stored_and_repeats_found_after_reopening(store: Store) -> None:
    add(store, "INC-1", CERT_1, item("Renew the certificate", done=True), when=date(2025, 6, 1))
    assert analyse(store, "INC-1") == []
    stored = row(store, "INC-1")
    assert stored.cause_features_of == "hash-INC-1"
    assert "|cert_expired|" in (stored.cause_mechanisms or "")
    assert "|m:cert_expired|" in (stored.cause_keys or "")
    assert "certificat" in (stored.cause_norm or "")
    store.dispose()

    reopened = Store(store.url)
    try:
        add(reopened, "INC-2", CERT_2, when=date(2026, 3, 1))
        STATS.clear()
        [w] = analyse(reopened, "INC-2")
        assert (w.key, w.earlier_key, w.kind) == ("INC-2", "INC-1", FIX_DID_NOT_HOLD)
        assert w.score >= SETTINGS.causes.repeat_threshold
        # Only the new postmortem's text was read; INC-1's features came from its row.
        assert STATS["features_computed"] == 1
    finally:
        reopened.dispose()


def test_one_new_postmortem_reads_a_bounded_number_of_texts(store: Store) -> None:
    keys = []
    for k in range(30):
        key = f"OLD-{k}"
        add(store, key, OTHERS[k % len(OTHERS)] if k % 10 else CERT_1, when=date(2025, 1, 1 + k))
        keys.append(key)
    analyse(store, *keys)

    add(store, "NEW-1", CERT_2, when=date(2026, 3, 1))
    STATS.clear()
    warnings = analyse(store, "NEW-1")
    assert {w.earlier_key for w in warnings} == {"OLD-20", "OLD-10", "OLD-0"}
    assert len(warnings) <= MAX_EARLIER
    # The new postmortem's own text, and nothing else of the 30; its front matter comes from
    # the store, not from its file.
    assert STATS["features_computed"] == 1
    assert STATS["front_matter_reads"] == 0


def test_a_changed_postmortem_gets_new_features(store: Store) -> None:
    add(store, "INC-1", OTHERS[0], when=date(2025, 6, 1))
    analyse(store, "INC-1")
    # The file changed (new cause, new hash) and was ingested without an analysis.
    add(store, "INC-1", CERT_1, when=date(2025, 6, 1), digest="hash-INC-1-v2")
    add(store, "INC-2", CERT_2, when=date(2026, 3, 1))
    STATS.clear()
    [w] = analyse(store, "INC-2")
    assert w.earlier_key == "INC-1"
    assert STATS["features_computed"] == 2
    assert row(store, "INC-1").cause_features_of == "hash-INC-1-v2"


def test_a_row_from_before_the_features_is_filled_in_and_matched(empty_database_url: str) -> None:
    old = Store(empty_database_url, migrate=False)
    try:
        old.upgrade("0001")
        with old.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO postmortem (key, path, title, incident_date, root_cause, content_hash, "
                    "created_at, updated_at) VALUES ('OLD-1', 'old.md', 'Cert outage', :d, :c, 'h1', :t, :t)"
                ),
                {"d": date(2025, 5, 1), "c": CERT_1, "t": datetime(2025, 5, 2, tzinfo=UTC)},
            )
    finally:
        old.dispose()

    store = Store(empty_database_url)
    try:
        assert store.revision() == HEAD
        before = row(store, "OLD-1")
        assert (before.key, before.root_cause) == ("OLD-1", CERT_1)
        assert before.cause_norm is None and before.cause_keys is None
        add(store, "NEW-1", CERT_2, when=date(2026, 3, 1))
        STATS.clear()
        [w] = analyse(store, "NEW-1")
        assert (w.earlier_key, w.earlier_path) == ("OLD-1", "old.md")
        # The old row had no category stored: it is classified for the warning.
        assert w.earlier_category == "cert_credential"
        assert STATS["features_computed"] == 2
        after = row(store, "OLD-1")
        assert after.cause_features_of == "h1" and after.cause_day == "2025-05-01"
        assert "|m:cert_expired|" in (after.cause_keys or "")
        # Filled in once: the next analysis reads nothing of it.
        add(store, "NEW-2", CERT_2 + " Again.", when=date(2026, 3, 2))
        STATS.clear()
        analyse(store, "NEW-2")
        assert STATS["features_computed"] == 1
    finally:
        store.dispose()


def test_front_matter_kept_at_ingest_overrides_the_classifier_without_reading_the_file(
    store: Store,
) -> None:
    pm = postmortem("FM-1", when=date(2026, 2, 1), root_cause=CERT_1)
    pm.front_matter = {"cause": "dns", "date": date(2026, 2, 1)}
    ingest_document(store, pm, "hash-FM-1", SETTINGS, now=T0)
    assert row(store, "FM-1").front_matter == '{"cause": "dns", "date": "2026-02-01"}'
    STATS.clear()
    analyse(store, "FM-1")
    assert STATS["front_matter_reads"] == 0
    stored = row(store, "FM-1")
    assert (stored.cause_category, stored.cause_source) == ("network_dns", "front_matter")


def test_a_changed_front_matter_cause_is_a_change(store: Store) -> None:
    pm = postmortem("FM-2", when=date(2026, 2, 1), root_cause=CERT_1)
    ingest_document(store, pm, "hash-FM-2", SETTINGS, now=T0)
    pm.front_matter = {"cause": "dns"}
    result = ingest_document(store, pm, "hash-FM-2-v2", SETTINGS, now=T0)
    assert result.status == "updated"
