"""The HTTP of ``pmt doctor``'s network probes (each backend's ``registration.probe``).

Like ``gh auth status``: one authenticated read per tracker (who am I), then one read of the
configured repository or project. Each request has a short timeout, so that a firewall that
drops packets costs seconds, not minutes. The HTTP session is a parameter: tests pass a fake
and never touch the network. ``requests`` is imported only when a probe runs.

A probe reads with ``probe_get``, which raises ``ProbeFailed`` (the failed check's summary and
hint) for an answer it cannot use; ``failed_check`` turns that into the check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tracker.doctor import TIMEOUT_S, Check

# A status other than 200 as a failure's (summary, hint); None: "<url> answered HTTP <status>".
Refusal = Callable[[int], tuple[str, str | None] | None]


class ProbeFailed(Exception):
    """A probe's read failed: the check fails with this summary and hint."""

    def __init__(self, summary: str, hint: str | None = None) -> None:
        super().__init__(summary)
        self.summary = summary
        self.hint = hint

    def check(self, name: str) -> Check:
        return Check(name, "fail", self.summary, self.hint)


def http_session(session: Any) -> Any:
    """``session``, else a new ``requests.Session``."""
    if session is not None:
        return session
    import requests

    return requests.Session()


def probe_get(
    session: Any,
    url: str,
    what: str,
    *,
    unreachable: str | None = None,
    refusal: Refusal | None = None,
    **kwargs: Any,
) -> Any:
    """The answer (HTTP 200) to a GET of ``url``; ``ProbeFailed`` when there is none (named by
    ``what``, with the hint ``unreachable``) or it is another status (``refusal`` says why)."""
    import requests

    try:
        response = session.get(url, timeout=(TIMEOUT_S, TIMEOUT_S), **kwargs)
    except requests.Timeout:
        raise ProbeFailed(f"{what}: no answer within {TIMEOUT_S:g} s", unreachable) from None
    except requests.RequestException as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ProbeFailed(f"{what}: cannot connect ({reason[:160]})", unreachable) from None
    status = response.status_code
    if status != 200:
        why = refusal(status) if refusal is not None else None
        raise ProbeFailed(*(why or (f"{url} answered HTTP {status}", None)))
    return response
