"""The HTTP client of the Jira backend: one requests session, the shared retry policy.

Every request pmt makes to Jira goes through ``JiraClient.request``: a ``requests.Session``
(injectable, for tests) with ``sync.transport.RetryPolicy`` mounted through requests' public
``Session.mount``. The ``jira`` library builds its own session and keeps it in a private
attribute, and its retry loop re-sends any method, a POST included, after a 503 or a dropped
connection; so pmt does not use its client object. From the library it takes ``TokenAuth``,
the bearer authentication of a Data Center personal access token.

Authentication is per request, so that ``serverInfo`` (answered anonymously, asked to learn the
deployment before credentials are chosen) goes out without any.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

import requests
from jira.client import TokenAuth
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase, HTTPBasicAuth

from sync.base import AuthError, CreateIntent
from sync.transport import retry_policy, wait_not_sent

Deployment = Literal["cloud", "datacenter"]

# Requests Jira performs the same way however often they are sent: retried after a 5xx or a
# lost answer. A POST never is (a create, a comment, a link would be made twice).
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT"})

# What the jira library sends on every request; X-Atlassian-Token passes Data Center's XSRF check.
HEADERS = {
    "Accept": "application/json,*/*;q=0.9",
    "Cache-Control": "no-cache",
    "Content-Type": "application/json",
    "X-Atlassian-Token": "no-check",
}


class JiraClient:
    """Requests to one Jira site; answers come back as responses, faults as requests errors."""

    def __init__(
        self,
        base_url: str,
        *,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        max_retries: int = 3,
        max_wait: float = 60.0,
        session: requests.Session | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self._sleep = sleep
        self.session = session or requests.Session()
        # Jira Cloud asks clients to keep retrying a 429 as told: up to max_retries in a row.
        policy = retry_policy(
            idempotent=IDEMPOTENT,
            sleep=self._wait,
            clock=clock,
            max_wait=max_wait,
            rate_limit_retries=max_retries,
            retries=max_retries,
        )
        adapter = HTTPAdapter(max_retries=policy)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers.update(HEADERS)
        self._auth: AuthBase | None = None
        # The create whose request is in flight (see ``wait``).
        self.sending: CreateIntent | None = None

    def url(self, api: str, path: str) -> str:
        return f"{self.base_url}/rest/api/{api}/{path}"

    def authenticate(self, deployment: Deployment, email: str | None, token: str | None) -> None:
        """Cloud: basic auth (e-mail and API token); Data Center: the PAT as a bearer token."""
        if not token:
            raise AuthError(
                "PMT_JIRA_TOKEN is not set: Jira needs an API token (Cloud) "
                "or a personal access token (Data Center)"
            )
        if deployment == "cloud":
            if not email:
                raise AuthError(
                    "Jira Cloud needs PMT_JIRA_EMAIL with PMT_JIRA_TOKEN "
                    "(basic auth: your Atlassian e-mail and an API token)"
                )
            self._auth = HTTPBasicAuth(email, token)
        else:
            # A Data Center PAT only works as a bearer token, never in basic auth.
            self._auth = TokenAuth(token)

    @property
    def auth(self) -> AuthBase | None:
        return self._auth

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        payload: Any = None,
        anonymous: bool = False,
        intent: CreateIntent | None = None,
    ) -> requests.Response:
        data = None if payload is None else json.dumps(payload)
        self.sending = intent
        try:
            if intent is not None:
                intent.sent()
            return self.session.request(
                method,
                url,
                params=params,
                data=data,
                auth=None if anonymous else self._auth,
                timeout=self.timeout,
            )
        finally:
            self.sending = None

    def _wait(self, seconds: float) -> None:
        wait_not_sent(self.sending, self._sleep, seconds)
