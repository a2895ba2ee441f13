"""How the GitHub backend meets faults.

- **Retries** are the shared policy of ``sync.transport`` on PyGithub's session (``retry=``):
  GET, HEAD and PATCH (a PATCH sets fields to given values) are retried on a 5xx or a dropped
  answer; a POST never is, because GitHub may have created the issue before failing (PyGithub's
  default policy does re-send it, which is how duplicates are made). A rate limit (429, or a 403
  that says so) was not performed: any request is sent again once after the wait GitHub asked
  for, when that wait is at most a minute.
- **Nothing sent.** A refused connection or a failed DNS lookup is ``UnreachableError``: the run
  stops at once, and a create that met it is known not to exist.
- **Translation.** ``translate`` turns PyGithub and requests exceptions into the SyncError tree,
  so nothing above the backend sees a client library type; ``secrets`` are redacted from the
  message (a 500 page may echo the request and its ``Authorization`` header).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests
from github.GithubException import GithubException

from sync.base import (
    AuthError,
    NotFoundError,
    RateLimitedError,
    RequestError,
    SyncError,
    TransientError,
    UnreachableError,
)
from sync.redact import redacting
from sync.transport import SECONDARY_LIMIT_WAIT, RetryPolicy, not_sent, retry_policy
from sync.transport import rate_limit_wait as _rate_limit_wait

__all__ = ["SECONDARY_LIMIT_WAIT", "idempotent_retry", "rate_limit_wait", "translate"]

RETRIED_METHODS = frozenset({"GET", "HEAD", "PATCH"})


def idempotent_retry(
    sleep: Callable[[float], None], max_wait: float, clock: Callable[[], float] = time.time
) -> RetryPolicy:
    """The shared retry policy as GitHub gets it: one wait for a rate limit, then stop."""
    return retry_policy(idempotent=RETRIED_METHODS, sleep=sleep, clock=clock, max_wait=max_wait)


def rate_limit_wait(exc: GithubException, now: float) -> float | None:
    """Seconds GitHub asked us to wait when ``exc`` is a rate limit; None when it is not."""
    return _rate_limit_wait(exc.status, exc.headers or {}, now, _message(exc))


@redacting
def translate(
    exc: Exception,
    what: str,
    *,
    now: float,
    creating: bool = False,
    api_url: str = "",
    secrets: Sequence[str] = (),
) -> SyncError:
    """The SyncError for a failure of ``what`` ("creating an issue in acme/ops")."""
    unknown = (
        " The issue may or may not have been created: the next `pmt sync` looks for it by its "
        "marker before creating it again."
        if creating
        else ""
    )
    if isinstance(exc, GithubException):
        status = exc.status
        message = _message(exc) or "no message"
        wait = rate_limit_wait(exc, now)
        if wait is not None:
            reset_at = datetime.fromtimestamp(now + wait, UTC)
            return RateLimitedError(
                f"GitHub rate limit reached while {what} ({status} {message}); "
                f"try again after {reset_at:%Y-%m-%d %H:%M:%S} UTC",
                reset_at,
            )
        if status == 401:
            return AuthError(
                f"GitHub rejected the token while {what} (401 {message}): "
                "set PMT_GITHUB_TOKEN (or GITHUB_TOKEN) to a valid token"
            )
        if status == 403:
            return AuthError(
                f"GitHub refused {what} (403 {message}): the token needs read and write access "
                "to the repository's issues"
            )
        if status in (404, 410):
            return NotFoundError(
                f"GitHub found nothing while {what} ({status} {message}): check github.repo and "
                "that the token can see the repository"
            )
        if status >= 500:
            return TransientError(
                f"GitHub failed while {what} ({status} {message}).{unknown}",
                outcome_unknown=creating,
            )
        return RequestError(f"GitHub rejected {what} ({status} {message}{_details(exc)})")
    reason = not_sent(exc)
    if reason is not None:
        host = urlsplit(api_url).netloc or "GitHub"
        return UnreachableError(
            f"cannot reach GitHub ({host}) while {what}: {reason}. Nothing was sent; check "
            "[github] api_url (PMT_GITHUB_API_URL) and the network, then run again"
        )
    if isinstance(exc, requests.exceptions.RequestException):
        return TransientError(
            f"could not reach GitHub while {what} ({_short(exc)}).{unknown}",
            outcome_unknown=creating,
        )
    return TransientError(
        f"GitHub request failed while {what} ({_short(exc)}).{unknown}", outcome_unknown=creating
    )


def _message(exc: GithubException) -> str:
    data = exc.data
    if isinstance(data, Mapping) and isinstance(data.get("message"), str):
        return str(data["message"])
    return exc.message or ""


def _details(exc: GithubException) -> str:
    data = exc.data
    errors = data.get("errors") if isinstance(data, Mapping) else None
    if not isinstance(errors, list) or not errors:
        return ""
    parts = []
    for err in errors:
        if isinstance(err, Mapping):
            field = err.get("field") or err.get("resource") or ""
            text = err.get("message") or err.get("code") or ""
            value = err.get("value")
            parts.append(" ".join(str(p) for p in (field, text, repr(value) if value else "") if p))
        else:
            parts.append(str(err))
    return ": " + "; ".join(parts)


def _short(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"
