"""The Jira backend's assignees come from ``tracker.people.jira_user``: the same lookup as
``pmt owners`` (any case, "@" optional)."""

from __future__ import annotations

from typing import Any

import pytest

from sync.backends.jira.users import Assignees
from tracker.config import JiraSettings
from tracker.people import jira_user

SETTINGS = JiraSettings(
    url="https://jira.example.com", project="OPS", owners={"@Lena": "alice", "Arjun": ""}
)


def _no_request(*_args: Any, **_kw: Any) -> Any:
    raise AssertionError("Data Center takes a user name as it is: no request")


@pytest.mark.parametrize("owner", ["Lena", "lena", "@LENA", " lena "])
def test_an_owner_is_found_however_written(owner: str) -> None:
    warnings: list[str] = []
    users = Assignees(SETTINGS, _no_request, lambda: "datacenter", warnings)
    assert users.name(owner) == jira_user(owner, SETTINGS) == "alice"
    assert users.field(owner) == {"name": "alice"}
    assert warnings == []


def test_an_owner_with_no_user_is_reported_once() -> None:
    warnings: list[str] = []
    users = Assignees(SETTINGS, _no_request, lambda: "datacenter", warnings)
    assert users.field("Sam") is None and users.field("Sam") is None
    assert users.field("Arjun") is None  # an empty value names nobody
    assert users.field(None) is None
    assert warnings == [
        "owner 'Sam' is not in jira.owners; the ticket is left unassigned",
        "owner 'Arjun' is not in jira.owners; the ticket is left unassigned",
    ]
