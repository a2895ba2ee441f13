"""The GitHub backend against recorded GitHub traffic (see conftest.py for the modes)."""

from __future__ import annotations

from datetime import date

import pytest

from sync.base import AuthError, NotFoundError, RateLimitedError, TransientError
from sync.markers import Marker, read_marker
from tests.github.conftest import GitHubRig, draft, tracking

PM = "postmortems/2026-02-14-queue-outage.md"


# -- create, list, read back -----------------------------------------------------------------


def test_create_then_list_postmortem_finds_it_with_its_marker(gh: GitHubRig) -> None:
    backend = gh.backend()
    assert backend.list_postmortem(PM) == {}
    item = draft("a1")
    created = backend.create(item)

    listed = gh.backend().list_postmortem(PM)

    assert list(listed) == [created.key]
    ticket = listed[created.key]
    assert ticket.marker == item.marker
    assert ticket.state == "open"
    assert ticket.assignee == gh.login
    assert ticket.url == backend.url_for(created.key)
    assert item.marker.postmortem_token in ticket.labels
    assert {"postmortem", "action-item", "priority:P1"} <= set(ticket.labels)


def test_issue_body_carries_the_item_the_incident_the_link_and_the_marker(gh: GitHubRig) -> None:
    backend = gh.backend()
    item = draft(
        "a1",
        "Page the on-call when queue depth stays above 10k for 5 minutes",
        priority="P0",
        kind="mitigation",
        incident_ticket="INC-4411",
    )
    created = backend.create(item)
    number = int(created.key.split("#")[1])
    issue = backend._client.get_repo(gh.repo).get_issue(number)  # a plain read, for the body
    issue.complete()
    body = issue._rawData["body"]

    assert item.text in body
    for expected in (
        "Alice",
        f"@{gh.login}",
        "2026-04-01",
        "P0",
        "mitigation",
        "INC-4411",
        "Queue consumers stalled for 40 minutes",
        "2026-02-14",
        "nothing alerted on depth",
        f"({item.postmortem_url})",
    ):
        assert expected in body
    assert read_marker(body) == item.marker
    assert body.rstrip().endswith(item.marker.html_comment())


def test_long_item_text_is_cut_on_a_word_for_the_title_and_kept_whole_in_the_body(
    gh: GitHubRig,
) -> None:
    words = "Rewrite the consumer supervisor so that a stalled partition is detected and restarted "
    text = (words * 6).strip()
    backend = gh.backend()
    created = backend.create(draft("a1", text))

    assert len(created.title) <= 256
    assert created.title.endswith("…")
    prefix = created.title[:-1]
    assert text.startswith(prefix) and text[len(prefix)] == " "  # cut between two words
    listed = backend.fetch([created.key])[created.key]
    assert listed.title == created.title


def test_labels_are_listed_once_and_only_missing_ones_created(gh: GitHubRig) -> None:
    stub = gh.seed()
    if stub is not None:
        stub.add_label("postmortem", "5319e7", "Made by a human")
    backend = gh.backend()
    for uid, priority in (("a1", "P1"), ("a2", "P1"), ("a3", "P2")):
        backend.create(draft(uid, f"Item {uid}", priority=priority))

    assert gh.traffic().count("GET /repos/acme/ops/labels") == 1
    created_labels = gh.traffic().count("POST /repos/acme/ops/labels")
    # action-item, priority:P1, the marker label, then priority:P2: "postmortem" existed.
    assert created_labels == 4
    assert gh.traffic().count("POST /repos/acme/ops/issues") == 3


def test_unmapped_owner_is_reported_and_the_issue_left_unassigned(gh: GitHubRig) -> None:
    backend = gh.backend()
    created = backend.create(draft("a1", owner="Dmitri"))
    backend.create(draft("a2", "Another one", owner="Dmitri"))

    assert created.assignee is None
    assert len(backend.warnings) == 1
    assert "Dmitri" in backend.warnings[0]


def test_assignee_github_refuses_is_dropped_with_a_warning(gh: GitHubRig) -> None:
    gh.seed()
    backend = gh.backend(owners={"Alice": "no-such-user-xyz"})
    created = backend.create(draft("a1"))

    assert created.assignee is None
    assert any("no-such-user-xyz" in w for w in backend.warnings)
    # The refused create (422) and the one without assignee; nothing else was created.
    assert gh.traffic().count("POST /repos/acme/ops/issues") == 2
    assert list(gh.backend().list_postmortem(PM)) == [created.key]


