"""Requests to GitHub: PyGithub's public ``Requester`` with the shared retry policy, write
pacing, create intents and fault translation, for ``sync.backends.github.backend``.

- The backend reads the JSON GitHub answered (``requestJsonAndCheck``), never PyGithub's lazy
  objects, which cost a GET per object touched.
- Writes are paced (GitHub asks for a second between content-creating requests) through the
  injected ``sleep`` and ``clock``. A create's intent is recorded after that wait and after any
  wait for the primary limit's reset, right before the request leaves; while the transport
  waits out a rate limit the create is recorded as not on its way (``sync.base.CreateIntent``).
- Every failure becomes a SyncError through ``faults.translate``, secrets redacted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import github
import requests
import urllib3
from github.GithubException import GithubException

from sync.backends.github.faults import idempotent_retry, translate
from sync.backends.github.issues import next_page
from sync.base import CreateIntent, RateLimitedError, SyncError
from sync.redact import redact_logs, secret_forms
from sync.transport import wait_not_sent

T = TypeVar("T")

# A listing that never stops paging must not hang a run.
MAX_PAGES = 1000
# GitHub asks for at least a second between content-creating requests.
WRITE_INTERVAL = 1.0


class GitHubClient:
    def __init__(
        self,
        api_url: str,
        token: str | None,
        *,
        client: github.Github | None,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        write_interval: float,
        max_wait: float,
        timeout: int,
    ) -> None:
        self.api_url = api_url
        self._sleep = sleep
        self._clock = clock
        self._write_interval = write_interval
        self._max_wait = max_wait
        self._last_write: float | None = None
        self._secrets = secret_forms([token])
        # PyGithub prints its log lines on stderr itself: they are redacted as messages are.
        redact_logs(self._secrets)
        # The create whose request is in flight, told when the transport waits out a rate limit.
        self._sending: CreateIntent | None = None
        self.github = client or github.Github(
            auth=github.Auth.Token(token) if token else None,
            base_url=api_url,
            per_page=100,
            timeout=timeout,
            # The shared policy (sync.transport): its waits go through self._transport_wait.
            retry=idempotent_retry(self._transport_wait, max_wait, clock),
            lazy=True,
            # Pacing is done here, through the injected sleep and clock.
            seconds_between_requests=None,
            seconds_between_writes=None,
        )
        self.requester = self.github.requester

    def json(
        self,
        verb: str,
        path: str,
        what: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        write: bool = False,
        creating: bool = False,
        intent: CreateIntent | None = None,
    ) -> tuple[dict[str, Any], Any]:
        """One request: (headers, JSON); a SyncError when it fails."""
        return self.call(
            what,
            lambda: self.requester.requestJsonAndCheck(verb, path, parameters=params, input=body),
            write=write,
            creating=creating,
            intent=intent,
        )

    def pages(self, path: str, what: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Every item of a paginated listing, following GitHub's ``Link`` headers."""
        items: list[dict[str, Any]] = []
        url: str | None = path
        query: dict[str, Any] | None = {**params, "per_page": 100}
        for _ in range(MAX_PAGES):
            if url is None:
                break
            headers, data = self.json("GET", url, what, params=query)
            items.extend(dict(item) for item in data or [])
            url, query = next_page(headers), None
        return items

    def call(
        self,
        what: str,
        fn: Callable[[], T],
        *,
        write: bool = False,
        creating: bool = False,
        intent: CreateIntent | None = None,
    ) -> T:
        """Run one logical request: pace writes, record a create's intent, translate faults.

        Retries and rate-limit waits happen below, in the transport (``sync.transport``): a
        create is never sent again there except after a rate limit, which GitHub did not perform.
        """
        self._check_primary_limit(what)
        if write:
            self._pace()
        self._sending = intent
        try:
            if intent is not None:
                intent.sent()
            return fn()
        except GithubException as exc:
            raise self._fault(exc, what, creating) from exc
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            # The network: refused connections, timeouts, resets, retries given up.
            raise self._fault(exc, what, creating) from exc
        finally:
            self._sending = None
            if write:
                self._last_write = self._clock()

    def _fault(self, exc: Exception, what: str, creating: bool) -> SyncError:
        return translate(
            exc,
            what,
            now=self._clock(),
            creating=creating,
            api_url=self.api_url,
            secrets=self._secrets,
        )

    def _transport_wait(self, seconds: float) -> None:
        wait_not_sent(self._sending, self._sleep, seconds)

    def _pace(self) -> None:
        if self._write_interval and self._last_write is not None:
            wait = self._last_write + self._write_interval - self._clock()
            if wait > 0:
                self._sleep(wait)

    def _check_primary_limit(self, what: str) -> None:
        # The last response said no request is left: fail now instead of sending a request
        # that is sure to be refused.
        remaining, _limit = self.requester.rate_limiting
        reset = self.requester.rate_limiting_resettime
        if remaining == 0 and reset:
            wait = reset - self._clock() + 1
            if wait > self._max_wait:
                reset_at = datetime.fromtimestamp(reset, UTC)
                raise RateLimitedError(
                    f"GitHub rate limit used up before {what}; "
                    f"try again after {reset_at:%Y-%m-%d %H:%M:%S} UTC",
                    reset_at,
                )
            if wait > 0:
                self._sleep(wait)
