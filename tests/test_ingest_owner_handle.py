"""Ingest stores whether an owner was written as a handle, and a change of that alone is a
change of the item, recorded like an owner change."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlmodel import select

from tests.store_data import item, postmortem
from tracker.config import Settings
from tracker.ingest import ingest_document
from tracker.queries import items_of
from tracker.store import Store
from tracker.store.tables import ItemEventRow

T0 = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)


def test_the_handle_flag_is_stored_and_its_change_is_an_update(store: Store) -> None:
    plain = postmortem("INC-1", item("Add alerting", owner="lena-k"), item("Fix the runbook"))
    ingest_document(store, plain, "h1", Settings(), now=T0)
    handle = postmortem(
        "INC-1", item("Add alerting", owner="lena-k", owner_handle=True), item("Fix the runbook")
    )

    result = ingest_document(store, handle, "h2", Settings(), now=T1)

    assert result.status == "updated"
    with store.session(write=False) as s:
        first, second = items_of(s, "INC-1")
        events = s.scalars(
            select(ItemEventRow).where(ItemEventRow.item_id == first.id).order_by(ItemEventRow.id)
        ).all()
    assert (first.owner, first.owner_handle, first.updated_at) == ("lena-k", True, T1)
    assert (second.owner_handle, second.updated_at) == (False, T0)
    assert [e.event for e in events] == ["created", "updated"]
    assert json.loads(events[1].detail or "") == {"owner_handle": [False, True]}


def test_a_new_item_written_with_a_handle_is_stored_so(store: Store) -> None:
    pm = postmortem("INC-1", item("Add alerting", owner="lena-k", owner_handle=True))
    ingest_document(store, pm, "h1", Settings(), now=T0)
    with store.session(write=False) as s:
        (row,) = items_of(s, "INC-1")
    assert (row.owner, row.owner_handle) == ("lena-k", True)
