"""Faults below HTTP (timeouts) cannot be recorded in a cassette: these run against the live
loopback stub instead, with the real PyGithub client and urllib3 retry policy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sync.backends.github.backend import GitHubBackend
from sync.base import TransientError
from tests.github.conftest import draft
from tests.github_stub import GitHubStub
from tracker.config import GitHubSettings

PM = "postmortems/2026-02-14-queue-outage.md"


@pytest.fixture
def stub() -> Iterator[GitHubStub]:
    with GitHubStub("acme/ops", collaborators=("alice-gh",)) as running:
        yield running


def _backend(stub: GitHubStub, slept: list[float]) -> GitHubBackend:
    settings = GitHubSettings(repo="acme/ops", api_url=stub.base, owners={"Alice": "alice-gh"})
    return GitHubBackend(settings, "test-token", sleep=slept.append, write_interval=0.0, timeout=1)


def test_a_create_that_times_out_is_sent_once_and_reported_as_unknown(stub: GitHubStub) -> None:
    slept: list[float] = []
    backend = _backend(stub, slept)
    backend.list_postmortem(PM)  # labels and listing out of the way
    stub.stall("POST", r"/issues$", seconds=2.5)

    with pytest.raises(TransientError, match="may or may not have been created"):
        backend.create(draft("a1"))

    creates = [r for r in stub.requests if r.method == "POST" and r.path.endswith("/issues")]
    assert len(creates) == 1
    # It did happen: the next run's marker listing finds it instead of creating a second one.
    found = _backend(stub, slept).list_postmortem(PM)
    assert [t.marker.item_uid for t in found.values() if t.marker] == ["a1"]


def test_a_read_that_times_out_is_retried(stub: GitHubStub) -> None:
    slept: list[float] = []
    stub.stall("GET", r"/issues$", seconds=2.5)

    assert _backend(stub, slept).list_postmortem(PM) == {}

    reads = [r for r in stub.requests if r.method == "GET" and r.path.endswith("/issues")]
    assert len(reads) == 2
