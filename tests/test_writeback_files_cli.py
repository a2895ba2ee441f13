"""Write-back's files as users meet them: a killed run's temporary file is gone after the next
run (never committed by ``git add -A`` after it), hard links and owners survive a sync."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from sync import registry
from tests.conftest import REPO
from tests.fakes import FakeBackend
from tests.sync_scene import ITEMS, document

N = len(ITEMS)

# `pmt sync --yes` killed (as by kill -9) at the moment write-back renames its temporary file.
KILLED_SYNC = """
import os, sys
from sync import registry
from tests.fakes import FakeBackend
registry.BACKENDS["github"] = lambda settings, secrets: FakeBackend()
os.replace = lambda *args, **kwargs: os._exit(137)
from cli.app import main
sys.argv = ["pmt", "sync", "postmortems", "--yes"]
main()
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with pmt.toml (its SQLite store beside it) and one postmortem."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pmt.toml").write_text(
        'database_url = "sqlite:///pmt.db"\n[github]\nrepo = "acme/ops"\n'
    )
    path = tmp_path / "postmortems" / "db.md"
    path.parent.mkdir()
    path.write_text(document(), encoding="utf-8")
    return path


def pmt_process(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".pmt-tmp"))


def test_a_killed_write_back_leaves_nothing_after_the_next_run(
    project: Path, tmp_path: Path
) -> None:
    before = project.read_bytes()
    killed = pmt_process("-c", KILLED_SYNC, cwd=tmp_path)
    assert killed.returncode == 137, killed.stderr
    # What the kill left: the document untouched, pmt's temporary file beside it.
    assert project.read_bytes() == before
    [leftover] = leftovers(project.parent)
    assert leftover.startswith(".db.md.")

    rerun = pmt_process(
        "-c", "from cli.app import main; main()", "ingest", "postmortems", cwd=tmp_path
    )
    assert rerun.returncode == 0, rerun.stderr
    assert (
        f"removed postmortems/{leftover}, a temporary file left by an interrupted write-back"
        in rerun.stderr
    )
    assert leftovers(project.parent) == []
    assert project.read_bytes() == before
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
        added = subprocess.run(
            ["git", "add", "-A", "--dry-run"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        )
        assert "postmortems/db.md" in added.stdout and ".pmt-tmp" not in added.stdout


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch) -> FakeBackend:
    fake = FakeBackend()
    monkeypatch.setitem(registry.BACKENDS, "github", lambda settings, secrets: fake)
    return fake


def pmt(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _temp(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(b"---\nid: 2026-03-02-db-failover\n")
    os.utime(path, (1_700_000_000, 1_700_000_000))  # made by an earlier run
    return path


def test_sync_removes_a_stale_temp_file_and_writes_the_links(
    project: Path, backend: FakeBackend
) -> None:
    stale = _temp(project.parent, ".db.md.a1b2c3d4.pmt-tmp")
    held = _temp(project.parent, ".db.md.e5f6g7h8.pmt-tmp")
    fd = os.open(held, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another pmt, still writing
        code, _out, err = pmt("sync", "postmortems", "--yes")
    finally:
        os.close(fd)
    assert code == 0, err
    assert (
        f"pmt sync: removed postmortems/{stale.name}, a temporary file left by an interrupted"
        in err
    )
    assert leftovers(project.parent) == [held.name]
    assert project.read_text().count("](https://github.com/acme/ops/issues/") == N
    code, _out, err = pmt("ingest", "postmortems")
    assert code == 0 and leftovers(project.parent) == []


def test_sync_keeps_hard_links_owner_group_and_mode(project: Path, backend: FakeBackend) -> None:
    twin = project.parent.parent / "db-twin.md"
    os.link(project, twin)
    os.chmod(project, 0o604)
    if os.geteuid() == 0:
        os.chown(project, 2345, 3456)
    before = project.stat()
    code, _out, err = pmt("sync", "postmortems", "--yes")
    assert code == 0, err
    after = project.stat()
    assert twin.read_bytes() == project.read_bytes()
    assert project.read_text().count("](https://github.com/acme/ops/issues/") == N
    assert (after.st_ino, after.st_nlink, after.st_uid, after.st_gid, after.st_mode) == (
        before.st_ino,
        2,
        before.st_uid,
        before.st_gid,
        before.st_mode,
    )
    assert leftovers(project.parent) == []
