"""``pmt doctor``: is this set-up usable? Configuration, database and credentials.

Each check returns a ``Check`` instead of raising, so that one run reports every problem. The
checks here read local state only (the configuration, the database, which credentials are in
the environment); each tracker's own check is its backend package's (``sync.registry``), and
asking a tracker whether it accepts the credentials is HTTP, which ``tracker`` never does: the
command runs those probes (each backend's ``registration.probe``, HTTP in ``sync.probe_http``),
and tests pass fakes.
Nothing here may hang: the database is given a short connection timeout.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tracker.errors import PmtError

if TYPE_CHECKING:
    from tracker.config import Secrets, Settings

Status = Literal["ok", "warn", "fail", "skip"]
# Seconds to wait for a database server (and, in the probes, for a tracker) before giving up.
TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    summary: str
    # What to do about it, when there is something to do.
    hint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "summary": self.summary,
            "hint": self.hint,
        }


def check_config(config_file: str | Path | None) -> tuple[Check, Settings | None]:
    from tracker.config import load_settings, locate_config

    try:
        settings = load_settings(config_file)
    except PmtError as exc:
        return Check(
            "configuration", "fail", str(exc), "fix the setting named (pmt config shows them all)"
        ), None
    path, _found = locate_config(config_file)
    where = str(path) if path.exists() else "no pmt.toml: defaults and PMT_* variables"
    return Check("configuration", "ok", f"{where} (project root {settings.project_root})"), settings


def check_database(settings: Settings, timeout: float = TIMEOUT_S) -> Check:
    """Opens the database read-only: a missing SQLite file is reported, never created."""
    from tracker.config_sources import mask_url_password
    from tracker.store import database_url

    url = database_url(settings)
    shown = mask_url_password(url)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        file = Path(url[len("sqlite:///") :].split("?", 1)[0]).expanduser()
        if not file.exists():
            if settings.database_url and not os.path.lexists(file.parent):
                return Check(
                    "database",
                    "fail",
                    f"{shown}: the folder {file.parent} does not exist",
                    "create it, or fix database_url (PMT_DATABASE_URL)",
                )
            return Check("database", "ok", f"{shown}: not created yet (pmt ingest creates it)")
    try:
        revision, postmortems, items = _read_database(url, timeout)
    except PmtError as exc:
        return Check("database", "fail", str(exc))
    except Exception as exc:  # noqa: BLE001 - any driver's error is a finding to report, not a crash
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return Check(
            "database", "fail", f"{shown}: {reason}", "is the server running and the URL right?"
        )
    from tracker.migrations import HEAD

    counts = f"{postmortems} postmortem{'s' if postmortems != 1 else ''}, {items} action item{'s' if items != 1 else ''}"
    if revision is None:
        return Check(
            "database", "ok", f"{shown}: empty (no pmt tables yet; the first command creates them)"
        )
    if revision != HEAD:
        return Check(
            "database",
            "warn",
            f"{shown}: schema {revision}, {counts}",
            f"the next pmt command upgrades the schema to {HEAD}",
        )
    return Check("database", "ok", f"{shown}: schema {revision}, {counts}")


def _read_database(url: str, timeout: float) -> tuple[str | None, int, int]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    from tracker.store import normalise_url

    url = normalise_url(url)
    connect_args: dict[str, Any] = (
        {"timeout": timeout} if url.startswith("sqlite") else {"connect_timeout": int(timeout)}
    )
    try:
        engine = create_engine(url, connect_args=connect_args)
    except ModuleNotFoundError as exc:
        raise PmtError(f"{url}: driver {exc.name} is not installed") from exc
    except Exception as exc:
        raise PmtError(f"cannot use the database URL {url!r}: {exc}") from exc
    try:
        with engine.connect() as conn:
            try:
                revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except SQLAlchemyError:  # no alembic_version table: a database pmt has not set up
                return None, 0, 0
            postmortems = conn.execute(
                text("SELECT count(*) FROM postmortem WHERE removed_at IS NULL")
            ).scalar()
            items = conn.execute(
                text("SELECT count(*) FROM action_item WHERE status != 'removed'")
            ).scalar()
            return (str(revision) if revision else None), int(postmortems or 0), int(items or 0)
    finally:
        engine.dispose()


def not_configured(name: str, default_tracker: str, summary: str, hint: str) -> Check:
    """A tracker with no settings: not a failure (pmt works without a tracker until pmt sync,
    refresh or remind), but a warning for the default tracker, which those commands use."""
    return Check(name, "warn" if name == default_tracker else "skip", summary, hint)


def check_slack(secrets: Secrets) -> Check:
    """Whether the Slack webhook of ``pmt report --post slack`` is in the environment. The
    trackers' checks are their own (``sync.registry.check_credentials``)."""
    if secrets.slack_webhook_url:
        return Check(
            "slack", "ok", "PMT_SLACK_WEBHOOK_URL is set (not contacted: only a real post tests it)"
        )
    return Check("slack", "skip", "PMT_SLACK_WEBHOOK_URL is unset (only --post slack needs it)")
