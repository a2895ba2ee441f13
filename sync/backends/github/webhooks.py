"""GitHub's webhook deliveries (``sync.webhooks.Receiver``): signed with ``X-Hub-Signature-256``,
named by ``X-GitHub-Delivery`` (kept when GitHub redelivers), the event in ``X-GitHub-Event``.

pmt wants ``issues`` events (closed, reopened, assigned, edited...): each carries the issue as
the REST API returns it, which ``issues.ticket`` reads as it reads a listing; the issue's
``updated_at`` is when the event happened. And ``push`` events: a push to the repository's
default branch names the files its commits added or changed (``[serve] auto_sync`` syncs
them); its head commit's time is when it happened. Everything else (``ping``, other events) is
answered and forgotten. Pure: no network.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sync.backends.github.issues import canonical_key, parse_time, ticket
from sync.webhooks import Changes, Inbound, Observed, Pushed, Rejected, signature_matches

NAME = "github"
SECRET_FIELD = "github_webhook_secret"
WANTED = frozenset({"issues", "push"})


def inbound(
    headers: Mapping[str, str], body: bytes, secret: str, payload: dict[str, Any]
) -> Inbound:
    if not signature_matches(secret, body, headers.get("x-hub-signature-256")):
        raise Rejected(401, "unsigned delivery, or its X-Hub-Signature-256 does not match")
    delivery = headers.get("x-github-delivery")
    event = headers.get("x-github-event")
    if not delivery or not event:
        raise Rejected(400, "a GitHub delivery names itself (X-GitHub-Delivery, X-GitHub-Event)")
    issue = payload.get("issue")
    if event == "push":
        head = payload.get("head_commit")
        happened = parse_time(head.get("timestamp")) if isinstance(head, dict) else None
        return Inbound(delivery, event, happened, wanted=_pushed(payload) is not None)
    happened = parse_time(issue.get("updated_at")) if isinstance(issue, dict) else None
    return Inbound(delivery, event, happened, wanted=event in WANTED and isinstance(issue, dict))


def _pushed(payload: dict[str, Any]) -> Pushed | None:
    """The files a push to the default branch added or changed; None for another branch."""
    branch = (payload.get("repository") or {}).get("default_branch")
    if not branch or payload.get("ref") != f"refs/heads/{branch}" or payload.get("deleted"):
        return None
    paths: dict[str, None] = {}
    for commit in payload.get("commits") or []:
        for name in [*(commit.get("added") or []), *(commit.get("modified") or [])]:
            paths[str(name)] = None
    return Pushed(str(payload.get("after") or ""), tuple(paths))


def changes(event: str, payload: dict[str, Any], settings: Any) -> Changes:
    if event == "push":
        return Changes(pushed=_pushed(payload))
    issue = payload.get("issue")
    repository = payload.get("repository") or {}
    full = repository.get("full_name")
    if event not in WANTED or not isinstance(issue, dict) or not full or "number" not in issue:
        return Changes()
    key = canonical_key(str(full), int(issue["number"]), settings.github.repo or str(full))
    deleted = payload.get("action") == "deleted"
    return Changes([Observed(ticket(key, issue), deleted=deleted)])
