"""The addresses pmt sends requests to, checked before any client is built.

A malformed address (``htp:/bad url``) must be a configuration error naming the setting (exit
2), not a client library's AttributeError deep in the first request.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tracker.errors import ConfigError


def api_url(value: str | None, setting: str) -> str:
    """``value`` without its trailing slash, when it is an absolute http(s) URL with a host.

    ``setting`` names where it comes from, e.g. ``"[github] api_url (PMT_GITHUB_API_URL)"``.
    """
    text = (value or "").strip()
    problem = _problem(text)
    if problem:
        raise ConfigError(f"{setting} is not a valid http(s) URL ({problem}): {value!r}")
    return text.rstrip("/")


def _problem(text: str) -> str | None:
    if not text:
        return "it is empty"
    if re.search(r"\s", text):
        return "it contains a space"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        return str(exc)
    if parts.scheme.lower() not in ("http", "https"):
        return "it must start with https:// or http://"
    if not parts.hostname:
        return "it names no host"
    if port == 0:
        return "port 0"
    if parts.query or parts.fragment:
        return "it must not have a query or a fragment"
    return None
