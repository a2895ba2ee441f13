"""Jira issue keys and addresses: what a postmortem may write, and the link pmt writes back. Pure."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

KEY = re.compile(r"^[A-Z][A-Z0-9_]+-[1-9][0-9]*$")
KEY_IN_TEXT = re.compile(r"[A-Z][A-Z0-9_]+-[1-9][0-9]*")
_MD_LINK = re.compile(r"^\[[^\]]*\]\((?P<url>[^)\s]+)\)$")


def parse_ref(ref: str, base_url: str) -> str | None:
    """The key of ``ref`` ("OPS-12", a browse, project-issue or board URL of this site, context
    path included, or a Markdown link to one), or None when it is not this site's."""
    ref = ref.strip()
    link = _MD_LINK.match(ref)
    if link:
        ref = link["url"]
    if KEY.match(ref):
        return ref
    parts = urlsplit(ref)
    base = urlsplit(base_url)
    if not parts.scheme or parts.netloc.lower() != base.netloc.lower():
        return None
    path = parts.path
    prefix = base.path.rstrip("/")
    if prefix and not path.startswith(prefix + "/"):
        return None
    path = path[len(prefix) :]
    for pattern in (
        r"^/browse/(?P<key>[^/]+)/?$",
        r"^/projects/[^/]+/issues/(?P<key>[^/]+)/?$",
    ):
        match = re.match(pattern, path)
        if match and KEY.match(match["key"]):
            return match["key"]
    selected = re.search(r"(?:^|&)selectedIssue=(?P<key>[^&]+)", parts.query)
    if selected and KEY.match(selected["key"]):
        return selected["key"]
    return None
