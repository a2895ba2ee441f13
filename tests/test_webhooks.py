"""Reading webhook deliveries, without HTTP: signatures, names, events, what they report."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from sync.backends.github import webhooks as github
from sync.backends.jira import webhooks as jira
from sync.webhooks import Rejected, receive, signature_matches
from tests.serve_server import github_headers, github_issue_event, sign
from tracker.config import Settings

SECRET = "s3cret"


def test_signatures_are_checked_in_the_sha256_form() -> None:
    body = b'{"a": 1}'
    assert signature_matches(SECRET, body, sign(SECRET, body))
    assert signature_matches(SECRET, body, sign(SECRET, body).upper().replace("SHA256=", "sha256="))
    assert not signature_matches(SECRET, body, sign("other", body))
    assert not signature_matches(SECRET, body + b" ", sign(SECRET, body))
    assert not signature_matches(SECRET, body, sign(SECRET, body).replace("sha256=", "sha1="))
    assert not signature_matches(SECRET, body, None)


def _headers(body: bytes, **extra: str) -> dict[str, str]:
    return {k.lower(): v for k, v in {**github_headers(SECRET, body, "d-1"), **extra}.items()}


def test_a_github_issue_event_reports_the_issue_s_state_as_of_its_update() -> None:
    body = github_issue_event(7, "closed", updated_at="2026-12-01T10:00:00Z", assignee="lena")
    inbound = github.inbound(_headers(body), body, SECRET, json.loads(body))
    assert inbound.delivery_id == "d-1" and inbound.event == "issues" and inbound.wanted
    assert inbound.happened_at == datetime(2026, 12, 1, 10, tzinfo=UTC)
    settings = Settings(github={"repo": "Acme/Ops"})
    (seen,) = github.changes("issues", json.loads(body), settings).tickets
    # The key is spelt as configured, as sync spells it.
    assert seen.ticket.key == "Acme/Ops#7"
    assert (seen.ticket.state, seen.ticket.assignee, seen.deleted) == ("closed", "lena", False)


def test_a_github_delivery_must_name_itself() -> None:
    body = github_issue_event(7, "closed", updated_at="2026-12-01T10:00:00Z")
    headers = _headers(body)
    del headers["x-github-delivery"]
    with pytest.raises(Rejected) as refused:
        github.inbound(headers, body, SECRET, json.loads(body))
    assert refused.value.status == 400


def _push(ref: str, deleted: bool = False) -> dict[str, object]:
    return {
        "ref": ref,
        "after": "abc123",
        "deleted": deleted,
        "repository": {"full_name": "acme/ops", "default_branch": "main"},
        "commits": [
            {"added": ["postmortems/a.md"], "modified": ["README.md"]},
            {"added": [], "modified": ["postmortems/a.md", "postmortems/b.md"]},
        ],
        "head_commit": {"timestamp": "2026-12-01T10:00:00+01:00"},
    }


def test_a_push_to_the_default_branch_names_the_files_it_touched_once() -> None:
    payload = _push("refs/heads/main")
    body = json.dumps(payload).encode()
    inbound = github.inbound(_headers(body, **{"X-GitHub-Event": "push"}), body, SECRET, payload)
    assert inbound.wanted and inbound.happened_at == datetime(2026, 12, 1, 9, tzinfo=UTC)
    pushed = github.changes("push", payload, Settings()).pushed
    assert pushed is not None and pushed.after == "abc123"
    assert pushed.paths == ("postmortems/a.md", "README.md", "postmortems/b.md")


@pytest.mark.parametrize("payload", [_push("refs/heads/feature"), _push("refs/heads/main", True)])
def test_other_branches_and_branch_deletions_are_not_wanted(payload: dict[str, object]) -> None:
    body = json.dumps(payload).encode()
    inbound = github.inbound(_headers(body, **{"X-GitHub-Event": "push"}), body, SECRET, payload)
    assert not inbound.wanted
    assert github.changes("push", payload, Settings()).pushed is None


def _jira_body(event: str, stamp: int | None) -> bytes:
    payload: dict[str, object] = {
        "webhookEvent": event,
        "issue": {
            "key": "OPS-3",
            "fields": {
                "summary": "x",
                "status": {"statusCategory": {"key": "done"}},
                "resolution": {"name": "Done"},
                "resolutiondate": "2026-12-01T10:00:00.000+0000",
                "assignee": {"displayName": "Lena K", "name": "lena"},
                "updated": "2026-12-01T10:00:00.000+0000",
            },
        },
    }
    if stamp is not None:
        payload["timestamp"] = stamp
    return json.dumps(payload).encode()


def test_a_jira_delivery_is_named_by_its_identifier_else_by_its_bytes() -> None:
    body = _jira_body("jira:issue_updated", 1764583200000)
    headers = {"x-hub-signature": sign(SECRET, body), "x-atlassian-webhook-identifier": "j-9"}
    named = jira.inbound(headers, body, SECRET, json.loads(body))
    assert named.delivery_id == "j-9" and named.wanted
    assert named.happened_at == datetime(2025, 12, 1, 10, tzinfo=UTC)
    del headers["x-atlassian-webhook-identifier"]
    first = jira.inbound(headers, body, SECRET, json.loads(body))
    second = jira.inbound(headers, body, SECRET, json.loads(body))
    assert first.delivery_id == second.delivery_id and first.delivery_id.startswith("sha256:")


@pytest.mark.parametrize(
    ("url", "deployment", "assignee"),
    [
        ("https://acme.atlassian.net", "auto", "Lena K"),
        ("https://jira.acme.example", "auto", "lena"),
        ("https://jira.acme.example", "cloud", "Lena K"),
    ],
)
def test_jira_names_the_assignee_as_its_deployment_does(
    url: str, deployment: str, assignee: str
) -> None:
    settings = Settings(jira={"url": url, "deployment": deployment})
    payload = json.loads(_jira_body("jira:issue_updated", None))
    (seen,) = jira.changes("jira:issue_updated", payload, settings).tickets
    assert seen.ticket.assignee == assignee and seen.ticket.state == "closed"
    assert seen.ticket.url == f"{url}/browse/OPS-3"
    (gone,) = jira.changes("jira:issue_deleted", payload, settings).tickets
    assert gone.deleted


class _NoStore:
    """receive must refuse before it reaches the store."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the store was touched ({name})")


