"""What every command gets from the root callback: settings, loaded once and only when asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from tracker.config import Secrets, Settings


@dataclass
class AppContext:
    config_file: Path | None = None
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from tracker.config import load_settings

            self._settings = load_settings(self.config_file)
        return self._settings

    @property
    def secrets(self) -> Secrets:
        from tracker.config import Secrets

        return Secrets()


def app_context(ctx: typer.Context) -> AppContext:
    obj = ctx.find_object(AppContext)
    if obj is None:  # a command invoked without the root callback (some tests do)
        obj = AppContext()
        ctx.obj = obj
    return obj
