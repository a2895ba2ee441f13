"""Issue 15: sync survives crashes and faults with no duplicate, no orphan and no leaked secret.

Engine-level with the in-process fake (``tests/fakes.py``), and backend-level with the real
GitHub and Jira backends against their loopback stubs, on SQLite and PostgreSQL:

1. Jira orphans are adopted by any marker pmt writes: the item label, the issue property, the
   description line, on Cloud and Data Center.
2. The record of a create sent is made right before the request leaves: a run killed while
   pacing its writes or waiting out a rate limit holds nothing back.
3. A refused connection or a failed DNS lookup is "not sent": the run stops at once, with
   nothing retried and nothing held back.
4. Secrets never reach a message, even when a 500 echoes the request's headers.
6. A malformed API URL is a configuration error naming the setting.
"""

from __future__ import annotations

import base64
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from sync import endpoints
from sync.backends.github.backend import GitHubBackend
from sync.backends.jira.backend import JiraBackend
from sync.base import AuthError, RemoteTicket, TicketDraft, TransientError, UnreachableError
from sync.markers import Marker, postmortem_token
from sync.plan import LinkState, PlanInput, PlanItem, build_plan
from sync.service import plan_sync
from tests.fakes import FakeBackend, SimulatedCrash
from tests.github_stub import GitHubStub
from tests.jira_stub import STUB_EMAIL, STUB_TOKEN, JiraStub
from tests.sync_scene import ITEMS, PM_KEY, kinds, make_scene
from tracker.config import GitHubSettings, JiraSettings
from tracker.errors import ConfigError
from tracker.store import Store
from tracker.store.tables import ItemEventRow, ItemRow, TicketLinkRow

N = len(ITEMS)
GH_TOKEN = "test-token"


def create_events(store: Store) -> list[tuple[str, str]]:
    """(item text, event) of every create record, in order."""
    with store.session(write=False) as s:
        texts = {r.id: r.text for r in s.scalars(select(ItemRow))}
        rows = s.scalars(
            select(ItemEventRow)
            .where(col(ItemEventRow.event).like("ticket_create_%"))
            .order_by(col(ItemEventRow.id))
        )
        return [(texts[r.item_id], r.event.removeprefix("ticket_create_")) for r in rows]


def link_count(store: Store) -> int:
    with store.session(write=False) as s:
        return len(list(s.scalars(select(TicketLinkRow))))


def no_duplicates(by_item: dict[str, list[str]]) -> None:
    assert by_item and all(len(keys) == 1 for keys in by_item.values()), by_item


# -- 1. Jira orphans adopted by every marker ------------------------------------------------


def test_engine_adopts_an_orphan_by_its_item_label_when_the_listing_has_no_marker(
    store: Store, tmp_path: Path
) -> None:
    backend = FakeBackend("jira", crash_after_create={2})
    scene = make_scene(store, tmp_path, backend)
    with pytest.raises(SimulatedCrash):
        scene.sync()
    backend.crash_after_create.clear()
    backend.listing_hides_markers = True  # the search returns neither property nor description

    planned, applied = scene.sync()

    assert kinds(planned).count("adopt") == 1 and kinds(planned).count("create") == 1
    assert not applied.failed
    assert backend.creates == N
    no_duplicates(backend.tickets_by_item(PM_KEY))
    assert link_count(store) == N


def test_the_local_link_wins_over_a_marker() -> None:
    """A second ticket carrying an item's marker (made by hand, copied) is not adopted over the
    link the store has."""
    marker = Marker(PM_KEY, "a1")
    draft = TicketDraft(marker=marker, text="Do it")
    copy = RemoteTicket(key="OPS-9", url="u9", title="Do it", state="open", labels=(marker.token,))

    data = PlanInput(
        postmortem_key=PM_KEY,
        path="pm.md",
        tracker="jira",
        items=[PlanItem(uid="a1", text="Do it", status="open", line=3)],
        drafts={"a1": draft},
        links={"a1": LinkState("OPS-1", "u1", draft.fingerprint())},
        remote={"OPS-9": copy},
        content_hash="h",
    )
    plan = build_plan(data, lambda ref: None, lambda key: key)
    assert [(a.kind, a.key) for a in plan.actions] == [
        ("unchanged", "OPS-1"),
        ("writeback", "OPS-1"),
    ]


