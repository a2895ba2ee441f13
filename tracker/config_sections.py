"""The tables of ``pmt.toml`` (``[github]``, ``[sync]``, ``[serve]``...), one model each, with
their defaults: ``tracker.config.Settings`` holds one of each. ``config.example.toml``
documents every setting; a test keeps the two in step.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator


class _Section(BaseModel):
    # Unknown keys in pmt.toml are refused by _check_keys; here extras are ignored so that
    # PMT_GITHUB_TOKEN and friends (read by Secrets) do not trip the nested env parsing.
    model_config = {"extra": "ignore"}


def web_address(value: str | None) -> str | None:
    """A server's address must be an http(s) URL with a host: a typo is a configuration error
    (exit 2) when pmt starts, not a confusing network error in the middle of a sync."""
    if value is None:
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value.strip())
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not a web address (expected https://host/...)")
    return value.strip()


class ParsingSettings(_Section):
    # How a numeric date whose day and month are both <= 12 (01/02/2026) is read:
    # "mdy" reads it as January 2 (US), "dmy" as 1 February. ISO dates are never ambiguous.
    date_order: Literal["mdy", "dmy"] = "mdy"
    # Files larger than this are refused with a clear error instead of being parsed.
    max_file_bytes: int = 5_000_000


class LintSettings(_Section):
    # Rule names to switch off, e.g. ["action-no-due", "timeline-no-timezone"].
    disable: list[str] = Field(default_factory=list)
    # Section kinds every postmortem must have.
    required_sections: list[str] = Field(
        default_factory=lambda: ["summary", "timeline", "root_cause", "actions"]
    )
    # Globs (relative to the project root) of the files that are postmortems, for
    # `pmt lint --only-postmortems` (the pre-commit hook): other files named are skipped.
    # Empty: every file named is tried, and one that does not read as a postmortem is skipped.
    postmortems: list[str] = Field(default_factory=list)


class DeadlineSettings(_Section):
    """Days from the incident date to the implicit due date of an item without one."""

    P0: int = 7
    P1: int = 28
    P2: int = 56
    P3: int = 90
    P4: int = 90
    # Items with no priority at all.
    default: int = 56


class IngestSettings(_Section):
    # The folder a postmortem's identity (when it has no front-matter id) is its path relative
    # to. A relative root is relative to the project root (the folder of pmt.toml).
    root: str = "."
    include: list[str] = Field(default_factory=lambda: ["**/*.md", "**/*.markdown"])
    exclude: list[str] = Field(
        default_factory=lambda: ["**/README.md", "**/node_modules/**", "**/.git/**", "**/_*.md"]
    )


class GitHubSettings(_Section):
    repo: str | None = None
    api_url: str = "https://api.github.com"
    labels: list[str] = Field(default_factory=lambda: ["postmortem", "action-item"])
    # Label added per priority; "{priority}" is replaced by P0..P4. Empty to add none.
    priority_label: str = "priority:{priority}"
    # Owner as written in the postmortem -> GitHub login (any case, "@" optional).
    owners: dict[str, str] = Field(default_factory=dict)
    # An owner written as a @handle is that GitHub login when `owners` does not name them.
    handles: bool = True
    # Link to the postmortem in each ticket. {path} is the path relative to ingest.root.
    postmortem_url: str = "https://github.com/{repo}/blob/main/{path}"
    milestones: bool = False
    tracking_issue: bool = True
    removed_label: str = "removed-from-postmortem"

    @field_validator("api_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        return web_address(value) or value


class JiraSettings(_Section):
    url: str | None = None
    project: str | None = None
    issue_type: str = "Task"
    # "auto" asks the server (serverInfo.deploymentType); or force "cloud" / "datacenter".
    deployment: Literal["auto", "cloud", "datacenter"] = "auto"
    priorities: dict[str, str] = Field(
        default_factory=lambda: {
            "P0": "Highest",
            "P1": "High",
            "P2": "Medium",
            "P3": "Low",
            "P4": "Lowest",
        }
    )
    # Owner as written -> Jira user: an accountId or an e-mail / name to search (Cloud), a user
    # name (Data Center). Any case, "@" optional (tracker.people).
    owners: dict[str, str] = Field(default_factory=dict)
    labels: list[str] = Field(default_factory=lambda: ["postmortem", "action-item"])
    components: list[str] = Field(default_factory=list)
    # Link type used between each follow-up and the incident ticket named in front matter.
    incident_link_type: str = "Relates"
    close_transition: str = "Done"
    removed_label: str = "removed-from-postmortem"

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        return web_address(value)


class GitLabSettings(_Section):
    # The GitLab server (gitlab.com or a self-managed one) and the project ("group/name") that
    # holds the postmortems, for write-back as a merge request (`pmt sync --write-back=pr` with
    # [sync] pr_host = "gitlab").
    url: str = "https://gitlab.com"
    project: str | None = None

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        return web_address(value) or value


class SyncSettings(_Section):
    tracker: Literal["github", "jira"] = "github"
    # When an item is checked but its ticket is open, or its ticket closed but the box unchecked:
    # "report" only says so; "close_ticket" closes the ticket; "update_box" checks the box.
    on_done_mismatch: Literal["report", "close_ticket", "update_box"] = "report"
    writeback: bool = True
    # Minutes a create whose answer was lost (crash, timeout, 5xx) waits for its ticket to show
    # in the tracker's marker search (search indexes lag) before pmt may create it again.
    search_lag_minutes: int = 10
    # `pmt sync --write-back=pr`: the branch the link changes are committed on (pmt owns it:
    # each run replaces it with one commit on top of the checkout's HEAD), and the GitHub
    # repository of the pull request (default: GITHUB_REPOSITORY, the repository a GitHub
    # Actions workflow runs in, else [github] repo).
    pr_branch: str = "pmt/ticket-links"
    pr_repo: str | None = None
    # Where that pull request is opened: a GitHub pull request, or a GitLab merge request
    # ([gitlab] url and project; the project defaults to CI_PROJECT_PATH in GitLab CI).
    pr_host: Literal["github", "gitlab"] = "github"


class CausesSettings(_Section):
    # Similarity (0..1) above which two root causes count as the same failure mechanism.
    repeat_threshold: float = 0.35
    # Minimum classifier confidence to report a category instead of "unknown"; unset: the
    # threshold stored with the trained model (tracker/causes/data/cause_model.npz).
    min_confidence: float | None = None


class ReportSettings(_Section):
    # Repository for `pmt report weekly --post github` (defaults to github.repo).
    github_repo: str | None = None
    title: str = "Postmortem follow-ups: week {week}"


class RemindSettings(_Section):
    # At most one reminder per ticket per this many days.
    interval_days: int = 7


class ServeSettings(_Section):
    # Where `pmt serve` listens; the default keeps it on this machine (docs/serve.md).
    host: str = "127.0.0.1"
    port: int = 8000
    # A delivery about an older event is refused as stale (401); applied deliveries are kept
    # this long, to recognise a replay. GitHub allows redelivery for three days.
    max_delivery_age_hours: float = 72.0
    # Attempts at applying a delivery (the store or the tracker failing) before it is set aside
    # as failed (shown by /metrics).
    max_attempts: int = 5
    # A header a trusted reverse proxy sets once it has authenticated the user (e.g.
    # "X-Forwarded-User"): the dashboard and the API then require it. Empty: not used. With
    # PMT_SERVE_TOKEN set, a request may show the token instead (Authorization: Bearer ...).
    trusted_header: str = ""
    # On a push to the default branch of the postmortems' repository (GitHub's push webhook),
    # pull the project's checkout (git pull --ff-only) and sync the postmortems the push added
    # or changed, as `pmt sync --no-writeback --yes` would: tickets are made and linked in
    # the store, the Markdown is left as it is. Off: pushes are acknowledged and ignored.
    auto_sync: bool = False
