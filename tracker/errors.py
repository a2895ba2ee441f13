"""pmt's own error tree.

    PmtError                  a user-facing failure: one line, no traceback, an exit code
    ├── ConfigError           pmt.toml or a PMT_* variable is wrong           (exit 2)
    ├── InputError            a file pmt was asked to read is unusable        (exit 1)
    │   └── ParseError        ... with the line where the problem is
    ├── OutputError           a file to write is no regular file (a FIFO...)  (exit 2)
    ├── StoreError            the database cannot be opened or migrated       (exit 1)
    └── (sync.base.SyncError) a ticket tracker refused or failed              (exit 1)

Anything else reaching the command line is a bug: it is reported as unexpected (exit 3).
"""

from __future__ import annotations


class PmtError(Exception):
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(PmtError):
    exit_code = 2


class InputError(PmtError):
    """A file cannot be used. ``str()`` names the file (and line, where known)."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {reason}")


class ParseError(InputError):
    pass


class OutputError(PmtError):
    """A file pmt was asked to write must not be written (a FIFO, a device, a folder...).
    ``str()`` names it."""

    exit_code = 2

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class StoreError(PmtError):
    pass
