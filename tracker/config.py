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
from typing import Any, ClassVar

from pydantic import BaseModel, Field, PrivateAttr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from tracker import paths
from tracker.config_sections import (
    CausesSettings,
    DeadlineSettings,
    GitHubSettings,
    GitLabSettings,
    IngestSettings,
    JiraSettings,
    LintSettings,
    ParsingSettings,
    RemindSettings,
    ReportSettings,
    ServeSettings,
    SyncSettings,
)
from tracker.errors import ConfigError

DEFAULT_CONFIG_FILE = paths.CONFIG_NAME


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
    gitlab: GitLabSettings = GitLabSettings()
    causes: CausesSettings = CausesSettings()
    report: ReportSettings = ReportSettings()
    remind: RemindSettings = RemindSettings()
    serve: ServeSettings = ServeSettings()
    # Team -> its members, written as owners are ("@lena", "Lena"): `pmt serve`'s dashboard
    # counts overdue items by team too. Empty: by owner only.
    teams: dict[str, list[str]] = Field(default_factory=dict)

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
    # A GitLab token that can push and open merge requests (write-back as a merge request).
    gitlab_token: str | None = Field(default=None, validation_alias="PMT_GITLAB_TOKEN")
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
    ("gitlab", "token"),
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


__all__ = [
    "DEFAULT_CONFIG_FILE",
    "CausesSettings",
    "DeadlineSettings",
    "GitHubSettings",
    "GitLabSettings",
    "IngestSettings",
    "JiraSettings",
    "LintSettings",
    "ParsingSettings",
    "RemindSettings",
    "ReportSettings",
    "Secrets",
    "ServeSettings",
    "Settings",
    "SyncSettings",
    "credential_variables",
    "load_settings",
    "locate_config",
    "read_config_file",
]
