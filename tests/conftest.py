"""Test-wide fixtures.

Guard real user state: no test may read the developer's pmt.toml, write to the user data
directory or pick up real tokens from the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The store fixtures (`store`, `empty_database_url`: SQLite and PostgreSQL), see their docstring.
from tests.conftest_store import (  # noqa: F401
    _pg_server,
    _pg_session_store,
    _sqlite_template,
    empty_database_url,
    store,
)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolate_user_state(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    for name in list(os.environ):
        if name.startswith("PMT_") and name != "PMT_TEST_DATABASE_URL":
            monkeypatch.delenv(name, raising=False)
    for name in ("GITHUB_TOKEN", "JIRA_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    # Tables fit the terminal (COLUMNS, else 80 off a terminal): tests read whole cells at 160
    # unless they set a width themselves (the 80-column tests do).
    monkeypatch.setenv("COLUMNS", "160")
    # A test that forgets to chdir must not read the repository's or the user's pmt.toml.
    monkeypatch.chdir(home)
