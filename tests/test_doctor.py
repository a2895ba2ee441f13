"""``pmt doctor``: configuration, database and tracker credentials, like ``gh auth status``.

No test touches the network: the tracker probes are replaced by fakes, and the probes
themselves are run against a fake HTTP session.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from typer.testing import CliRunner

from cli import doctor_probes
from cli.app import app
from tracker.config import Secrets, Settings
from tracker.doctor import Check


def doctor(*args: str) -> tuple[int, list[dict[str, Any]], str]:
    result = CliRunner().invoke(app, ["doctor", "--format", "json", *args])
    return result.exit_code, json.loads(result.stdout) if result.stdout else [], result.stderr


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{tmp_path / 'pmt.db'}")
    # The probes a real run makes over HTTP, replaced by fakes (the registry is a plain dict).
    monkeypatch.setitem(
        doctor_probes.PROBES,
        "github",
        lambda s, sec, session: Check(
            "github", "ok", f"logged in as octo; {s.github.repo} is reachable"
        ),
    )
    monkeypatch.setitem(
        doctor_probes.PROBES,
        "jira",
        lambda s, sec, session: Check(
            "jira", "fail", f"{s.jira.url}: the credentials were refused (HTTP 401)"
        ),
    )
    return tmp_path


def by_name(checks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in checks}


def test_a_fresh_folder_is_usable_and_nothing_is_created(project: Path) -> None:
    code, checks, err = doctor()
    assert code == 0, err
    found = by_name(checks)
    assert found["configuration"]["status"] == "ok"
    assert found["database"]["status"] == "ok" and "not created yet" in found["database"]["summary"]
    assert not (project / "pmt.db").exists()
    assert found["github"]["status"] == "warn" and found["jira"]["status"] == "skip"
    assert "no problem found" in err


def test_the_database_is_described(project: Path) -> None:
    assert CliRunner().invoke(app, ["ingest", "."]).exit_code == 0  # makes the empty store
    code, checks, _ = doctor()
    assert code == 0
    assert (
        "schema" in by_name(checks)["database"]["summary"]
        and "0 postmortems" in by_name(checks)["database"]["summary"]
    )


def test_credentials_are_checked_with_the_trackers(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "pmt.toml").write_text(
        '[github]\nrepo = "acme/ops"\n[jira]\nurl = "https://acme.atlassian.net"\nproject = "OPS"\n'
    )
    monkeypatch.setenv("PMT_GITHUB_TOKEN", "ghp_test")
    monkeypatch.setenv("PMT_JIRA_TOKEN", "jira-test")
    code, checks, err = doctor()
    found = by_name(checks)
    assert found["github"] == {
        "name": "github",
        "status": "ok",
        "summary": "logged in as octo; acme/ops is reachable",
        "hint": None,
    }
    assert found["jira"]["status"] == "fail"
    assert code == 1 and "1 problem: jira" in err
    # --offline asks nobody: only what is set locally.
    code, checks, _ = doctor("--offline")
    assert code == 0 and by_name(checks)["jira"]["summary"].endswith(
        "token set (personal access token)"
    )


def test_missing_credentials_say_what_to_set(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "pmt.toml").write_text('[github]\nrepo = "acme/ops"\n')
    code, checks, _ = doctor()
    github = by_name(checks)["github"]
    assert code == 1 and github["status"] == "fail" and "PMT_GITHUB_TOKEN" in github["hint"]
    text = CliRunner().invoke(app, ["doctor"])
    assert "FAIL  github        acme/ops: no token in the environment" in text.stdout


def test_a_bad_configuration_exits_2(project: Path) -> None:
    (project / "pmt.toml").write_text('timezone = "Mars/Olympus"\n')
    code, checks, _ = doctor()
    assert code == 2 and [c["name"] for c in checks] == ["configuration"]
    assert "unknown time zone" in checks[0]["summary"]


def test_an_unusable_database_is_a_failure(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{project}/missing/pmt.db")
    code, checks, _ = doctor()
    assert code == 1 and by_name(checks)["database"]["status"] == "fail"
    assert not (project / "missing").exists()


# --- the HTTP probes, on a fake session -------------------------------------------------------


class Response:
    def __init__(self, status: int, body: dict[str, Any] | None = None) -> None:
        self.status_code = status
        self._body = body or {}

    def json(self) -> dict[str, Any]:
        return self._body


class Session:
    """Answers by URL suffix; records each request and its timeout."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, Any]] = []

    def get(self, url: str, timeout: Any = None, **kwargs: Any) -> Response:
        self.asked.append((url, timeout))
        for suffix, answer in self.answers.items():
            if url.endswith(suffix):
                if isinstance(answer, Exception):
                    raise answer
                return answer
        return Response(404)


GITHUB = Settings(github={"repo": "acme/ops"})
TOKEN = Secrets(PMT_GITHUB_TOKEN="ghp_test")


@pytest.mark.parametrize(
    ("answers", "status", "words"),
    [
        (
            {
                "/user": Response(200, {"login": "octo"}),
                "/repos/acme/ops": Response(200, {"permissions": {"push": True}}),
            },
            "ok",
            "logged in to https://api.github.com as octo",
        ),
        ({"/user": Response(401)}, "fail", "the token was refused (401"),
        (
            {"/user": Response(200, {"login": "octo"})},
            "fail",
            "acme/ops is not found or not visible",
        ),
        (
            {
                "/user": Response(200, {"login": "octo"}),
                "/repos/acme/ops": Response(200, {"permissions": {"push": False}}),
            },
            "warn",
            "read-only",
        ),
        ({"/user": requests.Timeout("slow")}, "fail", "no answer within 5 s"),
        ({"/user": requests.ConnectionError("refused")}, "fail", "cannot connect"),
    ],
)
def test_github_probe(answers: dict[str, Any], status: str, words: str) -> None:
    session = Session(answers)
    check = doctor_probes.github(GITHUB, TOKEN, session)
    assert check.status == status and words in check.summary, check
    # Every request has a short timeout: doctor never hangs on a silent firewall.
    assert all(timeout == (5.0, 5.0) for _url, timeout in session.asked)


def test_jira_probe() -> None:
    settings = Settings(jira={"url": "https://acme.atlassian.net", "project": "OPS"})
    secrets = Secrets(PMT_JIRA_EMAIL="sre@acme.example", PMT_JIRA_TOKEN="t")
    ok = Session(
        {"/myself": Response(200, {"displayName": "SRE Bot"}), "/project/OPS": Response(200)}
    )
    assert doctor_probes.jira(settings, secrets, ok).summary == (
        "logged in to https://acme.atlassian.net as SRE Bot; project OPS is reachable"
    )
    refused = doctor_probes.jira(settings, secrets, Session({"/myself": Response(401)}))
    assert refused.status == "fail" and "refused" in refused.summary
    missing = doctor_probes.jira(
        settings, secrets, Session({"/myself": Response(200, {"name": "sre"})})
    )
    assert missing.status == "fail" and "project OPS is not found" in missing.summary


def test_the_probes_are_the_registrations() -> None:
    """Each tracker's registration owns its probe; the old names stay importable."""
    from sync.registry import TRACKERS

    assert list(doctor_probes.PROBES) == list(TRACKERS)
    assert doctor_probes.github is TRACKERS["github"].probe
    assert doctor_probes.jira is TRACKERS["jira"].probe
