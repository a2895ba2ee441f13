"""Tracker name -> backend factory. A plain dict: a new tracker is one entry.

Factories import their client library when called, so that importing the registry (and
``pmt --help``) stays light.
"""

from __future__ import annotations

from collections.abc import Callable

from sync.base import TicketBackend
from tracker.config import Secrets, Settings
from tracker.errors import ConfigError

BackendFactory = Callable[[Settings, Secrets], TicketBackend]


def _github(settings: Settings, secrets: Secrets) -> TicketBackend:
    from sync.github_backend import GitHubBackend

    if not settings.github.repo:
        raise ConfigError(
            'no GitHub repository configured: set [github] repo = "owner/name" in pmt.toml '
            "or PMT_GITHUB_REPO"
        )
    token = secrets.github()
    if not token:
        raise ConfigError(
            "no GitHub token: set PMT_GITHUB_TOKEN (or GITHUB_TOKEN) to a token that can read "
            f"and write issues of {settings.github.repo}"
        )
    return GitHubBackend(settings.github, token)


def _jira(settings: Settings, secrets: Secrets) -> TicketBackend:
    from sync.backends.jira import JiraBackend

    missing = [
        name
        for name, value in (
            ("jira.url (PMT_JIRA_URL)", settings.jira.url),
            ("jira.project (PMT_JIRA_PROJECT)", settings.jira.project),
            ("PMT_JIRA_TOKEN", secrets.jira_token),
        )
        if not value
    ]
    if missing:
        raise ConfigError(
            f"Jira is not configured: set {', '.join(missing)} "
            "(Jira Cloud also needs PMT_JIRA_EMAIL; Data Center uses the token alone)"
        )
    return JiraBackend(settings.jira, secrets.jira_email, secrets.jira_token)


BACKENDS: dict[str, BackendFactory] = {
    "github": _github,
    "jira": _jira,
}


def get_backend(name: str, settings: Settings, secrets: Secrets | None = None) -> TicketBackend:
    """The backend called ``name``, configured from settings and environment secrets."""
    factory = BACKENDS.get(name)
    if factory is None:
        known = ", ".join(sorted(BACKENDS))
        raise ConfigError(f"unknown tracker {name!r} (known: {known})")
    return factory(settings, secrets if secrets is not None else Secrets())
