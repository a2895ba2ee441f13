"""The sync engine end to end on a fake tracker: real files, real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from sync import writeback
from sync.base import AuthError, RequestError, TransientError
from sync.service import apply_sync, plan_sync
from tests.fakes import FakeBackend, SimulatedCrash
from tests.sync_scene import ITEMS, PM_KEY, Scene, document, kinds, make_scene
from tracker.store import Store
from tracker.store.tables import ItemEventRow, ItemRow, TicketLinkRow

N = len(ITEMS)


@pytest.fixture
def scene(store: Store, tmp_path: Path) -> Scene:
    return make_scene(store, tmp_path)


def links(store: Store) -> dict[str, str]:
    """item text (or "tracking") -> ticket key."""
    with store.session(write=False) as s:
        texts = {r.id: r.text for r in s.scalars(select(ItemRow))}
        return {
            (texts[l.item_id] if l.item_id else "tracking"): l.key
            for l in s.scalars(select(TicketLinkRow))
        }


def assert_no_duplicates(backend: FakeBackend) -> None:
    made = backend.tickets_by_item(PM_KEY)
    assert all(len(keys) == 1 for keys in made.values()), made


def test_first_sync_creates_links_and_writes_back(scene: Scene) -> None:
    planned, applied = scene.sync()
    assert kinds(planned).count("create") == N + 1  # the items and the tracking issue
    assert not applied.failed
    assert scene.backend.writes_of("create") == N + 1
    assert scene.backend.writes_of("link_children") == 1
    # Reads: one marker listing, nothing else.
    assert scene.backend.reads == 1
    recorded = links(scene.store)
    assert len(recorded) == N + 1
    text = scene.text()
    for key in [k for name, k in recorded.items() if name != "tracking"]:
        number = key.rsplit("#", 1)[1]
        assert f"[#{number}](https://github.com/acme/ops/issues/{number})" in text
    tracking = scene.backend.tickets[recorded["tracking"]]
    assert sorted(tracking.children) == sorted(
        k for name, k in recorded.items() if name != "tracking"
    )


def test_second_sync_makes_no_write_and_leaves_the_file_alone(scene: Scene) -> None:
    scene.sync()
    before = scene.path.read_bytes()
    mtime = scene.path.stat().st_mtime_ns
    scene.backend.reset_counts()

    planned, applied = scene.sync()

    assert not planned.writes
    assert set(kinds(planned)) == {"unchanged"}
    assert scene.backend.writes == 0
    assert scene.backend.reads <= 2  # ceil(N/100) + 1
    assert scene.path.read_bytes() == before and scene.path.stat().st_mtime_ns == mtime
    assert not applied.failed


@pytest.mark.parametrize("crash_at", range(1, N + 2))
def test_a_crash_after_any_create_leaves_no_duplicate(
    store: Store, tmp_path: Path, crash_at: int
) -> None:
    backend = FakeBackend(crash_after_create={crash_at})
    scene = make_scene(store, tmp_path, backend)
    with pytest.raises(SimulatedCrash):
        scene.sync()
    original = document()
    assert scene.text() == original  # write-back comes after the tracker work
    backend.crash_after_create.clear()

    planned, applied = scene.sync()

    assert "adopt" in kinds(planned)
    assert not applied.failed
    assert backend.creates == N + 1  # the crashed create was never repeated
    assert_no_duplicates(backend)
    assert len(links(store)) == N + 1
    backend.reset_counts()
    planned, _ = scene.sync()
    assert backend.writes == 0 and not planned.writes


def test_create_with_unknown_outcome_is_adopted_next_run(store: Store, tmp_path: Path) -> None:
    backend = FakeBackend(unknown_outcome_creates={2})
    scene = make_scene(store, tmp_path, backend)
    _, applied = scene.sync()
    failed = [r for res in applied.results for r in res.results if r.status == "failed"]
    assert len(failed) == 1 and "nothing was recorded" in (failed[0].error or "")
    assert len(links(store)) == N  # everything but the unknown one
    backend.unknown_outcome_creates.clear()

    planned, applied = scene.sync()
    assert kinds(planned).count("adopt") == 1 and kinds(planned).count("create") == 0
    assert not applied.failed
    assert_no_duplicates(backend)
    assert len(links(store)) == N + 1


def _age_create_records(store: Store, minutes: int) -> None:
    """Time passes: the records of the creates sent are ``minutes`` older."""
    with store.session() as s:
        for event in s.scalars(
            select(ItemEventRow).where(col(ItemEventRow.event) == "ticket_create_sent")
        ):
            event.at = event.at - timedelta(minutes=minutes)
            s.add(event)


def test_a_crashed_create_the_search_does_not_show_yet_is_not_made_twice(
    store: Store, tmp_path: Path
) -> None:
    """Search indexes lag: right after a crash, the marker listing may miss the ticket just made.
    The local record of the create sent is what stops a second ticket, not the listing."""
    backend = FakeBackend(crash_after_create={2})  # the tracking issue, then the first item
    scene = make_scene(store, tmp_path, backend)
    with pytest.raises(SimulatedCrash):
        scene.sync()
    made = next(k for k, t in backend.tickets.items() if t.draft and t.draft.role == "item")
    backend.crash_after_create.clear()
    backend.hidden_from_listing.add(made)  # not indexed yet

    planned, applied = scene.sync()

    waiting = [a for p in planned.plans for a in p.actions if a.kind == "skip"]
    assert len(waiting) == 1 and "search does not show the ticket yet" in waiting[0].detail
    assert (
        kinds(planned).count("create") == N - 1
    )  # the two other items; the tracking issue is linked
    assert not applied.failed
    assert backend.creates == N + 1  # the crashed one was never sent again
    assert_no_duplicates(backend)
    assert len(links(store)) == N  # the tracking issue and two items
    assert scene.text().count("](https://github.com/acme/ops/issues/") == N - 1

    backend.hidden_from_listing.clear()  # the index caught up
    planned, applied = scene.sync()
    assert kinds(planned).count("adopt") == 1 and kinds(planned).count("create") == 0
    assert not applied.failed
    assert_no_duplicates(backend)
    assert len(links(store)) == N + 1
    assert scene.text().count("](https://github.com/acme/ops/issues/") == N


def test_a_lost_create_is_made_again_once_the_search_had_time_to_show_it(
    store: Store, tmp_path: Path
) -> None:
    """The wait is bounded: a create that never reached the tracker (the answer was lost before
    it got there) is sent again once ``sync.search_lag_minutes`` passed without its ticket."""
    backend = FakeBackend()
    scene = make_scene(store, tmp_path, backend, github={"tracking_issue": False})
    # The request left, then the process died; the tracker never got it.
    backend.fail_in_flight("create", SimulatedCrash("died with the request on its way"))
    with pytest.raises(SimulatedCrash):
        scene.sync()
    assert backend.creates == 0

    planned, _ = scene.sync()  # a moment later: the first item waits, the others are made
    assert kinds(planned).count("create") == N - 1 and backend.creates == N - 1
    _age_create_records(store, minutes=11)  # sync.search_lag_minutes = 10 by default
    planned, applied = scene.sync()
    assert kinds(planned).count("create") == 1 and not applied.failed
    assert backend.creates == N
    assert_no_duplicates(backend)


def test_a_refused_create_is_sent_again_by_the_next_run(store: Store, tmp_path: Path) -> None:
    """A 4xx is a definite answer (nothing was made): no wait for the search."""
    backend = FakeBackend()
    scene = make_scene(store, tmp_path, backend)
    backend.fail("create", RequestError("422 Validation Failed"))
    _, applied = scene.sync()
    assert applied.failed and backend.creates == N  # the tracking issue and two items
    planned, applied = scene.sync()
    assert kinds(planned).count("create") == 1 and not applied.failed
    assert_no_duplicates(backend)


@pytest.mark.parametrize("flagged", [True, False], ids=["backend-says-it", "backend-silent"])
def test_an_unknown_outcome_is_said_once(store: Store, tmp_path: Path, flagged: bool) -> None:
    backend = FakeBackend()
    scene = make_scene(store, tmp_path, backend)
    said = (
        "502 while creating: the outcome is unknown; the next pmt sync looks for it by its marker"
    )
    plain = "502 Bad Gateway while creating a ticket"
    backend.fail("create", TransientError(said if flagged else plain, outcome_unknown=flagged))
    _, applied = scene.sync()
    [error] = [r.error for res in applied.results for r in res.results if r.status == "failed"]
    assert error == (
        said
        if flagged
        else plain + "; it may or may not have been created: nothing was recorded, and the next "
        "run finds it by its marker if it was"
    )


def test_rate_limit_stops_cleanly_and_the_next_run_carries_on(store: Store, tmp_path: Path) -> None:
    backend = FakeBackend(rate_limit_after_writes=2)
    scene = make_scene(store, tmp_path, backend)
    _, applied = scene.sync()
    assert applied.stopped is not None
    assert re.fullmatch(
        r"stopped on rate limit until \d\d:\d\d; run again to carry on", applied.stopped
    )
    assert applied.failed
    kept = links(store)
    assert len(kept) == 2  # tracking issue and the first item
    first_item = next(k for name, k in kept.items() if name != "tracking")
    assert f"/issues/{first_item.rsplit('#', 1)[1]})" in scene.text()  # kept what it did

    backend.rate_limit_after_writes = None
    planned, applied = scene.sync()
    assert kinds(planned).count("create") == N - 1
    assert not applied.failed
    assert_no_duplicates(backend)
    assert len(links(store)) == N + 1


def test_a_refused_create_is_reported_and_the_others_go_on(scene: Scene) -> None:
    scene.backend.fail("create", RequestError("422 Validation Failed: title too long"))
    _, applied = scene.sync()
    failed = [r for res in applied.results for r in res.results if r.status == "failed"]
    assert [r.action.kind for r in failed] == ["create"] and "422" in (failed[0].error or "")
    assert applied.stopped is None
    assert scene.backend.writes_of("create") == N  # the first (the tracking issue) was refused
    planned, applied = scene.sync()
    assert kinds(planned).count("create") == 1 and not applied.failed
    assert_no_duplicates(scene.backend)


def test_bad_credentials_stop_the_run(scene: Scene) -> None:
    scene.backend.fail("create", AuthError("401 Bad credentials"))
    _, applied = scene.sync()
    assert applied.stopped == "stopped: 401 Bad credentials"
    assert scene.backend.writes == 0
    statuses = {r.status for res in applied.results for r in res.results}
    assert statuses <= {"failed", "not_run", "skipped"}


def test_item_with_a_ticket_reference_is_linked_never_recreated(
    store: Store, tmp_path: Path
) -> None:
    backend = FakeBackend()
    existing = backend.add_existing("Timeout for the failover lock (filed during the incident)")
    items = [ITEMS[0].replace("P1)", f"P1) {existing.replace('acme/ops', '')}"), *ITEMS[1:]]
    scene = make_scene(store, tmp_path, backend, text=document(items))
    planned, applied = scene.sync()
    assert "link_existing" in kinds(planned)
    assert not applied.failed
    assert backend.writes_of("create") == N  # N - 1 items and the tracking issue
    assert existing in links(store).values()
    assert backend.tickets[existing].updates == 0  # a ticket pmt did not write is never rewritten
    backend.reset_counts()
    planned, _ = scene.sync()
    assert backend.writes == 0


@pytest.mark.parametrize(
    "old,new",
    [
        ("Move the nightly backup off", "Move the nightly backup job off"),
        ("(@arjun, due", "(@lena, due"),
        ("due 2026-04-01", "due 2026-04-15"),
        ("2026-04-01, P2)", "2026-04-01, P1)"),
    ],
    ids=["text", "owner", "due", "priority"],
)
def test_a_changed_item_updates_its_ticket(scene: Scene, old: str, new: str) -> None:
    scene.sync()
    scene.edit(old, new)
    scene.backend.reset_counts()
    planned, applied = scene.sync()
    assert kinds(planned).count("update") == 1
    assert scene.backend.writes_of("update") == 1 and scene.backend.writes_of("create") == 0
    assert not applied.failed
    scene.backend.reset_counts()
    scene.sync()
    assert scene.backend.writes == 0


def test_a_removed_item_gets_a_comment_and_a_label_once(scene: Scene) -> None:
    scene.sync()
    key = links(scene.store)[
        next(t for t in links(scene.store) if t.startswith("Move the nightly"))
    ]
    lines = scene.text().splitlines(keepends=True)
    scene.path.write_text(
        "".join(l for l in lines if "Move the nightly" not in l), encoding="utf-8"
    )
    scene.backend.reset_counts()
    planned, _ = scene.sync()
    assert kinds(planned).count("removed") == 1
    ticket = scene.backend.tickets[key]
    assert "removed-from-postmortem" in ticket.labels and len(ticket.comments) == 1
    assert ticket.state == "open"  # never deleted, never closed
    scene.backend.reset_counts()
    planned, _ = scene.sync()
    assert scene.backend.writes == 0 and "removed" not in kinds(planned)


@pytest.mark.parametrize("setting", ["report", "close_ticket", "update_box"])
def test_done_mismatch_follows_the_setting(store: Store, tmp_path: Path, setting: str) -> None:
    scene = make_scene(store, tmp_path, sync={"on_done_mismatch": setting})
    scene.sync()
    recorded = links(store)
    first = next(k for t, k in recorded.items() if t.startswith("Add a timeout"))
    third = next(k for t, k in recorded.items() if t.startswith("Alert when"))
    # The first item is checked in the document; the third item's ticket is closed on the tracker.
    scene.edit("- [ ] Add a timeout", "- [x] Add a timeout")
    scene.backend.set_state(third, "closed", "completed")
    scene.backend.reset_counts()

    planned, applied = scene.sync()

    mismatches = [a for p in planned.plans for a in p.actions if a.kind == "done_mismatch"]
    assert {a.mismatch for a in mismatches} == {"item_done_ticket_open", "ticket_closed_item_open"}
    assert not applied.failed
    first_state = scene.backend.tickets[first].state
    third_box = "- [x] Alert when" in scene.text()
    assert (first_state, third_box) == {
        "report": ("open", False),
        "close_ticket": ("closed", False),
        "update_box": ("open", True),
    }[setting]
    if setting == "update_box":
        scene.backend.reset_counts()
        planned, _ = scene.sync()
        # The box is checked now: the item agrees with its closed ticket.
        assert not any(
            a.mismatch == "ticket_closed_item_open" for p in planned.plans for a in p.actions
        )


def test_sync_records_the_ticket_states_it_reads(scene: Scene) -> None:
    scene.sync()
    key = next(k for t, k in links(scene.store).items() if t.startswith("Move the nightly"))
    scene.backend.set_state(key, "closed", "not_planned", assignee="arjun")
    scene.backend.reset_counts()
    scene.sync()
    assert scene.backend.writes == 0
    with scene.store.session(write=False) as s:
        link = s.scalars(select(TicketLinkRow).where(TicketLinkRow.key == key)).one()
    assert (link.state, link.state_reason, link.assignee) == ("closed", "not_planned", "arjun")


def test_a_file_changed_after_planning_is_not_written_and_loses_no_line(scene: Scene) -> None:
    planned = scene.plan()
    scene.edit("## Timeline", "## Timeline (edited by a person meanwhile)")
    edited = scene.path.read_bytes()
    applied = apply_sync(scene.store, scene.backend, scene.settings, planned)
    assert scene.path.read_bytes() == edited
    refused = [r for res in applied.results for r in res.results if r.action.kind == "writeback"]
    assert refused and all(
        r.status == "failed" and "changed since" in (r.error or "") for r in refused
    )
    assert len(links(scene.store)) == N + 1  # the tickets are recorded all the same
    # The next run plans only the write-back, against the file as it is now.
    scene.backend.reset_counts()
    planned, applied = scene.sync()
    assert set(kinds(planned)) == {"unchanged", "writeback"}
    assert scene.backend.writes == 0 and not applied.failed
    assert (
        "edited by a person meanwhile" in scene.text()
        and scene.text().count("](https://github.com/") == N
    )


def test_a_failing_disk_loses_no_line(scene: Scene, monkeypatch: pytest.MonkeyPatch) -> None:
    original = scene.path.read_bytes()

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writeback.os, "replace", disk_full)
    _, applied = scene.sync()
    assert scene.path.read_bytes() == original
    assert sorted(p.name for p in scene.path.parent.iterdir()) == [scene.path.name]
    assert applied.failed
    monkeypatch.undo()
    scene.sync()
    assert scene.text().count("](https://github.com/") == N


def test_crlf_document_keeps_its_line_endings(store: Store, tmp_path: Path) -> None:
    scene = make_scene(store, tmp_path, text=document(newline="\r\n"))
    scene.sync()
    data = scene.path.read_bytes()
    assert data.count(b"\r\n") == document(newline="\r\n").count("\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_no_writeback_leaves_the_file_and_a_later_run_writes_it(scene: Scene) -> None:
    before = scene.path.read_bytes()
    scene.sync(writeback=False)
    assert scene.path.read_bytes() == before
    scene.backend.reset_counts()
    planned, _ = scene.sync()
    assert set(kinds(planned)) == {"unchanged", "writeback"}
    assert scene.backend.writes == 0
    assert scene.text().count("](https://github.com/") == N


def test_two_syncs_at_once_create_each_ticket_once(store: Store, tmp_path: Path) -> None:
    """Both runs plan before either applies (the worst interleaving); the lock and the re-read
    of links under it make the second one create nothing."""
    backend = FakeBackend()
    scene = make_scene(store, tmp_path, backend)
    barrier = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []

    def run() -> None:
        own = Store(store.url)
        try:
            planned = plan_sync(own, backend, scene.settings, [scene.path])
            barrier.wait()
            apply_sync(own, backend, scene.settings, planned)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert backend.writes_of("create") == N + 1
    assert_no_duplicates(backend)
    assert scene.text().count("](https://github.com/") == N


def test_jira_plugs_in_unchanged(store: Store, tmp_path: Path) -> None:
    backend = FakeBackend("jira")
    scene = make_scene(store, tmp_path, backend)
    _, applied = scene.sync()
    assert not applied.failed
    assert backend.writes_of("create") == N  # no tracking issue on Jira
    assert re.findall(r"\[(OPS-\d+)\]\(https://jira\.example\.com/browse/\1\)", scene.text()) == [
        "OPS-1",
        "OPS-2",
        "OPS-3",
    ]
    backend.reset_counts()
    scene.sync()
    assert backend.writes == 0


def test_dry_run_plan_is_what_apply_does(scene: Scene) -> None:
    planned = scene.plan()
    shown = [(a.kind, a.uid) for p in planned.plans for a in p.actions]
    applied = apply_sync(scene.store, scene.backend, scene.settings, planned)
    done = [(r.action.kind, r.action.uid) for res in applied.results for r in res.results]
    assert done == shown
    assert os.path.exists(scene.path)
