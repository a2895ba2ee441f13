"""The planner's rules, one row per situation (sync.plan is pure: no tracker, store or file)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from sync.base import RemoteTicket, TicketDraft
from sync.markers import Marker
from sync.plan import (
    ADOPTED,
    REMOVED_PREFIX,
    LinkState,
    PlanInput,
    PlanItem,
    build_plan,
    summary,
    tracking_hash,
)
from tests.fakes import FakeBackend

PM = "2026-01-03-db"
BACKEND = FakeBackend()


def draft(uid: str, text: str = "Add alerting on queue depth", **kw: Any) -> TicketDraft:
    return TicketDraft(marker=Marker(PM, uid), text=text, **kw)


def item(uid: str = "a1", status: str = "open", **kw: Any) -> PlanItem:
    return PlanItem(
        uid=uid, text=kw.pop("text", "Add alerting on queue depth"), status=status, line=12, **kw
    )


def remote(number: int, uid: str | None = "a1", state: str = "open") -> RemoteTicket:
    key = f"acme/ops#{number}"
    return RemoteTicket(
        key=key,
        url=BACKEND.url_for(key),
        title="t",
        state=state,  # type: ignore[arg-type]
        marker=Marker(PM, uid) if uid else None,
    )


def link(number: int, synced: str | None, state: str = "open") -> LinkState:
    key = f"acme/ops#{number}"
    return LinkState(key=key, url=BACKEND.url_for(key), synced_hash=synced, state=state)


D = draft("a1")
FP = D.fingerprint()


def plan_kinds(data: PlanInput) -> list[tuple[str, str | None]]:
    plan = build_plan(data, BACKEND.parse_ref, BACKEND.url_for)
    return [(a.kind, a.key) for a in plan.actions]


def make(items: list[PlanItem], **kw: Any) -> PlanInput:
    drafts = kw.pop("drafts", {i.uid: replace(D, marker=Marker(PM, i.uid)) for i in items})
    return PlanInput(
        postmortem_key=PM, path="pm.md", tracker="github", items=items, drafts=drafts, **kw
    )


CASES: list[tuple[str, PlanInput, list[tuple[str, str | None]]]] = [
    (
        "new item: create and write the link back",
        make([item()]),
        [("create", None), ("writeback", None)],
    ),
    ("new item, write-back off", make([item()], writeback=False), [("create", None)]),
    (
        "linked, nothing changed",
        make([item(ticket="#5")], links={"a1": link(5, FP)}, remote={"acme/ops#5": remote(5)}),
        [("unchanged", "acme/ops#5")],
    ),
    (
        "linked, text changed: update",
        make([item(ticket="#5")], links={"a1": link(5, "old-fingerprint")}),
        [("update", "acme/ops#5")],
    ),
    (
        "linked but the line lacks the link: write it back",
        make([item()], links={"a1": link(5, FP)}),
        [("unchanged", "acme/ops#5"), ("writeback", "acme/ops#5")],
    ),
    (
        "reference to a ticket of this tracker: link it, never create",
        make([item(ticket="#40")], remote={"acme/ops#40": remote(40, uid=None)}),
        [("link_existing", "acme/ops#40")],
    ),
    (
        "reference as a URL",
        make(
            [item(ticket="https://github.com/acme/ops/issues/40")],
            remote={"acme/ops#40": remote(40, uid=None)},
        ),
        [("link_existing", "acme/ops#40")],
    ),
    (
        "reference the tracker does not know: skipped, not created",
        make([item(ticket="#404")]),
        [("skip", "acme/ops#404")],
    ),
    (
        "reference to another tracker: tracked elsewhere",
        make([item(ticket="OPS-12")]),
        [("skip", None)],
    ),
    (
        "no link but a ticket with the marker: adopt (crash recovery)",
        make([item()], remote={"acme/ops#9": remote(9)}),
        [("adopt", "acme/ops#9"), ("writeback", "acme/ops#9")],
    ),
    (
        "a marker of another postmortem is not adopted",
        make(
            [item()],
            remote={
                "acme/ops#9": replace(remote(9), marker=Marker("other-pm", "a1")),
            },
        ),
        [("create", None), ("writeback", None)],
    ),
    (
        "adopted last time, never updated: update",
        make([item(ticket="#9")], links={"a1": link(9, ADOPTED)}),
        [("update", "acme/ops#9")],
    ),
    ("done before it had a ticket: skip", make([item(status="done", done=True)]), [("skip", None)]),
    (
        "removed from the document: mark once",
        make([item(status="removed", ticket="#5")], links={"a1": link(5, FP)}),
        [("removed", "acme/ops#5")],
    ),
    (
        "removed and already marked: nothing",
        make([item(status="removed", ticket="#5")], links={"a1": link(5, REMOVED_PREFIX + FP)}),
        [],
    ),
    ("removed, never ticketed: nothing", make([item(status="removed")]), []),
    (
        "back in the document after removal: update (drops the label)",
        make([item(ticket="#5")], links={"a1": link(5, REMOVED_PREFIX + FP)}),
        [("update", "acme/ops#5")],
    ),
    (
        "a ticket pmt did not make is followed, never rewritten",
        make([item(ticket="#40", text="Something else")], links={"a1": link(40, None)}),
        [("unchanged", "acme/ops#40")],
    ),
    (
        "document names another ticket than the link: link kept, nothing written",
        make([item(ticket="#77")], links={"a1": link(5, FP)}),
        [("unchanged", "acme/ops#5")],
    ),
    ("item without a line: no write-back", make([replace(item(), line=None)]), [("create", None)]),
]


@pytest.mark.parametrize("data,expected", [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_plan_rules(data: PlanInput, expected: list[tuple[str, str | None]]) -> None:
    assert plan_kinds(data) == expected


MISMATCH = [
    # (setting, item status, item box, ticket state, expected resolution or None)
    ("report", "done", True, "open", ("item_done_ticket_open", "report")),
    ("close_ticket", "done", True, "open", ("item_done_ticket_open", "close")),
    ("update_box", "done", True, "open", ("item_done_ticket_open", "report")),
    ("close_ticket", "done", True, "in_progress", ("item_done_ticket_open", "close")),
    ("report", "open", False, "closed", ("ticket_closed_item_open", "report")),
    ("update_box", "open", False, "closed", ("ticket_closed_item_open", "check_box")),
    ("update_box", "open", None, "closed", ("ticket_closed_item_open", "report")),
    ("close_ticket", "open", False, "closed", ("ticket_closed_item_open", "report")),
    ("update_box", "done", True, "closed", None),
    ("close_ticket", "open", False, "open", None),
]


@pytest.mark.parametrize("setting,status,box,state,expected", MISMATCH)
def test_done_mismatch_follows_the_setting(
    setting: str, status: str, box: bool | None, state: str, expected: tuple[str, str] | None
) -> None:
    data = make(
        [item(status=status, done=box, ticket="#5")],
        links={"a1": link(5, FP)},
        remote={"acme/ops#5": remote(5, state=state)},
        on_done_mismatch=setting,
        drafts={"a1": D},
    )
    plan = build_plan(data, BACKEND.parse_ref, BACKEND.url_for)
    found = [(a.mismatch, a.resolution) for a in plan.actions if a.kind == "done_mismatch"]
    assert found == ([expected] if expected else [])
    writes = {a.kind: a.writes for a in plan.actions}
    if expected:
        assert writes["done_mismatch"] is (expected[1] != "report")


def test_done_mismatch_on_an_existing_ticket_being_linked() -> None:
    data = make(
        [item(status="done", done=True, ticket="#40")],
        remote={"acme/ops#40": remote(40, uid=None, state="open")},
        on_done_mismatch="close_ticket",
    )
    plan = build_plan(data, BACKEND.parse_ref, BACKEND.url_for)
    assert [(a.kind, a.resolution) for a in plan.actions] == [
        ("link_existing", None),
        ("done_mismatch", "close"),
    ]


def test_box_is_not_checked_when_write_back_is_off() -> None:
    data = make(
        [item(done=False, ticket="#5")],
        links={"a1": link(5, FP)},
        remote={"acme/ops#5": remote(5, state="closed")},
        on_done_mismatch="update_box",
        writeback=False,
    )
    plan = build_plan(data, BACKEND.parse_ref, BACKEND.url_for)
    assert [(a.kind, a.resolution) for a in plan.actions] == [
        ("unchanged", None),
        ("done_mismatch", "report"),
    ]
    assert not plan.writes


TRACKING = TicketDraft(
    marker=Marker(PM, "~tracking"), text="Postmortem follow-ups: DB", role="tracking"
)


def test_tracking_ticket_is_created_first_and_children_attached_last() -> None:
    data = make([item("a1"), item("a2")], tracking_draft=TRACKING)
    kinds = plan_kinds(data)
    assert kinds[0] == ("create", None)
    assert kinds[-1] == ("attach", None)
    assert [k for k, _ in kinds].count("create") == 3


def test_tracking_unchanged_and_children_attached_plans_nothing_to_write() -> None:
    d1, d2 = draft("a1"), draft("a2")
    data = make(
        [item("a1", ticket="#5"), item("a2", ticket="#6")],
        drafts={"a1": d1, "a2": d2},
        links={"a1": link(5, d1.fingerprint()), "a2": link(6, d2.fingerprint())},
        tracking_draft=TRACKING,
        tracking_link=link(4, tracking_hash(TRACKING.fingerprint(), ["acme/ops#5", "acme/ops#6"])),
    )
    plan = build_plan(data, BACKEND.parse_ref, BACKEND.url_for)
    assert not plan.writes
    assert [a.kind for a in plan.actions] == ["unchanged", "unchanged", "unchanged"]


def test_a_new_child_is_attached_to_the_existing_tracking_ticket() -> None:
    d1 = draft("a1")
    data = make(
        [item("a1", ticket="#5"), item("a2")],
        drafts={"a1": d1, "a2": draft("a2")},
        links={"a1": link(5, d1.fingerprint())},
        tracking_draft=TRACKING,
        tracking_link=link(4, tracking_hash(TRACKING.fingerprint(), ["acme/ops#5"])),
    )
    kinds = plan_kinds(data)
    assert kinds == [
        ("unchanged", "acme/ops#4"),
        ("unchanged", "acme/ops#5"),
        ("create", None),
        ("writeback", None),
        ("attach", "acme/ops#4"),
    ]


def test_no_tracking_ticket_for_a_postmortem_without_tickets() -> None:
    data = make([item(status="done", done=True)], tracking_draft=TRACKING)
    assert plan_kinds(data) == [("skip", None)]


def test_orphan_tracking_ticket_is_adopted() -> None:
    orphan = replace(remote(3, uid="~tracking"))
    data = make([item()], tracking_draft=TRACKING, remote={"acme/ops#3": orphan})
    assert plan_kinds(data)[0] == ("adopt", "acme/ops#3")


def test_jira_keys_plan_the_same_way() -> None:
    jira = FakeBackend("jira")
    data = replace(
        make([item(ticket="OPS-7"), item("a2", ticket="#12")]),
        tracker="jira",
        remote={
            "OPS-7": RemoteTicket(key="OPS-7", url=jira.url_for("OPS-7"), title="t", state="open"),
        },
    )
    plan = build_plan(data, jira.parse_ref, jira.url_for)
    assert [(a.kind, a.key) for a in plan.actions] == [("link_existing", "OPS-7"), ("skip", None)]


def test_plan_rows_and_summary_are_json_ready() -> None:
    import json

    plan = build_plan(make([item()]), BACKEND.parse_ref, BACKEND.url_for)
    rows = plan.rows()
    json.dumps(rows)
    assert rows[0]["action"] == "create" and rows[0]["postmortem"] == PM and rows[0]["line"] == 12
    assert summary([plan]) == {"create": 1, "writeback": 1}
    assert plan.writes
