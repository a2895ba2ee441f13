"""``--output FILE`` writes regular files only; report files get the umask's permissions; the
SQLite store is created readable by its owner only."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from tests.report_data import ZONE, fill, sqlite_store_fixture  # noqa: F401 (fixture)

WEEK = ("report", "weekly", "--week", "2026-W48")


@pytest.fixture
def env(sqlite_store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    fill(sqlite_store)
    monkeypatch.setenv("PMT_DATABASE_URL", sqlite_store.url)
    monkeypatch.setenv("PMT_TIMEZONE", ZONE)
    monkeypatch.chdir(tmp_path)
    return sqlite_store


def pmt(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _device(path: Path, kind: int) -> Path:
    """A device node of ``kind`` (S_IFCHR or S_IFBLK) with no driver behind it."""
    try:
        os.mknod(path, kind | 0o600, os.makedev(7, 250))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    return path


def _socket(path: Path) -> Iterator[Path]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    try:
        yield path
    finally:
        sock.close()


@pytest.fixture
def special(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    kind = request.param
    path = tmp_path / f"target-{kind}"
    if kind == "fifo":
        os.mkfifo(path)
        yield path, "is a named pipe (FIFO)"
    elif kind == "char":
        yield _device(path, stat.S_IFCHR), "is a character device"
    elif kind == "block":
        yield _device(path, stat.S_IFBLK), "is a block device"
    else:
        yield from ((p, "is a socket") for p in _socket(path))


def _kind(path: Path) -> int:
    return stat.S_IFMT(os.lstat(path).st_mode)


@pytest.mark.parametrize("special", ["fifo", "char", "block", "socket"], indirect=True)
def test_a_special_file_is_refused_and_left_alone(env, special: tuple[Path, str]) -> None:
    path, what = special
    kind = _kind(path)
    code, out, err = pmt(*WEEK, "--output", str(path))
    assert code == 2
    assert err.strip() == f"pmt: error: {path}: {what}; --output writes regular files only"
    assert out == "" and _kind(path) == kind
    assert [p.name for p in path.parent.iterdir() if ".pmt-tmp" in p.name] == []


@pytest.mark.parametrize("special", ["fifo", "char"], indirect=True)
def test_a_symlink_to_a_special_file_is_refused(
    env, special: tuple[Path, str], tmp_path: Path
) -> None:
    path, what = special
    link = tmp_path / "report.md"
    link.symlink_to(path)
    code, _out, err = pmt(*WEEK, "--output", str(link))
    assert code == 2
    assert f"pmt: error: {link}: is a symbolic link to {path}, which {what}" in err
    assert link.is_symlink() and _kind(path) in (stat.S_IFIFO, stat.S_IFCHR)


def test_a_folder_is_refused(env, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    code, _out, err = pmt(*WEEK, "--output", str(folder))
    assert code == 2 and "reports" in err and "directory" in err
    assert folder.is_dir()


def test_a_symlink_is_written_through_to_its_regular_file(env, tmp_path: Path, umask: None) -> None:
    real = tmp_path / "published" / "week.md"
    real.parent.mkdir()
    real.write_text("last week's report\n")
    os.chmod(real, 0o664)
    link = tmp_path / "report.md"
    link.symlink_to(real)
    code, _out, err = pmt(*WEEK, "--output", str(link))
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text().startswith("# Postmortem follow-ups: week 2026-W48")
    assert stat.S_IMODE(real.stat().st_mode) == 0o664  # an existing file keeps its mode
    assert sorted(p.name for p in real.parent.iterdir()) == ["week.md"]


def test_a_dangling_symlink_is_refused(env, tmp_path: Path) -> None:
    link = tmp_path / "report.md"
    link.symlink_to(tmp_path / "nowhere.md")
    code, _out, err = pmt(*WEEK, "--output", str(link))
    assert (
        code == 2
        and f"{link}: is a symbolic link to {tmp_path / 'nowhere.md'}, which does not exist" in err
    )
    assert link.is_symlink() and not (tmp_path / "nowhere.md").exists()


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_report_gets_the_umasks_permissions(
    env, tmp_path: Path, mask: int, mode: int
) -> None:
    old = os.umask(mask)
    try:
        code, _out, err = pmt(*WEEK, "--format", "html", "--output", str(tmp_path / "week48.html"))
    finally:
        os.umask(old)
    assert code == 0, err
    assert stat.S_IMODE((tmp_path / "week48.html").stat().st_mode) == mode


def test_an_existing_report_is_replaced_atomically(env, tmp_path: Path) -> None:
    target = tmp_path / "week.json"
    target.write_text("{}")
    os.chmod(target, 0o640)
    inode = target.stat().st_ino
    code, _out, err = pmt(*WEEK, "--format", "json", "--output", str(target))
    assert code == 0, err
    assert target.stat().st_ino != inode and stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_text().startswith("{") and len(target.read_text()) > 2


def test_new_refuses_a_fifo_as_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    fifo = tmp_path / "pm.md"
    os.mkfifo(fifo)
    code, _out, err = pmt("new", "Checkout errors", "--output", str(fifo))
    assert code == 2
    assert (
        err.strip()
        == f"pmt: error: {fifo}: is a named pipe (FIFO); --output writes regular files only"
    )
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_the_sqlite_store_is_created_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask: None
) -> None:
    """The default store (user data directory) holds incident data: 0600, its WAL too."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pm.md").write_text("# Outage\n\n## Action items\n\n- [ ] Fix it (@ann)\n")
    code, _out, err = pmt("ingest", "pm.md")
    assert code == 0, err
    [database] = list(Path(os.environ["XDG_DATA_HOME"]).rglob("pmt.db"))
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    for extra in database.parent.glob("pmt.db-*"):
        assert stat.S_IMODE(extra.stat().st_mode) == 0o600, extra


def test_an_existing_sqlite_file_keeps_its_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    database = tmp_path / "shared.db"
    database.touch()
    os.chmod(database, 0o660)
    monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{database}")
    code, _out, err = pmt("list")
    assert code == 0, err
    assert stat.S_IMODE(database.stat().st_mode) == 0o660
