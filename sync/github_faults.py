"""How the GitHub backend meets faults.

- **Retries.** Only requests that may be sent twice with the same effect are retried by the
  transport (``IdempotentRetry``): GET, HEAD and PATCH (a PATCH sets fields to given values).
  A POST is never retried on a 5xx or a timeout, because GitHub may have created the issue
  before failing: PyGithub's default retry does re-send it, which is how duplicates are made.
- **Rate limits.** A 403 or 429 that is a rate limit means GitHub did *not* perform the request,
  so it is safe to send again, even a POST. ``rate_limit_wait`` tells how long GitHub asked us
  to wait (``Retry-After``, ``x-ratelimit-reset``, or a minute for a secondary limit without
  either); the backend sleeps when that is short and raises ``RateLimitedError`` when it is not.
- **Translation.** ``translate`` turns PyGithub and requests exceptions into the SyncError tree,
  so nothing above the backend sees a client library type.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import requests
from github.GithubException import GithubException
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from sync.base import (
    AuthError,
    NotFoundError,
    RateLimitedError,
    RequestError,
    SyncError,
    TransientError,
)

# GitHub's advice for a secondary rate limit that names no time: wait at least a minute.
SECONDARY_LIMIT_WAIT = 60.0
RETRIED_METHODS = frozenset({"GET", "HEAD", "PATCH"})
RETRIED_STATUSES = frozenset({500, 502, 503, 504})


class IdempotentRetry(Retry):
    """urllib3 retry policy: idempotent methods only, backoff, ``Retry-After`` honoured.

    Sleeping goes through an injected function so that tests neither wait nor miss a wait.
    A ``Retry-After`` longer than ``max_wait`` ends the retries at once (the 5xx reaches the
    backend and becomes a TransientError) instead of blocking the run.
    """

    # 429 is a rate limit: left to the backend, which may wait for it even on a POST.
    RETRY_AFTER_STATUS_CODES = frozenset({503})

    sleep_fn: Callable[[float], None] = staticmethod(time.sleep)
    max_wait: float = 60.0

    def new(self, **kw: Any) -> IdempotentRetry:
        retry = super().new(**kw)
        retry.sleep_fn = self.sleep_fn
        retry.max_wait = self.max_wait
        return retry

    def increment(self, method: str | None = None, url: str | None = None, response: Any = None,
                  error: Exception | None = None, _pool: Any = None, _stacktrace: Any = None
                  ) -> IdempotentRetry:
        if response is not None:
            wait = self.get_retry_after(response)
            if wait is not None and wait > self.max_wait:
                raise MaxRetryError(_pool, url or "", ResponseError(f"Retry-After {wait:.0f}s"))
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def sleep(self, response: Any = None) -> None:
        wait = self.get_retry_after(response) if response is not None else None
        if wait is None:
            wait = self.get_backoff_time()
        if wait > 0:
            self.sleep_fn(wait)


def idempotent_retry(sleep: Callable[[float], None], max_wait: float) -> IdempotentRetry:
    retry = IdempotentRetry(
        total=5,
        connect=3,
        read=2,
        status=3,
        other=2,
        backoff_factor=1.0,
        backoff_max=30.0,
        status_forcelist=RETRIED_STATUSES,
        allowed_methods=RETRIED_METHODS,
        # The last 5xx reaches PyGithub as a response, so the error names GitHub's message.
        raise_on_status=False,
        respect_retry_after_header=True,
    )
    retry.sleep_fn = sleep
    retry.max_wait = max_wait
    return retry


def rate_limit_wait(exc: GithubException, now: float) -> float | None:
    """Seconds GitHub asked us to wait when ``exc`` is a rate limit; None when it is not."""
    if exc.status not in (403, 429):
        return None
    headers = _lower(exc.headers)
    retry_after = str(headers.get("retry-after", "")).strip()
    remaining = str(headers.get("x-ratelimit-remaining", "")).strip()
    reset = str(headers.get("x-ratelimit-reset", "")).strip()
    message = _message(exc).lower()
    limited = (
        exc.status == 429
        or bool(retry_after)
        or remaining == "0"
        or "rate limit" in message
    )
    if not limited:
        return None
    if retry_after.isdigit():
        return float(retry_after)
    if remaining == "0" and reset.isdigit():
        # One second more: the reset second itself may not be over yet.
        return max(int(reset) - now, 0.0) + 1.0
    return SECONDARY_LIMIT_WAIT


def translate(exc: Exception, what: str, *, now: float, creating: bool = False) -> SyncError:
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
                f"GitHub failed while {what} ({status} {message}).{unknown}", outcome_unknown=creating
            )
        return RequestError(f"GitHub rejected {what} ({status} {message}{_details(exc)})")
    if isinstance(exc, requests.exceptions.RequestException):
        return TransientError(
            f"could not reach GitHub while {what} ({_short(exc)}).{unknown}", outcome_unknown=creating
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


def _lower(headers: Mapping[str, Any] | None) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in (headers or {}).items()}


def _short(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"
