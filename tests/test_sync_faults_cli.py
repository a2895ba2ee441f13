"""Issue 15 as users meet it: ``pmt sync`` and ``pmt refresh`` against the loopback stubs (and the
fake tracker), checking exit codes, stderr and the JSON on stdout.

- 1: a Jira ticket whose local record was lost is adopted by its label, not made again;
- 3: an unreachable tracker exits 4 at once, saying nothing was sent;
- 4: no secret on stdout or stderr, even when the tracker's 500 echoes the request;
- 6: a malformed API URL exits 2 naming the setting.

Item 2 (a kill during a rate-limit wait) needs a real process to kill: see
``test_sync_crash_matrix.py``.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete
from typer.testing import CliRunner

from cli.app import app
from sync import registry
from sync.backends.github.backend import GitHubBackend
from sync.base import UnreachableError
from tests.fakes import FakeBackend
from tests.github_stub import GitHubStub
from tests.jira_stub import STUB_EMAIL, STUB_TOKEN, JiraStub
from tests.sync_scene import ITEMS, document
from tracker.store import Store
from tracker.store.tables import ItemEventRow, TicketEventRow, TicketLinkRow

N = len(ITEMS)
GH_TOKEN = "test-token"


def pmt(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def doc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{tmp_path / 'pmt.db'}")
    monkeypatch.setenv("PMT_INGEST_ROOT", str(tmp_path))
    path = tmp_path / "postmortems" / "2026-03-02-db-failover.md"
    path.parent.mkdir()
    path.write_text(document(), encoding="utf-8")
    return path


@pytest.fixture
def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def github_env(monkeypatch: pytest.MonkeyPatch, api_url: str) -> None:
    monkeypatch.setattr(GitHubBackend, "WRITE_INTERVAL", 0.0)
    monkeypatch.setenv("PMT_GITHUB_REPO", "acme/ops")
    monkeypatch.setenv("PMT_GITHUB_API_URL", api_url)
    monkeypatch.setenv("PMT_GITHUB_TOKEN", GH_TOKEN)


def jira_env(monkeypatch: pytest.MonkeyPatch, url: str, deployment: str) -> None:
    monkeypatch.setenv("PMT_SYNC_TRACKER", "jira")
    monkeypatch.setenv("PMT_JIRA_URL", url)
    monkeypatch.setenv("PMT_JIRA_PROJECT", "OPS")
    monkeypatch.setenv("PMT_JIRA_TOKEN", STUB_TOKEN)
    monkeypatch.setenv("PMT_JIRA_DEPLOYMENT", deployment)
    if deployment == "cloud":
        monkeypatch.setenv("PMT_JIRA_EMAIL", STUB_EMAIL)


# -- 3. unreachable: exit 4 ---------------------------------------------------------------


@pytest.mark.parametrize("tracker", ["github", "jira-auto", "jira-datacenter"])
def test_an_unreachable_tracker_exits_4_and_says_nothing_was_sent(
    doc: Path, closed_port: str, monkeypatch: pytest.MonkeyPatch, tracker: str
) -> None:
    if tracker == "github":
        github_env(monkeypatch, closed_port)
    else:
        jira_env(monkeypatch, closed_port, tracker.split("-")[1])
    before = doc.read_bytes()
    code, _out, err = pmt("sync", str(doc), "--yes")
    assert code == 4, err
    assert "cannot reach" in err and "Nothing was sent" in err and "Traceback" not in err
    assert ("PMT_GITHUB_API_URL" if tracker == "github" else "PMT_JIRA_URL") in err
    assert doc.read_bytes() == before


def test_a_tracker_lost_mid_run_stops_it_with_exit_4_and_the_json_says_why(
    doc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = FakeBackend()
    monkeypatch.setitem(registry.BACKENDS, "github", lambda settings, secrets: backend)
    monkeypatch.setenv("PMT_GITHUB_REPO", "acme/ops")
    real = backend.create
    made: list[str] = []

    def create(draft: Any, intent: Any = None) -> Any:
        if made:
            raise UnreachableError(
                "cannot reach GitHub (ghe.example): connection refused. Nothing was sent"
            )
        ticket = real(draft, intent)
        made.append(ticket.key)
        return ticket

    backend.create = create  # type: ignore[method-assign]
    code, out, err = pmt("sync", str(doc), "--yes", "--format", "json")
    assert code == 4, err
    data = json.loads(out)
    assert "connection refused" in data["stopped"]
    statuses = [r["status"] for r in data["result"] if r["action"] == "create"]
    assert statuses == ["done", "failed", "not_run", "not_run"]

    backend.create = real  # type: ignore[method-assign]
    code, out, err = pmt("sync", str(doc), "--yes", "--format", "json")
    assert code == 0, err
    assert [r["action"] for r in json.loads(out)["plan"]].count("create") == N  # none held back


def test_refresh_exits_4_when_the_tracker_cannot_be_reached(
    doc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = FakeBackend()
    monkeypatch.setitem(registry.BACKENDS, "github", lambda settings, secrets: backend)
    monkeypatch.setenv("PMT_GITHUB_REPO", "acme/ops")
    assert pmt("sync", str(doc), "--yes")[0] == 0
    backend.fail(
        "list_postmortem",
        UnreachableError("cannot reach GitHub (ghe.example): connection refused. Nothing was sent"),
    )
    code, _out, err = pmt("refresh", "--format", "json")
    assert code == 4 and "connection refused" in err and "Traceback" not in err


# -- 4. no secret in any output -----------------------------------------------------------


def test_github_a_500_echoing_the_token_shows_it_nowhere(
    doc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with GitHubStub("acme/ops") as stub:
        github_env(monkeypatch, stub.base)
        stub.fail("POST", r"/issues$", status=500, echo=True, times=10)
        code, out, err = pmt("sync", str(doc), "--yes", "--format", "json")
        assert code == 1, err
        failed = [r for r in json.loads(out)["result"] if r["status"] == "failed"]
        assert failed and all("<redacted>" in r["error"] for r in failed)
        assert GH_TOKEN not in out + err

        stub.fail("GET", r"/issues$", status=500, echo=True, times=10)  # while planning
        code, out, err = pmt("sync", str(doc), "--yes")
        assert code == 1 and "<redacted>" in err and GH_TOKEN not in out + err


@pytest.mark.parametrize("deployment", ["cloud", "datacenter"])
def test_jira_a_500_echoing_the_credentials_shows_them_nowhere(
    doc: Path, monkeypatch: pytest.MonkeyPatch, deployment: str
) -> None:
    basic = base64.b64encode(f"{STUB_EMAIL}:{STUB_TOKEN}".encode()).decode()
    with JiraStub(deployment) as stub:  # type: ignore[arg-type]
        jira_env(monkeypatch, stub.url, deployment)
        stub.inject("GET", r"^search", 500, echo=True, times=10)
        code, out, err = pmt("sync", str(doc), "--yes", "--format", "json")
        assert code == 1 and "<redacted>" in err
        stub.faults.clear()
        stub.inject("POST", r"^issue$", 500, echo=True, times=10)
        code, out2, err2 = pmt("sync", str(doc), "--yes", "--format", "json")
        assert code == 1 and json.loads(out2)["result"]
        for text in (out, err, out2, err2):
            assert STUB_TOKEN not in text and basic not in text


def test_library_log_lines_are_redacted(doc: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A library's log line reaches stderr without a secret: through logging's last-resort
    handler (no handler configured, as in pmt) and through PyGithub's own stderr handler."""
    token = "ghp_" + "x" * 36
    monkeypatch.setenv("PMT_GITHUB_TOKEN", token)
    monkeypatch.setenv("PMT_GITHUB_REPO", "acme/ops")
    backend = FakeBackend()
    real = backend.list_postmortem

    def listing(key: str) -> Any:
        logging.getLogger("some.library").warning(
            "Retrying after a reset: Authorization: token %s", token
        )
        return real(key)

    backend.list_postmortem = listing  # type: ignore[method-assign]
    monkeypatch.setitem(registry.BACKENDS, "github", lambda settings, secrets: backend)
    root = logging.getLogger()
    handlers = root.handlers[:]
    root.handlers.clear()  # as in pmt itself: no handler, the last-resort one prints warnings
    try:
        code, out, err = pmt("sync", str(doc), "--dry-run")
    finally:
        root.handlers[:] = handlers
    assert code == 0, err
    assert "Retrying after a reset: Authorization: token <redacted>" in err
    assert token not in out + err
    import github  # noqa: F401 - its stderr handler exists once it is imported

    [printing] = [h for h in logging.getLogger("github").handlers]
    record = logging.LogRecord(
        "github.Requester", logging.INFO, __file__, 1, "sent %s", (f"token {token}",), None
    )
    assert printing.filter(record) and record.getMessage() == "sent token <redacted>"


