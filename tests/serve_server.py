"""A real ``pmt serve`` application on uvicorn, in a thread of the test, on a free port.

``running(app)`` starts the server, waits until it listens and yields its base URL; leaving
the block shuts it down the way SIGTERM would (the lifespan's shutdown stops the workers).
Used by the service's tests and its benchmark.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


@contextmanager
def running(app: Any) -> Iterator[str]:
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def github_issue_event(
    number: int,
    state: str,
    *,
    updated_at: str,
    repo: str = "acme/ops",
    action: str | None = None,
    assignee: str | None = None,
    state_reason: str | None = None,
) -> bytes:
    """An ``issues`` delivery's body, with the fields pmt reads (as GitHub sends them)."""
    issue = {
        "number": number,
        "html_url": f"https://github.com/{repo}/issues/{number}",
        "title": f"Issue {number}",
        "state": state,
        "state_reason": state_reason,
        "assignee": {"login": assignee} if assignee else None,
        "assignees": [{"login": assignee}] if assignee else [],
        "labels": [{"name": "postmortem"}],
        "body": "",
        "updated_at": updated_at,
        "closed_at": updated_at if state == "closed" else None,
    }
    payload = {
        "action": action or ("closed" if state == "closed" else "reopened"),
        "issue": issue,
        "repository": {"full_name": repo},
    }
    return json.dumps(payload).encode()


def github_headers(
    secret: str | None, body: bytes, delivery: str, event: str = "issues"
) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
    }
    if secret is not None:
        headers["X-Hub-Signature-256"] = sign(secret, body)
    return headers