def test_milestone_is_the_open_one_due_soonest_on_or_after_the_due_date(gh: GitHubRig) -> None:
    stub = gh.seed()
    if stub is not None:
        stub.add_milestone("2026-Q1", "2026-03-31T07:00:00Z")
        stub.add_milestone("No date", None)
        stub.add_milestone("Closed April", "2026-04-10T07:00:00Z", state="closed")
        stub.add_milestone("2026-Q2", "2026-06-30T07:00:00Z")
        stub.add_milestone("April sprint", "2026-04-15T07:00:00Z")
    backend = gh.backend(milestones=True)
    april = backend.create(draft("a1", due=date(2026, 4, 1)))
    late = backend.create(draft("a2", "Later item", due=date(2026, 12, 1)))

    number = int(april.key.split("#")[1])
    issue = backend._client.get_repo(gh.repo).get_issue(number)
    issue.complete()
    assert issue._rawData["milestone"]["title"] == "April sprint"
    late_issue = backend._client.get_repo(gh.repo).get_issue(int(late.key.split("#")[1]))
    late_issue.complete()
    assert late_issue._rawData["milestone"] is None
    assert gh.traffic().count("GET /repos/acme/ops/milestones") == 1


def test_list_postmortem_pages_by_100_through_link_headers(gh: GitHubRig) -> None:
    stub = gh.seed()
    if stub is not None:
        for i in range(101):
            marker = Marker(PM, f"s{i}")
            stub.add_issue(
                f"Seeded {i}", body=marker.html_comment(), labels=(marker.postmortem_token,)
            )
        stub.add_issue("Unrelated", labels=("bug",))

    listed = gh.backend().list_postmortem(PM)

    assert len(listed) == 101
    assert {t.marker.item_uid for t in listed.values() if t.marker} == {f"s{i}" for i in range(101)}
    assert gh.traffic() == ["GET /repos/acme/ops/issues", f"GET /repositories/{812_000_001}/issues"]


def test_fetch_reads_each_ticket_and_leaves_out_missing_ones(gh: GitHubRig) -> None:
    stub = gh.seed()
    if stub is not None:
        stub.add_issue("Written by hand", body="no marker here", assignees=("bob-gh",))
        stub.add_issue("Done already", state="closed")
    backend = gh.backend()

    found = backend.fetch(["acme/ops#1", "acme/ops#2", "acme/ops#404"])

    assert set(found) == {"acme/ops#1", "acme/ops#2"}
    assert found["acme/ops#1"].marker is None
    assert found["acme/ops#1"].assignee == "bob-gh"
    assert found["acme/ops#2"].state == "closed"
    assert found["acme/ops#2"].state_reason == "completed"
    assert found["acme/ops#2"].closed_at is not None
    assert gh.traffic() == [f"GET /repos/acme/ops/issues/{n}" for n in (1, 2, 404)]


# -- update, close, comment, removed -----------------------------------------------------------


def test_update_rewrites_the_issue_and_keeps_labels_people_added(gh: GitHubRig) -> None:
    first = gh.backend()
    created = first.create(draft("a1"))
    stub = gh.seed()
    if stub is not None:
        stub.issues[1]["labels"].append(stub.add_label("team-db")["name"].lower())

    backend = gh.backend()
    backend.list_postmortem(PM)
    changed = draft(
        "a1", "Add an alert on queue depth and on consumer lag", priority="P2", owner="Bob"
    )
    updated = backend.update(created.key, changed)

    assert updated.title == changed.text
    assert updated.assignee == "bob-gh"
    assert "team-db" in updated.labels
    assert "priority:P2" in updated.labels and "priority:P1" not in updated.labels
    assert updated.marker == changed.marker
    # Known from the listing: no read before the PATCH.
    assert gh.traffic()[-1] == "PATCH /repos/acme/ops/issues/1"
    assert gh.traffic()[-2] == "POST /repos/acme/ops/labels"  # priority:P2 did not exist


def test_update_of_an_unseen_issue_reads_it_first(gh: GitHubRig) -> None:
    created = gh.backend().create(draft("a1"))
    backend = gh.backend()
    before = len(gh.traffic())

    backend.update(created.key, draft("a1", "Reworded item"))

    assert gh.traffic()[before:] == [
        "GET /repos/acme/ops/issues/1",
        "GET /repos/acme/ops/labels",
        "PATCH /repos/acme/ops/issues/1",
    ]


