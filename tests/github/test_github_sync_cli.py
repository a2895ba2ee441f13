"""`pmt sync` as a user runs it, with the real GitHub backend (from the registry) against the
live loopback stub: issues made, links written back, and a second run that writes nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from sync.backends.github.backend import GitHubBackend
from tests.github_stub import GitHubStub
from tests.sync_scene import ITEMS, document


@pytest.fixture
def stub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHubStub]:
    monkeypatch.setattr(GitHubBackend, "WRITE_INTERVAL", 0.0)  # pacing changes time, not results
    with GitHubStub("acme/ops", collaborators=("lena-k",)) as running:
        monkeypatch.setenv("PMT_GITHUB_REPO", "acme/ops")
        monkeypatch.setenv("PMT_GITHUB_API_URL", running.base)
        monkeypatch.setenv("PMT_GITHUB_TOKEN", "test-token")
        monkeypatch.setenv("PMT_GITHUB_OWNERS", json.dumps({"lena": "lena-k"}))
        monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{tmp_path / 'pmt.db'}")
        monkeypatch.setenv("PMT_INGEST_ROOT", str(tmp_path))
        yield running


def test_pmt_sync_makes_the_issues_links_them_back_and_a_second_run_writes_nothing(
    stub: GitHubStub, tmp_path: Path
) -> None:
    doc = tmp_path / "postmortems" / "2026-03-02-db-failover.md"
    doc.parent.mkdir()
    doc.write_text(document(), encoding="utf-8")

    first = CliRunner().invoke(app, ["sync", str(doc), "--yes", "--format", "json"])

    assert first.exit_code == 0, first.output
    result = json.loads(first.stdout)["result"]
    assert [r["status"] for r in result if r["status"] != "done"] == []
    issues = stub.issues.values()
    assert len(issues) == len(ITEMS) + 1  # the items and the tracking issue
    tracking = next(
        i for i in issues if not stub.parent_of.get(i["number"]) and stub.children.get(i["number"])
    )
    assert len(stub.children[tracking["number"]]) == len(ITEMS)
    lena = [i for i in issues if i["assignees"] == ["lena-k"]]
    assert len(lena) == 2
    text = doc.read_text(encoding="utf-8")
    # The issue's own html_url, as GitHub (and the stub) gives it.
    links = re.findall(r"\[#(\d+)\]\(https://github\.com/acme/ops/issues/(\d+)\)", text)
    assert len(links) == len(ITEMS) and all(a == b for a, b in links)

    before, written = len(stub.requests), doc.read_bytes()
    second = CliRunner().invoke(app, ["sync", str(doc), "--yes", "--format", "json"])

    assert second.exit_code == 0, second.output
    again = stub.requests[before:]
    assert [r for r in again if r.method != "GET"] == []
    assert len(again) == 1  # one marker listing
    assert doc.read_bytes() == written


def _postmortem(tmp_path: Path) -> Path:
    doc = tmp_path / "postmortems" / "2026-03-02-db-failover.md"
    doc.parent.mkdir()
    doc.write_text(document(), encoding="utf-8")
    return doc


def test_an_owner_with_no_login_is_a_warning_on_stderr(
    stub: GitHubStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """[github] owners maps lena only and handles are off: arjun's issue ("@arjun") is made
    unassigned, and pmt says so."""
    monkeypatch.setenv("PMT_GITHUB_HANDLES", "false")
    doc = _postmortem(tmp_path)

    run = CliRunner().invoke(app, ["sync", str(doc), "--yes"])

    assert run.exit_code == 0, run.output
    note = "owner 'arjun' has no GitHub login in [github] owners; their issues are left unassigned"
    assert run.stderr.count(f"pmt sync: warning: {note}") == 1
    assert note not in run.stdout
    arjun = [i for i in stub.issues.values() if i["title"].startswith("Move the nightly")]
    assert len(arjun) == 1 and arjun[0]["assignees"] == []


def test_an_assignee_github_refuses_is_in_the_json_warnings(
    stub: GitHubStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMT_GITHUB_OWNERS", json.dumps({"lena": "lena-k", "arjun": "arjun-x"}))
    doc = _postmortem(tmp_path)

    run = CliRunner().invoke(app, ["sync", str(doc), "--yes", "--format", "json"])

    assert run.exit_code == 0, run.output
    warnings = json.loads(run.stdout)["warnings"]
    assert len(warnings) == 1 and warnings[0].startswith("GitHub refused assignee 'arjun-x'")
    assert f"pmt sync: warning: {warnings[0]}" in run.stderr
    assert len(stub.issues) == len(ITEMS) + 1  # made all the same, unassigned
