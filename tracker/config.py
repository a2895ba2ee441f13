"""Settings: ``pmt.toml`` (or ``--config FILE``), overridden by ``PMT_*`` environment variables.

``pmt.toml`` is looked for in the current folder and its parents, up to the git repository's
root (``tracker.paths``); its folder is the project root, which stored postmortem paths, a
relative ``[ingest] root`` and a relative SQLite path are relative to.

Nested tables map to variables with one underscore after the table name:
``[github] api_url`` is ``PMT_GITHUB_API_URL``. Secrets (tokens, webhook URLs) are read from
the environment only, never from a file that might be committed: see ``Secrets``.
``config.example.toml`` documents every setting; a test keeps the two in step.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, PrivateAttr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from tracker import paths
from tracker.errors import ConfigError

DEFAULT_CONFIG_FILE = paths.CONFIG_NAME


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


class SyncSettings(_Section):
    tracker: Literal["github", "jira"] = "github"
    # When an item is checked but its ticket is open, or its ticket closed but the box unchecked:
    # "report" only says so; "close_ticket" closes the ticket; "update_box" checks the box.
    on_done_mismatch: Literal["report", "close_ticket", "update_box"] = "report"
    writeback: bool = True
    # Minutes a create whose answer was lost (crash, timeout, 5xx) waits for its ticket to show
    # in the tracker's marker search (search indexes lag) before pmt may create it again.
    search_lag_minutes: int = 10


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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PMT_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="ignore",
    )

    # IANA zone used for "today", for times written without a zone, and for reports.
    timezone: str = "UTC"
    # SQLAlchemy URL. Empty: a SQLite file in the platform's user data directory.
    database_url: str | None = None
    parsing: ParsingSettings = ParsingSettings()
    lint: LintSettings = LintSettings()
    deadlines: DeadlineSettings = DeadlineSettings()
    ingest: IngestSettings = IngestSettings()
    sync: SyncSettings = SyncSettings()
    github: GitHubSettings = GitHubSettings()
    jira: JiraSettings = JiraSettings()
    causes: CausesSettings = CausesSettings()
    report: ReportSettings = ReportSettings()
    remind: RemindSettings = RemindSettings()
    serve: ServeSettings = ServeSettings()

    # The folder of the pmt.toml found by walking up; None: not found (see ``project_root``).
    _project_root: str | None = PrivateAttr(default=None)

    @property
    def project_root(self) -> str:
        """The folder stored paths are relative to: pmt.toml's, else the git repository's root
        holding the current folder, else the current folder (``tracker.paths``)."""
        if self._project_root is not None:
            return self._project_root
        return str(paths.default_root())

    def ingest_root(self, project_root: str | None = None) -> str:
        """``[ingest] root`` as an absolute path (a relative one is under the project root)."""
        base = project_root if project_root is not None else self.project_root
        return os.path.normpath(os.path.join(base, self.ingest.root))

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Europe/Paris)"
            ) from exc
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment first (it wins), then what load_settings read from the TOML file (init).
        return (env_settings, init_settings)


class Secrets(BaseSettings):
    """Credentials: environment only (no env file, no secrets folder is configured), each from
    the variable its field's alias names (the one definition of those names:
    ``credential_variables``)."""

    model_config = SettingsConfigDict(extra="ignore")

    github_token: str | None = Field(default=None, validation_alias="PMT_GITHUB_TOKEN")
    jira_email: str | None = Field(default=None, validation_alias="PMT_JIRA_EMAIL")
    jira_token: str | None = Field(default=None, validation_alias="PMT_JIRA_TOKEN")
    slack_webhook_url: str | None = Field(default=None, validation_alias="PMT_SLACK_WEBHOOK_URL")
    # The secrets `pmt serve` checks webhook deliveries' signatures with, and the token the
    # dashboard and API accept (Authorization: Bearer ...).
    github_webhook_secret: str | None = Field(
        default=None, validation_alias="PMT_GITHUB_WEBHOOK_SECRET"
    )
    jira_webhook_secret: str | None = Field(
        default=None, validation_alias="PMT_JIRA_WEBHOOK_SECRET"
    )
    serve_token: str | None = Field(default=None, validation_alias="PMT_SERVE_TOKEN")
    # A field's second variable, read when its own is unset or empty (GitHub Actions' token).
    FALLBACKS: ClassVar[dict[str, str]] = {"github_token": "GITHUB_TOKEN"}
    # Fields naming a user, not secrets (Jira Cloud's Basic auth e-mail): shown as they are.
    USERS: ClassVar[frozenset[str]] = frozenset({"jira_email"})

    def github(self) -> str | None:
        return self.github_token or os.environ.get(self.FALLBACKS["github_token"]) or None


def credential_variables(*, users: bool | None = None) -> tuple[str, ...]:
    """The variables ``Secrets`` reads, in field order (a fallback after its field's): those
    naming a user only (``users=True``), the secrets only (``False``), or all (None)."""
    found: list[str] = []
    for name, info in Secrets.model_fields.items():
        if users is None or (name in Secrets.USERS) == users:
            found.append(str(info.validation_alias))
            if name in Secrets.FALLBACKS:
                found.append(Secrets.FALLBACKS[name])
    return tuple(found)


_SECRET_KEYS = {
    ("github", "token"),
    ("jira", "token"),
    ("jira", "password"),
    ("slack", "webhook_url"),
    ("github", "webhook_secret"),
    ("jira", "webhook_secret"),
    ("serve", "token"),
}


def locate_config(config_file: str | Path | None = None) -> tuple[Path, Path | None]:
    """The file to read (it may not exist) and the ``pmt.toml`` found by walking up (None when
    ``config_file`` is given or none was found)."""
    found = None if config_file is not None else paths.find_config()
    if config_file is not None:
        return Path(config_file), None
    if found is not None:
        # Named in messages as from the current folder: "pmt.toml" at the project root.
        return Path(os.path.relpath(found)), found
    return Path(DEFAULT_CONFIG_FILE), None


def read_config_file(path: Path) -> dict[str, Any]:
    """The TOML of ``path`` ({} when there is no such file)."""
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def load_settings(config_file: str | Path | None = None) -> Settings:
    """Read ``config_file`` (default: the ``pmt.toml`` found from the current folder up, when
    there is one) and the environment."""
    explicit = config_file is not None
    path, found = locate_config(config_file)
    data: dict[str, Any] = {}
    if path.exists():
        data = read_config_file(path)
        for table, key in _SECRET_KEYS:
            if key in (data.get(table) or {}):
                raise ConfigError(
                    f"{path}: [{table}] {key} must not be in a file; "
                    f"set PMT_{table.upper()}_{key.upper()} in the environment instead"
                )
        _check_keys(path, data)
    elif explicit:
        raise ConfigError(f"{path}: configuration file not found")
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        # Name where the bad value came from: its PMT_* variable when one is set (it wins over
        # the file), else the file.
        variables = {
            ".".join(str(p) for p in e["loc"][:2]): _variable(e["loc"]) for e in exc.errors()
        }
        from_env = [v for v in variables.values() if v in {k.upper() for k in os.environ}]
        source = from_env[0] if from_env else (str(path) if path.exists() else "PMT_* environment")
        raise ConfigError(f"{source}: {_describe(exc)}") from exc
    if found is not None:
        settings._project_root = str(found.parent)
    return settings


def _check_keys(path: Path, data: dict[str, Any]) -> None:
    """Refuse unknown tables and keys: a typo in pmt.toml must not be silently ignored."""
    for key, value in data.items():
        field = Settings.model_fields.get(key)
        if field is None:
            raise ConfigError(f"{path}: unknown setting {key!r}")
        section = field.annotation
        if isinstance(section, type) and issubclass(section, BaseModel):
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: [{key}] must be a table")
            for sub in value:
                if sub not in section.model_fields:
                    raise ConfigError(f"{path}: unknown setting {key}.{sub}")


def _variable(loc: tuple[Any, ...]) -> str:
    """The PMT_* variable of a setting: ``("github", "api_url")`` -> ``PMT_GITHUB_API_URL``."""
    return "PMT_" + "_".join(str(p) for p in loc[:2]).upper()


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)