def test_unmapped_owner_on_update_leaves_assignees_alone(gh: GitHubRig) -> None:
    backend = gh.backend()
    created = backend.create(draft("a1"))
    updated = backend.update(created.key, draft("a1", owner="Someone New"))

    assert updated.assignee == gh.login
    assert any("Someone New" in w for w in backend.warnings)


def test_mark_removed_comments_and_labels_and_never_closes(gh: GitHubRig) -> None:
    backend = gh.backend()
    created = backend.create(draft("a1"))
    backend.mark_removed(created.key, "This action item was removed from the postmortem.")

    ticket = gh.backend().fetch([created.key])[created.key]
    assert ticket.state == "open"
    assert "removed-from-postmortem" in ticket.labels
    assert "POST /repos/acme/ops/issues/1/comments" in gh.traffic()
    assert "POST /repos/acme/ops/issues/1/labels" in gh.traffic()


def test_an_item_back_in_its_postmortem_loses_the_removed_label(gh: GitHubRig) -> None:
    backend = gh.backend()
    created = backend.create(draft("a1"))
    backend.mark_removed(created.key, "Removed from the postmortem.")
    updated = backend.update(created.key, draft("a1"))

    assert "removed-from-postmortem" not in updated.labels


def test_close_marks_the_issue_completed(gh: GitHubRig) -> None:
    backend = gh.backend()
    created = backend.create(draft("a1"))
    closed = backend.close(created.key)

    assert closed.state == "closed"
    assert closed.state_reason == "completed"
    assert closed.closed_at is not None


def test_comment_adds_one_comment(gh: GitHubRig) -> None:
    backend = gh.backend()
    created = backend.create(draft("a1"))
    backend.comment(created.key, "Reminder: due on 2026-04-01.")

    assert gh.writes()[-1] == "POST /repos/acme/ops/issues/1/comments"


# -- tracking issue and sub-issues ---------------------------------------------------------------


def test_tracking_issue_gets_its_items_as_sub_issues_once(gh: GitHubRig) -> None:
    backend = gh.backend()
    parent = backend.create(tracking())
    children = [backend.create(draft(f"a{i}", f"Item {i}")).key for i in range(3)]
    before = len(gh.traffic())
    backend.link_children(parent.key, children)

    assert gh.traffic()[before:] == ["POST /repos/acme/ops/issues/1/sub_issues"] * 3

    again = gh.backend()
    again.list_postmortem(PM)
    before = len(gh.traffic())
    again.link_children(parent.key, children)
    assert gh.traffic()[before:] == []
    assert "action-item" in parent.labels and "priority:P1" not in parent.labels


def test_link_children_lists_sub_issues_when_github_does_not_say_the_parent(gh: GitHubRig) -> None:
    stub = gh.seed()
    if stub is not None:
        stub.omit_parent_url = True
    backend = gh.backend()
    parent = backend.create(tracking())
    first = backend.create(draft("a1", "Item 1")).key
    backend.link_children(parent.key, [first])
    second = backend.create(draft("a2", "Item 2")).key

    again = gh.backend()
    again.list_postmortem(PM)
    before = len(gh.traffic())
    again.link_children(parent.key, [first, second])

    assert gh.traffic()[before:] == [
        "GET /repos/acme/ops/issues/1/sub_issues",
        "POST /repos/acme/ops/issues/1/sub_issues",
    ]


def test_a_child_under_another_parent_is_left_there_with_a_warning(gh: GitHubRig) -> None:
    backend = gh.backend()
    parent = backend.create(tracking())
    other = backend.create(tracking("postmortems/other.md"))
    child = backend.create(draft("a1")).key
    backend.link_children(other.key, [child])

    backend.link_children(parent.key, [child])

    assert (
        gh.writes().count(f"POST /repos/acme/ops/issues/{parent.key.split('#')[1]}/sub_issues") == 0
    )
    assert any("another issue" in w for w in backend.warnings)


def test_link_children_stops_at_githubs_100_sub_issues(gh: GitHubRig) -> None:
    stub = gh.seed()
    if stub is not None:
        parent = stub.add_issue("Epic with a full house")
        for i in range(100):
            kid = stub.add_issue(f"Child {i}")
            stub.children.setdefault(parent["number"], []).append(kid["number"])
            stub.parent_of[kid["number"]] = parent["number"]
    backend = gh.backend()
    extra = backend.create(draft("a1")).key

    backend.link_children("acme/ops#1", [extra])

    assert gh.writes() == [w for w in gh.writes() if "sub_issues" not in w]
    assert any("100 sub-issues" in w for w in backend.warnings)