@pytest.fixture(params=["cloud", "datacenter"])
def jira_stub(request: pytest.FixtureRequest) -> Iterator[JiraStub]:
    with JiraStub(request.param) as running:
        yield running


def jira_backend(stub: JiraStub, **kw: Any) -> JiraBackend:
    settings = JiraSettings(url=stub.url, project="OPS", deployment=stub.deployment)
    email = STUB_EMAIL if stub.deployment == "cloud" else None
    return JiraBackend(
        settings, email, kw.pop("token", STUB_TOKEN), sleep=kw.pop("sleep", lambda s: None), **kw
    )


def test_jira_reads_the_marker_from_the_description_when_search_has_no_property(
    jira_stub: JiraStub,
) -> None:
    jira_stub.search_properties = False  # an emulator's Cloud search; Data Center's never does
    backend = jira_backend(jira_stub)
    draft = TicketDraft(marker=Marker(PM_KEY, "a1"), text="Add a timeout")
    made = backend.create(draft)
    listed = jira_backend(jira_stub).list_postmortem(PM_KEY)[made.key]
    assert listed.marker == draft.marker


@pytest.mark.parametrize("left", ["label", "property", "description"])
def test_jira_sync_adopts_an_orphan_by_any_one_marker(
    store: Store, tmp_path: Path, jira_stub: JiraStub, left: str
) -> None:
    """A run died after its first create. Whatever one marker the next run can read, the
    ticket is adopted, not made again (Cloud and Data Center)."""
    from tests.test_sync_engine_jira import links_in, scene_for

    scene, backend = scene_for(store, tmp_path, jira_stub, backend={"crash_after_create": {1}})
    with pytest.raises(SimulatedCrash):
        scene.sync()
    backend.crash_after_create.clear()
    backend.inner = backend.fresh()
    [orphan] = jira_stub.issues.values()
    if left != "property":
        orphan.properties.clear()
    jira_stub.search_properties = left == "property"
    if left != "description":
        orphan.description = "Edited by a person: the marker line is gone."

    planned, applied = scene.sync()

    assert kinds(planned).count("adopt") == 1 and kinds(planned).count("create") == N - 1
    assert not applied.failed, applied.result_rows()
    assert backend.creates == N
    by_summary: dict[str, list[str]] = {}
    for issue in jira_stub.issues.values():
        by_summary.setdefault(issue.summary, []).append(issue.key)
    no_duplicates(by_summary)
    assert len(by_summary) == N
    assert len(links_in(scene.text(), jira_stub)) == N


# -- 2. the create record is made right before the request leaves ---------------------------


def test_engine_a_run_killed_before_its_create_left_holds_nothing_back(
    store: Store, tmp_path: Path
) -> None:
    backend = FakeBackend()
    scene = make_scene(store, tmp_path, backend, github={"tracking_issue": False})
    backend.fail("create", SimulatedCrash("killed while pacing the writes"))
    with pytest.raises(SimulatedCrash):
        scene.sync()
    assert create_events(store) == []  # nothing was on its way

    planned, applied = scene.sync()  # at once: no "lost the answer" wait
    assert kinds(planned).count("create") == N and "skip" not in kinds(planned)
    assert not applied.failed and backend.creates == N
    no_duplicates(backend.tickets_by_item(PM_KEY))


def test_engine_a_create_record_is_made_only_when_the_request_leaves(
    store: Store, tmp_path: Path
) -> None:
    backend = FakeBackend()
    scene = make_scene(store, tmp_path, backend, github={"tracking_issue": False})
    scene.sync()
    assert [e for _, e in create_events(store)] == ["sent"] * N


def _seed_labels(stub: GitHubStub) -> None:
    """Every label the scene's issues need, so that the first writes are the creates."""
    for name in (
        "postmortem",
        "action-item",
        "priority:P1",
        "priority:P2",
        postmortem_token(PM_KEY),
    ):
        stub.add_label(name)