@pytest.mark.parametrize(
    ("body", "signed", "status"),
    [(b"not json", True, 400), (b"not json", False, 401), (b"[1, 2]", True, 400)],
)
def test_a_body_that_is_not_a_json_object_is_refused(
    body: bytes, signed: bool, status: int
) -> None:
    headers = {"x-hub-signature-256": sign(SECRET if signed else "x", body)}
    with pytest.raises(Rejected) as refused:
        receive(
            _NoStore(),  # type: ignore[arg-type]
            github,
            headers,
            body,
            secret=SECRET,
            max_age=timedelta(hours=1),
            now=datetime.now(UTC),
        )
    assert refused.value.status == status


def test_the_queue_forgets_applied_deliveries_but_never_queued_ones(store: object) -> None:
    from tracker.store.deliveries import accept, claim, finish, prune, queue_depth, status_of

    now = datetime.now(UTC)
    assert accept(store, "github", "a", "issues", "{}", now)  # type: ignore[arg-type]
    assert not accept(store, "github", "a", "issues", "{}", now)  # type: ignore[arg-type]
    assert accept(store, "github", "b", "issues", "{}", now)  # type: ignore[arg-type]
    held = claim(store, "w", timedelta(seconds=60), now)  # type: ignore[arg-type]
    assert held is not None and held.delivery_id == "a" and held.attempts == 1
    # Held by a live worker: nobody else gets it; the next claim gets the next one.
    other = claim(store, "v", timedelta(seconds=60), now)  # type: ignore[arg-type]
    assert other is not None and other.delivery_id == "b"
    assert claim(store, "u", timedelta(seconds=60), now) is None  # type: ignore[arg-type]
    # A worker whose lease ended lets go: another takes it, and the first cannot finish it.
    later = now + timedelta(seconds=61)
    again = claim(store, "u", timedelta(seconds=60), later)  # type: ignore[arg-type]
    assert again is not None and again.delivery_id == "a" and again.attempts == 2
    assert not finish(store, held, "w", "late", later)  # type: ignore[arg-type]
    assert finish(store, again, "u", "done", later)  # type: ignore[arg-type]
    assert queue_depth(store) == 1  # type: ignore[arg-type]
    assert prune(store, later + timedelta(seconds=1)) == 1  # type: ignore[arg-type]
    assert status_of(store, "github", "a") is None  # type: ignore[arg-type]
    assert status_of(store, "github", "b") == ("queued", None)  # type: ignore[arg-type]
