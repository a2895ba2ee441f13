"""Link changes committed on a branch of their own, for write-back as a pull request.

``commit_on_branch`` makes one commit on top of the checkout's HEAD holding the given files as
they are in the working tree, and nothing else, through a temporary index: the checkout's
branch, index and files are not touched (in CI the checkout stays as the workflow left it; on a
laptop, uncommitted work stays uncommitted). ``push_branch`` sends that commit to the branch,
replacing what was there: the branch belongs to pmt, and each run rebuilds it from HEAD, so a
rerun after more tickets were made holds every link written so far.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from sync.base import SyncError

# Who the commit is from when git has no identity configured (a fresh CI runner).
FALLBACK_NAME = "pmt"
FALLBACK_EMAIL = "pmt@users.noreply.github.com"


def commit_on_branch(root: Path, files: Sequence[Path], message: str) -> str | None:
    """The commit (its id) of ``files`` on top of HEAD; None when they are as HEAD has them."""
    top = Path(git(root, "rev-parse", "--show-toplevel"))
    with tempfile.TemporaryDirectory(prefix="pmt-index-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        git(top, "read-tree", "HEAD", env=env)
        names = [os.path.relpath(Path(f).resolve(), top.resolve()) for f in files]
        git(top, "update-index", "--add", "--", *names, env=env)
        tree = git(top, "write-tree", env=env)
    if tree == git(top, "rev-parse", "HEAD^{tree}"):
        return None
    return git(top, "commit-tree", tree, "-p", "HEAD", "-m", message, env=_identity(top))


def push_branch(root: Path, commit: str, branch: str, remote: str = "origin") -> None:
    """Make ``branch`` of ``remote`` point at ``commit`` (forced: pmt owns the branch)."""
    git(root, "push", "--quiet", "--force", remote, f"{commit}:refs/heads/{branch}")


def _identity(top: Path) -> dict[str, str]:
    """git's own identity when it has one, else pmt's (commit-tree refuses to guess)."""
    env: dict[str, str] = {}
    for who in ("AUTHOR", "COMMITTER"):
        if not os.environ.get(f"GIT_{who}_NAME") and not _config(top, "user.name"):
            env[f"GIT_{who}_NAME"] = FALLBACK_NAME
        if not os.environ.get(f"GIT_{who}_EMAIL") and not _config(top, "user.email"):
            env[f"GIT_{who}_EMAIL"] = FALLBACK_EMAIL
    return env


def _config(top: Path, key: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(top), "config", key], capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def git(root: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    """Run git in ``root``; its output, stripped; a SyncError naming the command on failure."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env={**os.environ, **(env or {})},
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SyncError(f"git {args[0]} in {root}: {exc}") from exc
    if done.returncode != 0:
        detail = done.stderr.strip() or f"exit {done.returncode}"
        raise SyncError(f"git {' '.join(args[:2])} in {root}: {detail}")
    return done.stdout.strip()
