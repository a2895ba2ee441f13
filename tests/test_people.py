"""Owners -> tracker users: GitHub logins (a table, or an @handle) and Jira users (a table)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from tests.store_data import item, postmortem
from tracker.config import Settings
from tracker.ingest import ingest_document
from tracker.people import github_login, jira_user
from tracker.store import Store

TABLES = Settings(
    github={"owners": {"Lena": "lena-k", "@Arjun": "@arjun-p"}},
    jira={"owners": {"lena": "lena@acme.example", "Arjun": "5b10ac8d82e05b22cc7d4ef5"}},
)


@pytest.mark.parametrize(
    ("owner", "settings", "handle", "login"),
    [
        ("Lena", TABLES, False, "lena-k"),
        ("@lena", TABLES, False, "lena-k"),  # any case, "@" optional, in the owner and the table
        ("lena", TABLES, True, "lena-k"),  # the table first, also for a handle
        ("ARJUN", TABLES, False, "arjun-p"),
        ("@sam-x", TABLES, False, "sam-x"),  # a handle is its own login
        ("sam-x", TABLES, True, "sam-x"),  # ... also as the parser stores it, without "@"
        ("sam-x", TABLES, False, None),  # the same name written plain is not a login
        ("Sam", TABLES, False, None),  # a plain name is never taken for a login
        ("@sam-x", Settings(github={"handles": False}), False, None),
        ("sam-x", Settings(github={"handles": False}), True, None),
        ("sam-x, arjun", TABLES, True, None),  # several owners are no one login
        ("@not a login", TABLES, False, None),
        ("@-bad-", TABLES, False, None),
        (None, TABLES, False, None),
    ],
)
def test_github_login(
    owner: str | None, settings: Settings, handle: bool, login: str | None
) -> None:
    assert github_login(owner, settings.github, handle=handle) == login


@pytest.mark.parametrize(
    ("owner", "user"),
    [
        ("Lena", "lena@acme.example"),
        ("@LENA", "lena@acme.example"),
        ("arjun", "5b10ac8d82e05b22cc7d4ef5"),
        ("Sam", None),
    ],
)
def test_jira_user(owner: str, user: str | None) -> None:
    assert jira_user(owner, TABLES.jira) == user


@pytest.fixture
def project(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PMT_DATABASE_URL", store.url)
    monkeypatch.chdir(tmp_path)
    ingest_document(
        store,
        postmortem(
            "INC-1",
            item("Add disk alerting", owner="Lena", due=date(2026, 3, 10)),
            item("Fix the runbook", owner="@lena", due=date(2026, 6, 1)),
            item("Tune retries", owner="@sam-x", due=date(2026, 3, 20)),
            item("Write the plan", owner="Arjun", due=date(2026, 6, 1)),
        ),
        "h1",
        Settings(),
        now=datetime(2026, 3, 5, tzinfo=UTC),
    )
    return tmp_path


def test_pmt_owners_shows_who_each_owner_is_on_each_tracker(project: Path) -> None:
    (project / "pmt.toml").write_text(
        '[github]\nowners = { "LENA" = "lena-k" }\n[jira]\nowners = { "@arjun" = "5b10ac8d82e05b22cc7d4ef5" }\n'
    )
    result = CliRunner().invoke(app, ["owners", "--as-of", "2026-05-01", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["owner"]: r for r in json.loads(result.stdout)}
    assert set(rows) == {"Lena", "@sam-x", "Arjun"}  # "Lena" and "@lena" are one person
    assert (rows["Lena"]["spellings"], rows["Lena"]["open"], rows["Lena"]["overdue"]) == (
        ["@lena", "Lena"],
        2,
        1,
    )
    assert (rows["Lena"]["github"], rows["Lena"]["jira"]) == ("lena-k", None)
    assert rows["@sam-x"]["github"] == "sam-x"  # written as a handle
    assert (rows["Arjun"]["github"], rows["Arjun"]["jira"]) == (None, "5b10ac8d82e05b22cc7d4ef5")
    table = CliRunner().invoke(app, ["owners", "--as-of", "2026-05-01"])
    assert "lena-k" in table.stdout and "5b10ac8d82e05b22cc7d4ef5" in table.stdout
    assert "1 owner without a GitHub login" in table.stderr


def test_pmt_owners_on_an_empty_store_says_so(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMT_DATABASE_URL", store.url)
    result = CliRunner().invoke(app, ["owners"])
    assert result.exit_code == 0 and result.stdout == ""
    assert "pmt ingest" in result.stderr
