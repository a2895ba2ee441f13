"""Upserting parsed postmortems: identity over edits, history events, deadlines, races."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime

from sqlmodel import select

from tests.store_data import item, postmortem
from tracker.config import Settings
from tracker.ingest import ingest_document
from tracker.queries import items_of, record_link
from tracker.store import Store
from tracker.store.tables import ItemEventRow, ItemRow, PostmortemRow

T0 = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)


def events(store: Store, uid: str) -> list[str]:
    with store.session(write=False) as s:
        row = s.scalars(select(ItemRow).where(ItemRow.uid == uid)).one()
        evs = s.scalars(
            select(ItemEventRow).where(ItemEventRow.item_id == row.id).order_by(ItemEventRow.id)
        )
        return [e.event for e in evs]


def rows(store: Store, key: str = "INC-1") -> list[ItemRow]:
    with store.session(write=False) as s:
        return items_of(s, key)


def test_new_postmortem_creates_rows_and_events(store: Store) -> None:
    pm = postmortem(
        "INC-1",
        item("Add alerting on disk usage", owner="alice", priority="P1"),
        item("Fix the runbook", due=date(2026, 4, 1), done=True),
        severity="SEV2",
        root_cause="A full disk",
    )
    result = ingest_document(store, pm, "h1", Settings(), now=T0)
    assert result.status == "new" and result.key == "INC-1"
    assert [i.text for _uid, i in result.items] == ["Add alerting on disk usage", "Fix the runbook"]
    first, second = rows(store)
    # P1 without a due date: incident date + 28 days, marked implicit.
    assert (first.due, first.due_implicit, first.status, first.owner) == (
        date(2026, 3, 30),
        True,
        "open",
        "alice",
    )
    assert (second.due, second.due_implicit, second.status, second.done) == (
        date(2026, 4, 1),
        False,
        "done",
        True,
    )
    assert second.closed_at is None  # done before pmt saw it: when is unknown
    assert first.created_at == T0
    assert events(store, first.uid) == ["created"]
    with store.session(write=False) as s:
        pm_row = s.scalars(select(PostmortemRow)).one()
    assert (pm_row.severity, pm_row.root_cause, pm_row.content_hash, pm_row.incident_date) == (
        "SEV2",
        "A full disk",
        "h1",
        date(2026, 3, 2),
    )


def test_same_hash_is_unchanged(store: Store) -> None:
    pm = postmortem("INC-1", item("Add alerting"))
    first = ingest_document(store, pm, "h1", Settings(), now=T0)
    again = ingest_document(store, pm, "h1", Settings(), now=T1)
    assert again.status == "unchanged"
    assert [u for u, _ in again.items] == [u for u, _ in first.items]
    assert rows(store)[0].updated_at == T0


def test_edits_keep_identity_and_record_history(store: Store) -> None:
    v1 = postmortem(
        "INC-1",
        item("Add alerting on disk usage for db hosts", priority="P2"),
        item("Fix the failover runbook"),
        item("Rotate the leaked key", priority="P0"),
    )
    uids = {i.text: u for u, i in ingest_document(store, v1, "h1", Settings(), now=T0).items}
    v2 = postmortem(
        "INC-1",
        item("Rotate the leaked key", priority="P0", done=True),  # moved up and done
        item("Add alerts on disk usage for the db hosts", priority="P2", owner="bob"),  # reworded
        item("Write a capacity plan"),  # new
    )  # "Fix the failover runbook" deleted
    result = ingest_document(store, v2, "h2", Settings(), now=T1)
    assert result.status == "updated"
    got = [u for u, _ in result.items]
    assert got[0] == uids["Rotate the leaked key"]
    assert got[1] == uids["Add alerting on disk usage for db hosts"]
    assert got[2] not in uids.values()
    assert events(store, got[0]) == ["created", "closed"]
    assert events(store, got[1]) == ["created", "updated"]
    removed = uids["Fix the failover runbook"]
    assert events(store, removed) == ["created", "removed"]
    by_uid = {r.uid: r for r in rows(store)}
    assert by_uid[got[0]].closed_at == T1 and by_uid[got[0]].status == "done"
    assert by_uid[removed].status == "removed" and by_uid[removed].removed_at == T1
    assert by_uid[got[1]].owner == "bob"
    assert len(by_uid) == 4  # nothing deleted

    # v3: the deleted item comes back, the done one is unticked.
    v3 = postmortem(
        "INC-1",
        item("Rotate the leaked key", priority="P0", done=False),
        item("Add alerts on disk usage for the db hosts", priority="P2", owner="bob"),
        item("Write a capacity plan"),
        item("Fix the failover runbook"),
    )
    result = ingest_document(store, v3, "h3", Settings(), now=T1)
    assert [u for u, _ in result.items][3] == removed
    assert events(store, removed) == ["created", "removed", "restored"]
    assert events(store, got[0]) == ["created", "closed", "reopened"]
    by_uid = {r.uid: r for r in rows(store)}
    assert by_uid[removed].status == "open" and by_uid[removed].removed_at is None
    assert by_uid[got[0]].closed_at is None
    assert len(by_uid) == 4


def test_due_change_is_recorded(store: Store) -> None:
    ingest_document(
        store, postmortem("INC-1", item("Add alerting", priority="P1")), "h1", Settings(), now=T0
    )
    ingest_document(
        store,
        postmortem("INC-1", item("Add alerting", priority="P1", due=date(2026, 5, 1))),
        "h2",
        Settings(),
        now=T1,
    )
    (row,) = rows(store)
    assert (row.due, row.due_implicit) == (date(2026, 5, 1), False)
    with store.session(write=False) as s:
        ev = s.scalars(select(ItemEventRow).where(ItemEventRow.event == "due_changed")).one()
    assert json.loads(ev.detail or "{}") == {
        "from": "2026-03-30",
        "to": "2026-05-01",
        "implicit": False,
    }


def test_deadline_policy_is_configurable(store: Store) -> None:
    settings = Settings(deadlines={"P0": 2, "default": 10})
    pm = postmortem(
        "INC-1", item("Now", priority="P0"), item("Whenever"), item("Later", priority="P4")
    )
    ingest_document(store, pm, "h", settings, now=T0)
    assert [r.due for r in rows(store)] == [date(2026, 3, 4), date(2026, 3, 12), date(2026, 5, 31)]


def test_undated_incident_counts_from_first_ingest(store: Store) -> None:
    pm = postmortem("INC-1", item("Add alerting", priority="P0"), when=None)
    result = ingest_document(store, pm, "h1", Settings(), now=T0)
    assert result.notes == [
        "no incident date: implicit due dates are counted from the first ingest, 2026-03-05"
    ]
    assert rows(store)[0].due == date(2026, 3, 12)
    # Edited a week later: the deadline does not move.
    pm2 = postmortem("INC-1", item("Add alerting", priority="P0"), item("More"), when=None)
    ingest_document(store, pm2, "h2", Settings(), now=T1)
    assert rows(store)[0].due == date(2026, 3, 12)


def test_linked_ticket_anchors_item_through_a_rewrite(store: Store) -> None:
    result = ingest_document(
        store, postmortem("INC-1", item("Add alerting")), "h1", Settings(), now=T0
    )
    uid = result.items[0][0]
    with store.session() as s:
        row = items_of(s, "INC-1")[0]
        record_link(
            s,
            row.id,
            row.postmortem_id,
            "github",
            "acme/ops#7",
            "https://github.com/acme/ops/issues/7",
        )
    rewritten = postmortem("INC-1", item("Page the on-call when the queue backs up", ticket="#7"))
    again = ingest_document(store, rewritten, "h2", Settings(), now=T1)
    assert again.items[0][0] == uid
    assert events(store, uid) == ["created", "ticket_linked", "ticket_linked", "updated"]


def test_concurrent_ingests_of_one_postmortem_converge(store: Store) -> None:
    """Threads racing on the same new document: one set of rows, no duplicate."""
    other = Store(store.url)
    pm = postmortem("INC-9", *(item(f"Action number {n}", line=n) for n in range(20)))
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def run(target: Store) -> None:
        try:
            barrier.wait()
            ingest_document(target, pm, "same", Settings())
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in (store, other, store, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.dispose()
    assert errors == []
    with store.session(write=False) as s:
        assert len(s.scalars(select(PostmortemRow)).all()) == 1
        assert len(s.scalars(select(ItemRow)).all()) == 20
        assert len(s.scalars(select(ItemEventRow)).all()) == 20
