"""``pmt doctor``'s network probes: does the tracker answer, and accept the credentials?

Each tracker's probe is its registration's (``sync.backends.<name>.registration.probe``, over
``sync.probe_http``); ``PROBES`` is read from the registry. The names ``github`` and ``jira``
stay importable from here.
"""

from __future__ import annotations

from sync.backends.github.registration import probe as github
from sync.backends.jira.registration import probe as jira
from sync.registry import Probe, probes

# The probes ``pmt doctor`` runs, by check name (tests replace them with fakes).
PROBES: dict[str, Probe] = probes()

__all__ = ["PROBES", "Probe", "github", "jira"]
