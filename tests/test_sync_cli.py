"""`pmt sync` as users type it: plan table, --dry-run, confirmation, --yes, JSON, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import sync_cmd
from cli.app import app
from sync import registry
from tests.fakes import FakeBackend
from tests.sync_scene import ITEMS, document
from tracker.store import Store

N = len(ITEMS)


@pytest.fixture
def setup(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[FakeBackend, Path]:
    """A postmortem in the working directory, the store, and the fake tracker as "github"."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pmt.toml").write_text(
        f'database_url = "{store.url}"\n[github]\nrepo = "acme/ops"\n'
    )
    path = tmp_path / "postmortems" / "db.md"
    path.parent.mkdir()
    path.write_text(document(), encoding="utf-8")
    backend = FakeBackend()
    monkeypatch.setitem(registry.BACKENDS, "github", lambda settings, secrets: backend)
    monkeypatch.setitem(registry.BACKENDS, "jira", lambda settings, secrets: FakeBackend("jira"))
    return backend, path


def pmt(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_dry_run_shows_the_plan_and_writes_nothing(setup: tuple[FakeBackend, Path]) -> None:
    backend, path = setup
    before = path.read_bytes()
    code, out, err = pmt("sync", "postmortems", "--dry-run")
    assert code == 0, err
    assert out.count("create") == N + 1 and out.count("writeback") == N
    assert "dry run: nothing was written" in err
    assert backend.writes == 0 and path.read_bytes() == before


def test_yes_applies_and_prints_ticket_urls(setup: tuple[FakeBackend, Path]) -> None:
    backend, path = setup
    code, out, err = pmt("sync", "postmortems/db.md", "--yes")
    assert code == 0, err
    assert backend.writes_of("create") == N + 1
    for number in range(1, N + 2):
        assert f"https://github.com/acme/ops/issues/{number}" in out
    assert path.read_text().count("](https://github.com/acme/ops/issues/") == N
    code, out, err = pmt("sync", "postmortems/db.md", "--yes")
    assert code == 0 and "nothing to write" in err
    assert backend.writes_of("create") == N + 1


def test_json_gives_plan_and_result(setup: tuple[FakeBackend, Path]) -> None:
    code, out, err = pmt("sync", "postmortems", "--yes", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"plan", "result", "stopped", "warnings", "checked"}
    assert data["checked"] is True  # the tracker was read for the plan
    assert [r["action"] for r in data["plan"]] == [r["action"] for r in data["result"]]
    created = [r for r in data["result"] if r["action"] == "create"]
    assert len(created) == N + 1 and all(r["status"] == "done" and r["url"] for r in created)
    assert {"postmortem", "path", "line", "text", "ticket", "detail"} <= set(data["plan"][0])


def test_dry_run_json(setup: tuple[FakeBackend, Path]) -> None:
    backend, _ = setup
    code, out, err = pmt("sync", "postmortems", "--dry-run", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["result"] == [] and len(data["plan"]) == 2 * N + 2
    # With credentials the tracker is read (a marker listing): the plan is checked.
    assert data["checked"] is True and backend.reads > 0 and "store only" not in err
    assert [r["action"] for r in data["plan"]] == ["create", *["create", "writeback"] * N, "attach"]


def test_asks_on_a_terminal_and_writes_nothing_on_no(
    setup: tuple[FakeBackend, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    backend, path = setup
    monkeypatch.setattr(sync_cmd, "stdin_is_terminal", lambda: True)
    before = path.read_bytes()
    code, _, err = pmt("sync", "postmortems", input="n\n")
    assert code == 1 and "Apply this plan?" in err and "nothing was written" in err
    assert backend.writes == 0 and path.read_bytes() == before
    code, _, err = pmt("sync", "postmortems", input="y\n")
    assert code == 0, err
    assert backend.writes_of("create") == N + 1


def test_refuses_to_write_without_yes_when_stdin_is_not_a_terminal(
    setup: tuple[FakeBackend, Path],
) -> None:
    # Issue 17: in CI or cron nobody can answer, so a plan with writes needs --yes.
    backend, path = setup
    before = path.read_bytes()
    for args in (["postmortems"], ["postmortems", "--format", "json"]):
        code, out, err = pmt("sync", *args)  # CliRunner's stdin is not a terminal
        assert code == 2, err
        assert "Apply this plan?" not in err
        assert "nothing was written" in err and "pass --yes" in err and "--dry-run" in err
        assert backend.writes == 0 and path.read_bytes() == before
    assert out == ""  # JSON: no half document on stdout
    code, _, err = pmt("sync", "postmortems", "--dry-run")  # --dry-run never needs --yes
    assert code == 0, err
    code, _, err = pmt("sync", "postmortems", "--yes")
    assert code == 0, err
    assert backend.writes_of("create") == N + 1
    # With nothing to write there is nothing to confirm: no --yes needed.
    code, _, err = pmt("sync", "postmortems")
    assert code == 0 and "nothing to write" in err
    assert backend.writes_of("create") == N + 1


def test_no_writeback_flag(setup: tuple[FakeBackend, Path]) -> None:
    backend, path = setup
    before = path.read_bytes()
    code, out, _ = pmt("sync", "postmortems", "--yes", "--no-writeback")
    assert code == 0 and "writeback" not in out
    assert path.read_bytes() == before and backend.writes_of("create") == N + 1


def test_tracker_option_picks_the_backend(setup: tuple[FakeBackend, Path]) -> None:
    _, path = setup
    code, _, err = pmt("sync", "postmortems", "--yes", "--tracker", "jira")
    assert code == 0, err
    assert "[OPS-1](https://jira.example.com/browse/OPS-1)" in path.read_text()


def test_unknown_tracker_is_a_configuration_error(setup: tuple[FakeBackend, Path]) -> None:
    code, _, err = pmt("sync", "postmortems", "--tracker", "trello")
    assert code == 2 and "unknown tracker 'trello'" in err and "Traceback" not in err


def test_rate_limit_exit_code_and_message(setup: tuple[FakeBackend, Path]) -> None:
    backend, _ = setup
    backend.rate_limit_after_writes = 1
    code, _, err = pmt("sync", "postmortems", "--yes")
    assert code == 1 and "stopped on rate limit until" in err and "run again to carry on" in err
    backend.rate_limit_after_writes = None
    code, _, err = pmt("sync", "postmortems", "--yes")
    assert code == 0, err
    assert backend.writes_of("create") == N + 1


def test_a_missing_path_is_reported_and_the_rest_synced(setup: tuple[FakeBackend, Path]) -> None:
    backend, _ = setup
    code, _, err = pmt("sync", "postmortems", "nowhere.md", "--yes")
    assert code == 1 and "nowhere.md" in err
    assert backend.writes_of("create") == N + 1


def test_a_postmortem_whose_file_is_gone_is_not_synced(setup: tuple[FakeBackend, Path]) -> None:
    """The ingest that sync runs marks it removed; its tickets are left as they are."""
    backend, path = setup
    assert pmt("sync", "postmortems", "--yes")[0] == 0
    writes = backend.writes
    path.unlink()
    code, out, err = pmt("sync", "postmortems", "--dry-run", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["plan"] == []
    code, _out, err = pmt("sync", "postmortems", "--yes")
    assert code == 0, err
    assert backend.writes == writes


def test_rate_limit_while_planning_writes_nothing(setup: tuple[FakeBackend, Path]) -> None:
    from sync.base import RateLimitedError

    backend, path = setup
    backend.fail(
        "list_postmortem", RateLimitedError("API rate limit exceeded", reset_at=backend.reset_at)
    )
    before = path.read_bytes()
    code, _, err = pmt("sync", "postmortems", "--yes")
    assert code == 1 and "nothing was written: stopped on rate limit until" in err
    assert "Traceback" not in err and backend.writes == 0 and path.read_bytes() == before


def test_an_unmapped_owner_is_a_warning_not_a_failure(
    setup: tuple[FakeBackend, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The document's owners are lena and arjun; the owner map knows only lena."""
    backend = FakeBackend(owners={"lena": "lena-gh"})
    monkeypatch.setitem(registry.BACKENDS, "github", lambda settings, secrets: backend)
    code, out, err = pmt("sync", "postmortems/db.md", "--yes")
    assert code == 0, err
    expected = "owner 'arjun' is not in the owner map; the ticket is left unassigned"
    assert err.count(f"pmt sync: warning: {expected}") == 1
    assert expected not in out  # stdout is for the tables
    assert backend.writes_of("create") == N + 1  # every ticket made all the same

    code, out, err = pmt("sync", "postmortems/db.md", "--yes", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["warnings"] == []  # nothing was sent for arjun this time


def test_json_carries_the_backend_warnings(
    setup: tuple[FakeBackend, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = FakeBackend(owners={})
    monkeypatch.setitem(registry.BACKENDS, "github", lambda settings, secrets: backend)
    code, out, err = pmt("sync", "postmortems/db.md", "--yes", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["warnings"] == [
        "owner 'lena' is not in the owner map; the ticket is left unassigned",
        "owner 'arjun' is not in the owner map; the ticket is left unassigned",
    ]
    assert "pmt sync: warning: owner 'lena'" in err
