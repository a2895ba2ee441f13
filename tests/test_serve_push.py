"""`pmt serve` with `[serve] auto_sync`: a push to the postmortems' repository is synced.

A real git repository: a bare "origin", the service's checkout (the project, with pmt.toml)
and an author's clone that pushes a postmortem. The push delivery makes the service pull its
checkout and sync the pushed postmortem against a fake tracker: tickets made and linked once,
the Markdown untouched, another branch ignored.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from cli.serve.app import build_app
from sync import registry
from tests.fakes import FakeBackend
from tests.git_repos import commit_and_push, git, origin_clone
from tests.serve_server import github_headers, running
from tests.sync_scene import ITEMS, document
from tracker.config import Secrets, Settings, load_settings
from tracker.store import Store
from tracker.store.deliveries import status_of
from tracker.store.tables import TicketLinkRow

SECRET = "push-secret"


@pytest.fixture
def repos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(the service's checkout, an author's clone), both of one origin holding pmt.toml."""
    author = origin_clone(tmp_path, monkeypatch, "author")
    (author / "pmt.toml").write_text(
        '[github]\nrepo = "acme/ops"\n[ingest]\nroot = "postmortems"\n[serve]\nauto_sync = true\n'
    )
    (author / "postmortems").mkdir()
    (author / "postmortems" / ".keep").write_text("")
    commit_and_push(author, "start")
    service = origin_clone(tmp_path, monkeypatch, "service")
    return service, author


def push_event(author: Path, branch: str = "main") -> bytes:
    after = git(author, "rev-parse", "HEAD")
    changed = git(author, "show", "--name-only", "--format=", "HEAD").splitlines()
    return json.dumps(
        {
            "ref": f"refs/heads/{branch}",
            "after": after,
            "repository": {"full_name": "acme/ops", "default_branch": "main"},
            "commits": [{"id": after, "added": changed, "modified": []}],
            "head_commit": {"id": after, "timestamp": datetime.now(UTC).isoformat()},
        }
    ).encode()


def pushed_postmortem(
    service: Path, author: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[FakeBackend, Settings, bytes]:
    """The author pushes a postmortem; the service's settings (read in its checkout), the fake
    tracker it syncs to, and the push delivery's body."""
    fake = FakeBackend()
    monkeypatch.setitem(registry.BACKENDS, "github", lambda settings, secrets: fake)
    monkeypatch.setenv("PMT_GITHUB_WEBHOOK_SECRET", SECRET)
    monkeypatch.chdir(service)
    settings = load_settings()
    (author / "postmortems" / "db.md").write_text(document(), encoding="utf-8")
    commit_and_push(author, "Add the failover postmortem")
    return fake, settings, push_event(author)


def wait_done(store: Store, delivery: str) -> str | None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = status_of(store, "github", delivery)
        if found is not None and found[0] != "queued":
            assert found[0] == "done", found
            return found[1]
        time.sleep(0.05)
    raise AssertionError(f"delivery {delivery} was not applied")


def test_a_push_to_the_default_branch_syncs_the_pushed_postmortem_once(
    repos: tuple[Path, Path], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, author = repos
    fake, settings, body = pushed_postmortem(service, author, monkeypatch)

    with running(build_app(store, settings, Secrets())) as base:
        url = f"{base}/webhooks/github"
        answer = httpx.post(url, content=body, headers=github_headers(SECRET, body, "p-1", "push"))
        assert answer.status_code == 202 and answer.json()["status"] == "queued"
        said = wait_done(store, "p-1")
        # The same push delivered again under another id (a second hook): nothing new.
        again = github_headers(SECRET, body, "p-2", "push")
        assert httpx.post(url, content=body, headers=again).status_code == 202
        wait_done(store, "p-2")
        other = push_event(author, branch="feature")
        ignored = httpx.post(
            url, content=other, headers=github_headers(SECRET, other, "p-3", "push")
        )
        assert ignored.json()["status"] == "ignored"

    assert said is not None and "synced 1 postmortem(s)" in said
    # Each item's ticket, plus the postmortem's tracking issue, made once.
    assert fake.creates == len(ITEMS) + 1
    with store.session(write=False) as s:
        assert len(s.exec(select(TicketLinkRow)).all()) == len(ITEMS) + 1
    # The checkout was brought to the pushed commit, and nothing was written back into it.
    assert git(service, "rev-parse", "HEAD") == git(author, "rev-parse", "HEAD")
    assert git(service, "status", "--porcelain") == ""


def test_pushes_are_only_acknowledged_when_auto_sync_is_off(
    repos: tuple[Path, Path], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMT_SERVE_AUTO_SYNC", "false")
    fake, settings, body = pushed_postmortem(*repos, monkeypatch)
    with running(build_app(store, settings, Secrets())) as base:
        headers = github_headers(SECRET, body, "p-off", "push")
        assert httpx.post(f"{base}/webhooks/github", content=body, headers=headers).is_success
        said = wait_done(store, "p-off")
    assert said is not None and "auto_sync is off" in said
    assert fake.creates == 0
