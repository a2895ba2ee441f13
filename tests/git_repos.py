"""Real git repositories for the tests of write-back as a pull request and of the service's
auto-sync: a bare "origin" and clones of it, with an identity for their commits."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.sync_scene import ITEMS, document

DOC = "postmortems/2026-03-02-db-failover.md"


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def origin_clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> Path:
    """A bare "origin" (``tmp_path/origin.git``, made on first use) and a clone of it called
    ``name``, with an identity for the commits made there."""
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "CI")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "ci@example.com")
    origin = tmp_path / "origin.git"
    if not origin.exists():
        git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(origin))
    clone = tmp_path / name
    git(tmp_path, "clone", "--quiet", str(origin), str(clone))
    return clone


def commit_and_push(clone: Path, message: str) -> None:
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "-m", message)
    git(clone, "push", "--quiet", "origin", "main")


def make_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clone of a bare origin (``tmp_path/origin.git``) whose main holds one postmortem with
    two items; the current folder."""
    work = origin_clone(tmp_path, monkeypatch, "work")
    (work / DOC).parent.mkdir()
    (work / DOC).write_text(document(ITEMS[:2]), encoding="utf-8")
    commit_and_push(work, "A postmortem")
    monkeypatch.chdir(work)
    return work
