"""Publishing the weekly report: one GitHub issue per week, or a Slack incoming webhook.

GitHub: the report for a period lives in one issue, found again by a label
(``pmt-weekly-report``) and a hidden marker naming the period in its body, so that running the
report twice updates the issue instead of opening a second one. The lookup is the repository's
issue listing (not search, which lags behind a create by up to a minute), newest first, and it
stops at the first match. A failed create is not retried (``idempotent_retry`` never re-sends a
POST): the next run finds the issue by its marker if GitHub did make it.

Slack: one POST of Slack's block payload to the webhook URL in ``PMT_SLACK_WEBHOOK_URL`` (stdlib
``urllib``; the URL is a secret and never appears in a message).
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sync.base import RequestError, SyncError, TransientError
from tracker.errors import ConfigError
from tracker.reports.render_markdown import render_markdown
from tracker.reports.weekly import WeeklyReport
from tracker.reports.words import at_a_glance, period_sentence

if TYPE_CHECKING:
    import github

    from tracker.config import Secrets, Settings

REPORT_LABEL = "pmt-weekly-report"
# GitHub refuses issue bodies longer than 65,536 characters.
GITHUB_BODY_LIMIT = 65_000
_MARKER = re.compile(r"<!--\s*pmt:weekly-report\s+period=(?P<period>\S+)\s*-->")
_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")


def report_marker(report: WeeklyReport) -> str:
    return f"<!-- pmt:weekly-report period={period_key(report)} -->"


def period_key(report: WeeklyReport) -> str:
    p = report.period
    return p.week or f"{p.start.isoformat()}..{p.end.isoformat()}"


def read_report_marker(body: str | None) -> str | None:
    match = _MARKER.search(body or "")
    return match["period"] if match else None


@dataclass(frozen=True)
class PublishResult:
    action: Literal["created", "updated"]
    url: str
    number: int


def github_body(report: WeeklyReport) -> str:
    body = render_markdown(report)
    marker = report_marker(report)
    if len(body) + len(marker) + 2 > GITHUB_BODY_LIMIT:
        cut = GITHUB_BODY_LIMIT - len(marker) - 80
        body = (
            body[:cut].rsplit("\n", 1)[0]
            + "\n\n…(cut: the full report is longer than GitHub allows)\n"
        )
    return f"{body}\n{marker}\n"


def github_target(
    settings: Settings, secrets: Secrets, *, need_token: bool = True
) -> tuple[str, str | None]:
    """The repository and token for ``--post github``; a ConfigError when either is missing."""
    repo_name = settings.report.github_repo or settings.github.repo
    if not repo_name or not _REPO.match(repo_name):
        raise ConfigError(
            f"no repository for the weekly report (got {repo_name!r}): set [report] github_repo "
            'or [github] repo = "owner/name" in pmt.toml (or PMT_REPORT_GITHUB_REPO)'
        )
    token = secrets.github()
    if need_token and not token:
        raise ConfigError(
            "no GitHub token: set PMT_GITHUB_TOKEN (or GITHUB_TOKEN) to a token that can "
            f"write issues of {repo_name}"
        )
    return repo_name, token


def post_github(
    report: WeeklyReport,
    settings: Settings,
    secrets: Secrets,
    *,
    client: github.Github | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> PublishResult:
    """Create or update the report's issue in ``report.github_repo`` (else ``github.repo``)."""
    import github as gh
    import requests
    from github.GithubException import GithubException

    from sync.backends.github.faults import idempotent_retry, translate
    from sync.redact import secret_forms

    repo_name, token = github_target(settings, secrets, need_token=client is None)
    hidden = secret_forms([token])
    if client is None:
        client = gh.Github(
            auth=gh.Auth.Token(token) if token else None,
            base_url=settings.github.api_url.rstrip("/"),
            per_page=100,
            timeout=15,
            retry=idempotent_retry(sleep, 60.0),
            lazy=True,
        )

    def call(what: str, fn: Callable[[], Any], *, creating: bool = False) -> Any:
        try:
            return fn()
        except (GithubException, requests.RequestException, OSError) as exc:
            raise translate(
                exc,
                what,
                now=time.time(),
                creating=creating,
                api_url=settings.github.api_url,
                secrets=hidden,
            ) from exc

    repo = client.get_repo(repo_name)
    wanted = period_key(report)
    title = report.title
    body = github_body(report)

    def find() -> Any:
        # Newest first: this week's issue is on the first page.
        for issue in repo.get_issues(
            labels=[REPORT_LABEL], state="all", sort="created", direction="desc"
        ):
            if read_report_marker(issue.body) == wanted:
                return issue
        return None

    existing = call(f"looking for the report issue of {wanted} in {repo_name}", find)
    if existing is not None:
        # The issue's public attributes, all in the listing's JSON: reading them costs no request.
        number = int(existing.number)
        if existing.title != title or existing.body != body:
            call(
                f"updating the report issue #{number} in {repo_name}",
                lambda: existing.edit(title=title, body=body),
            )
        return PublishResult("updated", str(existing.html_url or ""), number)
    issue = call(
        f"creating the report issue of {wanted} in {repo_name}",
        lambda: repo.create_issue(title=title, body=body, labels=[REPORT_LABEL]),
        creating=True,
    )
    return PublishResult("created", str(issue.html_url or ""), int(issue.number))


