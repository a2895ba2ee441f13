"""Jira's webhook deliveries (``sync.webhooks.Receiver``): an admin webhook registered with a
secret is signed with ``X-Hub-Signature`` (``sha256=<hex>``) and named by
``X-Atlassian-Webhook-Identifier`` (kept across Jira's retries); the event is the payload's
``webhookEvent`` and its ``timestamp`` (milliseconds) is when it happened.

pmt wants ``jira:issue_updated`` and ``jira:issue_deleted``: the issue in the payload is read as
a search result is (``tickets.ticket``). Pure: no network.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sync.backends.jira.tickets import ticket
from sync.webhooks import Changes, Inbound, Observed, Rejected, signature_matches

NAME = "jira"
SECRET_FIELD = "jira_webhook_secret"
UPDATED, DELETED = "jira:issue_updated", "jira:issue_deleted"


def inbound(
    headers: Mapping[str, str], body: bytes, secret: str, payload: dict[str, Any]
) -> Inbound:
    if not signature_matches(secret, body, headers.get("x-hub-signature")):
        raise Rejected(401, "unsigned delivery, or its X-Hub-Signature does not match")
    event = str(payload.get("webhookEvent") or "")
    # Jira names each delivery; a body without a name is named by its bytes, so that the same
    # body sent twice is still one delivery.
    delivery = headers.get("x-atlassian-webhook-identifier") or (
        "sha256:" + hashlib.sha256(body).hexdigest()
    )
    stamp = payload.get("timestamp")
    happened = datetime.fromtimestamp(stamp / 1000, UTC) if isinstance(stamp, int | float) else None
    wanted = event in (UPDATED, DELETED) and isinstance(payload.get("issue"), dict)
    return Inbound(delivery, event, happened, wanted)


def changes(event: str, payload: dict[str, Any], settings: Any) -> Changes:
    issue = payload.get("issue")
    if event not in (UPDATED, DELETED) or not isinstance(issue, dict) or "key" not in issue:
        return Changes()
    base = (settings.jira.url or "").rstrip("/")
    url = f"{base}/browse/{issue['key']}" if base else ""
    return Changes([Observed(ticket(issue, url, _cloud(settings)), deleted=event == DELETED)])


def _cloud(settings: Any) -> bool:
    """Cloud names assignees by display name, Data Center by user name (``tickets.ticket``)."""
    deployment = settings.jira.deployment
    if deployment != "auto":
        return bool(deployment == "cloud")
    return ".atlassian.net" in (settings.jira.url or "")
