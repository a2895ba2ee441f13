"""Write-back as a GitLab merge request: python-gitlab against the loopback GitLab stub, then
`pmt sync --write-back=pr` with [sync] pr_host = "gitlab" in a real git checkout."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from sync import registry
from sync.backends.gitlab.merge_requests import GitLabMergeRequests, proposer
from sync.base import AuthError, NotFoundError
from tests.fakes import FakeBackend
from tests.git_repos import DOC, git, make_checkout
from tests.gitlab_stub import GitLabStub
from tracker.config import Secrets, Settings
from tracker.errors import ConfigError

BRANCH = "pmt/ticket-links"


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_checkout(tmp_path, monkeypatch)


@pytest.fixture
def gitlab() -> Iterator[GitLabStub]:
    with GitLabStub() as stub:
        yield stub


def client(stub: GitLabStub, token: str | None = None) -> GitLabMergeRequests:
    return GitLabMergeRequests(stub.base, token or stub.token, stub.project)


def test_a_merge_request_is_opened_once_then_updated(gitlab: GitLabStub) -> None:
    first = client(gitlab).propose(BRANCH, None, "Links", "two links")
    second = client(gitlab).propose(BRANCH, None, "Links", "three links")
    assert first.created and not second.created and second.number == first.number
    assert first.url == "https://gitlab.example.com/acme/postmortems/-/merge_requests/1"
    (mr,) = gitlab.merge_requests.values()
    assert (mr["source_branch"], mr["target_branch"], mr["description"]) == (
        BRANCH,
        "main",
        "three links",
    )
    # The target is the project's default branch; then one listing, one write per run.
    assert [(m, p.rsplit("/", 1)[-1]) for m, p, _ in gitlab.requests] == [
        ("GET", "acme%2Fpostmortems"),
        ("GET", "merge_requests"),
        ("POST", "merge_requests"),
        ("GET", "acme%2Fpostmortems"),
        ("GET", "merge_requests"),
        ("PUT", "1"),
    ]


def test_a_merge_request_opened_meanwhile_is_updated_not_doubled(gitlab: GitLabStub) -> None:
    client(gitlab).propose(BRANCH, "main", "Links", "by the other run")
    # Another run opened it just after this run listed none: GitLab answers the create 409.
    gitlab.stale_listings = 1
    made = client(gitlab).propose(BRANCH, "main", "Links", "by this run")
    assert not made.created and len(gitlab.merge_requests) == 1
    assert gitlab.merge_requests[1]["description"] == "by this run"
    assert [s for m, _, s in gitlab.requests if m == "POST"] == [201, 409]


def test_a_bad_token_and_a_missing_project_are_pmt_errors(gitlab: GitLabStub) -> None:
    with pytest.raises(AuthError, match="PMT_GITLAB_TOKEN"):
        client(gitlab, token="nope").propose(BRANCH, "main", "Links", "x")
    with pytest.raises(NotFoundError, match=r"\[gitlab\] url and project"):
        GitLabMergeRequests(gitlab.base, gitlab.token, "acme/other").propose(
            BRANCH, "main", "Links", "x"
        )


def test_the_proposer_needs_a_project_and_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI_PROJECT_PATH", raising=False)
    monkeypatch.delenv("PMT_GITLAB_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="PMT_GITLAB_PROJECT"):
        proposer(Settings(), Secrets())
    monkeypatch.setenv("CI_PROJECT_PATH", "acme/postmortems")  # GitLab CI names the project
    with pytest.raises(ConfigError, match="PMT_GITLAB_TOKEN"):
        proposer(Settings(), Secrets())


def test_pmt_sync_proposes_the_links_in_a_gitlab_merge_request(
    gitlab: GitLabStub,
    checkout: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeBackend()
    monkeypatch.setitem(registry.BACKENDS, "github", lambda settings, secrets: fake)
    origin = tmp_path / "origin.git"
    gitlab.branch_exists = lambda name: bool(git(origin, "branch", "--list", name))
    monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{tmp_path / 'pmt.db'}")
    monkeypatch.setenv("PMT_GITHUB_REPO", "acme/ops")
    monkeypatch.setenv("PMT_SYNC_PR_HOST", "gitlab")
    monkeypatch.setenv("PMT_GITLAB_URL", gitlab.base)
    monkeypatch.setenv("PMT_GITLAB_PROJECT", gitlab.project)
    monkeypatch.setenv("PMT_GITLAB_TOKEN", gitlab.token)

    run = CliRunner().invoke(app, ["sync", DOC, "--yes", "--write-back=pr", "--format", "json"])

    assert run.exit_code == 0, run.output
    pull = json.loads(run.stdout)["pull_request"]
    assert pull["created"] and pull["url"].endswith("/-/merge_requests/1")
    (mr,) = gitlab.merge_requests.values()
    assert mr["source_branch"] == BRANCH and mr["description"].count("| `postmortems/") == 2
    assert git(origin, "diff", "--name-only", "main", BRANCH) == DOC
    assert "glpat-test" not in run.output
