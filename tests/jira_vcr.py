"""Cassettes for the Jira backend tests: one per test, replayed by default, recorded on demand.

``PMT_JIRA_RECORD`` chooses:

- unset: replay ``tests/cassettes/jira/<test>_<deployment>.yaml`` with record mode "none"; a
  request the cassette does not hold fails the test, and so does a recorded request left unsent,
  so each cassette pins the exact requests a test makes.
- ``stub``: record against ``tests/jira_stub.py`` on 127.0.0.1. The backend is configured with
  the public address (``https://example.atlassian.net`` for Cloud, ``https://jira.example.com``
  for Data Center) exactly as in replay; a patched ``HTTPAdapter.send`` sends those requests to
  the stub, and the saved URIs say the public address. The stub writes the public address in
  its own bodies (``self`` links), so a cassette never shows the loopback port.
- ``live``: record against a real Jira (see docs/sync-guarantees.md): ``PMT_JIRA_LIVE_URL``,
  ``PMT_JIRA_LIVE_PROJECT``, ``PMT_JIRA_LIVE_DEPLOYMENT`` (cloud or datacenter),
  ``PMT_JIRA_LIVE_ALICE`` and ``PMT_JIRA_LIVE_BOB`` (two users: e-mails on Cloud, user names on
  Data Center), ``PMT_JIRA_LIVE_COMPONENT``, ``PMT_JIRA_EMAIL`` and ``PMT_JIRA_TOKEN``. Tests
  marked ``stub_only`` (seeded state, injected faults) are skipped.

While a test runs it sees the real traffic. When the cassette is saved: the ``Authorization``
header keeps only its scheme ("Basic <redacted>", "Bearer <redacted>", so that replay still checks
which one was used); the token and the e-mail become placeholders wherever they appear (URIs, raw
or URL-encoded, bodies, headers); the address becomes the public one; in live mode the project
key, the two users and the component become the fixture names (``OPS``, alice, bob,
``Platform``), so a cassette replays with the fixture settings whoever recorded it; the ``Date``
and ``Server`` response headers are dropped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import requests
import vcr
from vcr.record_mode import RecordMode

from sync.backends.jira.backend import JiraBackend
from tests.jira_stub import PUBLIC_URLS, STUB_EMAIL, STUB_TOKEN, JiraStub
from tracker.config import JiraSettings

CASSETTES = Path(__file__).resolve().parent / "cassettes" / "jira"
MODE = os.environ.get("PMT_JIRA_RECORD", "").strip().lower()
EMAIL_PLACEHOLDER = "<PMT_JIRA_EMAIL>"
# The backend's clock in these tests (reset times of rate limits are computed from it).
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TOKEN_PLACEHOLDER = "<PMT_JIRA_TOKEN>"

# Tests that need the stub's own state (seeded tickets, its users) or its fault injection.
stub_only = pytest.mark.skipif(
    MODE == "live", reason="needs the loopback stub (seeded state or faults)"
)


@dataclass
class JiraRecording:
    deployment: str
    base_url: str
    project: str
    email: str
    token: str
    stub: JiraStub | None
    cassette: Any = None
    sleeps: list[float] = field(default_factory=list)

    @property
    def recording(self) -> bool:
        return MODE in ("stub", "live")

    def settings(self, **overrides: Any) -> JiraSettings:
        if MODE == "live":
            # Two real users and a component of the scratch project, recorded under the fixture
            # names (see _live_names).
            owners = {
                "alice": os.environ["PMT_JIRA_LIVE_ALICE"],
                "bob": os.environ["PMT_JIRA_LIVE_BOB"],
            }
            components = [os.environ["PMT_JIRA_LIVE_COMPONENT"]]
        elif self.deployment == "cloud":
            owners = {"alice": "alice@example.com", "sam": "Sam", "bob": "bob@example.com"}
            components = ["Platform"]
        else:
            owners = {"alice": "alice", "bob": "bob"}
            components = ["Platform"]
        values: dict[str, Any] = {
            "url": self.base_url,
            "project": self.project,
            "owners": owners,
            "components": components,
        }
        values.update(overrides)
        return JiraSettings(**values)

    def backend(self, *, token: str | None = None, **overrides: Any) -> JiraBackend:
        return JiraBackend(
            self.settings(**overrides),
            self.email if self.deployment == "cloud" else None,
            self.token if token is None else token,
            sleep=self.sleeps.append,
            clock=lambda: NOW,
        )

    def seed(self, fn: Callable[[JiraStub], Any]) -> Any:
        """Prepare server state through the stub; in replay the cassette already holds its effect."""
        return fn(self.stub) if self.stub is not None else None

    def responses_to(self, method: str, pattern: str) -> list[Any]:
        """The JSON bodies Jira answered to the recorded requests whose path matches ``pattern``."""
        import json
        import re
        from urllib.parse import urlsplit

        out = []
        for req, resp in self.cassette.data:
            if req.method == method and re.search(pattern, urlsplit(req.uri).path):
                raw = resp["body"]["string"]
                out.append(json.loads(raw) if raw else None)
        return out

    def requests(self) -> list[tuple[str, str]]:
        """(method, path?query) of every interaction of the cassette, in order."""
        from urllib.parse import urlsplit

        out = []
        for req in self.cassette.requests:
            parts = urlsplit(req.uri)
            out.append((req.method, parts.path + (f"?{parts.query}" if parts.query else "")))
        return out


def cassette_name(node: pytest.Item, deployment: str) -> str:
    return f"{getattr(node, 'originalname', node.name)}_{deployment}"


@contextmanager
def recording(
    name: str, deployment: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[JiraRecording]:
    path = CASSETTES / f"{name}.yaml"
    public = PUBLIC_URLS[deployment]
    stub: JiraStub | None = None
    real_base = public
    email, token, project = STUB_EMAIL, STUB_TOKEN, "OPS"
    if MODE == "live":
        if os.environ.get("PMT_JIRA_LIVE_DEPLOYMENT", "") != deployment:
            pytest.skip(
                f"live recording is for {os.environ.get('PMT_JIRA_LIVE_DEPLOYMENT')!r} only"
            )
        real_base = os.environ["PMT_JIRA_LIVE_URL"].rstrip("/")
        project = os.environ["PMT_JIRA_LIVE_PROJECT"]
        email = os.environ.get("PMT_JIRA_EMAIL", "")
        token = os.environ["PMT_JIRA_TOKEN"]
    elif MODE == "stub":
        stub = JiraStub(deployment, public_url=public).start()
        _redirect(monkeypatch, public, stub.url)
    elif not path.exists():
        pytest.fail(f"no cassette {path.name}: record it with PMT_JIRA_RECORD=stub")
    if MODE in ("stub", "live") and path.exists():
        path.unlink()  # a re-recording starts from nothing, never appends

    # (what was sent or received, what the cassette says): the address, the credentials, and in
    # live mode the scratch project's own names, so that a cassette replays with the fixture
    # settings whoever recorded it.
    pairs = [(o, public) for o in {real_base, stub.url if stub else ""} if o and o != public]
    pairs += [(v, p) for v, p in ((token, TOKEN_PLACEHOLDER), (email, EMAIL_PLACEHOLDER)) if v]
    if MODE == "live":
        pairs += [(real, fixture) for real, fixture in _live_names(deployment) if real]
    pairs += [
        (quote(real, safe=""), quote(fake, safe=""))
        for real, fake in pairs
        if quote(real, safe="") != real
    ]
    pairs += [
        (quote_plus(real), quote_plus(fake)) for real, fake in pairs if quote_plus(real) != real
    ]

    def scrub(text: str) -> str:
        for real, fake in pairs:
            text = text.replace(real, fake)
        return text

    def before_save(request: Any, response: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        # At save time only: while a test runs, it sees what was really sent and answered, the
        # same values the backend returns; the file says the fixture names.
        request.uri = scrub(request.uri)
        if request.body:
            body = request.body.decode() if isinstance(request.body, bytes) else request.body
            request.body = scrub(body).encode()
        raw = response["body"].get("string")
        if raw:
            text = raw.decode() if isinstance(raw, bytes) else raw
            response["body"]["string"] = scrub(text).encode()
        headers = response.get("headers") or {}
        for header in list(headers):
            if header.lower() in ("date", "server"):
                del headers[header]
            else:
                headers[header] = [scrub(str(v)) for v in headers[header]]
        return request, response

    recorder = vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=RecordMode.ALL if MODE in ("stub", "live") else RecordMode.NONE,
        match_on=("method", "scheme", "host", "port", "path", "query", "body", "auth_scheme"),
        filter_headers=[("authorization", _scheme_only)],
        before_save_interaction=before_save,
        decode_compressed_response=True,
    )
    recorder.register_matcher("auth_scheme", _same_auth_scheme)
    rec = JiraRecording(deployment, real_base, project, email, token, stub)
    try:
        with recorder.use_cassette(path.name) as cassette:
            rec.cassette = cassette
            yield rec
            if MODE not in ("stub", "live"):
                unplayed = len(cassette.data) - sum(1 for n in cassette.play_counts.values() if n)
                assert cassette.all_played, (
                    f"{path.name}: {unplayed} recorded request(s) were not made: "
                    "the code now makes fewer requests than when the cassette was recorded"
                )
    finally:
        if stub is not None:
            stub.stop()


def _live_names(deployment: str) -> list[tuple[str, str]]:
    """The scratch project's names and the fixture names they are recorded as."""
    project = os.environ["PMT_JIRA_LIVE_PROJECT"]
    alice = os.environ.get("PMT_JIRA_LIVE_ALICE", "")
    bob = os.environ.get("PMT_JIRA_LIVE_BOB", "")
    cloud = deployment == "cloud"
    return [
        (f'"{project}-', '"OPS-'),
        (f"/{project}-", "/OPS-"),
        (f'"key": "{project}"', '"key": "OPS"'),
        (f'"{project}"', '"OPS"'),
        (alice, "alice@example.com" if cloud else "alice"),
        (bob, "bob@example.com" if cloud else "bob"),
        (os.environ.get("PMT_JIRA_LIVE_COMPONENT", ""), "Platform"),
    ]


def _redirect(monkeypatch: pytest.MonkeyPatch, public: str, target: str) -> None:
    original = requests.adapters.HTTPAdapter.send

    def send(
        self: requests.adapters.HTTPAdapter,
        request: requests.PreparedRequest,
        *args: Any,
        **kwargs: Any,
    ) -> requests.Response:
        if request.url and request.url.startswith(public):
            request.url = target + request.url[len(public) :]
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)


def _scheme_only(key: str, value: str, request: Any) -> str:
    return f"{value.split(' ', 1)[0]} <redacted>" if value else value


def _same_auth_scheme(r1: Any, r2: Any) -> None:
    def scheme(request: Any) -> str:
        value = request.headers.get("Authorization") or request.headers.get("authorization") or ""
        return value.split(" ", 1)[0].lower()

    if scheme(r1) != scheme(r2):
        raise AssertionError(f"authorization scheme {scheme(r1)!r} != {scheme(r2)!r}")
