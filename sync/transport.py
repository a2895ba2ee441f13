"""The HTTP transport both trackers share: one retry policy, and what a network fault means.

``RetryPolicy`` is a urllib3 ``Retry`` mounted on each client's requests session (PyGithub takes
it as ``retry=``; the Jira client mounts it with ``session.mount``). Its rules:

- **A refused connection or a failed DNS lookup is never retried.** Nothing was sent, so the
  backend stops the run at once with ``UnreachableError`` (see ``not_sent``) instead of holding
  every item back or waiting minutes per request.
- **A request that may have been performed is retried only when repeating it changes nothing**
  (the methods the backend names idempotent: GET, PUT, PATCH): on a 5xx (backoff, or the
  ``Retry-After`` it names) or a dropped answer. A POST is never re-sent after a 5xx or a lost
  answer: the tracker may have made the ticket.
- **A rate limit means the request was not performed**, so any request, a create included, is
  sent again after the wait the tracker asked for (``Retry-After``, ``x-ratelimit-reset``, or a
  minute for a GitHub secondary limit that names no time), at most ``rate_limit_retries`` times
  in a row and only when the wait is at most ``max_wait``; otherwise the response goes back to
  the client library and the backend stops the run with the time to come back.
- Every wait goes through the injected ``sleep`` (tests neither wait nor miss a wait; the
  backends record that a create is not on its way while they wait, see ``sync.base.CreateIntent``).
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any

from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    ResponseError,
)
from urllib3.util.retry import Retry

from sync.base import CreateIntent

RATE_LIMIT_STATUSES = frozenset({403, 429})
RETRIED_STATUSES = frozenset({500, 502, 503, 504})
# GitHub's advice for a secondary rate limit that names no time: wait at least a minute.
SECONDARY_LIMIT_WAIT = 60.0


def retry_after(headers: Mapping[str, Any], now: float) -> float | None:
    """Seconds named by ``Retry-After`` (a number or an HTTP date), or None."""
    value = str(_lower(headers).get("retry-after", "")).strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    return max(email.utils.mktime_tz(parsed) - now, 0.0)


def rate_limit_wait(
    status: int, headers: Mapping[str, Any], now: float, message: str = ""
) -> float | None:
    """Seconds the tracker asked us to wait when this answer is a rate limit; None when not.

    A 429 is always a rate limit; a 403 is one when it says so (``Retry-After``,
    ``x-ratelimit-remaining: 0``, or a message naming a rate limit, as GitHub's do).
    ``x-ratelimit-reset`` is epoch seconds on GitHub and an ISO time on Jira.
    """
    lowered = _lower(headers)
    remaining = str(lowered.get("x-ratelimit-remaining", "")).strip()
    named = retry_after(lowered, now)
    limited = status == 429 or (
        status == 403 and (named is not None or remaining == "0" or "rate limit" in message.lower())
    )
    if not limited:
        return None
    if named is not None:
        return named
    reset = str(lowered.get("x-ratelimit-reset", "")).strip()
    if reset.isdigit():
        # One second more: the reset second itself may not be over yet.
        return max(int(reset) - now, 0.0) + 1.0
    if reset:
        try:
            moment = datetime.fromisoformat(reset)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return max(moment.timestamp() - now, 0.0)
    return SECONDARY_LIMIT_WAIT


class RetryPolicy(Retry):
    """urllib3 retry policy shared by the GitHub and Jira sessions (rules in the module doc)."""

    # 429 is handled as a rate limit (any method); 413 is never worth sending again.
    RETRY_AFTER_STATUS_CODES = frozenset({503})

    def __init__(
        self,
        sleep_fn: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        max_wait: float = 60.0,
        rate_limit_retries: int = 1,
        **kwargs: Any,
    ) -> None:
        self.sleep_fn = sleep_fn
        self.clock = clock
        self.max_wait = max_wait
        self.rate_limit_retries = rate_limit_retries
        super().__init__(**kwargs)

    def new(self, **kw: Any) -> RetryPolicy:
        kw.update(
            sleep_fn=self.sleep_fn,
            clock=self.clock,
            max_wait=self.max_wait,
            rate_limit_retries=self.rate_limit_retries,
        )
        return super().new(**kw)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code in RATE_LIMIT_STATUSES:
            # Perhaps a rate limit, which no method performed: ``increment`` decides.
            return True
        return super().is_retry(method, status_code, has_retry_after)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> RetryPolicy:
        if response is not None and error is None:
            status = int(response.status)
            if status in RATE_LIMIT_STATUSES:
                wait = rate_limit_wait(status, response.headers, self.clock())
                used = sum(1 for h in self.history if h.status in RATE_LIMIT_STATUSES)
                if wait is None or wait > self.max_wait or used >= self.rate_limit_retries:
                    # Not a rate limit (a refused permission), or one to stop on: the answer
                    # goes back to the client library (raise_on_status=False).
                    raise MaxRetryError(_pool, url or "", ResponseError(f"{status}: not retried"))
            else:
                wait = retry_after(response.headers, self.clock())
                if wait is not None and wait > self.max_wait:
                    raise MaxRetryError(_pool, url or "", ResponseError(f"Retry-After {wait:.0f}s"))
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def sleep(self, response: Any = None) -> None:
        wait: float | None = None
        if response is not None:
            status = int(response.status)
            if status in RATE_LIMIT_STATUSES:
                wait = rate_limit_wait(status, response.headers, self.clock())
            else:
                wait = retry_after(response.headers, self.clock())
        if wait is None:
            wait = self.get_backoff_time()
        if wait > 0:
            self.sleep_fn(wait)


def wait_not_sent(
    intent: CreateIntent | None, sleep: Callable[[float], None], seconds: float
) -> None:
    """The transport waits before sending a request again: a create is not on its way meanwhile
    (a rate limit was not performed), and a kill now must not leave the record of a create
    sent. A backend's client passes this, with the create in flight, as the policy's sleep."""
    if intent is not None:
        intent.not_sent()
    sleep(seconds)
    if intent is not None:
        intent.sent()


def retry_policy(
    *,
    idempotent: Collection[str],
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    max_wait: float = 60.0,
    rate_limit_retries: int = 1,
    retries: int = 3,
) -> RetryPolicy:
    """The policy for one tracker: ``idempotent`` names the methods safe to send twice."""
    return RetryPolicy(
        sleep_fn=sleep,
        clock=clock,
        max_wait=max_wait,
        rate_limit_retries=rate_limit_retries,
        total=retries + rate_limit_retries + 2,
        # Nothing was sent: stop at once (UnreachableError), never retry blindly.
        connect=0,
        read=2,
        status=max(retries, rate_limit_retries),
        other=0,
        backoff_factor=1.0,
        backoff_max=30.0,
        status_forcelist=RETRIED_STATUSES,
        allowed_methods=frozenset(m.upper() for m in idempotent),
        # The last answer reaches the client library, so errors carry the tracker's words.
        raise_on_status=False,
        respect_retry_after_header=True,
    )


def not_sent(exc: BaseException) -> str | None:
    """Why the request never left, when ``exc`` is a refused connection, a failed DNS lookup or
    a connection that timed out before it was made; None when it may have been sent."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, NameResolutionError):
            return "the host name could not be resolved (DNS)"
        if isinstance(current, ConnectTimeoutError):
            text = str(current).lower()
            if "refused" in text:
                return "connection refused"
            if "timed out" in text or "timeout" in text:
                return "the connection timed out before anything was sent"
            return "the connection could not be made"
        if isinstance(current, MaxRetryError) and isinstance(current.reason, BaseException):
            todo.append(current.reason)
        for arg in current.args:
            if isinstance(arg, BaseException):
                todo.append(arg)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                todo.append(linked)
    return None


def _lower(headers: Mapping[str, Any] | None) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in (headers or {}).items()}
