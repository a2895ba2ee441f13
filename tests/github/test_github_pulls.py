"""Write-back's pull requests against recorded GitHub traffic (see conftest.py for the modes):
one pull request per branch, opened once, updated by every later run, never a second."""

from __future__ import annotations

from tests.github.conftest import GitHubRig

BRANCH = "pmt/ticket-links"


def test_a_pull_request_is_opened_once_then_updated(gh: GitHubRig) -> None:
    first = gh.pulls().propose(BRANCH, None, "Links", "two links")
    second = gh.pulls().propose(BRANCH, None, "Links", "three links")

    assert first.created and not second.created
    assert second.number == first.number
    assert first.url == f"https://github.com/{gh.repo}/pull/{first.number}"
    # The base is the repository's default branch, read by each run.
    assert gh.traffic() == [
        f"GET /repos/{gh.repo}",
        f"GET /repos/{gh.repo}/pulls",
        f"POST /repos/{gh.repo}/pulls",
        f"GET /repos/{gh.repo}",
        f"GET /repos/{gh.repo}/pulls",
        f"PATCH /repos/{gh.repo}/pulls/{first.number}",
    ]
    stub = gh.stub
    if stub is not None:
        (pull,) = stub.pulls.values()
        assert (pull["head"], pull["base"], pull["body"]) == (BRANCH, "main", "three links")


def test_a_named_base_is_not_looked_up(gh: GitHubRig) -> None:
    made = gh.pulls().propose(BRANCH, "release", "Links", "one link")
    assert made.created
    assert gh.traffic() == [f"GET /repos/{gh.repo}/pulls", f"POST /repos/{gh.repo}/pulls"]


def test_a_pull_request_made_meanwhile_by_another_run_is_updated(gh: GitHubRig) -> None:
    stub = gh.seed()
    if stub is not None:
        # Another run opens it between this run's listing and its create: GitHub says 422.
        stub.fail("POST", "/pulls$", status=422, apply=True, message="Validation Failed")
    made = gh.pulls().propose(BRANCH, "main", "Links", "one link")
    assert not made.created
    assert [t.split(" ")[0] for t in gh.traffic()] == ["GET", "POST", "GET", "PATCH"]
