"""JQL searches, paged the way each deployment pages them.

- **Cloud** searches with ``GET /rest/api/3/search/jql``, paging with ``nextPageToken`` (the old
  ``/search`` answers 410 Gone on Cloud).
- **Data Center** uses ``GET /rest/api/2/search`` with ``startAt`` paging and
  ``validateQuery=false`` (a key that does not exist is a warning, not a 400).

Every search asks for the fields of ``tickets.SEARCH_FIELDS`` (the description included: it
holds the marker line) and the ``pmt.marker`` property.
"""

from __future__ import annotations

from typing import Any, Protocol

from sync.backends.jira import text as jira_text
from sync.backends.jira.references import KEY_IN_TEXT
from sync.backends.jira.tickets import MARKER_PROPERTY, SEARCH_FIELDS
from sync.base import RequestError

PAGE_SIZE = 100  # search page size, and keys per ``key in (…)`` batch
MAX_PAGES = 1000  # a server that never stops paging must not hang a run


class Get(Protocol):
    # One GET of the REST API (``path`` after /rest/api/N/); its JSON, or a SyncError.
    def __call__(self, path: str, *, what: str, params: dict[str, Any]) -> Any: ...


def search(get: Get, cloud: bool, jql: str, *, what: str) -> list[dict[str, Any]]:
    """Every issue ``jql`` finds, page after page."""
    issues: list[dict[str, Any]] = []
    params: dict[str, Any] = {
        "jql": jql,
        "maxResults": PAGE_SIZE,
        "fields": ",".join(SEARCH_FIELDS),
        "properties": MARKER_PROPERTY,
    }
    if cloud:
        for _ in range(MAX_PAGES):
            page = get("search/jql", what=what, params=dict(params)) or {}
            issues.extend(page.get("issues") or [])
            token = page.get("nextPageToken")
            if not token or page.get("isLast"):
                break
            params["nextPageToken"] = token
        return issues
    # "false" (not "true") validates loosely, and the word is in the API's enum.
    params["validateQuery"] = "false"
    params["startAt"] = 0
    for _ in range(MAX_PAGES):
        page = get("search", what=what, params=dict(params)) or {}
        got = page.get("issues") or []
        issues.extend(got)
        params["startAt"] += len(got)
        if not got or params["startAt"] >= int(page.get("total") or 0):
            break
    return issues


def search_keys(get: Get, cloud: bool, batch: list[str]) -> list[dict[str, Any]]:
    """``key in (…)``; keys Jira says do not exist (deleted, moved, or not visible to us) are
    dropped and the query asked again, once: only what exists is returned."""
    try:
        return search(
            get, cloud, f"key in {jira_text.jql_list(batch)}", what=f"read {len(batch)} tickets"
        )
    except RequestError as exc:
        missing = {k for k in KEY_IN_TEXT.findall(str(exc)) if k in batch}
        rest = [k for k in batch if k not in missing]
        if not missing:
            raise
        if not rest:
            return []
        return search(
            get, cloud, f"key in {jira_text.jql_list(rest)}", what=f"read {len(rest)} tickets"
        )