# -- faults -----------------------------------------------------------------------------------


def test_a_create_that_fails_with_a_5xx_is_not_retried_and_the_outcome_is_unknown(
    gh: GitHubRig,
) -> None:
    stub = gh.seed()
    if stub is not None:
        # GitHub made the issue, then answered 502: the case a blind retry would duplicate.
        stub.fail("POST", r"/issues$", status=502, apply=True)
    backend = gh.backend()

    with pytest.raises(TransientError, match="may or may not have been created"):
        backend.create(draft("a1"))

    assert gh.traffic().count("POST /repos/acme/ops/issues") == 1
    found = gh.backend().list_postmortem(PM)
    assert [t.marker.item_uid for t in found.values() if t.marker] == ["a1"]


def test_reads_are_retried_on_5xx_with_backoff_and_retry_after(gh: GitHubRig) -> None:
    stub = gh.seed()
    if stub is not None:
        stub.fail("GET", r"/issues$", status=503, headers={"Retry-After": "4"})
        stub.fail("GET", r"/issues$", status=500)
        stub.fail("GET", r"/issues$", status=502)
    backend = gh.backend()

    assert backend.list_postmortem(PM) == {}

    assert gh.traffic() == ["GET /repos/acme/ops/issues"] * 4
    assert gh.sleeps[0] == 4.0
    assert len(gh.sleeps) == 3 and all(s > 0 for s in gh.sleeps)


def test_a_read_failing_past_the_retries_is_a_transient_error(gh: GitHubRig) -> None:
    stub = gh.seed()
    if stub is not None:
        stub.fail("GET", r"/issues$", status=500, times=10)

    with pytest.raises(TransientError, match="500"):
        gh.backend().list_postmortem(PM)

    assert gh.traffic() == ["GET /repos/acme/ops/issues"] * 4


def test_a_secondary_rate_limit_on_create_is_waited_out_then_created_once(gh: GitHubRig) -> None:
    stub = gh.seed()
    if stub is not None:
        stub.rate_limit("POST", r"/issues$", retry_after=7)
    backend = gh.backend()
    created = backend.create(draft("a1"))

    assert 7.0 in gh.sleeps
    assert gh.traffic().count("POST /repos/acme/ops/issues") == 2  # refused, then made
    assert list(gh.backend().list_postmortem(PM)) == [created.key]


def test_a_rate_limit_that_outlasts_the_wait_stops_with_its_reset_time(gh: GitHubRig) -> None:
    stub = gh.seed()
    if stub is not None:
        stub.rate_limit("GET", r"/issues$", primary=True, retry_after=None)
    backend = gh.backend()

    with pytest.raises(RateLimitedError) as caught:
        backend.list_postmortem(PM)

    assert caught.value.reset_at is not None
    # The stub's limit resets an hour after its start; one second of margin.
    assert caught.value.reset_at.timestamp() == gh.now + 3601
    assert gh.sleeps == []


def test_a_second_secondary_limit_in_a_row_stops_the_run(gh: GitHubRig) -> None:
    stub = gh.seed()
    if stub is not None:
        stub.rate_limit("POST", r"/issues$", retry_after=30, times=2, status=429)
    backend = gh.backend()

    with pytest.raises(RateLimitedError, match="rate limit"):
        backend.create(draft("a1"))

    assert gh.sleeps.count(30.0) == 1
    assert gh.backend().list_postmortem(PM) == {}


def test_a_bad_token_is_an_auth_error(gh: GitHubRig) -> None:
    with pytest.raises(AuthError, match="PMT_GITHUB_TOKEN"):
        gh.backend(token="ghp_not-a-valid-token").list_postmortem(PM)


def test_a_missing_repository_is_not_found(gh: GitHubRig) -> None:
    with pytest.raises(NotFoundError, match="acme/no-such-repo"):
        gh.backend(repo="acme/no-such-repo").list_postmortem(PM)


def test_writes_are_paced_a_second_apart(gh: GitHubRig) -> None:
    backend = gh.backend(write_interval=1.0)
    backend.create(draft("a1"))
    backend.create(draft("a2", "Second item"))

    # Label writes and issue writes alike: every write after the first waits its second.
    assert gh.sleeps == [1.0] * (len(gh.writes()) - 1)