class Killed(SimulatedCrash):
    pass


def test_github_a_run_killed_while_pacing_before_a_create_left_no_record(
    store: Store, tmp_path: Path
) -> None:
    with GitHubStub("acme/ops", collaborators=("lena", "arjun")) as stub:
        _seed_labels(stub)

        def killed(seconds: float) -> None:
            raise Killed(f"killed during a {seconds:.1f} s wait")

        settings = GitHubSettings(repo="acme/ops", api_url=stub.base, tracking_issue=False)
        backend = GitHubBackend(
            settings, GH_TOKEN, sleep=killed, write_interval=1.0, web_url="https://github.com"
        )
        scene = make_scene(store, tmp_path, backend, github={"tracking_issue": False})  # type: ignore[arg-type]
        with pytest.raises(Killed):
            scene.sync()  # the first create went out; the second was waiting its second
        assert [e for _, e in create_events(store)] == ["sent"]
        assert len(stub.issues) == 1

        scene.backend = GitHubBackend(
            settings,
            GH_TOKEN,
            sleep=lambda s: None,
            write_interval=1.0,  # type: ignore[assignment]
            web_url="https://github.com",
        )
        planned, applied = scene.sync()  # at once: the second item is not held back
        assert kinds(planned).count("create") == N - 1 and "skip" not in kinds(planned)
        assert not applied.failed and len(stub.issues) == N


@pytest.mark.parametrize("tracker", ["github", "cloud", "datacenter"])
def test_a_run_killed_while_waiting_out_a_rate_limit_holds_nothing_back(
    store: Store, tmp_path: Path, tracker: str
) -> None:
    """The second create meets a rate limit (not performed); the run is killed during the wait.
    The record says the create is not on its way, so the next run makes it at once."""
    waits: list[float] = []

    def killed(seconds: float) -> None:
        waits.append(seconds)
        raise Killed(f"killed during a {seconds:.0f} s wait")

    if tracker == "github":
        with GitHubStub("acme/ops", collaborators=("lena", "arjun")) as stub:
            _seed_labels(stub)
            settings = GitHubSettings(repo="acme/ops", api_url=stub.base, tracking_issue=False)
            backend = GitHubBackend(
                settings, GH_TOKEN, sleep=killed, write_interval=0.0, web_url="https://github.com"
            )
            scene = make_scene(store, tmp_path, backend, github={"tracking_issue": False})  # type: ignore[arg-type]
            stub.rate_limit("POST", r"/issues$", retry_after=7)  # the first create meets it
            _killed_then_resumed(
                scene,
                store,
                waits,
                lambda: len(stub.issues),
                lambda: GitHubBackend(
                    settings,
                    GH_TOKEN,
                    sleep=lambda s: None,
                    write_interval=0.0,
                    web_url="https://github.com",
                ),
            )
    else:
        with JiraStub(tracker) as stub:  # type: ignore[arg-type]
            backend = jira_backend(stub, sleep=killed)
            scene = make_scene(store, tmp_path, backend, jira={"url": stub.url, "project": "OPS"})  # type: ignore[arg-type]
            stub.inject("POST", r"^issue$", 429, retry_after=7)
            _killed_then_resumed(
                scene, store, waits, lambda: len(stub.issues), lambda: jira_backend(stub)
            )


def _killed_then_resumed(
    scene: Any, store: Store, waits: list[float], made: Any, fresh: Any
) -> None:
    with pytest.raises(Killed):
        scene.sync()
    assert waits == [7.0]
    events = create_events(store)
    assert [e for _, e in events] == ["sent", "refused"]  # sent, then known not performed
    assert made() == 0
    scene.backend = fresh()
    planned, applied = scene.sync()
    assert kinds(planned).count("create") == N and "skip" not in kinds(planned)
    assert not applied.failed, applied.result_rows()
    assert made() == N


# -- 3. unreachable: nothing sent, stop at once ---------------------------------------------


