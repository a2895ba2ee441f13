"""Write-back as a merge request on GitLab (``sync.proposals.Proposer``), through python-gitlab:
one open merge request from pmt's branch, found by its source and target branches, updated on
every run, never a second.

Three requests at most: the project (its default branch, the target when none is named), the
open merge requests of that source and target, then a create or an update. A create GitLab
refuses because one already exists (409: a concurrent run made it meanwhile) is answered by
listing again and updating that one.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import gitlab
import requests
from gitlab.exceptions import GitlabError

from sync.backends.gitlab.faults import translate
from sync.base import RequestError
from sync.proposals import Proposal
from sync.redact import secret_forms
from tracker.errors import ConfigError

if TYPE_CHECKING:
    from sync.proposals import Proposer
    from tracker.config import Secrets, Settings


class GitLabMergeRequests:
    def __init__(self, url: str, token: str, project: str, *, timeout: int = 15) -> None:
        self.project_path = project
        self._secrets = secret_forms([token])
        self._client = gitlab.Gitlab(
            url, private_token=token, timeout=timeout, retry_transient_errors=True
        )
        self._project: Any = self._client.projects.get(project, lazy=True)

    def propose(self, branch: str, base: str | None, title: str, body: str) -> Proposal:
        base = (
            base
            or self._call(
                "reading the project", lambda: self._client.projects.get(self.project_path)
            ).default_branch
        )
        found = self._open(branch, base)
        if found is None:
            try:
                made = self._call(
                    f"opening the merge request of {branch}",
                    lambda: self._project.mergerequests.create(
                        {
                            "source_branch": branch,
                            "target_branch": base,
                            "title": title,
                            "description": body,
                            "remove_source_branch": True,
                        }
                    ),
                )
                return Proposal(str(made.web_url), int(made.iid), created=True)
            except RequestError:
                found = self._open(branch, base)
                if found is None:
                    raise
        updated = self._call(
            f"updating merge request !{found}",
            lambda: self._project.mergerequests.update(
                found, {"title": title, "description": body}
            ),
        )
        return Proposal(str(updated["web_url"]), int(updated["iid"]), created=False)

    def _open(self, branch: str, base: str) -> int | None:
        found = self._call(
            f"listing the merge requests of {branch}",
            lambda: self._project.mergerequests.list(
                state="opened", source_branch=branch, target_branch=base, get_all=False
            ),
        )
        return int(found[0].iid) if found else None

    def _call(self, what: str, fn: Any) -> Any:
        try:
            return fn()
        except (GitlabError, requests.RequestException) as exc:
            raise translate(exc, f"{what} in {self.project_path}", self._secrets) from exc


def proposer(settings: Settings, secrets: Secrets) -> Proposer:
    """Merge requests of ``[gitlab] project`` (or the GitLab CI job's own project)."""
    project = settings.gitlab.project or os.environ.get("CI_PROJECT_PATH")
    if not project:
        raise ConfigError(
            "write-back as a merge request needs a GitLab project: set [gitlab] project "
            "(PMT_GITLAB_PROJECT)"
        )
    if not secrets.gitlab_token:
        raise ConfigError(
            f"write-back as a merge request needs a GitLab token that can open merge requests "
            f"in {project}: set PMT_GITLAB_TOKEN"
        )
    return GitLabMergeRequests(settings.gitlab.url, secrets.gitlab_token, project)
