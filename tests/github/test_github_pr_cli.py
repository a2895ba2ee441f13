"""`pmt sync --write-back=pr` as CI runs it: a real git checkout with an "origin" to push to,
the real GitHub backend and pull-request client against the live loopback stub.

The links are committed on pmt's branch (one commit on HEAD holding only the documents pmt
wrote), pushed, and proposed in one pull request; the checkout's own branch is not moved.
A rerun from a fresh checkout rebuilds the branch and updates the same pull request; a new
action item later lands in that pull request too; nothing ever opens a second one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from sync.backends.github.backend import GitHubBackend
from tests.git_repos import DOC, git, make_checkout
from tests.github_stub import GitHubStub
from tests.sync_scene import ITEMS, document

BRANCH = "pmt/ticket-links"


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_checkout(tmp_path, monkeypatch)


@pytest.fixture
def stub(checkout: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHubStub]:
    monkeypatch.setattr(GitHubBackend, "WRITE_INTERVAL", 0.0)  # pacing changes time, not results
    with GitHubStub("acme/ops", collaborators=("lena-k",)) as running:
        origin = tmp_path / "origin.git"
        running.branch_exists = lambda name: bool(git(origin, "branch", "--list", name))
        monkeypatch.setenv("PMT_GITHUB_REPO", "acme/ops")
        monkeypatch.setenv("PMT_GITHUB_API_URL", running.base)
        monkeypatch.setenv("PMT_GITHUB_TOKEN", "test-token")
        monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{tmp_path / 'pmt.db'}")
        monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
        yield running


def sync_pr() -> dict[str, object]:
    run = CliRunner().invoke(app, ["sync", DOC, "--yes", "--write-back=pr", "--format", "json"])
    assert run.exit_code == 0, run.output
    return json.loads(run.stdout)  # type: ignore[no-any-return]


def test_links_are_proposed_in_one_pull_request_and_the_checkout_stays_put(
    stub: GitHubStub, checkout: Path
) -> None:
    head = git(checkout, "rev-parse", "HEAD")

    first = sync_pr()

    pull = first["pull_request"]
    assert isinstance(pull, dict) and pull["created"] and pull["branch"] == BRANCH
    assert pull["documents"] == [DOC]
    (opened,) = stub.pulls.values()
    assert (opened["head"], opened["base"], opened["state"]) == (BRANCH, "main", "open")
    assert opened["body"].count("](https://github.com/acme/ops/issues/") == 2
    # One commit on the checkout's HEAD, holding the document with its links, and only it.
    origin = checkout.parent / "origin.git"
    assert git(origin, "rev-parse", f"{BRANCH}^") == head
    assert git(origin, "diff", "--name-only", "main", BRANCH) == DOC
    proposed = git(origin, "show", f"{BRANCH}:{DOC}")
    assert proposed.count("](https://github.com/acme/ops/issues/") == 2
    # The checkout's branch did not move; the links are in its working tree, as direct writes.
    assert git(checkout, "rev-parse", "HEAD") == head
    assert git(checkout, "rev-parse", "--abbrev-ref", "HEAD") == "main"
    assert git(checkout, "status", "--porcelain") == f"M {DOC}"  # " M", stripped

    # A rerun in a fresh checkout (the file as main has it): the same pull request, updated.
    git(checkout, "checkout", "--quiet", "--", DOC)
    again = sync_pr()
    assert again["pull_request"]["number"] == pull["number"]  # type: ignore[index]
    assert not again["pull_request"]["created"]  # type: ignore[index]
    assert len(stub.pulls) == 1
    assert len(stub.issues) == 3  # two items and the tracking issue, made once

    # A new action item lands on main: its ticket joins the same pull request.
    git(checkout, "checkout", "--quiet", "--", DOC)
    (checkout / DOC).write_text(document(ITEMS), encoding="utf-8")
    git(checkout, "commit", "--quiet", "-am", "One more follow-up")
    git(checkout, "push", "--quiet", "origin", "main")
    later = sync_pr()
    assert later["pull_request"]["number"] == pull["number"]  # type: ignore[index]
    assert len(stub.pulls) == 1
    assert git(origin, "show", f"{BRANCH}:{DOC}").count("](https://github.com/acme/") == 3
    assert git(origin, "rev-parse", f"{BRANCH}^") == git(checkout, "rev-parse", "HEAD")


def test_nothing_to_write_opens_no_pull_request(stub: GitHubStub, checkout: Path) -> None:
    sync_pr()
    before = len(stub.requests)
    second = CliRunner().invoke(app, ["sync", DOC, "--yes", "--write-back=pr"])
    assert second.exit_code == 0, second.output
    assert "no link to propose" in second.stderr
    assert all(r.method == "GET" for r in stub.requests[before:])
    assert len(stub.pulls) == 1


def test_outside_a_git_checkout_nothing_is_made(
    stub: GitHubStub, checkout: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "plain"
    (elsewhere / "postmortems").mkdir(parents=True)
    (elsewhere / DOC).write_text(document(ITEMS[:1]), encoding="utf-8")
    (elsewhere / "pmt.toml").write_text("")
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    run = CliRunner().invoke(app, ["sync", DOC, "--yes", "--write-back=pr"])
    assert run.exit_code == 1
    assert "not a git repository" in run.stderr
    assert stub.issues == {} and stub.pulls == {}


def test_no_writeback_and_write_back_pr_contradict(stub: GitHubStub) -> None:
    run = CliRunner().invoke(app, ["sync", DOC, "--yes", "--no-writeback", "--write-back=pr"])
    assert run.exit_code == 2
    assert "contradicts" in run.stderr
    assert stub.issues == {}
