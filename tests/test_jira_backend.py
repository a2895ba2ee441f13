"""The Jira backend (its requests session and retry policy) against recorded Jira traffic, Cloud
and Data Center.

Each test replays ``tests/cassettes/jira/<test>_<deployment>.yaml`` (see ``tests/jira_vcr.py``);
``PMT_JIRA_RECORD=stub`` re-records them against ``tests/jira_stub.py``. The assertions look at
what the backend returns and at the requests it made (method, path, body), which the cassette
pins exactly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sync.backends.jira.text import adf_text
from sync.base import (
    AuthError,
    NotFoundError,
    RateLimitedError,
    RequestError,
    TicketDraft,
    TransientError,
)
from sync.markers import Marker, postmortem_token
from tests.jira_stub import JiraStub
from tests.jira_vcr import NOW, JiraRecording, cassette_name, recording, stub_only

PM = "postmortems/2026-03-01-db-failover.md"
BOTH = ["cloud", "datacenter"]
SEARCH = r"/api/\d/search(/jql)?$"


@pytest.fixture(params=BOTH)
def jira(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[JiraRecording]:
    with recording(cassette_name(request.node, request.param), request.param, monkeypatch) as rec:
        yield rec


@pytest.fixture
def cloud(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[JiraRecording]:
    with recording(cassette_name(request.node, "cloud"), "cloud", monkeypatch) as rec:
        yield rec


def draft(uid: str = "a1", text: str = "Alert on replica lag above 30 s", **kw: Any) -> TicketDraft:
    values: dict[str, Any] = {
        "marker": Marker(PM, uid),
        "text": text,
        "owner": "alice",
        "due": date(2026, 4, 1),
        "priority": "P1",
        "kind": "detect",
        "postmortem_title": "Primary database failover took 40 minutes",
        "postmortem_path": PM,
        "postmortem_url": f"https://github.com/acme/postmortems/blob/main/{PM}",
        "incident_date": date(2026, 3, 1),
        "root_cause": 'A "schema" migration held a lock\non the replica',
        "labels": ("postmortem",),
    }
    values.update(kw)
    return TicketDraft(**values)


def sent(rec: JiraRecording, method: str, pattern: str) -> list[dict[str, Any]]:
    """The JSON bodies of the recorded requests whose path matches ``pattern``."""
    out = []
    for req in rec.cassette.requests:
        if req.method == method and re.search(pattern, urlsplit(req.uri).path):
            out.append(json.loads(req.body) if req.body else {})
    return out


def queries(rec: JiraRecording, pattern: str) -> list[dict[str, list[str]]]:
    return [
        parse_qs(urlsplit(req.uri).query)
        for req in rec.cassette.requests
        if re.search(pattern, urlsplit(req.uri).path)
    ]


def paths(rec: JiraRecording) -> list[str]:
    return [f"{m} {p.split('?')[0]}" for m, p in rec.requests()]


def api(rec: JiraRecording) -> str:
    return "3" if rec.deployment == "cloud" else "2"


def search_path(rec: JiraRecording) -> str:
    return f"/rest/api/{api(rec)}/search" + ("/jql" if rec.deployment == "cloud" else "")


# --- create and read back -------------------------------------------------------------------------


def test_create_maps_the_item_and_finds_it_again_by_marker(jira: JiraRecording) -> None:
    backend = jira.backend()
    item = draft()
    ticket = backend.create(item)

    assert re.fullmatch(rf"{jira.project}-\d+", ticket.key)
    assert ticket.url == f"{jira.base_url}/browse/{ticket.key}"
    assert ticket.state == "open"
    assert {item.marker.token, item.marker.postmortem_token, "postmortem", "action-item"} <= set(
        ticket.labels
    )

    listed = backend.list_postmortem(PM)
    assert list(listed) == [ticket.key]
    found = listed[ticket.key]
    assert found.marker == item.marker
    assert found.title == item.text
    owner = backend.settings.owners["alice"]
    if jira.deployment == "cloud":
        (users,) = jira.responses_to("GET", r"/user/search$")  # asked once, for the one owner
        exact = [
            u
            for u in users
            if owner.casefold()
            in (u.get("emailAddress", "").casefold(), u["displayName"].casefold())
        ]
        (user,) = exact or users  # as the backend chooses: the exact match, or the only one
        assignee, shown = {"accountId": user["accountId"]}, user["displayName"]
    else:
        assignee, shown = {"name": owner}, owner
    assert found.assignee == shown

    (body,) = sent(jira, "POST", r"/issue$")
    fields = body["fields"]
    assert fields["project"] == {"key": jira.project}
    assert fields["issuetype"] == {"name": "Task"}
    assert fields["duedate"] == "2026-04-01"
    assert fields["priority"] == {"name": "High"}
    assert fields.get("components", []) == [{"name": c} for c in backend.settings.components]
    assert fields["assignee"] == assignee
    # The marker is in the create request itself: no crash can separate it from the ticket.
    assert body["properties"] == [
        {"key": "pmt.marker", "value": {"token": item.marker.token, "postmortem": PM, "item": "a1"}}
    ]
    assert (
        item.marker.token in fields["labels"] and item.marker.postmortem_token in fields["labels"]
    )
    if jira.deployment == "cloud":
        # v3 wants ADF; the whole context is in it.
        assert fields["description"]["type"] == "doc"
        text = adf_text(fields["description"])
    else:
        assert isinstance(fields["description"], str)
        text = fields["description"]
    for expected in (
        "Alert on replica lag",
        "Owner:",
        "Due:",
        "2026-04-01",
        "Priority:",
        "P1",
        "Kind:",
        "detect",
        "Primary database failover",
        "2026-03-01",
        "Root cause",
        "migration",
        item.marker.token,
    ):
        assert expected in text

    (link,) = sent(jira, "POST", r"/remotelink$")
    assert link["globalId"] == f"pmt:{item.marker.token}"
    assert link["object"]["url"] == item.postmortem_url

    search = queries(jira, SEARCH)
    assert search[0]["jql"] == [f'labels = "{postmortem_token(PM)}" ORDER BY key ASC']
    assert search[0]["maxResults"] == ["100"]
    assert search[0]["properties"] == ["pmt.marker"]
    expected = ["GET /rest/api/2/serverInfo"]
    if jira.deployment == "cloud":
        expected.append("GET /rest/api/3/user/search")
    expected += [
        f"POST /rest/api/{api(jira)}/issue",
        f"POST /rest/api/{api(jira)}/issue/{ticket.key}/remotelink",
        f"GET {search_path(jira)}",
    ]
    assert paths(jira) == expected


def auth_of(req: Any) -> str | None:
    value = req.headers.get("Authorization")
    return value[0] if isinstance(value, list) else value


def test_detects_the_deployment_then_authenticates_as_it_requires(jira: JiraRecording) -> None:
    backend = jira.backend()
    made = backend.create(draft(owner=None, postmortem_url=None))
    assert backend.fetch([made.key])[made.key].title == draft().text
    assert paths(jira) == [
        "GET /rest/api/2/serverInfo",
        f"POST /rest/api/{api(jira)}/issue",
        f"GET {search_path(jira)}",
    ]
    info, create, search = jira.cassette.requests
    # serverInfo is asked before credentials are chosen, so it carries none; then Cloud gets
    # basic auth (e-mail + API token), Data Center the personal access token as a bearer.
    assert auth_of(info) is None
    expected = "Basic <redacted>" if jira.deployment == "cloud" else "Bearer <redacted>"
    assert auth_of(create) == auth_of(search) == expected


def test_a_set_deployment_skips_detection(jira: JiraRecording) -> None:
    backend = jira.backend(deployment=jira.deployment)
    made = backend.create(draft(owner=None, postmortem_url=None))
    assert backend.fetch([made.key])[made.key].title == draft().text
    assert paths(jira) == [f"POST /rest/api/{api(jira)}/issue", f"GET {search_path(jira)}"]


@stub_only
def test_cloud_looks_up_each_owner_once_and_reports_ambiguous_ones(cloud: JiraRecording) -> None:
    backend = cloud.backend(deployment="cloud")
    first = backend.create(draft("a1", postmortem_url=None))
    second = backend.create(draft("a2", text="Page the database on-call", postmortem_url=None))
    ambiguous = backend.create(draft("a3", owner="sam", postmortem_url=None))
    unmapped = backend.create(draft("a4", owner="carol", postmortem_url=None))

    assert [q["query"] for q in queries(cloud, r"/user/search$")] == [
        ["alice@example.com"],
        ["Sam"],
    ]
    bodies = sent(cloud, "POST", r"/issue$")
    assert [b["fields"].get("assignee") for b in bodies] == [
        {"accountId": "5b10ac8d82e05b22cc7d4ef5"},
        {"accountId": "5b10ac8d82e05b22cc7d4ef5"},
        None,
        None,
    ]
    assert any("'Sam'" in w and "2 matches" in w for w in backend.warnings)
    assert len({first.key, second.key, ambiguous.key, unmapped.key}) == 4


def test_long_text_is_cut_for_the_summary_and_kept_whole_in_the_description(
    jira: JiraRecording,
) -> None:
    text = (
        "Rewrite the failover runbook so that the on-call engineer can promote a replica "
        "without paging the database team; " * 5
    ).strip()
    ticket = jira.backend(deployment=jira.deployment).create(draft(text=text, postmortem_url=None))
    (body,) = sent(jira, "POST", r"/issue$")
    summary = body["fields"]["summary"]
    assert len(summary) <= 255 and summary.endswith("…")
    assert text.startswith(summary[:-1].rstrip())
    assert ticket.title == summary
    description = body["fields"]["description"]
    full = adf_text(description) if jira.deployment == "cloud" else description
    assert " ".join(text.split()) in " ".join(full.split())


# --- reads ----------------------------------------------------------------------------------------


@stub_only
def test_list_postmortem_pages_through_every_ticket(jira: JiraRecording) -> None:
    def seed(stub: JiraStub) -> None:
        for n in range(150):
            stub.add_issue(f"Item {n}", labels=["postmortem", postmortem_token(PM)])
        stub.add_issue("Another postmortem's item", labels=[postmortem_token("other.md")])

    jira.seed(seed)
    listed = jira.backend(deployment=jira.deployment).list_postmortem(PM)
    assert len(listed) == 150
    assert "Another postmortem's item" not in {t.title for t in listed.values()}
    pages = queries(jira, SEARCH)
    assert len(pages) == 2
    if jira.deployment == "cloud":
        assert "nextPageToken" not in pages[0] and pages[1]["nextPageToken"]
    else:
        assert [p["startAt"] for p in pages] == [["0"], ["100"]]
        assert pages[0]["validateQuery"] == ["false"]


@stub_only
def test_fetch_reads_keys_in_batches_of_100_and_skips_missing_ones(jira: JiraRecording) -> None:
    jira.seed(lambda stub: [stub.add_issue(f"Ticket {n}") for n in range(205)])
    keys = [f"OPS-{n}" for n in range(1, 206)]
    found = jira.backend(deployment=jira.deployment).fetch([*keys, "OPS-999"])
    assert sorted(found) == sorted(keys)
    jqls = [q["jql"][0] for q in queries(jira, SEARCH)]
    batches = [re.findall(r'"(OPS-\d+)"', jql) for jql in jqls]
    assert all(jql.startswith("key in (") for jql in jqls)
    if jira.deployment == "cloud":
        # Cloud refuses the batch naming a key that does not exist; it is asked again without it.
        assert [len(b) for b in batches] == [100, 100, 6, 5]
        assert "OPS-999" not in batches[3]
    else:
        # Data Center is asked with validateQuery=false: the unknown key is only a warning.
        assert [len(b) for b in batches] == [100, 100, 6]


@stub_only
def test_state_comes_from_the_status_category(jira: JiraRecording) -> None:
    def seed(stub: JiraStub) -> None:
        stub.add_issue("Still to do")
        stub.add_issue("Being done", status="In Progress", assignee="bob")
        stub.add_issue("Finished", status="Done", assignee="bob")

    jira.seed(seed)
    found = jira.backend(deployment=jira.deployment).fetch(["OPS-1", "OPS-2", "OPS-3"])
    todo, doing, done = found["OPS-1"], found["OPS-2"], found["OPS-3"]
    assert (todo.state, todo.state_reason, todo.closed_at) == ("open", None, None)
    assert (doing.state, doing.state_reason, doing.closed_at) == ("in_progress", None, None)
    assert done.state == "closed" and done.state_reason == "Done"
    assert done.closed_at is not None and done.closed_at.tzinfo is not None
    assert done.assignee == ("Bob Chen" if jira.deployment == "cloud" else "bob")
    assert todo.marker is None  # not made by pmt


# --- writes ---------------------------------------------------------------------------------------


def test_update_rewrites_the_fields_and_adds_labels_without_dropping_others(
    jira: JiraRecording,
) -> None:
    backend = jira.backend(deployment=jira.deployment)
    ticket = backend.create(draft())
    # Someone adds a label of their own in Jira.
    add = {"update": {"labels": [{"add": "customer-impact"}]}}
    backend._request("PUT", f"issue/{ticket.key}", what="add a label", payload=add)
    changed = draft(text="Alert on replica lag above 10 s", due=None, priority="P0", owner="bob")
    updated = backend.update(ticket.key, changed)

    assert updated.title == "Alert on replica lag above 10 s"
    assert "customer-impact" in updated.labels  # someone's own label survives
    put = sent(jira, "PUT", rf"/issue/{ticket.key}$")[-1]
    assert put["fields"]["summary"] == changed.text
    assert put["fields"]["duedate"] is None  # cleared, since the item lost its due date
    assert put["fields"]["priority"] == {"name": "Highest"}
    assert "labels" not in put["fields"]
    assert {"add": changed.marker.token} in put["update"]["labels"]
    # The remote link is sent again with the same global id: Jira updates it in place.
    links = sent(jira, "POST", r"/remotelink$")
    assert [link["globalId"] for link in links] == [f"pmt:{changed.marker.token}"] * 2
    if jira.stub is not None:
        assert len(jira.stub.issues[ticket.key].remote_links) == 1


def test_close_uses_the_configured_transition_by_name(jira: JiraRecording) -> None:
    backend = jira.backend(deployment=jira.deployment)
    ticket = backend.create(draft(postmortem_url=None))
    closed = backend.close(ticket.key)
    assert closed.state == "closed" and closed.state_reason == "Done"
    assert closed.closed_at is not None
    again = backend.close(ticket.key)  # already done: no transition is sent
    assert again.state == "closed"
    # The id travels as a string, as the API describes it (the library would send a number).
    offered = jira.responses_to("GET", r"/transitions$")[0]["transitions"]
    (done,) = [t for t in offered if t["name"] == "Done"]
    assert sent(jira, "POST", r"/transitions$") == [{"transition": {"id": str(done["id"])}}]


def test_close_names_the_transitions_available_when_the_configured_one_is_missing(
    jira: JiraRecording,
) -> None:
    backend = jira.backend(deployment=jira.deployment, close_transition="Resolve")
    ticket = backend.create(draft(postmortem_url=None))
    with pytest.raises(
        RequestError, match=r"no transition named 'Resolve' \(available: .*Done"
    ) as err:
        backend.close(ticket.key)
    assert "jira.close_transition" in str(err.value)
    assert sent(jira, "POST", r"/transitions$") == []


def test_mark_removed_labels_then_comments(jira: JiraRecording) -> None:
    backend = jira.backend(deployment=jira.deployment)
    ticket = backend.create(draft(postmortem_url=None))
    backend.mark_removed(
        ticket.key, "This action item was removed from the postmortem.\n\nKept open."
    )
    (label,) = sent(jira, "PUT", rf"/issue/{ticket.key}$")
    assert label == {"update": {"labels": [{"add": "removed-from-postmortem"}]}}
    (comment,) = sent(jira, "POST", r"/comment$")
    if jira.deployment == "cloud":
        assert comment["body"]["type"] == "doc"
        assert [p["type"] for p in comment["body"]["content"]] == ["paragraph", "paragraph"]
        assert "removed from the postmortem" in adf_text(comment["body"])
    else:
        assert (
            comment["body"] == "This action item was removed from the postmortem.\n\nKept open.\n"
        )
    assert [m for m, _ in jira.requests()][-2:] == ["PUT", "POST"]


def test_link_children_links_each_follow_up_to_the_incident_once(jira: JiraRecording) -> None:
    backend = jira.backend(deployment=jira.deployment)
    incident = backend.create(
        draft("incident", text="Incident: primary database down", postmortem_url=None)
    )
    first = backend.create(draft("a1", postmortem_url=None))
    second = backend.create(draft("a2", text="Page on lag", postmortem_url=None))

    backend.link_children(incident.key, [first.key])
    backend.link_children(incident.key, [first.key, second.key, incident.key])
    backend.link_children(incident.key, [first.key, second.key])

    links = sent(jira, "POST", r"/issueLink$")
    assert links == [
        {
            "type": {"name": "Relates"},
            "inwardIssue": {"key": incident.key},
            "outwardIssue": {"key": first.key},
        },
        {
            "type": {"name": "Relates"},
            "inwardIssue": {"key": incident.key},
            "outwardIssue": {"key": second.key},
        },
    ]
    # Each call reads the incident's links once, and only the issue links field.
    reads = queries(jira, rf"/issue/{incident.key}$")
    assert reads == [{"fields": ["issuelinks"]}] * 3
    if jira.stub is not None:
        assert len(jira.stub.links_of(incident.key)) == 2


def test_follow_ups_are_linked_to_the_incident_ticket_the_postmortem_names(
    jira: JiraRecording,
) -> None:
    backend = jira.backend(deployment=jira.deployment)
    incident = backend.create(
        draft("incident", text="Incident: checkout down", postmortem_url=None)
    )
    first = backend.create(draft("a1", incident_ticket=incident.key, postmortem_url=None))
    # Already linked: the update reads the ticket's links with its state and adds nothing.
    backend.update(
        first.key, draft("a1", text="Changed", incident_ticket=incident.key, postmortem_url=None)
    )
    second = backend.create(draft("a2", text="Page on lag", postmortem_url=None))
    # The postmortem names its incident later (as a browse URL): the update adds the link.
    later = draft(
        "a2", text="Page on lag", incident_ticket=backend.url_for(incident.key), postmortem_url=None
    )
    backend.update(second.key, later)
    # Not a ticket of this Jira: nothing to link.
    backend.create(
        draft("a3", text="Other", incident_ticket="INC-42 in PagerDuty", postmortem_url=None)
    )

    assert sent(jira, "POST", r"/issueLink$") == [
        {
            "type": {"name": "Relates"},
            "inwardIssue": {"key": incident.key},
            "outwardIssue": {"key": first.key},
        },
        {
            "type": {"name": "Relates"},
            "inwardIssue": {"key": incident.key},
            "outwardIssue": {"key": second.key},
        },
    ]
    reads = [
        parse_qs(urlsplit(r.uri).query)
        for r in jira.cassette.requests
        if r.method == "GET" and urlsplit(r.uri).path.endswith(f"/issue/{second.key}")
    ]
    assert reads[0]["fields"][0].endswith(",issuelinks")
    assert backend.warnings == []


def test_comment_is_adf_on_cloud_and_wiki_markup_on_data_center(jira: JiraRecording) -> None:
    backend = jira.backend(deployment=jira.deployment)
    ticket = backend.create(draft(postmortem_url=None))
    backend.comment(ticket.key, "Reminder: due *soon* [see runbook]")
    (comment,) = sent(jira, "POST", r"/comment$")
    if jira.deployment == "cloud":
        assert adf_text(comment["body"]).strip() == "Reminder: due *soon* [see runbook]"
    else:
        assert comment["body"] == "Reminder: due \\*soon\\* \\[see runbook\\]\n"


# --- faults ---------------------------------------------------------------------------------------


@stub_only
def test_reads_wait_as_told_by_retry_after(jira: JiraRecording) -> None:
    def seed(stub: JiraStub) -> None:
        stub.add_issue("Item", labels=[postmortem_token(PM)])
        stub.inject("GET", r"^search", 429, retry_after=7)
        stub.inject("GET", r"^search", 503, retry_after=2)

    jira.seed(seed)
    listed = jira.backend(deployment=jira.deployment).list_postmortem(PM)
    assert len(listed) == 1
    assert jira.sleeps == [7.0, 2.0]
    assert len(queries(jira, SEARCH)) == 3


@stub_only
def test_reads_give_up_after_bounded_retries(jira: JiraRecording) -> None:
    jira.seed(lambda stub: stub.inject("GET", r"^search", 429, retry_after=1, times=4))
    with pytest.raises(RateLimitedError, match="rate limit") as err:
        jira.backend(deployment=jira.deployment).list_postmortem(PM)
    assert jira.sleeps == [1.0, 1.0, 1.0]
    assert err.value.reset_at == NOW + timedelta(seconds=1)
    assert len(queries(jira, SEARCH)) == 4


@stub_only
def test_a_long_retry_after_stops_the_run_at_once(jira: JiraRecording) -> None:
    jira.seed(lambda stub: stub.inject("GET", r"^search", 429, retry_after=3600))
    with pytest.raises(RateLimitedError) as err:
        jira.backend(deployment=jira.deployment).list_postmortem(PM)
    assert jira.sleeps == []
    assert err.value.reset_at == NOW + timedelta(hours=1)
    assert "13:00:00" in str(err.value)


@stub_only
def test_a_create_that_failed_with_500_is_not_sent_again_and_is_found_by_its_marker(
    jira: JiraRecording,
) -> None:
    # Jira made the ticket, then answered 500: sending the POST again would make a second one.
    jira.seed(lambda stub: stub.inject("POST", r"^issue$", 500, apply=True))
    backend = jira.backend(deployment=jira.deployment)
    item = draft()
    with pytest.raises(TransientError, match="outcome is unknown, so it was not sent again"):
        backend.create(item)
    assert jira.sleeps == []
    recovered = backend.list_postmortem(PM)
    assert [t.marker for t in recovered.values()] == [item.marker]
    assert len(sent(jira, "POST", r"/issue$")) == 1


@stub_only
def test_a_create_that_met_503_is_not_sent_again(jira: JiraRecording) -> None:
    jira.seed(lambda stub: stub.inject("POST", r"^issue$", 503, retry_after=1))
    with pytest.raises(TransientError, match="HTTP 503.*outcome is unknown"):
        jira.backend(deployment=jira.deployment).create(draft())
    assert jira.sleeps == []
    assert len(sent(jira, "POST", r"/issue$")) == 1


@stub_only
def test_a_create_refused_by_the_rate_limit_is_sent_again_after_the_wait(
    jira: JiraRecording,
) -> None:
    # A 429 means Jira did not perform the request: sending it again cannot make a duplicate.
    jira.seed(lambda stub: stub.inject("POST", r"^issue$", 429, retry_after=2))
    backend = jira.backend(deployment=jira.deployment)
    ticket = backend.create(draft(postmortem_url=None))
    assert jira.sleeps == [2.0]
    assert len(sent(jira, "POST", r"/issue$")) == 2
    assert list(backend.list_postmortem(PM)) == [ticket.key]


def test_wrong_credentials_are_an_auth_error_naming_the_variables(jira: JiraRecording) -> None:
    backend = jira.backend(deployment=jira.deployment, token="not-the-token")
    with pytest.raises(AuthError, match="refused the credentials") as err:
        backend.list_postmortem(PM)
    names = "PMT_JIRA_EMAIL and PMT_JIRA_TOKEN" if jira.deployment == "cloud" else "PMT_JIRA_TOKEN"
    assert names in str(err.value)
    assert "not-the-token" not in str(err.value)
    assert len(jira.requests()) == 1  # a 401 is not retried


def test_a_missing_ticket_is_not_found(jira: JiraRecording) -> None:
    missing = f"{jira.project}-999999"
    with pytest.raises(NotFoundError, match=missing):
        jira.backend(deployment=jira.deployment).close(missing)


def test_a_rejected_field_is_a_request_error_with_jiras_words(jira: JiraRecording) -> None:
    backend = jira.backend(deployment=jira.deployment, priorities={"P1": "Urgent"})
    with pytest.raises(RequestError, match=r"HTTP 400\): priority: ") as err:
        backend.create(draft(postmortem_url=None))
    assert "create the ticket for pmt-" in str(err.value)


@stub_only
def test_cloud_refuses_the_old_search_with_410_and_the_error_says_what_to_set(
    cloud: JiraRecording,
) -> None:
    # A Cloud site configured as Data Center would use /rest/api/2/search, which Cloud removed.
    backend = cloud.backend(deployment="datacenter")
    with pytest.raises(RequestError, match="410 Gone") as err:
        backend.list_postmortem(PM)
    assert 'jira.deployment = "cloud"' in str(err.value)
    assert paths(cloud) == ["GET /rest/api/2/search"]


def test_cassettes_hold_no_credential_and_no_loopback_address() -> None:
    from tests.jira_stub import STUB_EMAIL, STUB_TOKEN
    from tests.jira_vcr import CASSETTES

    files = sorted(CASSETTES.glob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        for leak in (
            STUB_TOKEN,
            STUB_EMAIL,
            "127.0.0.1",
            "cG10LXJlY29yZGVy",
        ):  # last: base64 of the e-mail
            assert leak not in text, f"{path.name} holds {leak!r}"
        schemes = set(re.findall(r"authorization:\n\s+- (.*)", text))
        assert schemes <= {"Basic <redacted>", "Bearer <redacted>"}, (path.name, schemes)
