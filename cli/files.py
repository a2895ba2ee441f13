"""Files a command writes because the user named them (``--output FILE``).

pmt writes such a file to a regular file only, atomically (``tracker.files.replace_bytes``:
a reader or a web server never sees half a report; owner, group and mode of an existing file
kept; a new file gets the umask's permissions, 0644 with the usual 022):

- a FIFO, a character or block device, a socket or a folder is refused (exit 2) with a message
  naming the path and what it is: replacing it with a regular file would break whatever uses
  it, and writing into it is not what a report is for;
- a symbolic link is followed on purpose to a regular file (the link stays a link, its target
  gets the report; the same rules apply to the target); a link to nothing is refused;
- a folder that does not exist is refused (exit 2), never created: a typo in the path must
  not leave new folders behind.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tracker.errors import InputError, OutputError
from tracker.files import remove_stale_temps, replace_bytes

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def output_target(path: Path) -> Path:
    """The regular file (existing or not) that ``--output path`` writes, or OutputError."""
    given = path.expanduser()
    try:
        info = os.lstat(given)
    except OSError:
        folder = given.parent
        if not os.path.lexists(folder):
            raise OutputError(
                str(path), f"the folder {folder} does not exist; create it first"
            ) from None
        return given  # nothing there yet (or no way there: writing it says why)
    target = given
    if stat.S_ISLNK(info.st_mode):
        target = Path(os.path.realpath(given))
        try:
            info = os.stat(target)
        except OSError:
            raise OutputError(
                str(path),
                f"is a symbolic link to {target}, which does not exist; pmt writes through a link "
                "only to an existing regular file",
            ) from None
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
        what = f"is {kind}"
        if target != given:
            what = f"is a symbolic link to {target}, which {what}"
        raise OutputError(str(path), f"{what}; --output writes regular files only")
    return target


def write_output(path: Path, text: str, what: str = "the report") -> None:
    """Write ``text`` (UTF-8, LF) to the regular file ``path`` names (see above)."""
    target = output_target(path)
    try:
        remove_stale_temps(target.parent)
        # replace_bytes looks again: a FIFO or a link made meanwhile is refused, not replaced.
        replace_bytes(target, text.encode("utf-8"))
    except OSError as exc:
        raise InputError(str(path), f"cannot write {what}: {exc.strerror or exc}") from exc