# ---------------------------------------------------------------------------------------------
# Slack

SLACK_TEXT_LIMIT = 2900  # Slack refuses a section text longer than 3,000 characters


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(report: WeeklyReport) -> dict[str, Any]:
    """Slack's incoming-webhook JSON: a header, the glance sentences and the worst overdue."""
    glance = at_a_glance(report)
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": report.title[:150], "emoji": False},
        },
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": _slack_escape(period_sentence(report))}],
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*At a glance*\n"
                + "\n".join(f"• {_slack_escape(line)}" for line in glance),
            },
        },
    ]
    if report.overdue:
        lines = []
        for e in report.overdue[:10]:
            what = _slack_escape(e.text if len(e.text) <= 90 else e.text[:89] + "…")
            if e.ticket and e.ticket_url:
                what = f"<{e.ticket_url}|{_slack_escape(e.ticket)}> {what}"
            lines.append(
                f"• {what}: {_slack_escape(e.owner or 'no owner')}, {e.days_overdue} days late"
            )
        more = report.overdue_count - len(lines)
        if more > 0:
            lines.append(f"…and {more} more.")
        text = f"*Most overdue ({report.overdue_count})*\n" + "\n".join(lines)
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": text[:SLACK_TEXT_LIMIT]}}
        )
    repeats = report.repeats
    if repeats:
        lines = [
            f"• {_slack_escape(r.postmortem_title or r.postmortem_key)} repeats "
            f"{_slack_escape(r.earlier_title or r.earlier_key)}: "
            + (
                "the earlier follow-up was never done"
                if r.kind == "follow_up_never_done"
                else "the fix did not hold"
            )
            for r in repeats[:10]
        ]
        text = "*Repeated causes*\n" + "\n".join(lines)
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": text[:SLACK_TEXT_LIMIT]}}
        )
    blocks.append(
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": "Sent by pmt (`pmt report weekly --post slack`)"}
            ],
        }
    )
    # ``text`` is what notifications and screen readers show.
    return {"text": f"{report.title}: " + " ".join(glance), "blocks": blocks}


def slack_url(secrets: Secrets) -> str:
    """The webhook URL for ``--post slack``; a ConfigError when it is missing or not a URL."""
    url = (secrets.slack_webhook_url or "").strip()
    if not url:
        raise ConfigError(
            "PMT_SLACK_WEBHOOK_URL is not set: give it the URL of a Slack incoming webhook"
        )
    if not url.startswith(("https://", "http://")):
        raise ConfigError("PMT_SLACK_WEBHOOK_URL must be an http(s) URL (a Slack incoming webhook)")
    return url


def post_slack(report: WeeklyReport, secrets: Secrets, *, timeout: float = 15.0) -> None:
    url = slack_url(secrets)
    data = json.dumps(slack_payload(report), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "pmt"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        reason = exc.read(200).decode("utf-8", "replace").strip() or exc.reason
        raise _slack_error(exc.code, str(reason)) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        why = getattr(exc, "reason", None) or exc
        raise TransientError(
            f"could not reach the Slack webhook in PMT_SLACK_WEBHOOK_URL ({why})"
        ) from exc


def _slack_error(status: int, reason: str) -> SyncError:
    hint = {
        400: "Slack did not accept the message",
        403: "the webhook may not post to this channel",
        404: "the webhook does not exist: check PMT_SLACK_WEBHOOK_URL",
        410: "the webhook's channel was archived or the webhook revoked",
    }.get(status, "")
    message = f"Slack refused the report (HTTP {status} {reason})" + (f": {hint}" if hint else "")
    return TransientError(message) if status >= 500 else RequestError(message)
