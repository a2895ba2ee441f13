"""`pmt serve` over real HTTP: a uvicorn server started by the test, on SQLite and PostgreSQL.

Signed deliveries update ticket states in the background; unsigned, badly signed and stale
ones are refused without touching the store; a replay changes nothing; a delivery accepted by
a server that stops is applied by the next one; two replicas on one store apply each delivery
once; the API serves the CLI's JSON byte for byte.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cli.app import app as cli_app
from cli.serve.app import build_app
from tests.serve_server import github_headers, github_issue_event, running, sign
from tests.store_data import item, postmortem
from tracker.config import Secrets, Settings
from tracker.ingest import ingest_document
from tracker.queries import items_of, record_link
from tracker.store import Store
from tracker.store.deliveries import queue_depth, status_of
from tracker.store.tables import DeliveryRow, TicketEventRow, TicketLinkRow

GH_SECRET = "gh-secret-for-tests"
JIRA_SECRET = "jira-secret-for-tests"


def _now(delta: timedelta = timedelta()) -> str:
    return (datetime.now(UTC) + delta).isoformat().replace("+00:00", "Z")


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> Secrets:
    monkeypatch.setenv("PMT_GITHUB_WEBHOOK_SECRET", GH_SECRET)
    monkeypatch.setenv("PMT_JIRA_WEBHOOK_SECRET", JIRA_SECRET)
    return Secrets()


@pytest.fixture
def settings() -> Settings:
    return Settings(
        github={"repo": "acme/ops"},
        jira={"url": "https://acme.atlassian.net", "project": "OPS"},
    )


@pytest.fixture
def linked(store: Store, settings: Settings) -> Store:
    """INC-1 with two overdue items: one linked to GitHub acme/ops#12, one to Jira OPS-7."""
    ingest_document(
        store,
        postmortem(
            "INC-1",
            item("Add disk alerting", owner="al", due=date(2026, 3, 10)),
            item("Fix the runbook", owner="bo", due=date(2026, 3, 12)),
        ),
        "h-INC-1",
        settings,
    )
    with store.session() as s:
        first, second = items_of(s, "INC-1")
        record_link(s, first.id, first.postmortem_id, "github", "acme/ops#12", "https://x/12")
        record_link(s, second.id, second.postmortem_id, "jira", "OPS-7", "https://x/OPS-7")
    return store


def _link(store: Store, key: str) -> TicketLinkRow:
    with store.session(write=False) as s:
        return s.scalars(select(TicketLinkRow).where(TicketLinkRow.key == key)).one()


def _count(store: Store, row: Any) -> int:
    with store.session(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(row)) or 0)


def _wait_applied(store: Store, source: str, delivery: str, timeout: float = 15) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = status_of(store, source, delivery)
        if found is not None and found[0] != "queued":
            return found[1]
        time.sleep(0.02)
    raise AssertionError(f"delivery {delivery} was not applied in {timeout} s")


def _post_github(
    base: str, body: bytes, delivery: str, secret: str | None = GH_SECRET
) -> httpx.Response:
    return httpx.post(
        f"{base}/webhooks/github", content=body, headers=github_headers(secret, body, delivery)
    )


def test_a_signed_github_delivery_closes_the_item_s_ticket(
    linked: Store, settings: Settings, secrets: Secrets
) -> None:
    events = _count(linked, TicketEventRow)
    with running(build_app(linked, settings, secrets)) as base:
        body = github_issue_event(12, "closed", updated_at=_now(), state_reason="completed")
        answer = _post_github(base, body, "d-1")
        assert answer.status_code == 202
        assert answer.json() == {"status": "queued", "delivery": "d-1", "event": "issues"}
        assert _wait_applied(linked, "github", "d-1") == "acme/ops#12: open -> closed"
        link = _link(linked, "acme/ops#12")
        assert (link.state, link.state_reason) == ("closed", "completed")
        assert _count(linked, TicketEventRow) == events + 1
        # The closed ticket takes the item out of `pmt overdue`, as a refresh would.
        overdue = httpx.get(f"{base}/api/overdue", params={"as_of": "2026-04-01"}).json()
        assert [row["item"] for row in overdue] == ["Fix the runbook"]


