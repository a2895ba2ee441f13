"""python-gitlab's exceptions as pmt's (``sync.base``), secrets redacted: what the engine and
the CLI see of a GitLab failure."""

from __future__ import annotations

from collections.abc import Sequence

import requests
from gitlab.exceptions import GitlabAuthenticationError, GitlabError

from sync.base import (
    AuthError,
    NotFoundError,
    RequestError,
    SyncError,
    TransientError,
    UnreachableError,
)
from sync.redact import redact


def translate(exc: Exception, what: str, secrets: Sequence[str]) -> SyncError:
    """One failure of ``what`` ("opening the merge request of pmt/ticket-links") as pmt's."""
    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        return UnreachableError(redact(f"GitLab could not be reached while {what}: {exc}", secrets))
    status = getattr(exc, "response_code", None) if isinstance(exc, GitlabError) else None
    message = getattr(exc, "error_message", None) or str(exc)
    said = redact(f"GitLab answered {status} while {what}: {message}", secrets)
    if isinstance(exc, GitlabAuthenticationError) or status in (401, 403):
        return AuthError(said + " (check PMT_GITLAB_TOKEN and its scopes: api)")
    if status == 404:
        return NotFoundError(said + " (check [gitlab] url and project)")
    if status is not None and status >= 500:
        return TransientError(said)
    return RequestError(said)