# -- 6. a malformed API URL: exit 2 -------------------------------------------------------


@pytest.mark.parametrize(
    "variable, value, named",
    [
        ("PMT_GITHUB_API_URL", "htp:/bad url", "api_url"),
        (
            "PMT_GITHUB_API_URL",
            "https://api.github.com:99999",
            "[github] api_url (PMT_GITHUB_API_URL)",
        ),
        ("PMT_JIRA_URL", "htp:/bad url", "url"),
        ("PMT_JIRA_URL", "https://jira.example.com/ji ra", "[jira] url (PMT_JIRA_URL)"),
    ],
)
@pytest.mark.parametrize("command", ["sync", "refresh"])
def test_a_malformed_api_url_exits_2_naming_the_setting(
    doc: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str, command: str
) -> None:
    if variable.startswith("PMT_JIRA"):
        jira_env(monkeypatch, value, "cloud")
    else:
        github_env(monkeypatch, value)
    args = ["sync", str(doc), "--yes"] if command == "sync" else ["refresh"]
    code, _out, err = pmt(*args)
    assert code == 2, err
    assert named in err and "Traceback" not in err and "AttributeError" not in err


# -- 1. Jira: a ticket whose record was lost is adopted by its label ----------------------


@pytest.mark.parametrize("deployment", ["cloud", "datacenter"])
def test_jira_a_lost_record_is_adopted_by_the_item_label_not_made_again(
    doc: Path, monkeypatch: pytest.MonkeyPatch, deployment: str, tmp_path: Path
) -> None:
    with JiraStub(deployment) as stub:  # type: ignore[arg-type]
        jira_env(monkeypatch, stub.url, deployment)
        original = doc.read_bytes()
        code, _, err = pmt("sync", str(doc), "--yes")
        assert code == 0, err
        # As if the run had died after its creates: no link recorded, nothing written back;
        # and the tickets show only their labels (no property in search, description edited).
        store = Store(f"sqlite:///{tmp_path / 'pmt.db'}")
        with store.session() as s:
            s.execute(delete(TicketEventRow))
            s.execute(delete(TicketLinkRow))
            s.execute(delete(ItemEventRow))
        store.dispose()
        doc.write_bytes(original)
        stub.search_properties = False
        for issue in stub.issues.values():
            issue.properties.clear()
            issue.description = "Rewritten by a person."

        code, out, err = pmt("sync", str(doc), "--yes", "--format", "json")
        assert code == 0, err
        actions = [r["action"] for r in json.loads(out)["plan"]]
        assert actions.count("adopt") == N and actions.count("create") == 0
        assert len(stub.issues) == N
        assert doc.read_text().count(f"]({stub.url}/browse/OPS-") == N
