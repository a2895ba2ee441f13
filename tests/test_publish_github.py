"""``--post github``: one issue per week, created once and then updated in place.

Real PyGithub traffic replayed from ``tests/cassettes/github/<test name>.yaml`` through the GitHub
tests' ``gh`` fixture (record with ``PMT_RECORD=stub``; see ``tests/github/conftest.py``). The
cassettes live beside the backend's, so ``tests/test_github_contract.py`` checks every one of
these interactions against GitHub's API description too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import vcr
from typer.testing import CliRunner

from cli.app import app
from sync.base import AuthError
from sync.publish import REPORT_LABEL, post_github, read_report_marker
from tests.github.conftest import CASSETTES, MODE, GitHubRig, _rewriter, gh  # noqa: F401 (fixture)
from tests.github_stub import GitHubStub
from tests.report_data import NOW, ZONE, fill, sqlite_store_fixture  # noqa: F401 (fixture)
from tracker.config import GitHubSettings, ReportSettings, Secrets, Settings
from tracker.reports.period import iso_week
from tracker.reports.weekly import WeeklyReport, build_weekly_report


def _report(store, week: str = "2026-W48") -> WeeklyReport:
    with store.session(write=False) as session:
        return build_weekly_report(session, Settings(timezone=ZONE), iso_week(week, ZONE), now=NOW)


def _settings(rig: GitHubRig) -> Settings:
    return Settings(
        timezone=ZONE,
        github=GitHubSettings(repo="someone/else", api_url=rig.api_url),
        report=ReportSettings(github_repo=rig.repo),
    )


def _post(rig: GitHubRig, report: WeeklyReport, token: str | None = None):
    return post_github(
        report, _settings(rig), Secrets(PMT_GITHUB_TOKEN=token or rig.token), sleep=rig.sleep
    )


def test_the_weekly_issue_is_created_once_then_updated_in_place(
    gh: GitHubRig,  # noqa: F811 (the fixture imported above)
    sqlite_store,
) -> None:
    fill(sqlite_store)
    report = _report(sqlite_store)

    first = _post(gh, report)
    again = _post(gh, report)

    assert (first.action, again.action) == ("created", "updated")
    assert first.number == again.number
    assert first.url == f"https://github.com/{gh.repo}/issues/{first.number}"
    # The same report again: found by its marker, nothing to change, no write.
    assert gh.writes() == [f"POST /repos/{gh.repo}/issues"]

    # The week changed (an item was closed): the same issue is edited.
    from sqlmodel import select

    from tracker.store.tables import ItemRow

    with sqlite_store.session() as s:
        item = s.exec(select(ItemRow).where(ItemRow.uid == "a2")).one()
        item.status, item.closed_at = "done", NOW.replace(year=2026, month=11, day=27)
        s.add(item)
    updated = _post(gh, _report(sqlite_store))
    assert (updated.action, updated.number) == ("updated", first.number)
    assert gh.writes() == [
        f"POST /repos/{gh.repo}/issues",
        f"PATCH /repos/{gh.repo}/issues/{first.number}",
    ]
    # One listing per run, by the report label, newest first.
    assert gh.reads() == [f"GET /repos/{gh.repo}/issues"] * 3
    stub = gh.stub
    if stub is not None:  # recording: look at what GitHub now holds
        assert len(stub.issues) == 1
        issue = stub.issues[first.number]
        assert issue["title"] == "Postmortem follow-ups: week 2026-W48"
        assert issue["labels"] == [REPORT_LABEL]
        assert read_report_marker(issue["body"]) == "2026-W48"
        assert "4 items are overdue" not in issue["body"]  # a2 is done now: 3 left
        assert "3 items are overdue" in issue["body"]


def test_each_week_has_its_own_issue(gh: GitHubRig, sqlite_store) -> None:  # noqa: F811 (the gh fixture)
    stub = gh.seed()
    if stub is not None:
        # A person's issue with the label but no marker, and last week's report.
        stub.add_issue("Discuss the report format", "no marker here", labels=(REPORT_LABEL,))
        stub.add_issue(
            "Postmortem follow-ups: week 2026-W47",
            "old\n<!-- pmt:weekly-report period=2026-W47 -->",
            labels=(REPORT_LABEL,),
        )
    fill(sqlite_store)

    w48 = _post(gh, _report(sqlite_store, "2026-W48"))
    w47 = _post(gh, _report(sqlite_store, "2026-W47"))

    assert (w48.action, w48.number) == ("created", 3)
    assert (w47.action, w47.number) == ("updated", 2)
    assert gh.writes() == [f"POST /repos/{gh.repo}/issues", f"PATCH /repos/{gh.repo}/issues/2"]
    if stub is not None:
        assert stub.issues[1]["body"] == "no marker here"  # never touched
        assert stub.issues[2]["body"].startswith("# Postmortem follow-ups: week 2026-W47")


def test_report_with_a_bad_token_is_one_clear_error(gh: GitHubRig, sqlite_store) -> None:  # noqa: F811 (the gh fixture)
    fill(sqlite_store)
    with pytest.raises(AuthError) as info:
        _post(gh, _report(sqlite_store), token="wrong-token")
    assert str(info.value).startswith(
        f"GitHub rejected the token while looking for the report issue of 2026-W48 in {gh.repo} (401"
    )
    assert gh.writes() == []


def test_missing_repository_or_token_is_a_config_error() -> None:
    from tracker.errors import ConfigError

    report_settings = Settings(timezone=ZONE)
    with pytest.raises(ConfigError, match=r"set \[report\] github_repo or \[github\] repo"):
        post_github(None, report_settings, Secrets())  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="no GitHub token"):
        post_github(None, Settings(github=GitHubSettings(repo="acme/ops")), Secrets())  # type: ignore[arg-type]


# --- through the command line ----------------------------------------------------------------------
# The CLI reports on today's date, so its request bodies change from day to day: this cassette is
# matched on method, path and query only (the body is checked below instead).


def test_cli_posts_the_report_to_github(sqlite_store, monkeypatch: pytest.MonkeyPatch) -> None:
    name = "test_cli_posts_the_report_to_github.yaml"
    record = MODE == "stub" or not (CASSETTES / name).exists()
    stub = GitHubStub("acme/ops").start() if record else None
    api = stub.base if stub else "https://api.github.com"
    before_request, before_response = _rewriter(
        [(stub.base, "https://api.github.com")] if stub else []
    )
    recorder = vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode="all" if record else "none",
        match_on=["method", "scheme", "host", "port", "path", "query"],
        filter_headers=["authorization"],
        decode_compressed_response=True,
        before_record_request=before_request,
        before_record_response=before_response,
    )
    fill(sqlite_store)
    monkeypatch.setenv("PMT_DATABASE_URL", sqlite_store.url)
    monkeypatch.setenv("PMT_TIMEZONE", ZONE)
    monkeypatch.setenv("PMT_GITHUB_API_URL", api)
    monkeypatch.setenv("PMT_REPORT_GITHUB_REPO", "acme/ops")
    monkeypatch.setenv("PMT_GITHUB_TOKEN", "test-token")
    try:
        with recorder.use_cassette(name) as cassette:
            result = CliRunner().invoke(
                app, ["report", "weekly", "--week", "2026-W48", "--post", "github"]
            )
            assert result.exit_code == 0, result.output
            assert "pmt: created https://github.com/acme/ops/issues/1" in result.stderr
            posted = [r for r in cassette.requests if r.method == "POST"]
            assert len(posted) == 1
            body = posted[0].body.decode() if isinstance(posted[0].body, bytes) else posted[0].body
            assert '"labels": ["pmt-weekly-report"]' in body
            assert "pmt:weekly-report period=2026-W48" in body
    finally:
        if stub is not None:
            stub.stop()


def test_cli_github_config_errors_come_before_the_work(
    sqlite_store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMT_DATABASE_URL", sqlite_store.url)
    result = CliRunner().invoke(app, ["report", "weekly", "--post", "github"])
    assert result.exit_code == 2
    assert result.stderr.startswith("pmt: error: no repository for the weekly report (got None)")
    assert result.stdout == ""
    assert Path(sqlite_store.url.removeprefix("sqlite:///")).exists()
