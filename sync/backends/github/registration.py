"""What the registry (``sync.registry``) knows about GitHub: how the backend is made from the
settings and the environment (and what to set when something is missing), or without the token
for a dry run; what ``pmt doctor`` checks without the network (``credentials``) and over it
(``probe``); and how a reminder is written (Markdown, ``@login`` mentions).

Light on purpose: PyGithub is imported only when a backend is made, requests only when a probe
runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sync.probe_http import ProbeFailed, http_session, probe_get
from sync.store_only import MissingCredentials
from tracker.doctor import Check, not_configured
from tracker.errors import ConfigError

if TYPE_CHECKING:
    from sync.base import TicketBackend
    from sync.proposals import Proposer
    from sync.webhooks import Receiver
    from tracker.config import Secrets, Settings

NAME = "github"
# Comments are Markdown; people are mentioned by @login.
MARKDOWN = True


def create(settings: Settings, secrets: Secrets) -> TicketBackend:
    """The backend; ``MissingCredentials`` when only the token is missing."""
    from sync.backends.github.backend import GitHubBackend

    _require_repo(settings)
    token = secrets.github()
    if not token:
        raise MissingCredentials(
            "no GitHub token: set PMT_GITHUB_TOKEN (or GITHUB_TOKEN) to a token that can read "
            f"and write issues of {settings.github.repo}",
            "no GitHub token",
        )
    return GitHubBackend(settings.github, token)


def without_credentials(settings: Settings) -> TicketBackend:
    """The backend made without a token, its settings checked as ``create`` checks them: for
    reading references and making URLs only (``sync.store_only``)."""
    from sync.backends.github.backend import GitHubBackend

    _require_repo(settings)
    return GitHubBackend(settings.github, None)


def _require_repo(settings: Settings) -> None:
    if not settings.github.repo:
        raise ConfigError(
            'no GitHub repository configured: set [github] repo = "owner/name" in pmt.toml '
            "or PMT_GITHUB_REPO"
        )


def credentials(settings: Settings, secrets: Secrets) -> Check:
    """Whether GitHub is configured and its token is in the environment (no request made)."""
    gh = settings.github
    if not gh.repo and not secrets.github():
        return not_configured(
            NAME,
            settings.sync.tracker,
            "not configured: [github] repo is unset and there is no token",
            "set [github] repo in pmt.toml and PMT_GITHUB_TOKEN (or GITHUB_TOKEN)",
        )
    if not secrets.github():
        return Check(
            NAME,
            "fail",
            f"{gh.repo}: no token in the environment",
            "set PMT_GITHUB_TOKEN (or GITHUB_TOKEN): a token with Issues: read and write",
        )
    if not gh.repo:
        return Check(
            NAME,
            "fail",
            "a token is set but [github] repo is not",
            "set [github] repo (owner/name) in pmt.toml or PMT_GITHUB_REPO",
        )
    return Check(NAME, "ok", f"{gh.repo} at {gh.api_url}: token set")


def probe(settings: Settings, secrets: Secrets, session: Any = None) -> Check:
    """``pmt doctor``'s network check: the token is accepted and the repository reachable
    (two reads, short timeouts: ``sync.probe_http``)."""
    gh = settings.github
    api = gh.api_url.rstrip("/")
    http = http_session(session)
    headers = {
        "Authorization": f"Bearer {secrets.github()}",
        "Accept": "application/vnd.github+json",
    }
    try:
        user = probe_get(
            http,
            f"{api}/user",
            api,
            headers=headers,
            unreachable="check api_url and the network (a proxy? HTTPS_PROXY)",
            refusal=lambda status: (
                (
                    f"{api}: the token was refused (401: expired or revoked)",
                    "make a new token and set PMT_GITHUB_TOKEN",
                )
                if status == 401
                else None
            ),
        )
        login = (user.json() or {}).get("login", "?")
        repo = probe_get(
            http,
            f"{api}/repos/{gh.repo}",
            gh.repo or "",
            headers=headers,
            refusal=lambda status: (
                (
                    f"logged in as {login}, but {gh.repo} is not found or not visible to the token",
                    "check [github] repo and the token's repository access",
                )
                if status == 404
                else None
            ),
        )
    except ProbeFailed as failed:
        return failed.check(NAME)
    push = ((repo.json() or {}).get("permissions") or {}).get("push")
    if push is False:
        return Check(
            NAME,
            "warn",
            f"logged in as {login}; {gh.repo} is read-only for this token",
            "pmt sync needs Issues: read and write",
        )
    return Check(NAME, "ok", f"logged in to {api} as {login}; {gh.repo} is reachable")


def webhooks() -> Receiver:
    """How ``pmt serve`` reads this tracker's webhook deliveries (imported when it starts)."""
    from sync.backends.github import webhooks as receiver

    return receiver


def proposer(settings: Settings, secrets: Secrets) -> Proposer:
    """Pull requests of the repository write-back proposes to (``sync.proposals``)."""
    from sync import endpoints
    from sync.backends.github.pulls import GitHubPulls
    from sync.proposals import pull_request_repo

    repo = pull_request_repo(settings)
    if not repo:
        raise ConfigError(
            "write-back as a pull request needs a GitHub repository: set [sync] pr_repo "
            "(PMT_SYNC_PR_REPO) or [github] repo"
        )
    token = secrets.github()
    if not token:
        raise ConfigError(
            "write-back as a pull request needs a GitHub token that can open pull requests "
            f"in {repo}: set PMT_GITHUB_TOKEN (or GITHUB_TOKEN)"
        )
    api_url = endpoints.api_url(settings.github.api_url, "[github] api_url (PMT_GITHUB_API_URL)")
    return GitHubPulls(api_url, token, repo)