@pytest.mark.parametrize(
    ("secret", "why"),
    [(None, "unsigned"), ("not-the-secret", "badly signed")],
)
def test_unsigned_or_badly_signed_deliveries_are_refused_and_store_nothing(
    linked: Store, settings: Settings, secrets: Secrets, secret: str | None, why: str
) -> None:
    with running(build_app(linked, settings, secrets)) as base:
        body = github_issue_event(12, "closed", updated_at=_now())
        answer = _post_github(base, body, "d-bad", secret)
        assert answer.status_code == 401, why
        assert "signature" in answer.json()["error"].lower() or "unsigned" in answer.json()["error"]
    assert _count(linked, DeliveryRow) == 0
    assert _link(linked, "acme/ops#12").state == "open"


def test_a_stale_delivery_is_refused(linked: Store, settings: Settings, secrets: Secrets) -> None:
    with running(build_app(linked, settings, secrets)) as base:
        body = github_issue_event(12, "closed", updated_at=_now(-timedelta(days=4)))
        answer = _post_github(base, body, "d-old")
        assert answer.status_code == 401
        assert "stale" in answer.json()["error"]
    assert _count(linked, DeliveryRow) == 0


def test_no_secret_configured_refuses_every_delivery(
    linked: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PMT_GITHUB_WEBHOOK_SECRET", raising=False)
    with running(build_app(linked, settings, Secrets())) as base:
        body = github_issue_event(12, "closed", updated_at=_now())
        answer = _post_github(base, body, "d-2")
        assert answer.status_code == 401
        assert "no github webhook secret" in answer.json()["error"]
    assert _count(linked, DeliveryRow) == 0


def test_a_replayed_delivery_changes_nothing(
    linked: Store, settings: Settings, secrets: Secrets
) -> None:
    events = _count(linked, TicketEventRow)
    with running(build_app(linked, settings, secrets)) as base:
        closed = github_issue_event(12, "closed", updated_at=_now())
        assert _post_github(base, closed, "d-3").status_code == 202
        _wait_applied(linked, "github", "d-3")
        # The ticket is reopened in GitHub; then the old delivery is replayed.
        reopened = github_issue_event(12, "open", updated_at=_now(timedelta(seconds=1)))
        assert _post_github(base, reopened, "d-4").status_code == 202
        _wait_applied(linked, "github", "d-4")
        replay = _post_github(base, closed, "d-3")
        assert replay.status_code == 200 and replay.json()["status"] == "duplicate"
        time.sleep(0.3)
    assert _link(linked, "acme/ops#12").state == "open"
    assert _count(linked, DeliveryRow) == 2
    assert _count(linked, TicketEventRow) == events + 2


def test_an_older_state_arriving_late_does_not_overwrite_a_newer_one(
    linked: Store, settings: Settings, secrets: Secrets
) -> None:
    with running(build_app(linked, settings, secrets)) as base:
        newer = github_issue_event(12, "closed", updated_at=_now())
        older = github_issue_event(12, "open", updated_at=_now(-timedelta(minutes=5)))
        assert _post_github(base, newer, "d-new").status_code == 202
        _wait_applied(linked, "github", "d-new")
        assert _post_github(base, older, "d-older").status_code == 202
        said = _wait_applied(linked, "github", "d-older")
    assert said is not None and "older than the state recorded" in said
    assert _link(linked, "acme/ops#12").state == "closed"


def test_a_delivery_for_a_ticket_pmt_does_not_link_is_done_and_harmless(
    linked: Store, settings: Settings, secrets: Secrets
) -> None:
    with running(build_app(linked, settings, secrets)) as base:
        body = github_issue_event(99, "closed", updated_at=_now())
        assert _post_github(base, body, "d-99").status_code == 202
        assert _wait_applied(linked, "github", "d-99") == "acme/ops#99: not a ticket pmt links to"
        ping = httpx.post(
            f"{base}/webhooks/github",
            content=b'{"zen": "hi"}',
            headers=github_headers(GH_SECRET, b'{"zen": "hi"}', "d-ping", event="ping"),
        )
        assert ping.status_code == 202 and ping.json()["status"] == "ignored"
    assert _count(linked, DeliveryRow) == 1


def test_signed_jira_updates_and_deletions(
    linked: Store, settings: Settings, secrets: Secrets
) -> None:
    def jira(event: str, category: str, identifier: str) -> httpx.Response:
        body = json.dumps(
            {
                "webhookEvent": event,
                "timestamp": int(time.time() * 1000),
                "issue": {
                    "key": "OPS-7",
                    "fields": {
                        "summary": "Fix the runbook",
                        "status": {"name": "x", "statusCategory": {"key": category}},
                        "updated": _now(),
                        "labels": [],
                    },
                },
            }
        ).encode()
        return httpx.post(
            f"{base}/webhooks/jira",
            content=body,
            headers={
                "X-Hub-Signature": sign(JIRA_SECRET, body),
                "X-Atlassian-Webhook-Identifier": identifier,
            },
        )

    with running(build_app(linked, settings, secrets)) as base:
        assert jira("jira:issue_updated", "indeterminate", "j-1").status_code == 202
        assert _wait_applied(linked, "jira", "j-1") == "OPS-7: open -> in_progress"
        assert _link(linked, "OPS-7").url == "https://acme.atlassian.net/browse/OPS-7"
        assert jira("jira:issue_deleted", "indeterminate", "j-2").status_code == 202
        _wait_applied(linked, "jira", "j-2")
        link = _link(linked, "OPS-7")
        assert (link.state, link.state_reason) == ("closed", "deleted")
        unsigned = httpx.post(f"{base}/webhooks/jira", content=b"{}")
        assert unsigned.status_code == 401


def test_a_delivery_accepted_before_a_restart_is_applied_after_it(
    linked: Store, settings: Settings, secrets: Secrets
) -> None:
    # The first server only accepts (no worker): it stops with the delivery queued.
    with running(build_app(linked, settings, secrets, workers=0)) as base:
        body = github_issue_event(12, "closed", updated_at=_now())
        assert _post_github(base, body, "d-restart").status_code == 202
    assert queue_depth(linked) == 1
    with running(build_app(linked, settings, secrets)) as base:
        _wait_applied(linked, "github", "d-restart")
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok", "queue": 0}
    assert _link(linked, "acme/ops#12").state == "closed"


def test_two_replicas_on_one_store_apply_each_delivery_once(
    linked: Store, settings: Settings, secrets: Secrets
) -> None:
    events = _count(linked, TicketEventRow)
    replica = Store(linked.url)  # the second replica's own engine and connections
    try:
        first = build_app(linked, settings, secrets, workers=2)
        second = build_app(replica, settings, secrets, workers=2)
        with running(first) as one, running(second) as two:
            states = ["closed", "open"] * 15
            start = datetime.now(UTC) - timedelta(minutes=1)
            for n, state in enumerate(states):
                stamp = (start + timedelta(seconds=n)).isoformat()
                body = github_issue_event(12, state, updated_at=stamp)
                assert _post_github(one if n % 2 else two, body, f"r-{n}").status_code == 202
            for n in range(len(states)):
                _wait_applied(linked, "github", f"r-{n}")
    finally:
        replica.dispose()
    with linked.session(write=False) as s:
        attempts = s.scalars(select(DeliveryRow.attempts)).all()
        workers = set(s.scalars(select(DeliveryRow.claimed_by)).all())
    # Each delivery was claimed once; the ticket's history holds no more changes than were sent.
    assert attempts == [1] * len(states)
    assert len(workers) >= 2
    assert _count(linked, TicketEventRow) <= events + len(states)
    assert _link(linked, "acme/ops#12").state == "open"


def test_the_api_serves_the_cli_s_json(
    linked: Store, settings: Settings, secrets: Secrets, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMT_DATABASE_URL", linked.url)
    runner = CliRunner()
    cli_overdue = runner.invoke(cli_app, ["overdue", "--format", "json", "--as-of", "2026-04-01"])
    cli_causes = runner.invoke(
        cli_app, ["causes", "--format", "json", "--since", "2026-01-01", "--until", "2026-06-30"]
    )
    assert cli_overdue.exit_code == 0 and cli_causes.exit_code == 0, cli_causes.output
    with running(build_app(linked, settings, secrets)) as base:
        overdue = httpx.get(f"{base}/api/overdue", params={"as_of": "2026-04-01"})
        causes = httpx.get(
            f"{base}/api/causes", params={"since": "2026-01-01", "until": "2026-06-30"}
        )
        bad = httpx.get(f"{base}/api/causes", params={"since": "yesterday"})
    assert overdue.headers["content-type"] == "application/json"
    assert overdue.text == cli_overdue.stdout
    assert causes.text == cli_causes.stdout
    assert json.loads(overdue.text)[0]["owner"] == "al"
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["error"]


def test_metrics_count_deliveries_and_the_queue(
    linked: Store, settings: Settings, secrets: Secrets
) -> None:
    with running(build_app(linked, settings, secrets)) as base:
        body = github_issue_event(12, "closed", updated_at=_now())
        _post_github(base, body, "m-1")
        _post_github(base, body, "m-1")
        _post_github(base, body, "m-2", secret=None)
        _wait_applied(linked, "github", "m-1")
        text = httpx.get(f"{base}/metrics").text
    assert 'pmt_webhook_deliveries_total{outcome="queued",source="github"} 1.0' in text
    assert 'pmt_webhook_deliveries_total{outcome="duplicate",source="github"} 1.0' in text
    assert 'pmt_webhook_deliveries_total{outcome="rejected",source="github"} 1.0' in text
    assert 'pmt_webhook_applied_total{result="done",source="github"} 1.0' in text
    assert "pmt_webhook_queue_depth 0.0" in text
    assert 'pmt_webhook_sync_latency_seconds_count{source="github"} 1.0' in text


def test_a_token_guards_the_pages_but_not_the_webhooks_or_health(
    linked: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMT_SERVE_TOKEN", "let-me-in")
    monkeypatch.setenv("PMT_GITHUB_WEBHOOK_SECRET", GH_SECRET)
    with running(build_app(linked, settings, Secrets())) as base:
        assert httpx.get(f"{base}/api/overdue").status_code == 401
        assert httpx.get(f"{base}/metrics").status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert httpx.get(f"{base}/api/overdue", headers=wrong).status_code == 401
        right = {"Authorization": "Bearer let-me-in"}
        assert httpx.get(f"{base}/api/overdue", headers=right).status_code == 200
        assert httpx.get(f"{base}/healthz").status_code == 200
        body = github_issue_event(12, "closed", updated_at=_now())
        assert _post_github(base, body, "t-1").status_code == 202


def test_a_trusted_proxy_header_lets_people_in(
    linked: Store, settings: Settings, secrets: Secrets
) -> None:
    guarded = settings.model_copy(
        update={"serve": settings.serve.model_copy(update={"trusted_header": "X-Forwarded-User"})}
    )
    with running(build_app(linked, guarded, secrets)) as base:
        assert httpx.get(f"{base}/api/overdue").status_code == 401
        signed_in = {"X-Forwarded-User": "lena"}
        assert httpx.get(f"{base}/api/overdue", headers=signed_in).status_code == 200


def test_a_body_larger_than_a_delivery_can_be_is_refused_unread(
    linked: Store, settings: Settings, secrets: Secrets, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cli.serve.app.MAX_BODY", 1000)
    with running(build_app(linked, settings, secrets)) as base:
        body = github_issue_event(12, "closed", updated_at=_now()) + b" " * 2000
        answer = _post_github(base, body, "big")
        assert answer.status_code == 413
        # Sent in chunks, with no Content-Length to go by.
        chunked = httpx.post(
            f"{base}/webhooks/github",
            content=iter([body[:700], body[700:]]),
            headers=github_headers(GH_SECRET, body, "big-2"),
        )
        assert chunked.status_code == 413
    assert _count(linked, DeliveryRow) == 0
