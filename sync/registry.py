"""The ticket trackers pmt knows, by name: a new tracker is a package under ``sync/backends/``
with a ``registration`` module, and one line in ``TRACKERS`` below.

A registration module names the tracker (``NAME``, the value stored with each link and accepted
by ``--tracker``), makes its backend from the settings and the environment (``create``, a
ConfigError naming what to set; ``MissingCredentials`` when only the credentials are missing) or
without credentials for a dry run (``without_credentials``, see ``sync.store_only``), checks its credentials for ``pmt doctor`` without the network
(``credentials``) and over it (``probe``), says how its comments are written
(``MARKDOWN``) and how its webhook deliveries are read (``webhooks``, for ``pmt serve``). The CLI, ``pmt doctor``
and ``pmt remind`` read this registry rather than naming trackers.

``BACKENDS`` (name -> factory) is a plain dict that tests replace entries of. Factories import
their client library when called, so that importing the registry (and ``pmt --help``) stays
light.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from sync.backends.github import registration as github
from sync.backends.jira import registration as jira
from sync.base import TicketBackend
from sync.store_only import MissingCredentials, StoreOnlyBackend
from tracker.errors import ConfigError

if TYPE_CHECKING:  # pydantic-settings is not imported by ``pmt --help`` (bench/help_bench.py)
    from sync.proposals import Proposer
    from sync.webhooks import Receiver
    from tracker.config import Secrets, Settings
    from tracker.doctor import Check

BackendFactory = Callable[["Settings", "Secrets"], TicketBackend]
# ``pmt doctor``'s network check of a tracker; the last argument is an HTTP session (None: a new
# ``requests.Session``; tests pass a fake).
Probe = Callable[["Settings", "Secrets", Any], "Check"]


class Registration(Protocol):
    """What a backend package's ``registration`` module provides."""

    NAME: str
    MARKDOWN: bool

    def create(self, settings: Settings, secrets: Secrets) -> TicketBackend: ...

    def without_credentials(self, settings: Settings) -> TicketBackend: ...

    def credentials(self, settings: Settings, secrets: Secrets) -> Check: ...

    def probe(self, settings: Settings, secrets: Secrets, session: Any = None) -> Check: ...

    def webhooks(self) -> Receiver: ...


# In the order pmt lists them (doctor, help texts).
_MODULES: tuple[Registration, ...] = (github, jira)
TRACKERS: dict[str, Registration] = {module.NAME: module for module in _MODULES}

BACKENDS: dict[str, BackendFactory] = {name: t.create for name, t in TRACKERS.items()}


def _gitlab_proposer(settings: Settings, secrets: Secrets) -> Proposer:
    from sync.backends.gitlab.merge_requests import proposer  # python-gitlab, when asked

    return proposer(settings, secrets)


# Where write-back as a pull request opens it (``sync.proposals``), by code host (``[sync]
# pr_host``); tests replace entries.
PROPOSERS: dict[str, Callable[[Settings, Secrets], Proposer]] = {
    "github": github.proposer,
    "gitlab": _gitlab_proposer,
}

# "github or jira", and the tracker used when [sync] tracker is not set (the first registered:
# ``[sync] tracker``'s default, which tests/test_architecture.py checks), for help texts.
NAMES = " or ".join(TRACKERS)
DEFAULT_TRACKER = _MODULES[0].NAME


def get_backend(
    name: str,
    settings: Settings,
    secrets: Secrets | None = None,
    *,
    allow_store_only: bool = False,
) -> TicketBackend:
    """The backend called ``name``, configured from settings and environment secrets.

    When only the credentials are missing this is a ConfigError, unless ``allow_store_only``
    (``pmt sync --dry-run``): then a ``StoreOnlyBackend``, which plans from the store and never
    asks the tracker. Other configuration errors stay errors.
    """
    factory = BACKENDS.get(name)
    if factory is None:
        known = ", ".join(sorted(BACKENDS))
        raise ConfigError(f"unknown tracker {name!r} (known: {known})")
    try:
        if secrets is None:
            from tracker.config import Secrets

            secrets = Secrets()
        return factory(settings, secrets)
    except MissingCredentials as missing:
        if not allow_store_only:
            raise
        return StoreOnlyBackend(TRACKERS[name].without_credentials(settings), missing.reason)


def check_credentials(settings: Settings, secrets: Secrets) -> list[Check]:
    """``pmt doctor``'s offline check of each tracker: configured, and credentials set."""
    return [t.credentials(settings, secrets) for t in TRACKERS.values()]


def probes() -> dict[str, Probe]:
    """Each tracker's network probe for ``pmt doctor``, by tracker name (its check's name)."""
    return {name: t.probe for name, t in TRACKERS.items()}


def receivers() -> dict[str, Receiver]:
    """Each tracker's reader of webhook deliveries (``pmt serve``), by tracker name."""
    return {name: t.webhooks() for name, t in TRACKERS.items()}


def writes_markdown(name: str) -> bool:
    """Whether the tracker's comments are Markdown with @-mentions (else plain text)."""
    tracker = TRACKERS.get(name)
    return bool(tracker is not None and tracker.MARKDOWN)
