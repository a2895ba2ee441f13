"""Where the project is: the ``pmt.toml`` to read and the folder stored paths are relative to.

Found the way git finds its repository, so that a run from any subfolder of a project (a
laptop in ``postmortems/2026``, CI at the checkout's top) reads the same configuration and
stores the same paths:

- **The configuration** is the first ``pmt.toml`` met walking up from the current folder. The
  walk stops after the root of the git repository holding the current folder (the first folder
  with a ``.git`` entry: a ``pmt.toml`` above the repository belongs to something else) or at
  the file system's root.
- **The project root** is the folder of that ``pmt.toml``; without one (or with ``--config``,
  whose file may live anywhere), the root of the git repository holding the current folder,
  else the current folder itself.

Stored postmortem paths are relative to the project root (posix separators; absolute when the
file is outside it). ``on_disk`` turns a stored path back into one that opens the file from
wherever pmt runs; ``shown`` into one relative to the current folder, for people and messages.
"""

from __future__ import annotations

import os
from pathlib import Path

CONFIG_NAME = "pmt.toml"


def _cwd() -> Path:
    # getcwd is the physical path, as git uses: a folder reached through a symbolic link has
    # one project root whichever way it was entered.
    return Path(os.getcwd())


def find_config(start: str | os.PathLike[str] | None = None) -> Path | None:
    """The first ``pmt.toml`` from ``start`` (default: the current folder) up (see above)."""
    folder = Path(start) if start is not None else _cwd()
    for candidate in (folder, *folder.parents):
        config = candidate / CONFIG_NAME
        # os.path: a folder pmt may not look into is one without a pmt.toml, not an error.
        if os.path.isfile(config):
            return config
        if os.path.lexists(candidate / ".git"):
            return None
    return None


def repository_root(start: str | os.PathLike[str] | None = None) -> Path | None:
    """The nearest folder from ``start`` up holding ``.git`` (a folder, or a file in a worktree)."""
    folder = Path(start) if start is not None else _cwd()
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return None


def default_root(start: str | os.PathLike[str] | None = None) -> Path:
    """The project root without a ``pmt.toml``: the git repository's root, else ``start``."""
    folder = Path(start) if start is not None else _cwd()
    return repository_root(folder) or folder


def stored_path(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> str:
    """``path`` (as given, relative to the current folder) as the store keeps it."""
    # Imported here: settings (which import this module) are read by commands that never
    # compute a postmortem's key.
    from tracker.identity import path_key

    return path_key(path, root)


def on_disk(stored: str, root: str | os.PathLike[str]) -> str:
    """A stored path as an absolute path (an absolute stored path is returned as it is)."""
    return os.path.normpath(os.path.join(root, stored))


def shown(stored: str, root: str | os.PathLike[str]) -> str:
    """A stored path relative to the current folder (as stored when pmt runs at the root)."""
    absolute = on_disk(stored, root)
    if not os.path.isabs(stored):
        relative = os.path.relpath(absolute, os.getcwd())
        return Path(relative).as_posix()
    return Path(absolute).as_posix()
