"""Addresses a report links to: a postmortem's file and an item's ticket.

A postmortem's address comes from ``[github] postmortem_url`` (``{repo}`` and ``{path}``, the
path relative to ``[ingest] root``), as in the tickets ``pmt sync`` writes. A ticket's is the
one pmt recorded when it linked it; for a reference only written in the document, it is made
from the configuration: ``#12`` and ``owner/repo#12`` on GitHub (``[github] repo``, the web
host of ``api_url``), ``OPS-7`` on Jira (``[jira] url``). Without the setting, no link: a
report never links to a guess.
"""

from __future__ import annotations

import os
import re
from pathlib import PurePath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from tracker.config import Settings

_GITHUB_REF = re.compile(r"^(?:(?P<repo>[\w.-]+/[\w.-]+))?#(?P<number>\d+)$")
_JIRA_KEY = re.compile(r"^[A-Z][A-Z0-9_]+-\d+$")


def postmortem_url(path: str, settings: Settings) -> str | None:
    """The postmortem's address from ``[github] postmortem_url``; None when it cannot be filled."""
    template = settings.github.postmortem_url
    if not template or ("{repo}" in template and not settings.github.repo):
        return None
    return template.replace("{repo}", settings.github.repo or "").replace(
        "{path}", relative_to_ingest_root(path, settings)
    )


def relative_to_ingest_root(path: str, settings: Settings) -> str:
    """A stored postmortem path (relative to the project root) made relative to ``[ingest]
    root``, in posix form, as ``postmortem_url``'s ``{path}`` wants it; the path unchanged when
    it is not under that root. The same answer from whatever folder pmt runs in."""
    project = settings.project_root
    root = os.path.abspath(settings.ingest_root(project))
    candidate = os.path.abspath(os.path.join(project, path))
    rel = os.path.relpath(candidate, root) if candidate.startswith(root + os.sep) else path
    return PurePath(rel).as_posix()


def github_web(settings: Settings) -> str:
    """``https://github.com`` for the public API, the Enterprise host for its ``/api/v3``."""
    api = settings.github.api_url.rstrip("/")
    parts = urlsplit(api)
    if parts.hostname == "api.github.com":
        return "https://github.com"
    return f"{parts.scheme}://{parts.netloc}"


def ticket_url(ref: str | None, settings: Settings) -> str | None:
    """The address of a ticket written as ``ref`` (one reference), or None."""
    if not ref:
        return None
    ref = ref.strip()
    if ref.startswith(("https://", "http://")):
        return ref
    gh = _GITHUB_REF.match(ref)
    if gh:
        repo = gh["repo"] or settings.github.repo
        return f"{github_web(settings)}/{repo}/issues/{gh['number']}" if repo else None
    if _JIRA_KEY.match(ref) and settings.jira.url:
        return f"{settings.jira.url.rstrip('/')}/browse/{ref}"
    return None


def first_ref(refs: str | None) -> str | None:
    """An item's ticket field may name several (``OPS-1, OPS-2``): the first is its ticket."""
    if not refs:
        return None
    return refs.split(",")[0].strip() or None
