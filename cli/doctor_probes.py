"""``pmt doctor``'s network probes: does the tracker answer, and accept the credentials?

Like ``gh auth status``: one authenticated read per tracker (who am I), then one read of the
configured repository or project. Each request has a short timeout, so that a firewall that
drops packets costs seconds, not minutes. The HTTP session is a parameter: tests pass a fake
and never touch the network.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tracker.doctor import TIMEOUT_S, Check

if TYPE_CHECKING:
    from tracker.config import Secrets, Settings

Probe = Callable[["Settings", "Secrets", Any], Check]


def _session(session: Any) -> Any:
    if session is not None:
        return session
    import requests

    return requests.Session()


def _get(session: Any, url: str, what: str, **kwargs: Any) -> tuple[Any, str | None]:
    """(response, None), or (None, why it could not be read)."""
    import requests

    try:
        return session.get(url, timeout=(TIMEOUT_S, TIMEOUT_S), **kwargs), None
    except requests.Timeout:
        return None, f"{what}: no answer within {TIMEOUT_S:g} s"
    except requests.RequestException as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return None, f"{what}: cannot connect ({reason[:160]})"


def github(settings: Settings, secrets: Secrets, session: Any = None) -> Check:
    gh = settings.github
    api = gh.api_url.rstrip("/")
    http = _session(session)
    headers = {
        "Authorization": f"Bearer {secrets.github()}",
        "Accept": "application/vnd.github+json",
    }
    user, error = _get(http, f"{api}/user", api, headers=headers)
    if error:
        return Check(
            "github", "fail", error, "check api_url and the network (a proxy? HTTPS_PROXY)"
        )
    if user.status_code == 401:
        return Check(
            "github",
            "fail",
            f"{api}: the token was refused (401: expired or revoked)",
            "make a new token and set PMT_GITHUB_TOKEN",
        )
    if user.status_code != 200:
        return Check("github", "fail", f"{api}/user answered HTTP {user.status_code}")
    login = (user.json() or {}).get("login", "?")
    repo, error = _get(http, f"{api}/repos/{gh.repo}", gh.repo or "", headers=headers)
    if error:
        return Check("github", "fail", error)
    if repo.status_code == 404:
        return Check(
            "github",
            "fail",
            f"logged in as {login}, but {gh.repo} is not found or not visible to the token",
            "check [github] repo and the token's repository access",
        )
    if repo.status_code != 200:
        return Check("github", "fail", f"{api}/repos/{gh.repo} answered HTTP {repo.status_code}")
    push = ((repo.json() or {}).get("permissions") or {}).get("push")
    if push is False:
        return Check(
            "github",
            "warn",
            f"logged in as {login}; {gh.repo} is read-only for this token",
            "pmt sync needs Issues: read and write",
        )
    return Check("github", "ok", f"logged in to {api} as {login}; {gh.repo} is reachable")


def jira(settings: Settings, secrets: Secrets, session: Any = None) -> Check:
    cfg = settings.jira
    base = (cfg.url or "").rstrip("/")
    http = _session(session)
    auth: dict[str, Any]
    if secrets.jira_email:
        auth = {"auth": (secrets.jira_email, secrets.jira_token or "")}
    else:
        auth = {"headers": {"Authorization": f"Bearer {secrets.jira_token}"}}
    me, error = _get(http, f"{base}/rest/api/2/myself", base, **auth)
    if error:
        return Check("jira", "fail", error, "check [jira] url and the network")
    if me.status_code in (401, 403):
        return Check(
            "jira",
            "fail",
            f"{base}: the credentials were refused (HTTP {me.status_code})",
            "Cloud: PMT_JIRA_EMAIL and an API token; Data Center: a personal access token",
        )
    if me.status_code != 200:
        return Check("jira", "fail", f"{base}/rest/api/2/myself answered HTTP {me.status_code}")
    data = me.json() or {}
    who = data.get("displayName") or data.get("name") or "?"
    project, error = _get(http, f"{base}/rest/api/2/project/{cfg.project}", base, **auth)
    if error:
        return Check("jira", "fail", error)
    if project.status_code != 200:
        return Check(
            "jira",
            "fail",
            f"logged in as {who}, but project {cfg.project} is not found or not visible (HTTP {project.status_code})",
            "check [jira] project and the account's permissions",
        )
    return Check("jira", "ok", f"logged in to {base} as {who}; project {cfg.project} is reachable")


# The probes ``pmt doctor`` runs, by check name (tests replace them with fakes).
PROBES: dict[str, Probe] = {"github": github, "jira": jira}
