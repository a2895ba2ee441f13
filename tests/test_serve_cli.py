"""`pmt serve` as a user runs it: the console script in its own process, on the examples."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.serve_server import github_headers, github_issue_event

ROOT = Path(__file__).resolve().parent.parent
PMT = [str(Path(sys.executable).parent / "pmt")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    values = dict(os.environ)
    values.update(
        PMT_DATABASE_URL=f"sqlite:///{tmp_path / 'pmt.db'}",
        PMT_GITHUB_WEBHOOK_SECRET="cli-secret",
        PMT_GITHUB_REPO="acme/ops",
    )
    done = subprocess.run(
        [*PMT, "ingest", str(ROOT / "examples")], env=values, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return values


def test_pmt_serve_runs_answers_and_stops_on_sigterm(env: dict[str, str]) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [*PMT, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "pmt serve did not start"
            time.sleep(0.1)
        cli = subprocess.run(
            [*PMT, "overdue", "--format", "json", "--as-of", "2026-12-01"],
            env=env,
            capture_output=True,
            text=True,
        )
        api = httpx.get(f"{base}/api/overdue", params={"as_of": "2026-12-01"})
        assert api.status_code == 200 and api.text == cli.stdout
        assert "<svg" in httpx.get(f"{base}/").text

        stamp = datetime.now(UTC).isoformat()
        body = github_issue_event(5, "closed", updated_at=stamp)
        signed = httpx.post(
            f"{base}/webhooks/github",
            content=body,
            headers=github_headers("cli-secret", body, "c-1"),
        )
        unsigned = httpx.post(
            f"{base}/webhooks/github", content=body, headers=github_headers(None, body, "c-2")
        )
        assert (signed.status_code, unsigned.status_code) == (202, 401)
        deadline = time.monotonic() + 15
        while 'pmt_webhook_applied_total{result="done",source="github"} 1.0' not in (
            httpx.get(f"{base}/metrics").text
        ):
            assert time.monotonic() < deadline, "the delivery was not applied"
            time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGTERM)
        _out, err = server.communicate(timeout=30)
    # uvicorn shuts down cleanly, then re-raises the signal (systemd counts that a success).
    assert server.returncode in (0, -signal.SIGTERM), err
    assert "Application shutdown complete" in err


def test_pmt_serve_help_names_its_options() -> None:
    shown = subprocess.run([*PMT, "serve", "--help"], capture_output=True, text=True)
    assert shown.returncode == 0
    for option in ("--host", "--port", "--workers"):
        assert option in shown.stdout
