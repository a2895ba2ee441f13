"""Repeat detection against a real store (SQLite always, PostgreSQL when configured):
categories stored at analysis, the two cases, ``not_effective`` marking and its history."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from tests.store_data import item, postmortem
from tracker.causes.repeats import (
    FIX_DID_NOT_HOLD,
    FOLLOW_UP_NEVER_DONE,
    analyse_postmortems,
    find_repeats,
    load_corpus,
)
from tracker.config import Settings
from tracker.ingest import ingest_document
from tracker.store import Store
from tracker.store.tables import ItemEventRow, ItemRow, PostmortemRow

T0 = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
AS_OF = date(2026, 3, 5)
SETTINGS = Settings()

CERT_1 = "The TLS certificate for checkout.example.com expired; renewal had silently failed."
CERT_2 = "Our SSL cert on the payments API lapsed over the weekend because nobody renewed it."
DISK = "The disk on the logging hosts filled up with debug logs."


def add(store: Store, key: str, cause: str | None, *items, when: date, **kw) -> None:
    pm = postmortem(key, *items, when=when, root_cause=cause, **kw)
    ingest_document(store, pm, f"hash-{key}", SETTINGS, now=T0)


def analyse(store: Store, *keys: str):
    return analyse_postmortems(store, keys, SETTINGS, as_of=AS_OF, now=T0)


def rows(store: Store) -> dict[str, PostmortemRow]:
    with store.session(write=False) as s:
        return {r.key: r for r in s.exec(select(PostmortemRow))}


def items_by_text(store: Store) -> dict[str, ItemRow]:
    with store.session(write=False) as s:
        return {i.text: i for i in s.exec(select(ItemRow))}


def test_follow_up_never_done(store: Store) -> None:
    add(
        store,
        "INC-1",
        CERT_1,
        item("Renew the certificate", done=True, due=date(2025, 6, 2)),
        item("Alert 30 days before any certificate expires", owner="bob", due=date(2025, 7, 1)),
        item("Automate renewal", owner="carol", due=date(2026, 9, 1)),
        when=date(2025, 6, 1),
    )
    add(store, "INC-2", DISK, item("Rotate logs", done=True), when=date(2025, 9, 1))
    add(store, "INC-3", CERT_2, item("Install cert-manager"), when=date(2026, 3, 1))

    warnings = analyse(store, "INC-1", "INC-2", "INC-3")

    assert [(w.key, w.earlier_key, w.kind) for w in warnings] == [
        ("INC-3", "INC-1", FOLLOW_UP_NEVER_DONE)
    ]
    w = warnings[0]
    assert w.score >= SETTINGS.causes.repeat_threshold
    assert w.category == w.earlier_category == "cert_credential"
    assert [(i.text, i.status) for i in w.items] == [
        ("Renew the certificate", "done"),
        ("Alert 30 days before any certificate expires", "overdue"),
        ("Automate renewal", "open"),
    ]
    assert (w.open_items, w.overdue_items, w.fix_held) == (2, 1, None)
    assert w.to_dict()["earlier"] == "postmortems/INC-1.md"
    # Nothing is marked when the follow-up was never finished.
    assert not any(i.not_effective for i in items_by_text(store).values())


def test_fix_did_not_hold_marks_the_earlier_items_once(store: Store) -> None:
    add(
        store,
        "INC-1",
        CERT_1,
        item("Renew the certificate", done=True),
        item("Alert before certificates expire", done=True),
        when=date(2025, 6, 1),
    )
    add(store, "INC-3", CERT_2, item("Install cert-manager"), when=date(2026, 3, 1))

    warnings = analyse(store, "INC-3")

    assert len(warnings) == 1
    w = warnings[0]
    assert (w.kind, w.fix_held, w.open_items, w.marked_not_effective) == (
        FIX_DID_NOT_HOLD,
        False,
        0,
        2,
    )
    assert all(i.not_effective for i in w.items)
    stored = items_by_text(store)
    assert stored["Renew the certificate"].not_effective
    assert stored["Alert before certificates expire"].not_effective
    assert not stored["Install cert-manager"].not_effective
    with store.session(write=False) as s:
        events = list(s.exec(select(ItemEventRow).where(ItemEventRow.event == "not_effective")))
    assert len(events) == 2
    assert json.loads(events[0].detail or "{}")["repeat"] == "INC-3"

    # Analysing again reports the repeat but neither marks nor records anything twice.
    again = analyse(store, "INC-3")
    assert [(w.kind, w.marked_not_effective) for w in again] == [(FIX_DID_NOT_HOLD, 0)]
    with store.session(write=False) as s:
        assert (
            len(list(s.exec(select(ItemEventRow).where(ItemEventRow.event == "not_effective"))))
            == 2
        )


def test_an_earlier_postmortem_without_items_is_a_follow_up_never_done(store: Store) -> None:
    add(store, "INC-1", CERT_1, when=date(2025, 6, 1))
    add(store, "INC-2", CERT_2, when=date(2026, 3, 1))
    [w] = analyse(store, "INC-2")
    assert (w.kind, w.items, w.fix_held) == (FOLLOW_UP_NEVER_DONE, (), None)


def test_categories_are_stored_for_the_analysed_postmortems(store: Store) -> None:
    add(store, "INC-1", CERT_1, when=date(2025, 6, 1))
    add(store, "INC-2", "Service was degraded for a while.", when=date(2025, 7, 1))
    add(store, "INC-3", DISK, when=date(2025, 8, 1))
    analyse(store, "INC-1", "INC-2")
    stored = rows(store)
    assert (stored["INC-1"].cause_category, stored["INC-1"].cause_source) == (
        "cert_credential",
        "classifier",
    )
    assert stored["INC-1"].cause_confidence and stored["INC-1"].cause_confidence > 0.2
    assert stored["INC-2"].cause_category == "unknown"
    assert stored["INC-3"].cause_category is None  # not asked about


def test_front_matter_read_from_the_file_overrides(store: Store, tmp_path: Path) -> None:
    """A row ingested before pmt kept front matter (NULL) reads it from its file."""
    from sqlalchemy import text

    doc = tmp_path / "INC-9.md"
    doc.write_text("---\nid: INC-9\ncause: dns\n---\n# Outage\n", encoding="utf-8")
    pm = postmortem("INC-9", when=date(2025, 6, 1), root_cause=CERT_1)
    pm.path = str(doc)
    ingest_document(store, pm, "h9", SETTINGS, now=T0)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE postmortem SET front_matter = NULL WHERE key = 'INC-9'"))
    analyse(store, "INC-9")
    row = rows(store)["INC-9"]
    assert (row.cause_category, row.cause_confidence, row.cause_source) == (
        "network_dns",
        1.0,
        "front_matter",
    )


def test_later_postmortems_are_not_earlier_repeats(store: Store) -> None:
    """A backfilled old postmortem does not 'repeat' a newer one."""
    add(store, "NEW", CERT_2, when=date(2026, 3, 1))
    add(store, "OLD", CERT_1, when=date(2025, 6, 1))
    assert analyse(store, "OLD") == []
    assert [w.earlier_key for w in analyse(store, "NEW")] == ["OLD"]


def test_find_repeats_is_read_only(store: Store) -> None:
    add(store, "INC-1", CERT_1, item("Renew", done=True), when=date(2025, 6, 1))
    add(store, "INC-2", CERT_2, when=date(2026, 3, 1))
    with store.session(write=False) as s:
        corpus = load_corpus(s, SETTINGS)
        [w] = find_repeats(corpus, s, ["INC-2"], SETTINGS, AS_OF)
    assert w.kind == FIX_DID_NOT_HOLD
    assert not items_by_text(store)["Renew"].not_effective
    assert rows(store)["INC-2"].cause_category is None


@pytest.mark.parametrize("keys", [[], ["NO-SUCH-KEY"]])
def test_nothing_to_analyse(store: Store, keys: list[str]) -> None:
    add(store, "INC-1", CERT_1, when=date(2025, 6, 1))
    assert analyse_postmortems(store, keys, SETTINGS) == []
