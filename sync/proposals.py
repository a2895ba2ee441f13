"""Write-back as a pull request (``pmt sync --write-back=pr``): in CI, teams do not want a bot
pushing to their default branch.

After a sync has written the links into the Markdown (as ``--write-back=direct`` does, in the
working tree), ``propose`` commits exactly the documents it wrote on pmt's branch
(``[sync] pr_branch``, one commit on top of HEAD, ``sync.branch``), pushes it, and opens the
one pull request of that branch, or updates it: reruns before it is merged update the same
pull request, never a second. Where it is opened is a ``Proposer``: GitHub pull requests today
(``sync/backends/github/pulls.py``), one per code host, named in ``sync.registry.PROPOSERS``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sync.branch import commit_on_branch, push_branch

if TYPE_CHECKING:
    from sync.apply_results import SyncResult
    from tracker.config import Settings

# The kinds of action that leave a link in the document when they succeed.
LINKING = frozenset({"create", "adopt", "link_existing", "writeback"})
TITLE = "pmt: ticket links for postmortem action items"


@dataclass(frozen=True)
class Proposal:
    url: str
    number: int
    # False: an open pull request of the branch was updated.
    created: bool


@dataclass(frozen=True)
class Proposed:
    """What ``propose`` did: the pull request, and the branch and documents it holds."""

    proposal: Proposal
    branch: str
    commit: str
    documents: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.proposal.url,
            "number": self.proposal.number,
            "created": self.proposal.created,
            "branch": self.branch,
            "commit": self.commit,
            "documents": list(self.documents),
        }


class Proposer(Protocol):
    """Opens (or updates) the one change request of a branch on a code host."""

    def propose(self, branch: str, base: str | None, title: str, body: str) -> Proposal: ...


def pull_request_repo(settings: Settings) -> str | None:
    """The repository the pull request goes to: ``[sync] pr_repo``, else the one a GitHub
    Actions workflow runs in, else ``[github] repo``."""
    return settings.sync.pr_repo or os.environ.get("GITHUB_REPOSITORY") or settings.github.repo


def propose(
    settings: Settings, results: Sequence[SyncResult], proposer: Proposer
) -> Proposed | None:
    """Commit the documents the sync wrote on pmt's branch, push it, open or update its pull
    request; None when no document was written (or they already say it all at HEAD)."""
    from tracker.paths import shown as shown_path

    root = Path(settings.project_root)
    written = [r for r in results if r.written is not None]
    if not written:
        return None
    documents = tuple(shown_path(r.path, str(root)) for r in written)
    commit = commit_on_branch(root, [Path(d) for d in documents], _message(written))
    if commit is None:
        return None
    branch = settings.sync.pr_branch
    push_branch(root, commit, branch)
    proposal = proposer.propose(branch, None, TITLE, summary(written))
    return Proposed(proposal, branch, commit, documents)


def summary(results: Sequence[SyncResult]) -> str:
    """The pull request's description: each link written, by postmortem."""
    # An item made and written back has two actions: one row per item.
    found = {
        (r.path, done.action.uid): (
            r.path,
            done.action.line,
            done.action.text,
            done.key or "",
            done.url or "",
        )
        for r in results
        for done in r.results
        if done.action.kind in LINKING and done.status == "done" and done.action.uid
    }
    rows = list(found.values())
    lines = [
        (
            f"pmt wrote the ticket links of {len(rows)} action item(s) into {len(results)} "
            "postmortem(s). Merge this pull request to keep them in the Markdown."
        ),
        "",
        (
            "pmt rebuilds this branch from the default branch on every run, and updates this "
            "pull request rather than opening another: do not push your own commits to it."
        ),
        "",
        "| Postmortem | Line | Action item | Ticket |",
        "| --- | --- | --- | --- |",
    ]
    for path, line, text, key, url in rows:
        ticket = f"[{key}]({url})" if url else key
        lines.append(f"| `{path}` | {line or ''} | {_cell(text)} | {ticket} |")
    return "\n".join(lines) + "\n"


def _message(results: Sequence[SyncResult]) -> str:
    names = ", ".join(Path(r.path).name for r in results[:3])
    more = f" and {len(results) - 3} more" if len(results) > 3 else ""
    return f"pmt: ticket links in {names}{more}"


def _cell(text: str) -> str:
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= 80 else flat[:79] + "…"