def test_engine_an_unreachable_tracker_stops_the_run_and_holds_nothing_back(
    store: Store, tmp_path: Path
) -> None:
    backend = FakeBackend()
    scene = make_scene(store, tmp_path, backend, github={"tracking_issue": False})
    scene.sync(writeback=False)  # nothing yet; then the tracker goes away for a new item
    backend.reset_counts()
    scene.edit(
        ITEMS[2],
        ITEMS[2] + "\n- [ ] Page the DBA on a stalled failover (@arjun, due 2026-04-02, P2)\n"
        "- [ ] Rehearse the failover monthly (@lena, due 2026-04-09, P2)",
    )
    # The connection is refused as the first create leaves; the second is never tried.
    backend.fail_in_flight(
        "create",
        UnreachableError("cannot reach GitHub (127.0.0.1:1): connection refused. Nothing was sent"),
    )
    _, applied = scene.sync()

    assert applied.unreachable and applied.stopped and "connection refused" in applied.stopped
    creates = [r for res in applied.results for r in res.results if r.action.kind == "create"]
    assert [r.status for r in creates] == ["failed", "not_run"]
    assert backend.writes_of("create") == 0  # nothing after the first unreachable request
    assert [e for _, e in create_events(store)][-2:] == ["sent", "refused"]

    planned, applied = scene.sync()  # the tracker is back: both go at once, no wait
    assert kinds(planned).count("create") == 2 and "skip" not in kinds(planned)
    assert not applied.failed and not applied.unreachable
    no_duplicates(backend.tickets_by_item(PM_KEY))
    assert len(backend.tickets_by_item(PM_KEY)) == N + 2


def test_engine_an_unreachable_tracker_while_planning_raises_exit_4(
    store: Store, tmp_path: Path
) -> None:
    backend = FakeBackend()
    scene = make_scene(store, tmp_path, backend)
    backend.fail("list_postmortem", UnreachableError("cannot reach GitHub: connection refused"))
    with pytest.raises(UnreachableError) as caught:
        plan_sync(store, backend, scene.settings, [scene.path])
    assert caught.value.exit_code == 4 and backend.writes == 0


@pytest.fixture
def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_github_a_refused_connection_is_not_sent_and_not_retried(closed_port: str) -> None:
    slept: list[float] = []
    settings = GitHubSettings(repo="acme/ops", api_url=closed_port)
    backend = GitHubBackend(settings, GH_TOKEN, sleep=slept.append, write_interval=0.0, timeout=2)
    started = time.monotonic()
    with pytest.raises(UnreachableError, match=r"connection refused\. Nothing was sent") as caught:
        backend.list_postmortem(PM_KEY)
    draft = TicketDraft(marker=Marker(PM_KEY, "a1"), text="Add a timeout")
    with pytest.raises(UnreachableError):
        backend.create(draft)
    assert slept == [] and time.monotonic() - started < 5
    assert "PMT_GITHUB_API_URL" in str(caught.value) and caught.value.exit_code == 4


def test_a_failed_dns_lookup_is_not_sent_on_either_tracker(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*args: object, **kw: object) -> Any:
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    github = GitHubBackend(
        GitHubSettings(repo="acme/ops", api_url="https://ghe.invalid/api/v3"),
        GH_TOKEN,
        sleep=lambda s: None,
    )
    with pytest.raises(UnreachableError, match="could not be resolved"):
        github.list_postmortem(PM_KEY)
    jira = JiraBackend(
        JiraSettings(url="https://jira.invalid", project="OPS"), None, "pat-123456789"
    )
    with pytest.raises(UnreachableError, match=r"could not be resolved.*PMT_JIRA_URL"):
        jira.list_postmortem(PM_KEY)


# -- 4. no secret in any message --------------------------------------------------------------


