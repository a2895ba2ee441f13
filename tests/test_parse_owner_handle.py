"""The parser keeps whether an owner was written as a handle (``ActionItem.owner_handle``),
while ``owner`` stays without its "@" as before."""

from __future__ import annotations

import pytest

from tracker.parsing import parse_text


def _owner(line: str) -> tuple[str | None, bool]:
    pm = parse_text(f"# Outage\n\n## Action items\n\n{line}\n")
    assert len(pm.action_items) == 1, pm.action_items
    item = pm.action_items[0]
    return item.owner, item.owner_handle


@pytest.mark.parametrize(
    ("line", "owner", "handle"),
    [
        ("- [ ] Add disk alerting. Owner: @lena-k", "lena-k", True),
        ("- [ ] Add disk alerting. Owner: Lena", "Lena", False),
        ("- [ ] Add disk alerting (@lena-k, due 2026-03-09)", "lena-k", True),
        ("- [ ] Add disk alerting (Lena, due 2026-03-09)", "Lena", False),
        ("- [ ] Add disk alerting - @lena-k", "lena-k", True),
        ("- [ ] @lena-k: add disk alerting", "lena-k", True),
        ("- [ ] Lena: add disk alerting", "Lena", False),
        ("- [ ] Add disk alerting. Owners: @lena-k, @sam-x", "lena-k, sam-x", True),
        # One plain name among handles: not all of them are logins.
        ("- [ ] Add disk alerting. Owners: @lena-k, Sam", "lena-k, Sam", False),
        ("- [ ] Add disk alerting", None, False),
    ],
)
def test_owner_handle_in_text(line: str, owner: str | None, handle: bool) -> None:
    assert _owner(line) == (owner, handle)


def test_owner_handle_on_a_detail_line() -> None:
    assert _owner("- [ ] Add disk alerting\n  - Owner: @lena-k") == ("lena-k", True)
    assert _owner("- [ ] Add disk alerting\n  - Owner: Lena") == ("Lena", False)


def test_owner_handle_in_a_table() -> None:
    pm = parse_text(
        "# Outage\n\n## Action items\n\n| Action | Owner |\n|---|---|\n"
        "| Rotate the keys | @lena-k |\n| Rotate the certificates | Lena |\n"
    )
    assert [(i.owner, i.owner_handle) for i in pm.action_items] == [
        ("lena-k", True),
        ("Lena", False),
    ]


def test_owner_handle_of_a_group_heading() -> None:
    pm = parse_text(
        "# Outage\n\n## Action items\n\n- @lena-k\n  - [ ] Add disk alerting\n"
        "  - [ ] Fix the runbook\n"
    )
    # A group's owner keeps its "@" as before; it is a handle all the same.
    assert [(i.owner, i.owner_handle) for i in pm.action_items] == [("@lena-k", True)] * 2


def test_owner_handle_is_in_the_json() -> None:
    pm = parse_text("# Outage\n\n## Action items\n\n- [ ] Add disk alerting. Owner: @lena-k\n")
    item = pm.to_dict()["action_items"][0]
    assert (item["owner"], item["owner_handle"]) == ("lena-k", True)
    assert list(item)[:3] == ["text", "owner", "owner_handle"]
