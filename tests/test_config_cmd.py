"""``pmt config``: the effective settings and where each came from; secrets never shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app


def config_json(*args: str) -> dict:
    result = CliRunner().invoke(app, ["config", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pmt.toml").write_text(
        'timezone = "Europe/Paris"\n[github]\nrepo = "acme/ops"\n[deadlines]\nP1 = 10\n'
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_each_setting_says_where_it_came_from(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMT_DEADLINES_P1", "3")  # the environment wins over the file
    monkeypatch.setenv("PMT_DATABASE_URL", "postgresql://pmt:s3cret@db.example.com/pmt")
    data = config_json()
    assert data["file"] == "pmt.toml" and data["project_root"] == str(project)
    rows = {s["key"]: s for s in data["settings"]}
    assert (rows["timezone"]["value"], rows["timezone"]["source"], rows["timezone"]["origin"]) == (
        "Europe/Paris",
        "file",
        "pmt.toml",
    )
    assert (rows["deadlines.P1"]["value"], rows["deadlines.P1"]["source"]) == ("3", "env")
    assert rows["deadlines.P1"]["origin"] == "PMT_DEADLINES_P1"
    assert (rows["deadlines.P0"]["value"], rows["deadlines.P0"]["source"]) == ("7", "default")
    assert rows["github.labels"]["value"] == '["postmortem", "action-item"]'
    # A password in the database URL is masked.
    assert rows["database_url"]["value"] == "postgresql://pmt:****@db.example.com/pmt"


def test_secrets_are_masked(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMT_GITHUB_TOKEN", "ghp_abcdefghijklmnopqrstuvwxyz0123456789")
    monkeypatch.setenv(
        "PMT_SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T000/B000/XXXXSECRET"
    )
    monkeypatch.setenv("PMT_JIRA_EMAIL", "sre@acme.example")
    for args in ([], ["--format", "json"]):
        result = CliRunner().invoke(app, ["config", *args])
        assert result.exit_code == 0
        assert "abcdefghij" not in result.output and "XXXXSECRET" not in result.output
    listed = config_json()["secrets"]
    # Every variable tracker.config.Secrets reads, GitHub Actions' fallback after its own.
    assert [s["key"] for s in listed] == [
        "PMT_GITHUB_TOKEN",
        "GITHUB_TOKEN",
        "PMT_JIRA_EMAIL",
        "PMT_JIRA_TOKEN",
        "PMT_SLACK_WEBHOOK_URL",
        "PMT_GITHUB_WEBHOOK_SECRET",
        "PMT_JIRA_WEBHOOK_SECRET",
        "PMT_SERVE_TOKEN",
        "PMT_GITLAB_TOKEN",
    ]
    secrets = {s["key"]: s for s in listed}
    assert secrets["PMT_GITHUB_TOKEN"]["value"] == "**** (40 characters)"
    assert secrets["PMT_SLACK_WEBHOOK_URL"]["value"] == "https://hooks.slack.com/****"
    assert secrets["PMT_JIRA_EMAIL"]["value"] == "sre@acme.example"
    assert secrets["PMT_JIRA_TOKEN"]["source"] == "unset"


def test_table_at_80_columns_and_changed_only(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = CliRunner().invoke(app, ["config", "--changed"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    assert "github.repo" in result.stdout and "deadlines.P0" not in result.stdout
    assert "https://github.com" not in result.stdout  # defaults left out
    full = CliRunner().invoke(app, ["config"]).stdout
    # A URL is never broken across lines.
    assert "https://github.com/{repo}/blob/main/{path}" in full


def test_without_a_file_everything_is_a_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data = config_json()
    assert data["file"] is None
    assert {s["source"] for s in data["settings"]} == {"default"}


def test_a_bad_file_is_a_configuration_error(project: Path) -> None:
    (project / "pmt.toml").write_text("[githib]\nrepo = 1\n")
    result = CliRunner().invoke(app, ["config"])
    assert result.exit_code == 2
    assert result.stderr.startswith("pmt: error: pmt.toml: unknown setting 'githib'")