def test_github_a_500_echoing_the_request_leaks_no_token() -> None:
    with GitHubStub("acme/ops") as stub:
        stub.fail("POST", r"/issues$", status=500, echo=True)
        settings = GitHubSettings(repo="acme/ops", api_url=stub.base)
        backend = GitHubBackend(settings, GH_TOKEN, sleep=lambda s: None, write_interval=0.0)
        draft = TicketDraft(marker=Marker(PM_KEY, "a1"), text="Add a timeout")
        with pytest.raises(TransientError) as caught:
            backend.create(draft)
    said = str(caught.value)
    assert GH_TOKEN not in said and "<redacted>" in said  # the echo was there, the token is not
    assert GH_TOKEN not in repr(caught.value.args)


def test_jira_a_500_echoing_the_request_leaks_no_credential(jira_stub: JiraStub) -> None:
    jira_stub.inject("POST", r"^issue$", 500, echo=True)
    jira_stub.inject("GET", r"^search", 500, echo=True, times=4)
    backend = jira_backend(jira_stub)
    draft = TicketDraft(marker=Marker(PM_KEY, "a1"), text="Add a timeout")
    basic = base64.b64encode(f"{STUB_EMAIL}:{STUB_TOKEN}".encode()).decode()
    with pytest.raises(TransientError) as created:
        backend.create(draft)
    with pytest.raises(TransientError) as listed:  # a read shows Jira's words: the echo
        backend.list_postmortem(PM_KEY)
    for said in (str(created.value), str(listed.value)):
        assert STUB_TOKEN not in said and basic not in said, said
    assert "<redacted>" in str(listed.value) and "authorization" in str(listed.value).lower()


def test_jira_a_401_never_names_the_token(jira_stub: JiraStub) -> None:
    with pytest.raises(AuthError) as caught:
        jira_backend(jira_stub, token="wrong-token-123456").list_postmortem(PM_KEY)
    assert "wrong-token-123456" not in str(caught.value)


# -- 6. a malformed API URL is a configuration error ------------------------------------------


@pytest.mark.parametrize(
    "url, problem",
    [
        ("htp:/bad url", "contains a space"),
        ("htp://example.com", "https://"),
        ("https:/api.github.com", "names no host"),
        ("https://api.github.com:99999", "out of range"),
        ("https://ghe.example.com/api v3", "contains a space"),
        ("api.github.com", "https://"),
        ("", "empty"),
    ],
)
def test_a_malformed_api_url_names_the_setting(url: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=r"\[github\] api_url \(PMT_GITHUB_API_URL\)") as caught:
        endpoints.api_url(url, "[github] api_url (PMT_GITHUB_API_URL)")
    assert problem in str(caught.value) and caught.value.exit_code == 2


@pytest.mark.parametrize("url", ["https://api.github.com:99999", "https://ghe.example.com/api v3"])
def test_a_backend_refuses_a_malformed_api_url_before_any_request(url: str) -> None:
    """Settings check the address's shape when they are read; the backend also refuses what
    would only fail in the client library (a bad port, a space)."""
    with pytest.raises(ConfigError, match=r"\[github\] api_url \(PMT_GITHUB_API_URL\)"):
        GitHubBackend(GitHubSettings(repo="acme/ops", api_url=url), GH_TOKEN)
    with pytest.raises(ConfigError, match=r"\[jira\] url \(PMT_JIRA_URL\)"):
        JiraBackend(JiraSettings(url=url, project="OPS"), None, "pat-123456789")


def test_good_api_urls_are_accepted() -> None:
    for url in (
        "https://api.github.com",
        "https://ghe.example.com/api/v3/",
        "http://127.0.0.1:8080",
    ):
        GitHubBackend(GitHubSettings(repo="acme/ops", api_url=url), GH_TOKEN)
    backend = JiraBackend(
        JiraSettings(url="https://jira.example.com/jira/", project="OPS"), None, "t"
    )
    assert backend.url_for("OPS-1") == "https://jira.example.com/jira/browse/OPS-1"


def test_a_rate_limit_stops_the_run_but_is_not_unreachable(store: Store, tmp_path: Path) -> None:
    backend = FakeBackend(rate_limit_after_writes=1)
    scene = make_scene(store, tmp_path, backend)
    _, applied = scene.sync()
    assert applied.stopped and not applied.unreachable
