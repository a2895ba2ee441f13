"""Replacing a file's bytes safely, and removing the temporary files a crash leaves behind.

``replace_bytes(path, data)`` is how pmt rewrites a file (write-back, reports):

- **Atomic.** The bytes go to a temporary file in the same folder (same file system), named
  ``.NAME.XXXXXXXX.pmt-tmp``, which is flushed to disk, then renamed over ``path``
  (``os.replace``): a reader sees the old file or the new one, never half of one.
- **Owner, group and mode kept.** The temporary file gets the old file's; a new file gets
  0666 less the umask (0644 with the usual 022), as any editor would make it.
- **Hard links kept.** Renaming gives the name a new inode, which would split a file with
  several names (the others would keep the old bytes). Such a file, and one whose owner or
  group pmt cannot give to a new file (someone else's file in a shared folder), is rewritten
  in place instead: its blocks are reserved first (so a full disk fails before a byte
  changes), and a write that fails half-way puts the old bytes back. In place is not atomic
  against a power cut; nothing else can keep every name of the file.
- ``expected``: the bytes the file must still hold just before it is replaced (an editor may
  have saved meanwhile); otherwise ``FileChanged`` is raised and nothing is written.

**Leftovers.** A process killed between creating its temporary file and the rename leaves the
file behind, where ``git add -A`` would pick it up. The writer holds an exclusive ``flock`` on
its temporary file while it exists; ``remove_stale_temps(folder)`` (run by write-back, reports,
``pmt ingest`` and ``pmt sync`` in the folders they touch) removes pmt's temporary files that
nobody holds: only names of pmt's own pattern, only regular files of this user, and only those
made before this run (when this module was loaded) or more than a few seconds ago (a writer
locks its file an instant after creating it). Where ``flock`` does not exist (Windows), only those older than an
hour.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

TEMP_SUFFIX = ".pmt-tmp"
# ".NAME." + mkstemp's eight random characters + ".pmt-tmp".
_TEMP_NAME = re.compile(r"\..+\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX), re.DOTALL)
# A temporary file made after this process started and younger than this may be one whose
# writer has not locked it yet.
LOCK_GRACE_S = 5.0
_STARTED = time.time()
# Without flock: no write takes this long.
UNLOCKED_AGE_S = 3600.0


class FileChanged(Exception):
    """The file no longer holds the bytes it was expected to: nothing was written."""


def temp_prefix(path: Path) -> str:
    return f".{path.name}."


def is_temp_name(name: str) -> bool:
    """Whether ``name`` is one of pmt's temporary files."""
    return name.endswith(TEMP_SUFFIX) and _TEMP_NAME.fullmatch(name) is not None


def new_file_mode() -> int:
    """0666 less the process's umask: the mode a new file gets from ``open``."""
    # The umask can only be read by setting it; put it back at once.
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def replace_bytes(
    path: str | os.PathLike[str], data: bytes, *, expected: bytes | None = None
) -> None:
    """Make ``data`` the content of the file at ``path`` (see above). ``path`` names a regular
    file or nothing: callers decide whether to follow a symbolic link (and pass its target).

    Raises ``FileChanged`` or ``OSError``; either way the file is as it was.
    """
    target = Path(path)
    try:
        old = os.lstat(target)
    except FileNotFoundError:
        if expected is not None:
            raise FileChanged(str(target)) from None
        _replace(target, data, None, None)
        return
    if not stat.S_ISREG(old.st_mode):
        raise OSError(errno.EINVAL, "not a regular file", str(target))
    if old.st_nlink > 1:
        write_in_place(target, data, expected=expected)
        return
    if not _replace(target, data, old, expected):
        write_in_place(target, data, expected=expected)


