"""Where each effective setting came from: ``pmt config``.

A setting is the file's (``pmt.toml`` or ``--config``), a ``PMT_*`` variable's (which wins), or
the default. Secrets are read from the environment only and are never shown: a token is
described by its length, a webhook URL by its host.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from tracker.config import (
    Settings,
    credential_variables,
    load_settings,
    locate_config,
    read_config_file,
)

# The environment variables holding credentials (``tracker.config.Secrets``).
SECRET_VARIABLES = credential_variables()
# Not a secret, but personal: shown as set.
_SHOWN_PLAIN = set(credential_variables(users=True))
_PASSWORD = re.compile(r"(?P<head>://[^/:@]+:)(?P<password>[^@/]+)(?P<tail>@)")


@dataclass(frozen=True)
class Source:
    key: str  # "timezone", "github.repo", or a variable name for a secret
    value: str  # as shown: JSON for lists and tables, masked for secrets
    source: str  # "default" | "file" | "env" | "unset"
    origin: str | None = None  # the file or the variable

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "value": self.value, "source": self.source, "origin": self.origin}


@dataclass(frozen=True)
class Effective:
    file: str | None  # the configuration file read, None when there is none
    project_root: str
    settings: list[Source] = field(default_factory=list)
    secrets: list[Source] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "project_root": self.project_root,
            "settings": [s.to_dict() for s in self.settings],
            "secrets": [s.to_dict() for s in self.secrets],
        }


def effective(
    config_file: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Effective:
    """Every setting with its value and source, and which secrets are set (masked)."""
    env = {k.upper(): v for k, v in (os.environ if environ is None else environ).items()}
    settings = load_settings(config_file)
    path, _found = locate_config(config_file)
    data = read_config_file(path) if path.exists() else {}
    rows: list[Source] = []
    for name, info in Settings.model_fields.items():
        section = info.annotation
        if isinstance(section, type) and issubclass(section, BaseModel):
            values = getattr(settings, name)
            for sub in section.model_fields:
                variable = f"PMT_{name}_{sub}".upper()
                in_file = sub in (data.get(name) or {})
                rows.append(
                    _row(f"{name}.{sub}", getattr(values, sub), variable, env, in_file, path)
                )
        else:
            variable = f"PMT_{name}".upper()
            rows.append(_row(name, getattr(settings, name), variable, env, name in data, path))
    return Effective(
        file=str(path) if path.exists() else None,
        project_root=settings.project_root,
        settings=rows,
        secrets=[_secret(name, env) for name in SECRET_VARIABLES],
    )


def _row(
    key: str, value: Any, variable: str, env: Mapping[str, str], in_file: bool, path: Path
) -> Source:
    shown = shown_value(value)
    if key == "database_url" and value:
        shown = mask_url_password(str(value))
    if variable in env:
        return Source(key, shown, "env", variable)
    if in_file:
        return Source(key, shown, "file", str(path))
    return Source(key, shown, "default")


def shown_value(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _secret(name: str, env: Mapping[str, str]) -> Source:
    value = env.get(name)
    if not value:
        return Source(name, "(unset)", "unset")
    shown = value if name in _SHOWN_PLAIN else mask(value)
    return Source(name, shown, "env", name)


def mask(secret: str) -> str:
    """A secret as it may be printed: its kind and length, never its characters."""
    if "://" in secret:
        scheme, _, rest = secret.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}/****"
    return f"**** ({len(secret)} characters)"


def mask_url_password(url: str) -> str:
    """``postgresql://pmt:s3cret@db/pmt`` as ``postgresql://pmt:****@db/pmt``."""
    return _PASSWORD.sub(lambda m: f"{m['head']}****{m['tail']}", url)
