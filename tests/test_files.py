"""tracker.files: atomic replacement keeping owner, mode and hard links; stale temporary files."""

from __future__ import annotations

import fcntl
import os
import stat
import time
from pathlib import Path

import pytest

from tracker import files
from tracker.files import FileChanged, is_temp_name, remove_stale_temps, replace_bytes

HOUR_AGO = time.time() - 3600


def _stale(folder: Path, name: str = ".pm.md.abcd1234.pmt-tmp", *, when: float = HOUR_AGO) -> Path:
    """A temporary file as a killed write-back leaves it."""
    path = folder / name
    path.write_bytes(b"half a document")
    os.utime(path, (when, when))
    return path


@pytest.mark.parametrize(
    ("name", "ours"),
    [
        (".pm.md.abcd1234.pmt-tmp", True),
        (".2026-03-02 db failover.md.k_9x0zq1.pmt-tmp", True),
        (".week48.html.00000000.pmt-tmp", True),
        ("pm.md.abcd1234.pmt-tmp", False),  # no leading dot: not a name pmt makes
        (".pm.md.abcd123.pmt-tmp", False),  # seven random characters
        (".pm.md.ABCD1234.pmt-tmp", False),  # mkstemp uses lower case only
        (".pm.md.abcd1234.tmp", False),
        (".pm.md.swp", False),
        ("pm.md", False),
    ],
)
def test_only_pmts_own_temp_names(name: str, ours: bool) -> None:
    assert is_temp_name(name) is ours


def test_stale_temp_files_are_removed_and_nothing_else(tmp_path: Path) -> None:
    doc = tmp_path / "pm.md"
    doc.write_bytes(b"# T\n")
    stale = _stale(tmp_path)
    lookalike = _stale(tmp_path, "pm.md.abcd1234.pmt-tmp")
    swap = _stale(tmp_path, ".pm.md.swp")
    removed = remove_stale_temps(tmp_path)
    assert removed == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [doc.name, lookalike.name, swap.name]
    )


def test_a_temp_file_held_by_a_live_writer_is_kept(tmp_path: Path) -> None:
    held = _stale(tmp_path)
    fd = os.open(held, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert remove_stale_temps(tmp_path) == []
        assert held.exists()
    finally:
        os.close(fd)
    assert remove_stale_temps(tmp_path) == [held]


def test_a_temp_file_made_during_this_run_gets_a_grace_period(tmp_path: Path) -> None:
    now = time.time()
    young = _stale(tmp_path, when=now)
    # Made after the run started, a moment ago: its writer may not have locked it yet.
    assert remove_stale_temps(tmp_path, now=now + 1, started=now - 10) == []
    # Made before the run started: no writer of this run; unlocked, so nobody's.
    assert remove_stale_temps(tmp_path, now=now + 1, started=now + 0.5) == [young]


def test_directories_and_links_with_a_temp_name_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / ".pm.md.abcd1234.pmt-tmp").mkdir()
    target = _stale(tmp_path, "target")
    (tmp_path / ".x.md.abcd1234.pmt-tmp").symlink_to(target)
    assert remove_stale_temps(tmp_path) == []


def test_a_missing_folder_is_nothing_to_clean(tmp_path: Path) -> None:
    assert remove_stale_temps(tmp_path / "gone") == []


def test_replace_keeps_mode_owner_and_group(tmp_path: Path) -> None:
    path = tmp_path / "pm.md"
    path.write_bytes(b"old\n")
    os.chmod(path, 0o640)
    if os.geteuid() == 0:
        os.chown(path, 1234, 5678)
    before = path.stat()
    replace_bytes(path, b"new\n", expected=b"old\n")
    after = path.stat()
    assert path.read_bytes() == b"new\n"
    assert stat.S_IMODE(after.st_mode) == 0o640
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    assert after.st_ino != before.st_ino  # replaced (atomically), not rewritten
    assert [p.name for p in tmp_path.iterdir()] == ["pm.md"]


def test_a_hard_linked_file_is_rewritten_in_place(tmp_path: Path) -> None:
    path = tmp_path / "pm.md"
    path.write_bytes(b"old\n")
    other = tmp_path / "other-name.md"
    os.link(path, other)
    inode = path.stat().st_ino
    replace_bytes(path, b"new, longer\n", expected=b"old\n")
    assert path.stat().st_ino == inode and path.stat().st_nlink == 2
    assert other.read_bytes() == b"new, longer\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-name.md", "pm.md"]


def test_in_place_refuses_a_changed_file_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "pm.md"
    path.write_bytes(b"typed by a person\n")
    os.link(path, tmp_path / "other.md")
    with pytest.raises(FileChanged):
        replace_bytes(path, b"new\n", expected=b"old\n")
    assert path.read_bytes() == b"typed by a person\n"


def test_in_place_puts_the_old_bytes_back_when_a_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pm.md"
    path.write_bytes(b"old content\n")
    os.link(path, tmp_path / "other.md")
    real_pwrite = os.pwrite
    calls: list[int] = []

    def fail_first(fd: int, data: object, offset: int) -> int:
        calls.append(offset)
        if len(calls) == 1:
            real_pwrite(fd, b"garb", offset)  # half written, then the disk fails
            raise OSError(5, "Input/output error")
        return real_pwrite(fd, data, offset)  # type: ignore[arg-type]

    monkeypatch.setattr(files.os, "pwrite", fail_first)
    with pytest.raises(OSError):
        replace_bytes(path, b"new content, longer\n", expected=b"old content\n")
    assert path.read_bytes() == b"old content\n"


def test_someone_elses_file_is_rewritten_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose owner pmt cannot give to a new file keeps its inode (and so its owner)."""
    path = tmp_path / "pm.md"
    path.write_bytes(b"old\n")
    inode = path.stat().st_ino

    def refused(*args: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(files.os, "fstat", lambda fd: _other_owner(os.stat(path)))
    monkeypatch.setattr(files.os, "fchown", refused)
    replace_bytes(path, b"new\n", expected=b"old\n")
    assert path.read_bytes() == b"new\n" and path.stat().st_ino == inode
    assert [p.name for p in tmp_path.iterdir()] == ["pm.md"]


def _other_owner(info: os.stat_result) -> os.stat_result:
    values = list(info)
    values[stat.ST_UID] = info.st_uid + 1
    return os.stat_result(values)


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_a_new_file_gets_the_umasks_mode(tmp_path: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        replace_bytes(tmp_path / "report.html", b"<html>")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "report.html").stat().st_mode) == mode


def test_a_fifo_is_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OSError):
        replace_bytes(fifo, b"x")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
