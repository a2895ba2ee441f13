"""The GitHub backend tests: real PyGithub traffic, replayed from one cassette per test.

Three modes, chosen by ``PMT_RECORD`` when pytest starts:

- unset (normal runs, CI): replay ``tests/cassettes/github/<test name>.yaml`` against
  ``https://api.github.com`` with record mode "none": a request the cassette lacks fails.
- ``PMT_RECORD=stub``: record against the loopback stub (``tests/github_stub.py``). Its origin
  is rewritten to ``https://api.github.com`` so the cassettes read as GitHub's.
- ``PMT_RECORD=1`` with ``PMT_GITHUB_TOKEN``, ``PMT_GITHUB_REPO`` (a new, empty scratch
  repository) and ``PMT_GITHUB_LOGIN`` (a login that may be assigned there): record against
  GitHub itself. The scratch repository, the login and a GHE host are rewritten to the names
  the tests replay with (``acme/ops``, ``alice-gh``, ``api.github.com``). Tests that need
  injected faults or seeded state skip themselves and keep their stub recordings.

In every mode the Authorization header is dropped and gzip bodies are stored decoded.
See tests/record_cassettes.md.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import vcr

from sync.backends.github.backend import GitHubBackend
from sync.backends.github.pulls import GitHubPulls
from sync.base import TicketDraft
from sync.markers import Marker
from tests.github_stub import EPOCH, GitHubStub
from tracker.config import GitHubSettings

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes" / "github"
API = "https://api.github.com"
REPO = "acme/ops"
LOGIN = "alice-gh"
TOKEN = "test-token"

# Read at import: the autouse fixture of tests/conftest.py clears PMT_* before each test.
_ENV = {
    k: os.environ.get(k)
    for k in (
        "PMT_RECORD",
        "PMT_GITHUB_TOKEN",
        "PMT_GITHUB_REPO",
        "PMT_GITHUB_LOGIN",
        "PMT_GITHUB_API_URL",
    )
}
MODE = {"": "replay", "stub": "stub"}.get(_ENV["PMT_RECORD"] or "", "live")


@dataclass
class GitHubRig:
    mode: str
    cassette: Any
    stub: GitHubStub | None
    api_url: str
    repo: str
    token: str
    login: str
    sleeps: list[float] = field(default_factory=list)
    now: float = EPOCH.timestamp()

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now

    def settings(self, **overrides: Any) -> GitHubSettings:
        values: dict[str, Any] = {
            "repo": self.repo,
            "api_url": self.api_url,
            "owners": {"Alice": LOGIN, "Bob": "bob-gh"},
        }
        values.update(overrides)
        return GitHubSettings(**values)

    def backend(
        self, *, token: str | None = None, write_interval: float = 0.0, **overrides: Any
    ) -> GitHubBackend:
        if self.mode == "live":
            return GitHubBackend(
                self.settings(**overrides), token or self.token, write_interval=1.0
            )
        return GitHubBackend(
            self.settings(**overrides),
            token or self.token,
            sleep=self.sleep,
            clock=self.clock,
            write_interval=write_interval,
            web_url="https://github.com",
        )

    def pulls(self) -> GitHubPulls:
        """Write-back's pull requests (``sync.backends.github.pulls``), paced like ``backend``."""
        if self.mode == "live":
            return GitHubPulls(self.api_url, self.token, self.repo)
        return GitHubPulls(
            self.api_url,
            self.token,
            self.repo,
            sleep=self.sleep,
            clock=self.clock,
            write_interval=0.0,
        )

    def seed(self) -> GitHubStub | None:
        """The stub, to seed state or inject faults (None when replaying; skips when live)."""
        if self.mode == "live":
            pytest.skip("needs the stub's seeded state or injected faults")
        return self.stub

    def traffic(self) -> list[str]:
        """'METHOD /path' of every request made so far (recorded or replayed)."""
        requests = self.cassette.requests
        if self.mode == "replay":
            requests = [r for i, r in enumerate(requests) if self.cassette.play_counts[i]]
        return [f"{r.method} {r.path}" for r in requests]

    def writes(self) -> list[str]:
        return [t for t in self.traffic() if not t.startswith("GET ")]

    def reads(self) -> list[str]:
        return [t for t in self.traffic() if t.startswith("GET ")]


