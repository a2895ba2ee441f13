"""Which files a command works on, given files and folders: ``discover(paths, include, exclude)``.

Folders are walked recursively and their files kept when they match an ``include`` glob and no
``exclude`` glob, matched against the path relative to that folder. A file named explicitly is
always kept unless it matches ``exclude`` (so a pre-commit hook that hands over every changed
``README.md`` does not lint it as a postmortem). Globs: ``*`` and ``?`` stay within one path
segment, ``**`` spans any number of segments (``**/x.md`` also matches ``x.md``), ``[abc]`` is
a character class. The result is sorted and free of duplicates, so runs are deterministic.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from tracker.errors import InputError


def discover(
    paths: Iterable[str | Path],
    include: Sequence[str],
    exclude: Sequence[str],
    *,
    on_skip: Callable[[Path, str], None] | None = None,
) -> list[Path]:
    """Files under ``paths``; a path that does not exist raises InputError naming it.

    ``on_skip(path, reason)`` hears about each explicitly named file left out by ``exclude``.
    """
    found: dict[str, Path] = {}
    for raw in paths:
        root = Path(raw)
        if root.is_dir():
            for path in _walk(root, include, exclude):
                found.setdefault(os.path.normpath(path), path)
        elif root.is_file():
            if matches(_posix(root), exclude):
                if on_skip is not None:
                    on_skip(root, "matches ingest.exclude")
                continue
            found.setdefault(os.path.normpath(root), root)
        elif root.exists():
            raise InputError(str(raw), "not a regular file or folder")
        else:
            raise InputError(str(raw), "no such file or folder")
    return [found[key] for key in sorted(found)]


def _walk(root: Path, include: Sequence[str], exclude: Sequence[str]) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(root, onerror=_raise):
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        # Prune excluded folders (.git, node_modules) instead of walking them: they can be huge.
        dirnames[:] = sorted(d for d in dirnames if not matches(prefix + d + "/", exclude))
        for name in sorted(filenames):
            rel = prefix + name
            if matches(rel, include) and not matches(rel, exclude):
                yield Path(dirpath) / name


def _raise(exc: OSError) -> None:
    raise InputError(str(exc.filename or ""), f"cannot read folder: {exc.strerror or exc}")


def _posix(path: Path) -> str:
    text = path.as_posix()
    return text.removeprefix("./")


def matches(path: str, globs: Sequence[str]) -> bool:
    """Whether the posix ``path`` matches any of ``globs``."""
    return any(_compile(g).fullmatch(path) for g in globs)


@lru_cache(maxsize=256)
def _compile(glob: str) -> re.Pattern[str]:
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        c = glob[i]
        if glob.startswith("**/", i):
            out.append(r"(?:.*/)?")  # zero or more whole folders
            i += 3
        elif glob.startswith("/**", i) and i + 3 == n:
            out.append(r"(?:/.*)?")  # the folder itself and everything below it
            i += 3
        elif glob.startswith("**", i):
            out.append(r".*")
            i += 2
        elif c == "*":
            out.append(r"[^/]*")
            i += 1
        elif c == "?":
            out.append(r"[^/]")
            i += 1
        elif c == "[":
            end = glob.find("]", i + 2)
            if end == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = glob[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out))
