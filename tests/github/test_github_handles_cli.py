"""`@handle` owners end to end: a postmortem's "Owner: @lena-k" is assigned to the GitHub login
lena-k by `pmt sync` (the real GitHub backend against the loopback stub) with no `[github] owners`
entry, and `pmt owners` shows the login sync assigns."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from sync.backends.github.backend import GitHubBackend
from tests.github_stub import GitHubStub
from tests.sync_scene import document

ITEMS = [
    "Add a timeout to the failover script's lock wait. Owner: @lena-k",
    "Move the nightly backup off the primary database. Owner: Lena",
    "Alert when a failover takes longer than two minutes. Owner: sam-x",
]
UNMAPPED = "has no GitHub login in [github] owners; their issues are left unassigned"


@pytest.fixture
def stub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHubStub]:
    monkeypatch.setattr(GitHubBackend, "WRITE_INTERVAL", 0.0)  # pacing changes time, not results
    monkeypatch.chdir(tmp_path)
    with GitHubStub("acme/ops", collaborators=("lena-k", "sam-x")) as running:
        monkeypatch.setenv("PMT_GITHUB_REPO", "acme/ops")
        monkeypatch.setenv("PMT_GITHUB_API_URL", running.base)
        monkeypatch.setenv("PMT_GITHUB_TOKEN", "test-token")
        monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{tmp_path / 'pmt.db'}")
        monkeypatch.setenv("PMT_INGEST_ROOT", str(tmp_path))
        yield running


def _assignees(stub: GitHubStub) -> dict[str, list[str]]:
    return {
        i["title"].split()[0]: i["assignees"]
        for i in stub.issues.values()
        if not i["title"].startswith("Postmortem follow-ups")
    }


def _run_sync(tmp_path: Path) -> str:
    doc = tmp_path / "postmortems" / "2026-03-02-db-failover.md"
    doc.parent.mkdir()
    doc.write_text(document(ITEMS), encoding="utf-8")
    run = CliRunner().invoke(app, ["sync", str(doc), "--yes"])
    assert run.exit_code == 0, run.output
    return run.stderr


def test_a_handle_is_assigned_to_its_login_without_an_owners_entry(
    stub: GitHubStub, tmp_path: Path
) -> None:
    stderr = _run_sync(tmp_path)

    # "@lena-k" is the login lena-k; "Lena" and a plain "sam-x" are never taken for logins.
    assert _assignees(stub) == {"Add": ["lena-k"], "Move": [], "Alert": []}
    assert f"owner 'Lena' {UNMAPPED}" in stderr
    assert f"owner 'sam-x' {UNMAPPED}" in stderr
    assert "lena-k' has no GitHub login" not in stderr


def test_with_handles_off_a_handle_stays_unassigned_with_the_warning(
    stub: GitHubStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMT_GITHUB_HANDLES", "false")

    stderr = _run_sync(tmp_path)

    assert _assignees(stub) == {"Add": [], "Move": [], "Alert": []}
    assert stderr.count(f"pmt sync: warning: owner 'lena-k' {UNMAPPED}") == 1


def test_the_owners_table_names_a_plain_name(
    stub: GitHubStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMT_GITHUB_OWNERS", json.dumps({"@LENA": "sam-x"}))

    stderr = _run_sync(tmp_path)

    # The table wins for "Lena" (any case, "@" optional); the handle needs no entry.
    assert _assignees(stub) == {"Add": ["lena-k"], "Move": ["sam-x"], "Alert": []}
    assert "owner 'Lena'" not in stderr


@pytest.mark.parametrize("handles", ["true", "false"])
def test_pmt_owners_shows_the_login_sync_assigns(
    stub: GitHubStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, handles: str
) -> None:
    monkeypatch.setenv("PMT_GITHUB_HANDLES", handles)
    _run_sync(tmp_path)

    run = CliRunner().invoke(app, ["owners", "--format", "json"])

    assert run.exit_code == 0, run.output
    logins = {r["owner"]: r["github"] for r in json.loads(run.stdout)}
    # "lena-k" (a handle) and "Lena" are two people: person_key keeps the "-k".
    assert logins == {
        "lena-k": "lena-k" if handles == "true" else None,
        "Lena": None,
        "sam-x": None,
    }
    issues = _assignees(stub)
    assert (issues["Add"] or [None]) == [logins["lena-k"]]
    assert (issues["Alert"] or [None]) == [logins["sam-x"]]
