"""``--post slack``: the payload reaches a real HTTP server on loopback, and failures are one line."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from cli.app import app
from tests.report_data import NOW, ZONE, fill, sqlite_store_fixture  # noqa: F401 (fixture)
from tracker.config import Secrets, Settings
from tracker.reports.period import iso_week
from tracker.reports.weekly import build_weekly_report


@dataclass
class Webhook:
    """A stand-in for a Slack incoming webhook: records each POST, answers like Slack does."""

    status: int = 200
    reply: bytes = b"ok"
    received: list[dict[str, object]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            hook.received.append(json.loads(self.rfile.read(length)))
            hook.headers.append({k.lower(): v for k, v in self.headers.items()})
            self.send_response(hook.status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(hook.reply)))
            self.end_headers()
            self.wfile.write(hook.reply)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    host, port = server.server_address[:2]
    hook.url = f"http://{host}:{port}/services/T000/B000/XXXX"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield hook
    server.shutdown()
    server.server_close()


def _report(store):
    fill(store)
    with store.session(write=False) as session:
        return build_weekly_report(
            session, Settings(timezone=ZONE), iso_week("2026-W48", ZONE), now=NOW
        )


def test_payload_reaches_the_webhook(sqlite_store, webhook: Webhook) -> None:
    from sync.publish import post_slack

    report = _report(sqlite_store)
    post_slack(report, Secrets(PMT_SLACK_WEBHOOK_URL=webhook.url))
    assert len(webhook.received) == 1
    payload = webhook.received[0]
    assert webhook.headers[0]["content-type"].startswith("application/json")
    assert payload["text"].startswith("Postmortem follow-ups: week 2026-W48: 2 new postmortems")
    blocks = payload["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": "Postmortem follow-ups: week 2026-W48",
            "emoji": False,
        },
    }
    glance = next(
        b for b in blocks if b["type"] == "section" and "At a glance" in b["text"]["text"]
    )
    assert glance["text"]["type"] == "mrkdwn"
    assert "• 4 items are overdue as of Tuesday 1 December 2026." in glance["text"]["text"]
    overdue = next(
        b for b in blocks if b["type"] == "section" and "Most overdue" in b["text"]["text"]
    )
    # The linked ticket is a Slack link; the unlinked items are plain text.
    assert (
        "<https://github.com/acme/ops/issues/12|acme/ops#12> Alert on payment error rate"
        in overdue["text"]["text"]
    )
    assert "Monitor certificate expiry: dave, 80 days late" in overdue["text"]["text"]


def test_mrkdwn_control_characters_are_escaped() -> None:
    from sync.publish import _slack_escape

    assert _slack_escape("a <b> & c") == "a &lt;b&gt; &amp; c"


def test_non_2xx_gives_one_line_error_without_the_secret_url(
    sqlite_store, webhook: Webhook
) -> None:
    from sync.base import RequestError
    from sync.publish import post_slack

    webhook.status, webhook.reply = 404, b"no_service"
    report = _report(sqlite_store)
    with pytest.raises(RequestError) as info:
        post_slack(report, Secrets(PMT_SLACK_WEBHOOK_URL=webhook.url))
    message = str(info.value)
    assert message == (
        "Slack refused the report (HTTP 404 no_service): the webhook does not exist: "
        "check PMT_SLACK_WEBHOOK_URL"
    )
    assert "XXXX" not in message


def test_unreachable_webhook(sqlite_store) -> None:
    from sync.base import TransientError
    from sync.publish import post_slack

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    report = _report(sqlite_store)
    with pytest.raises(
        TransientError, match="could not reach the Slack webhook in PMT_SLACK_WEBHOOK_URL"
    ):
        post_slack(
            report, Secrets(PMT_SLACK_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook"), timeout=5
        )


def test_cli_posts_to_slack(
    sqlite_store, webhook: Webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(sqlite_store)
    monkeypatch.setenv("PMT_DATABASE_URL", sqlite_store.url)
    monkeypatch.setenv("PMT_TIMEZONE", ZONE)
    monkeypatch.setenv("PMT_SLACK_WEBHOOK_URL", webhook.url)
    result = CliRunner().invoke(app, ["report", "weekly", "--week", "2026-W48", "--post", "slack"])
    assert result.exit_code == 0, result.output
    assert "posted the report to Slack" in result.stderr
    assert result.stdout.startswith("# Postmortem follow-ups: week 2026-W48")
    assert len(webhook.received) == 1


def test_cli_slack_errors_are_one_line(
    sqlite_store, webhook: Webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMT_DATABASE_URL", sqlite_store.url)
    runner = CliRunner()
    missing = runner.invoke(app, ["report", "weekly", "--post", "slack"])
    assert missing.exit_code == 2
    assert missing.stderr.strip() == (
        "pmt: error: PMT_SLACK_WEBHOOK_URL is not set: give it the URL of a Slack incoming webhook"
    )
    webhook.status, webhook.reply = 500, b"internal_error"
    monkeypatch.setenv("PMT_SLACK_WEBHOOK_URL", webhook.url)
    failed = runner.invoke(app, ["report", "weekly", "--post", "slack"])
    assert failed.exit_code == 1
    assert failed.stderr.strip().splitlines()[-1] == (
        "pmt: error: Slack refused the report (HTTP 500 internal_error)"
    )