def draft(
    uid: str = "a1",
    text: str = "Add an alert on queue depth",
    *,
    postmortem: str = "postmortems/2026-02-14-queue-outage.md",
    **fields: Any,
) -> TicketDraft:
    values: dict[str, Any] = {
        "owner": "Alice",
        "due": date(2026, 4, 1),
        "priority": "P1",
        "kind": "detection",
        "postmortem_title": "Queue consumers stalled for 40 minutes",
        "postmortem_path": postmortem,
        "postmortem_url": f"https://github.com/acme/ops/blob/main/{postmortem}",
        "incident_date": date(2026, 2, 14),
        "root_cause": "A deploy left consumers without credentials; nothing alerted on depth.",
    }
    values.update(fields)
    return TicketDraft(marker=Marker(postmortem, uid), text=text, **values)


def tracking(postmortem: str = "postmortems/2026-02-14-queue-outage.md") -> TicketDraft:
    return TicketDraft(
        marker=Marker(postmortem, "_tracking"),
        role="tracking",
        text="Postmortem follow-ups: Queue consumers stalled for 40 minutes",
        postmortem_title="Queue consumers stalled for 40 minutes",
        postmortem_path=postmortem,
        postmortem_url=f"https://github.com/acme/ops/blob/main/{postmortem}",
        incident_date=date(2026, 2, 14),
    )


def _rewriter(pairs: list[tuple[str, str]]) -> tuple[Any, Any]:
    """before_record_request / before_record_response that put canonical names in cassettes."""

    def text(value: str) -> str:
        for old, new in pairs:
            value = value.replace(old, new)
        return value

    def blob(value: Any) -> Any:
        if isinstance(value, bytes):
            return text(value.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
        return text(value) if isinstance(value, str) else value

    def request(req: Any) -> Any:
        req.uri = text(req.uri)
        req.body = blob(req.body)
        return req

    def response(resp: dict[str, Any]) -> dict[str, Any]:
        resp["body"]["string"] = blob(resp["body"]["string"])
        resp["headers"] = {k: [text(v) for v in vs] for k, vs in resp["headers"].items()}
        return resp

    return request, response


@pytest.fixture
def gh(request: pytest.FixtureRequest) -> Iterator[GitHubRig]:
    name = request.node.name
    stub: GitHubStub | None = None
    pairs: list[tuple[str, str]] = []
    if MODE == "replay":
        api_url, repo, token, login = API, REPO, TOKEN, LOGIN
    elif MODE == "stub":
        stub = GitHubStub(REPO).start()
        api_url, repo, token, login = stub.base, REPO, TOKEN, LOGIN
        pairs = [(stub.base, API)]
    else:
        if not (_ENV["PMT_GITHUB_TOKEN"] and _ENV["PMT_GITHUB_REPO"] and _ENV["PMT_GITHUB_LOGIN"]):
            pytest.fail("PMT_RECORD=1 needs PMT_GITHUB_TOKEN, PMT_GITHUB_REPO and PMT_GITHUB_LOGIN")
        api_url = (_ENV["PMT_GITHUB_API_URL"] or API).rstrip("/")
        repo, token, login = (
            _ENV["PMT_GITHUB_REPO"],
            _ENV["PMT_GITHUB_TOKEN"],
            _ENV["PMT_GITHUB_LOGIN"],
        )
        pairs = [
            (api_url, API),
            (f"/{repo}/", f"/{REPO}/"),
            (f"/{repo}#", f"/{REPO}#"),
            (f'"{repo}"', f'"{REPO}"'),
            (login, LOGIN),
        ]
    before_request, before_response = _rewriter(pairs)
    recorder = vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode="none" if MODE == "replay" else "all",
        match_on=["method", "scheme", "host", "port", "path", "query", "body"],
        filter_headers=["authorization"],
        decode_compressed_response=True,
        before_record_request=before_request,
        before_record_response=before_response,
    )
    if MODE != "replay":
        # A re-recording starts from nothing: vcrpy would otherwise keep the old interactions.
        (CASSETTES / f"{name}.yaml").unlink(missing_ok=True)
    try:
        with recorder.use_cassette(f"{name}.yaml") as cassette:
            bed = GitHubRig(MODE, cassette, stub, api_url, repo, token, login)
            if MODE == "live":
                bed.settings = _live_settings(bed.settings, login)  # type: ignore[method-assign]
            yield bed
            if MODE == "replay":
                assert cassette.all_played, f"{name}: the backend skipped recorded requests"
    finally:
        if stub is not None:
            stub.stop()


def _live_settings(make: Any, login: str) -> Any:
    def settings(**overrides: Any) -> GitHubSettings:
        made = make(**overrides)
        owners = {k: (login if v == LOGIN else v) for k, v in made.owners.items()}
        return made.model_copy(update={"owners": owners})

    return settings
