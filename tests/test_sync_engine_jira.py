"""The engine scenarios of ``test_sync_engine.py`` on the Jira backend.

The real ``JiraBackend`` (its own requests session) talks to the live loopback stub
(``tests/jira_stub.py``), Cloud and Data Center, through ``pmt sync``'s two phases on a real
store and real files (the scenes of ``tests/sync_scene.py``). Remote reads and writes are counted as HTTP requests at the
stub, so "a second sync writes nothing" means no POST or PUT reached Jira.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sync import writeback
from sync.backends.jira.backend import JiraBackend
from sync.base import CreateIntent, RemoteTicket, TicketDraft
from sync.markers import Marker
from sync.service import apply_sync, plan_sync
from tests.fakes import SimulatedCrash
from tests.jira_stub import STUB_EMAIL, STUB_TOKEN, JiraStub
from tests.sync_scene import ITEMS, PM_KEY, Scene, document, kinds, make_scene
from tracker.config import JiraSettings
from tracker.store import Store

N = len(ITEMS)


class JiraUnderTest:
    """A JiraBackend against the stub, able to die right after a create (as the fake can), with
    the stub's request log as the count of reads and writes."""

    def __init__(
        self, stub: JiraStub, settings: JiraSettings, *, crash_after_create: set[int] | None = None
    ):
        self.stub = stub
        self.settings = settings
        self.inner = self.fresh()
        self.name = "jira"
        self.crash_after_create = set(crash_after_create or ())
        self.before_create: dict[int, Callable[[JiraStub], None]] = {}
        self.creates = 0
        self._mark = 0

    def fresh(self) -> JiraBackend:
        email = STUB_EMAIL if self.stub.deployment == "cloud" else None
        return JiraBackend(self.settings, email, STUB_TOKEN, sleep=lambda s: None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def create(self, draft: TicketDraft, intent: CreateIntent | None = None) -> RemoteTicket:
        self.creates += 1
        if self.creates in self.before_create:
            self.before_create[self.creates](self.stub)
        ticket = self.inner.create(draft, intent)
        if self.creates in self.crash_after_create:
            raise SimulatedCrash(f"died after creating {ticket.key}")
        return ticket

    # -- counts --------------------------------------------------------------------------------

    def requests(self) -> list[tuple[str, str]]:
        return self.stub.log[self._mark :]

    @property
    def writes(self) -> int:
        return sum(1 for m, _ in self.requests() if m in ("POST", "PUT", "DELETE"))

    @property
    def reads(self) -> int:
        return sum(1 for m, _ in self.requests() if m == "GET")

    def writes_to(self, pattern: str, method: str = "POST") -> int:
        return sum(
            1 for m, p in self.requests() if m == method and re.search(pattern, p.split("?")[0])
        )

    def reset_counts(self) -> None:
        self._mark = len(self.stub.log)

    def tickets_by_item(self) -> dict[str, list[str]]:
        """item uid -> keys of the tickets carrying its marker (more than one is a duplicate)."""
        out: dict[str, list[str]] = {}
        for issue in self.stub.issues.values():
            value = issue.properties.get("pmt.marker")
            if value and value["postmortem"] == PM_KEY:
                out.setdefault(value["item"], []).append(issue.key)
        return out


@pytest.fixture(params=["cloud", "datacenter"])
def stub(request: pytest.FixtureRequest) -> Iterator[JiraStub]:
    with JiraStub(request.param) as running:
        yield running


def jira_settings(stub: JiraStub, **kw: Any) -> JiraSettings:
    owners = (
        {"lena": "alice@example.com", "arjun": "bob@example.com"}
        if stub.deployment == "cloud"
        else {"lena": "alice", "arjun": "bob"}
    )
    return JiraSettings(
        url=stub.url, project="OPS", deployment=stub.deployment, owners=owners, **kw
    )


def scene_for(
    store: Store,
    tmp_path: Path,
    stub: JiraStub,
    *,
    text: str | None = None,
    jira: dict[str, Any] | None = None,
    **settings: Any,
) -> tuple[Scene, JiraUnderTest]:
    backend = JiraUnderTest(
        stub, jira_settings(stub, **(jira or {})), **settings.pop("backend", {})
    )
    config: dict[str, Any] = {
        "jira": {"url": stub.url, "project": "OPS", **(jira or {})},
        **settings,
    }
    if text is not None:
        config["text"] = text
    scene = make_scene(store, tmp_path, backend, **config)  # type: ignore[arg-type]
    return scene, backend


def links_in(text: str, stub: JiraStub) -> list[str]:
    return re.findall(rf"\[(OPS-\d+)\]\({re.escape(stub.url)}/browse/\1\)", text)


def assert_no_duplicates(backend: JiraUnderTest) -> None:
    made = backend.tickets_by_item()
    assert made and all(len(keys) == 1 for keys in made.values()), made


def test_first_sync_creates_each_ticket_and_writes_the_links_back(
    store: Store, tmp_path: Path, stub: JiraStub
) -> None:
    scene, backend = scene_for(store, tmp_path, stub)
    planned, applied = scene.sync()
    assert kinds(planned).count("create") == N  # no tracking ticket on Jira
    assert not applied.failed, applied.result_rows()
    assert backend.writes_to(r"/issue$") == N
    assert backend.writes_to(r"/remotelink$") == N  # the postmortem link, one per ticket
    assert links_in(scene.text(), stub) == ["OPS-1", "OPS-2", "OPS-3"]
    assert_no_duplicates(backend)
    owners = {stub.issues[k].assignee["name"] for k in ("OPS-1", "OPS-2", "OPS-3")}  # type: ignore[index]
    assert owners == {"alice", "bob"}
    # Reads: one marker listing, plus (Cloud) one user search per owner.
    searches = 2 if stub.deployment == "cloud" else 0
    assert backend.reads == 1 + searches


def test_second_sync_makes_no_request_that_writes(
    store: Store, tmp_path: Path, stub: JiraStub
) -> None:
    scene, backend = scene_for(store, tmp_path, stub)
    scene.sync()
    before = scene.path.read_bytes()
    backend.reset_counts()
    planned, applied = scene.sync()
    assert set(kinds(planned)) == {"unchanged"} and not planned.writes
    assert backend.writes == 0
    assert backend.reads <= 2  # ceil(N/100) + 1
    assert scene.path.read_bytes() == before and not applied.failed


@pytest.mark.parametrize("crash_at", range(1, N + 1))
def test_a_crash_after_any_create_leaves_no_duplicate(
    store: Store, tmp_path: Path, stub: JiraStub, crash_at: int
) -> None:
    scene, backend = scene_for(store, tmp_path, stub, backend={"crash_after_create": {crash_at}})
    with pytest.raises(SimulatedCrash):
        scene.sync()
    assert scene.text() == document()
    backend.crash_after_create.clear()
    backend.inner = backend.fresh()  # a new process

    planned, applied = scene.sync()
    assert "adopt" in kinds(planned)
    assert not applied.failed, applied.result_rows()
    assert backend.creates == N  # the crashed create was never repeated
    assert_no_duplicates(backend)
    assert len(links_in(scene.text(), stub)) == N
    backend.reset_counts()
    planned, _ = scene.sync()
    assert backend.writes == 0 and not planned.writes


def test_a_crashed_create_jira_search_does_not_show_yet_is_not_made_twice(
    store: Store, tmp_path: Path, stub: JiraStub
) -> None:
    """Jira's search index lags behind its creates: the run after a crash may not find the
    ticket by its marker label yet. The record of the create sent stops a second ticket."""
    scene, backend = scene_for(store, tmp_path, stub, backend={"crash_after_create": {1}})
    with pytest.raises(SimulatedCrash):
        scene.sync()
    backend.crash_after_create.clear()
    backend.inner = backend.fresh()  # a new process
    stub.unindexed = set(stub.issues)  # OPS-1 exists, the search does not return it yet

    planned, applied = scene.sync()
    waiting = [a for p in planned.plans for a in p.actions if a.kind == "skip"]
    assert len(waiting) == 1 and "search does not show the ticket yet" in waiting[0].detail
    assert kinds(planned).count("create") == N - 1 and not applied.failed
    assert backend.creates == N
    assert_no_duplicates(backend)

    stub.unindexed.clear()  # indexed now
    planned, applied = scene.sync()
    assert kinds(planned).count("adopt") == 1 and kinds(planned).count("create") == 0
    assert not applied.failed and backend.creates == N
    assert_no_duplicates(backend)
    assert len(links_in(scene.text(), stub)) == N


def test_a_create_answered_with_500_is_adopted_by_the_next_run(
    store: Store, tmp_path: Path, stub: JiraStub
) -> None:
    scene, backend = scene_for(store, tmp_path, stub)
    # Jira makes the second ticket, then answers 500: its outcome is unknown to pmt.
    backend.before_create[2] = lambda s: s.inject("POST", r"^issue$", 500, apply=True)
    _, applied = scene.sync()
    failed = [r for res in applied.results for r in res.results if r.status == "failed"]
    assert len(failed) == 1 and "outcome is unknown" in (failed[0].error or "")
    # Said once, by the backend: the engine adds nothing of its own.
    assert failed[0].error == (
        f"Jira ({stub.url}) answered HTTP 500 while trying to create the ticket for "
        f"{failed[0].action.draft.marker.token}: the outcome is unknown, so it was not sent "  # type: ignore[union-attr]
        "again; the next pmt sync finds the ticket by its marker label if it was made, and "
        "creates it otherwise"
    )
    assert backend.writes_to(r"/issue$") == N  # the POST was not sent again

    planned, applied = scene.sync()
    assert kinds(planned).count("adopt") == 1 and kinds(planned).count("create") == 0
    assert not applied.failed
    assert_no_duplicates(backend)
    assert len(links_in(scene.text(), stub)) == N


def test_a_rate_limit_stops_cleanly_and_the_next_run_carries_on(
    store: Store, tmp_path: Path, stub: JiraStub
) -> None:
    scene, backend = scene_for(store, tmp_path, stub)
    backend.before_create[2] = lambda s: s.inject("POST", r"^issue$", 429, retry_after=3600)
    _, applied = scene.sync()
    assert applied.stopped and applied.stopped.startswith("stopped on rate limit until")
    assert len(links_in(scene.text(), stub)) == 1  # kept what it did

    planned, applied = scene.sync()
    assert kinds(planned).count("create") == N - 1
    assert not applied.failed
    assert_no_duplicates(backend)
    assert len(links_in(scene.text(), stub)) == N


def test_an_item_naming_an_existing_ticket_is_linked_never_rewritten(
    store: Store, tmp_path: Path, stub: JiraStub
) -> None:
    existing = stub.add_issue("Timeout for the failover lock (filed during the incident)").key
    items = [ITEMS[0].replace("P1)", f"P1) {existing}"), *ITEMS[1:]]
    scene, backend = scene_for(store, tmp_path, stub, text=document(items))
    planned, applied = scene.sync()
    assert "link_existing" in kinds(planned) and not applied.failed
    assert backend.writes_to(r"/issue$") == N - 1
    assert backend.writes_to(rf"/issue/{existing}", "PUT") == 0
    backend.reset_counts()
    scene.sync()
    assert backend.writes == 0


@pytest.mark.parametrize(
    "old,new,field",
    [
        ("Move the nightly backup off", "Move the nightly backup job off", "summary"),
        ("(@arjun, due", "(@lena, due", "assignee"),
        ("due 2026-04-01", "due 2026-04-15", "duedate"),
        ("2026-04-01, P2)", "2026-04-01, P1)", "priority"),
    ],
    ids=["text", "owner", "due", "priority"],
)
def test_a_changed_item_updates_its_ticket_once(
    store: Store, tmp_path: Path, stub: JiraStub, old: str, new: str, field: str
) -> None:
    scene, backend = scene_for(store, tmp_path, stub)
    scene.sync()
    before = {k: (i.summary, i.assignee, i.duedate, i.priority) for k, i in stub.issues.items()}
    scene.edit(old, new)
    backend.reset_counts()
    planned, applied = scene.sync()
    assert kinds(planned).count("update") == 1 and not applied.failed
    assert sum(1 for m, _ in backend.requests() if m == "PUT") == 1
    assert backend.writes_to(r"/issue$") == 0
    after = {k: (i.summary, i.assignee, i.duedate, i.priority) for k, i in stub.issues.items()}
    assert len([k for k in after if after[k] != before[k]]) == 1
    backend.reset_counts()
    scene.sync()
    assert backend.writes == 0


def test_a_removed_item_gets_a_comment_and_a_label_once(
    store: Store, tmp_path: Path, stub: JiraStub
) -> None:
    scene, backend = scene_for(store, tmp_path, stub)
    scene.sync()
    key = next(k for k, i in stub.issues.items() if i.summary.startswith("Move the nightly"))
    lines = scene.text().splitlines(keepends=True)
    scene.path.write_text(
        "".join(l for l in lines if "Move the nightly" not in l), encoding="utf-8"
    )
    planned, _ = scene.sync()
    assert kinds(planned).count("removed") == 1
    issue = stub.issues[key]
    assert "removed-from-postmortem" in issue.labels and len(issue.comments) == 1
    assert issue.status == "To Do"  # never deleted, never closed
    backend.reset_counts()
    planned, _ = scene.sync()
    assert backend.writes == 0 and "removed" not in kinds(planned)


@pytest.mark.parametrize("setting", ["report", "close_ticket", "update_box"])
def test_done_mismatch_follows_the_setting(
    store: Store, tmp_path: Path, stub: JiraStub, setting: str
) -> None:
    scene, backend = scene_for(store, tmp_path, stub, sync={"on_done_mismatch": setting})
    scene.sync()
    first = next(k for k, i in stub.issues.items() if i.summary.startswith("Add a timeout"))
    third = next(k for k, i in stub.issues.items() if i.summary.startswith("Alert when"))
    scene.edit("- [ ] Add a timeout", "- [x] Add a timeout")
    with stub.lock:
        stub._move(stub.issues[third], "Done")  # someone finished it in Jira

    planned, applied = scene.sync()

    mismatches = {a.mismatch for p in planned.plans for a in p.actions if a.kind == "done_mismatch"}
    assert mismatches == {"item_done_ticket_open", "ticket_closed_item_open"}
    assert not applied.failed, applied.result_rows()
    outcome = (stub.issues[first].status, "- [x] Alert when" in scene.text())
    assert (
        outcome
        == {
            "report": ("To Do", False),
            "close_ticket": ("Done", False),
            "update_box": ("To Do", True),
        }[setting]
    )


def test_follow_ups_are_linked_to_the_incident_the_front_matter_names(
    store: Store, tmp_path: Path, stub: JiraStub
) -> None:
    incident = stub.add_issue("Checkout down (incident)").key
    text = document().replace("date: 2026-03-02\n", f"date: 2026-03-02\nincident: {incident}\n", 1)
    scene, backend = scene_for(store, tmp_path, stub, text=text)
    _, applied = scene.sync()
    assert not applied.failed
    linked = sorted(link.outward for link in stub.links_of(incident))
    assert linked == sorted(k for k in stub.issues if k != incident)
    backend.reset_counts()
    scene.sync()
    assert backend.writes == 0


def test_two_syncs_at_once_create_each_ticket_once(
    store: Store, tmp_path: Path, stub: JiraStub
) -> None:
    scene, backend = scene_for(store, tmp_path, stub)
    barrier = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []

    def run() -> None:
        own_store = Store(store.url)
        own_backend = backend.fresh()  # each run is its own process with its own client
        try:
            planned = plan_sync(own_store, own_backend, scene.settings, [scene.path])
            barrier.wait()
            apply_sync(own_store, own_backend, scene.settings, planned)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            own_store.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert backend.writes_to(r"/issue$") == N
    assert_no_duplicates(backend)
    assert len(links_in(scene.text(), stub)) == N


def test_a_failing_disk_loses_no_line(
    store: Store, tmp_path: Path, stub: JiraStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    scene, backend = scene_for(store, tmp_path, stub)
    original = scene.path.read_bytes()

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writeback.os, "replace", disk_full)
    _, applied = scene.sync()
    assert scene.path.read_bytes() == original and applied.failed
    monkeypatch.undo()
    backend.reset_counts()
    scene.sync()
    assert backend.writes == 0  # the tickets were recorded; only the document was left to write
    assert len(links_in(scene.text(), stub)) == N


def test_marker_is_what_a_crashed_run_is_found_by(stub: JiraStub) -> None:
    """The marker read back from Jira is the one the create sent (property on Cloud, description
    on Data Center, whose search here does not return properties)."""
    backend = JiraUnderTest(stub, jira_settings(stub)).inner
    draft = TicketDraft(marker=Marker(PM_KEY, "item-1"), text="Add a timeout")
    made = backend.create(draft)
    assert backend.list_postmortem(PM_KEY)[made.key].marker == draft.marker


@pytest.mark.parametrize("deployment", ["cloud", "datacenter"])
def test_pmt_sync_tracker_jira_as_a_user_runs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, deployment: str
) -> None:
    """`pmt sync --tracker jira` from the command line: backend from the registry, deployment
    detected, tickets made, links written back; then `pmt refresh`, and a second sync that
    writes nothing."""
    import json

    from typer.testing import CliRunner

    from cli.app import app

    with JiraStub(deployment) as running:  # type: ignore[arg-type]
        monkeypatch.setenv("PMT_JIRA_URL", running.url)
        monkeypatch.setenv("PMT_JIRA_PROJECT", "OPS")
        monkeypatch.setenv("PMT_JIRA_TOKEN", STUB_TOKEN)
        if deployment == "cloud":
            monkeypatch.setenv("PMT_JIRA_EMAIL", STUB_EMAIL)
        monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{tmp_path / 'pmt.db'}")
        monkeypatch.setenv("PMT_INGEST_ROOT", str(tmp_path))
        doc = tmp_path / "postmortems" / "2026-03-02-db-failover.md"
        doc.parent.mkdir()
        doc.write_text(document(), encoding="utf-8")

        first = CliRunner().invoke(
            app, ["sync", str(doc), "--tracker", "jira", "--yes", "--format", "json"]
        )
        assert first.exit_code == 0, first.output
        result = json.loads(first.stdout)["result"]
        assert {r["status"] for r in result} == {"done"}
        assert links_in(doc.read_text(encoding="utf-8"), running) == ["OPS-1", "OPS-2", "OPS-3"]

        refreshed = CliRunner().invoke(app, ["refresh", "--tracker", "jira"])
        assert refreshed.exit_code == 0, refreshed.output

        before, written = len(running.log), doc.read_bytes()
        second = CliRunner().invoke(
            app, ["sync", str(doc), "--tracker", "jira", "--yes", "--format", "json"]
        )
        assert second.exit_code == 0, second.output
        assert [r for r in running.log[before:] if r[0] != "GET"] == []
        assert doc.read_bytes() == written
