"""What the registry (``sync.registry``) knows about Jira: how the backend is made from the
settings and the environment (naming every setting that is missing), or without credentials for
a dry run; what ``pmt doctor`` checks without the network (``credentials``) and over it
(``probe``); and how a reminder is written (plain text, the user's name).

Light on purpose: the backend and its HTTP stack are imported only when a backend is made or a
probe runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sync.probe_http import ProbeFailed, http_session, probe_get
from sync.store_only import MissingCredentials
from tracker.doctor import Check, not_configured
from tracker.errors import ConfigError

if TYPE_CHECKING:
    from sync.base import TicketBackend
    from sync.webhooks import Receiver
    from tracker.config import Secrets, Settings

NAME = "jira"
# Comments are plain text (rendered to ADF or wiki markup); people are named as written.
MARKDOWN = False


def create(settings: Settings, secrets: Secrets) -> TicketBackend:
    """The backend; ``MissingCredentials`` when only the token is missing."""
    from sync.backends.jira.backend import JiraBackend

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
        message = (
            f"Jira is not configured: set {', '.join(missing)} "
            "(Jira Cloud also needs PMT_JIRA_EMAIL; Data Center uses the token alone)"
        )
        if missing == ["PMT_JIRA_TOKEN"]:
            raise MissingCredentials(message, "no Jira token")
        raise ConfigError(message)
    return JiraBackend(settings.jira, secrets.jira_email, secrets.jira_token)


def without_credentials(settings: Settings) -> TicketBackend:
    """The backend made without credentials, its settings checked (url, project): for reading
    references and making URLs only (``sync.store_only``)."""
    from sync.backends.jira.backend import JiraBackend

    return JiraBackend(settings.jira, None, None)


def credentials(settings: Settings, secrets: Secrets) -> Check:
    """Whether Jira is configured and its token is in the environment (no request made)."""
    jira = settings.jira
    if not jira.url:
        return not_configured(
            NAME,
            settings.sync.tracker,
            "not configured: [jira] url is unset",
            "set [jira] url and project in pmt.toml, PMT_JIRA_TOKEN (and PMT_JIRA_EMAIL on Cloud)",
        )
    if not secrets.jira_token:
        return Check(
            NAME,
            "fail",
            f"{jira.url}: no token in the environment",
            "set PMT_JIRA_TOKEN (and PMT_JIRA_EMAIL for Jira Cloud)",
        )
    if not jira.project:
        return Check(
            NAME, "fail", f"{jira.url}: [jira] project is unset", "set [jira] project in pmt.toml"
        )
    who = f" as {secrets.jira_email}" if secrets.jira_email else " (personal access token)"
    return Check(NAME, "ok", f"{jira.url}, project {jira.project}: token set{who}")


def probe(settings: Settings, secrets: Secrets, session: Any = None) -> Check:
    """``pmt doctor``'s network check: the credentials are accepted and the project reachable
    (two reads, short timeouts: ``sync.probe_http``)."""
    cfg = settings.jira
    base = (cfg.url or "").rstrip("/")
    http = http_session(session)
    auth: dict[str, Any]
    if secrets.jira_email:
        auth = {"auth": (secrets.jira_email, secrets.jira_token or "")}
    else:
        auth = {"headers": {"Authorization": f"Bearer {secrets.jira_token}"}}
    try:
        me = probe_get(
            http,
            f"{base}/rest/api/2/myself",
            base,
            unreachable="check [jira] url and the network",
            refusal=lambda status: (
                (
                    f"{base}: the credentials were refused (HTTP {status})",
                    "Cloud: PMT_JIRA_EMAIL and an API token; Data Center: a personal access token",
                )
                if status in (401, 403)
                else None
            ),
            **auth,
        )
        data = me.json() or {}
        who = data.get("displayName") or data.get("name") or "?"
        probe_get(
            http,
            f"{base}/rest/api/2/project/{cfg.project}",
            base,
            refusal=lambda status: (
                (
                    f"logged in as {who}, but project {cfg.project} is not found or not visible "
                    f"(HTTP {status})"
                ),
                "check [jira] project and the account's permissions",
            ),
            **auth,
        )
    except ProbeFailed as failed:
        return failed.check(NAME)
    return Check(NAME, "ok", f"logged in to {base} as {who}; project {cfg.project} is reachable")


def webhooks() -> Receiver:
    """How ``pmt serve`` reads this tracker's webhook deliveries (imported when it starts)."""
    from sync.backends.jira import webhooks as receiver

    return receiver
