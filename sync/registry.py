"""The ticket trackers pmt knows, by name: a new tracker is a package under ``sync/backends/``
with a ``registration`` module, and one line in ``TRACKERS`` below.

A registration module names the tracker (``NAME``, the value stored with each link and accepted
by ``--tracker``), makes its backend from the settings and the environment (``create``, a
ConfigError naming what to set), checks its credentials for ``pmt doctor`` without the network
(``credentials``) and over it (``probe``), and says how its comments are written
(``MARKDOWN``). The CLI, ``pmt doctor``
and ``pmt remind`` read this registry rather than naming trackers.

``BACKENDS`` (name -> factory) is a plain dict that tests replace entries of. Factories import
their client library when called, so that importing the registry (and ``pmt --help``) stays
light.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sync.backends.github import registration as github
from sync.backends.jira import registration as jira
from sync.base import TicketBackend
from tracker.config import Secrets, Settings, SyncSettings
from tracker.doctor import Check
from tracker.errors import ConfigError

BackendFactory = Callable[[Settings, Secrets], TicketBackend]
# ``pmt doctor``'s network check of a tracker; the last argument is an HTTP session (None: a new
# ``requests.Session``; tests pass a fake).
Probe = Callable[[Settings, Secrets, Any], Check]


class Registration(Protocol):
    """What a backend package's ``registration`` module provides."""

    NAME: str
    MARKDOWN: bool

    def create(self, settings: Settings, secrets: Secrets) -> TicketBackend: ...

    def credentials(self, settings: Settings, secrets: Secrets) -> Check: ...

    def probe(self, settings: Settings, secrets: Secrets, session: Any = None) -> Check: ...


# In the order pmt lists them (doctor, help texts).
_MODULES: tuple[Registration, ...] = (github, jira)
TRACKERS: dict[str, Registration] = {module.NAME: module for module in _MODULES}

BACKENDS: dict[str, BackendFactory] = {name: t.create for name, t in TRACKERS.items()}

# "github or jira", and the tracker used when [sync] tracker is not set, for help texts.
NAMES = " or ".join(TRACKERS)
DEFAULT_TRACKER = str(SyncSettings.model_fields["tracker"].default)


def get_backend(name: str, settings: Settings, secrets: Secrets | None = None) -> TicketBackend:
    """The backend called ``name``, configured from settings and environment secrets."""
    factory = BACKENDS.get(name)
    if factory is None:
        known = ", ".join(sorted(BACKENDS))
        raise ConfigError(f"unknown tracker {name!r} (known: {known})")
    return factory(settings, secrets if secrets is not None else Secrets())


def check_credentials(settings: Settings, secrets: Secrets) -> list[Check]:
    """``pmt doctor``'s offline check of each tracker: configured, and credentials set."""
    return [t.credentials(settings, secrets) for t in TRACKERS.values()]


def probes() -> dict[str, Probe]:
    """Each tracker's network probe for ``pmt doctor``, by tracker name (its check's name)."""
    return {name: t.probe for name, t in TRACKERS.items()}


def writes_markdown(name: str) -> bool:
    """Whether the tracker's comments are Markdown with @-mentions (else plain text)."""
    tracker = TRACKERS.get(name)
    return bool(tracker is not None and tracker.MARKDOWN)