def _replace(target: Path, data: bytes, old: os.stat_result | None, expected: bytes | None) -> bool:
    """Write through a temporary file and rename it; False (nothing done) when the old file's
    owner or group cannot be given to the new one."""
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target), suffix=TEMP_SUFFIX, dir=target.parent)
    renamed = False
    try:
        _lock(fd)
        _write_all(fd, data)
        if old is not None:
            mine = os.fstat(fd)
            if (mine.st_uid, mine.st_gid) != (old.st_uid, old.st_gid):
                try:
                    os.fchown(fd, old.st_uid, old.st_gid)
                except PermissionError:
                    return False
            os.fchmod(fd, stat.S_IMODE(old.st_mode))
        else:
            os.fchmod(fd, new_file_mode())
        os.fsync(fd)
        # Narrow the window in which an editor's save could be overwritten.
        if expected is not None and _read(target) != expected:
            raise FileChanged(str(target))
        os.replace(tmp, target)
        renamed = True
    finally:
        os.close(fd)  # and with it the lock
        if not renamed:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
    _fsync_dir(target.parent)
    return True


def write_in_place(path: Path, data: bytes, *, expected: bytes | None = None) -> None:
    """Overwrite the file's own bytes (same inode: every hard link, owner and mode kept)."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
    try:
        current = _read_fd(fd)
        if expected is not None and current != expected:
            raise FileChanged(str(path))
        _reserve(fd, len(data))
        try:
            _pwrite_all(fd, data)
            os.ftruncate(fd, len(data))
            os.fsync(fd)
        except OSError:
            # Put the old bytes back (they need no more room than they had).
            try:
                _pwrite_all(fd, current)
                os.ftruncate(fd, len(current))
            except OSError:
                pass
            raise
    finally:
        os.close(fd)


def remove_stale_temps(
    folder: str | os.PathLike[str], *, now: float | None = None, started: float | None = None
) -> list[Path]:
    """Remove pmt's temporary files that a dead process left in ``folder``; returns them.

    ``started``: when this run started (default: when this module was imported).
    """
    removed: list[Path] = []
    moment = time.time() if now is None else now
    begun = _STARTED if started is None else started
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not is_temp_name(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or not _old_enough(info.st_mtime, moment, begun):
            continue
        if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
            continue
        if _remove_if_unheld(entry.path, info):
            removed.append(Path(entry.path))
    return removed


def remove_stale_temps_beside(files: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """``remove_stale_temps`` in the folder of each of ``files`` (each folder once)."""
    folders = dict.fromkeys(os.path.dirname(os.fspath(name)) or "." for name in files)
    return [path for folder in folders for path in remove_stale_temps(folder)]


def _old_enough(mtime: float, now: float, started: float) -> bool:
    if fcntl is None:
        return now - mtime >= UNLOCKED_AGE_S
    return mtime < started or now - mtime >= LOCK_GRACE_S


def _remove_if_unheld(path: str, info: os.stat_result) -> bool:
    flags = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        # Read-write where allowed: over NFS an exclusive lock needs a writable descriptor.
        fd = os.open(path, os.O_RDWR | flags)
    except PermissionError:
        try:
            fd = os.open(path, os.O_RDONLY | flags)
        except OSError:
            return False
    except OSError:
        return False
    try:
        if os.fstat(fd).st_ino != info.st_ino:
            return False  # replaced since it was listed
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False  # a live writer holds it
        os.unlink(path)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _lock(fd: int) -> None:
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            pass  # a file system without flock: the age alone protects it


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _pwrite_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    offset = 0
    while offset < len(data):
        offset += os.pwrite(fd, view[offset:], offset)


def _reserve(fd: int, size: int) -> None:
    """Allocate the blocks the new content needs before writing it (ENOSPC comes now)."""
    if size and hasattr(os, "posix_fallocate"):
        try:
            os.posix_fallocate(fd, 0, size)
        except OSError as exc:
            if exc.errno not in _UNSUPPORTED:
                raise


# posix_fallocate on a file system that cannot do it (some network and FUSE file systems).
_UNSUPPORTED = {errno.EINVAL, errno.EOPNOTSUPP, errno.ENOSYS}


def _read(path: Path) -> bytes:
    return path.read_bytes()


def _read_fd(fd: int) -> bytes:
    chunks: list[bytes] = []
    offset = 0
    while True:
        chunk = os.pread(fd, 1 << 20, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


def _fsync_dir(folder: Path) -> None:
    # Make the rename itself durable; not every platform or file system allows it.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
