"""Jira's answers and network faults as pmt's errors (the SyncError tree), secrets redacted.

- 401 and 403: credentials or permission, naming the variables; 404: not found; 410 on the old
  Cloud search: what to set; 429: rate limited, with the time Jira named; 400: the request was
  refused, in Jira's own words (``errorMessages`` and field errors).
- 5xx and a lost answer: transient; for a create, the outcome is unknown and said so (the next
  sync finds the ticket by its marker if it was made).
- A refused connection or a failed DNS lookup: ``UnreachableError``, nothing was sent.

Every message passes through ``sync.redact``: a 500 page that echoes the request holds the
``Authorization`` header (``Basic base64(e-mail:token)``, ``Bearer <token>``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import requests

from sync import base
from sync.base import SyncError
from sync.redact import redact, redacting
from sync.transport import not_sent, rate_limit_wait, retry_after


@redacting
def http_error(
    response: requests.Response,
    what: str,
    *,
    base_url: str,
    now: datetime,
    cloud: bool,
    creating: bool,
    secrets: Sequence[str],
) -> SyncError:
    """The error for a Jira answer that is not a success."""
    status = response.status_code
    detail = _detail(response, secrets)
    where = f"Jira ({base_url})"
    if status == 401:
        who = "PMT_JIRA_EMAIL and PMT_JIRA_TOKEN" if cloud else "PMT_JIRA_TOKEN"
        return base.AuthError(
            f"{where} refused the credentials while trying to {what}: check {who}"
        )
    if status == 429 or (status == 403 and rate_limit_wait(403, response.headers, now.timestamp())):
        wait = rate_limit_wait(status, response.headers, now.timestamp())
        reset = now + timedelta(seconds=wait) if wait is not None else None
        when = f"; try again after {reset:%H:%M:%S} UTC" if reset else ""
        return base.RateLimitedError(
            f"{where} rate limit reached while trying to {what}{when}", reset
        )
    if status == 403:
        return base.AuthError(f"{where} denied permission to {what}{detail}")
    if status == 404:
        return base.NotFoundError(f"{where}: not found while trying to {what}{detail}")
    if status == 410:
        return base.RequestError(
            f"{where} answered 410 Gone while trying to {what}: this endpoint was removed "
            "(Jira Cloud no longer serves /rest/api/2/search); "
            'set jira.deployment = "cloud" or "auto"'
        )
    if status >= 500:
        if creating:
            return base.TransientError(
                f"{where} answered HTTP {status} while trying to {what}: the outcome is unknown, "
                "so it was not sent again; the next pmt sync finds the ticket by its marker "
                "label if it was made, and creates it otherwise",
                outcome_unknown=True,
            )
        later = retry_after(response.headers, now.timestamp())
        hint = f" (Jira asked to wait {later:.0f} s)" if later else ""
        return base.TransientError(
            f"{where} answered HTTP {status} while trying to {what}{hint}{detail}"
        )
    return base.RequestError(f"{where} rejected the request to {what} (HTTP {status}){detail}")


@redacting
def network_error(
    exc: requests.RequestException,
    what: str,
    *,
    base_url: str,
    creating: bool,
    secrets: Sequence[str],
) -> SyncError:
    """The error for a request that got no answer."""
    reason = not_sent(exc)
    name = type(exc).__name__
    if reason is not None:
        return base.UnreachableError(
            f"cannot reach Jira at {base_url} to {what}: {reason}. Nothing was sent; check "
            "[jira] url (PMT_JIRA_URL) and the network, then run again"
        )
    if creating:
        return base.TransientError(
            f"no answer from Jira ({base_url}) while trying to {what} ({name}): the "
            "outcome is unknown, so it was not sent again; the next pmt sync finds the "
            "ticket by its marker label if it was made",
            outcome_unknown=True,
        )
    return base.TransientError(f"no answer from Jira at {base_url} to {what} ({name})")


def unreadable(what: str, base_url: str, creating: bool) -> SyncError:
    """A success whose body is not the JSON Jira sends (a proxy's page)."""
    if creating:
        return base.TransientError(
            f"Jira ({base_url}) answered the request to {what} with something that is not JSON: "
            "the outcome is unknown; the next pmt sync finds the ticket by its marker label if "
            "it was made",
            outcome_unknown=True,
        )
    return base.TransientError(
        f"Jira ({base_url}) answered the request to {what} with something that is not JSON"
    )


def _detail(response: requests.Response, secrets: Sequence[str]) -> str:
    """Jira's own words (errorMessages and field errors); a body that is not Jira's JSON (an
    HTML page, a proxy's echo of the request) is shown only in its first 300 characters."""
    messages: list[str] = []
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        messages += [str(m) for m in body.get("errorMessages") or []]
        errors = body.get("errors") or {}
        if isinstance(errors, dict):
            messages += [f"{field}: {message}" for field, message in errors.items()]
    text = response.text or ""
    if not messages and text and body is None and "<html" not in text.lower():
        messages.append(text.strip())
    # Redacted before it is cut, so that no part of a secret survives the cut.
    joined = redact("; ".join(messages), secrets)
    if len(joined) > 300:
        joined = joined[:297] + "…"
    return f": {joined}" if joined else ""
