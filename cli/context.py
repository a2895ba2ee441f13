"""What every command gets: settings (loaded once, only when asked), the store, today's date.

``store(settings)`` is the one way a command opens the store: opened from the settings,
always closed, and any failure to open it (a ``tracker.errors.StoreError`` or
``ConfigError``) left to reach ``cli.app.PmtGroup``, which prints it in pmt's error style
with its exit code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from tracker.config import Secrets, Settings
    from tracker.store import Store

# Said (after "pmt COMMAND: ") by a command that reads the store before anything was ingested.
EMPTY_STORE = (
    "the store is empty: nothing has been ingested yet. "
    "Ingest your postmortems first, e.g.: pmt ingest postmortems/"
)


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


@contextmanager
def store(settings: Settings) -> Iterator[Store]:
    """The configured store, created or upgraded on first use, closed when the block ends."""
    from tracker.store import open_store

    opened = open_store(settings)
    try:
        yield opened
    finally:
        opened.dispose()


def today(settings: Settings) -> date:
    """Today in the configured time zone (not the machine's)."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(settings.timezone)).date()
