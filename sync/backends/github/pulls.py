"""Write-back as a pull request on GitHub (``sync.proposals.Proposer``): one open pull request
from pmt's branch, found by its head and base, updated on every run, never a second one.

Three requests at most: the repository (its default branch, the base when none is named), the
open pull requests of that head and base, then a create or an update. A create GitHub refuses
because one already exists (a concurrent run made it between the listing and the create) is
answered by listing again and updating that one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sync.backends.github.client import WRITE_INTERVAL, GitHubClient
from sync.base import RequestError
from sync.proposals import Proposal


class GitHubPulls:
    def __init__(
        self,
        api_url: str,
        token: str | None,
        repo: str,
        *,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        write_interval: float = WRITE_INTERVAL,
        timeout: int = 15,
    ) -> None:
        self.repo = repo
        self._http = GitHubClient(
            api_url,
            token,
            client=client,
            sleep=sleep,
            clock=clock,
            write_interval=write_interval,
            max_wait=60.0,
            timeout=timeout,
        )

    def propose(self, branch: str, base: str | None, title: str, body: str) -> Proposal:
        base = base or self._default_branch()
        found = self._open(branch, base)
        if found is None:
            try:
                _, made = self._http.json(
                    "POST",
                    f"/repos/{self.repo}/pulls",
                    f"opening the pull request of {branch} in {self.repo}",
                    body={"title": title, "head": branch, "base": base, "body": body},
                    write=True,
                )
                return Proposal(str(made["html_url"]), int(made["number"]), created=True)
            except RequestError:
                found = self._open(branch, base)
                if found is None:
                    raise
        _, updated = self._http.json(
            "PATCH",
            f"/repos/{self.repo}/pulls/{found}",
            f"updating pull request #{found} of {self.repo}",
            body={"title": title, "body": body},
            write=True,
        )
        return Proposal(str(updated["html_url"]), int(updated["number"]), created=False)

    def _default_branch(self) -> str:
        _, repository = self._http.json(
            "GET", f"/repos/{self.repo}", f"reading repository {self.repo}"
        )
        return str(repository["default_branch"])

    def _open(self, branch: str, base: str) -> int | None:
        owner = self.repo.split("/")[0]
        pulls = self._http.pages(
            f"/repos/{self.repo}/pulls",
            f"listing the pull requests of {branch} in {self.repo}",
            {"state": "open", "head": f"{owner}:{branch}", "base": base},
        )
        return int(pulls[0]["number"]) if pulls else None
