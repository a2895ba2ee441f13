"""Jira issue JSON as pmt's ``RemoteTicket``, with the marker read back. Pure.

Every ticket pmt creates carries its marker three ways, all in the create request itself: the
labels ``pmt-<16 hex>`` (the item) and ``pmt-pm-<10 hex>`` (the postmortem), the issue property
``pmt.marker``, and the marker line at the end of the description. Any of them finds an orphan
again, on Cloud and on Data Center: the property when the search returns it, else the
description (read in every listing), and the item label alone is enough for the plan (it is the
item's token: ``sync.plan`` matches it to the item). A marker whose token does not match, or on a
ticket that no longer carries its item label (removed on purpose), is ignored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sync.backends.jira import text as jira_text
from sync.base import RemoteTicket, TicketState
from sync.markers import Marker, read_marker

MARKER_PROPERTY = "pmt.marker"
SEARCH_FIELDS = (
    "summary",
    "status",
    "resolution",
    "resolutiondate",
    "assignee",
    "updated",
    "labels",
    # The marker line, for a search that does not return the issue property.
    "description",
)
STATE_BY_CATEGORY: dict[str, TicketState] = {
    "new": "open",
    "indeterminate": "in_progress",
    "done": "closed",
}


def ticket(raw: dict[str, Any], url: str, cloud: bool) -> RemoteTicket:
    key = str(raw["key"])
    fields = raw.get("fields") or {}
    category = (((fields.get("status") or {}).get("statusCategory")) or {}).get("key")
    state: TicketState = STATE_BY_CATEGORY.get(str(category), "open")
    resolution = fields.get("resolution") or {}
    assignee = fields.get("assignee") or {}
    labels = tuple(str(x) for x in fields.get("labels") or ())
    who = None
    if assignee:
        who = (
            assignee.get("displayName")
            if cloud
            else assignee.get("name") or assignee.get("displayName")
        )
    return RemoteTicket(
        key=key,
        url=url,
        title=str(fields.get("summary") or ""),
        state=state,
        state_reason=resolution.get("name") if resolution else None,
        assignee=who,
        closed_at=parse_time(fields.get("resolutiondate")) if state == "closed" else None,
        updated_at=parse_time(fields.get("updated")),
        marker=marker_of(raw, labels),
        labels=labels,
    )


def marker_value(marker: Marker) -> dict[str, str]:
    return {"token": marker.token, "postmortem": marker.postmortem_key, "item": marker.item_uid}


def marker_of(raw: dict[str, Any], labels: tuple[str, ...]) -> Marker | None:
    """The marker in the ``pmt.marker`` property, else in the description; ignored when tampered
    (token mismatch) or when the ticket no longer carries its label (removed on purpose)."""
    marker = _from_property((raw.get("properties") or {}).get(MARKER_PROPERTY))
    if marker is None:
        description = (raw.get("fields") or {}).get("description")
        text = jira_text.adf_text(description) if isinstance(description, dict) else description
        marker = read_marker(text if isinstance(text, str) else None)
    if marker is None or marker.token not in labels:
        return None
    return marker


def _from_property(value: Any) -> Marker | None:
    if not isinstance(value, dict) or "postmortem" not in value or "item" not in value:
        return None
    marker = Marker(str(value["postmortem"]), str(value["item"]))
    return marker if value.get("token") == marker.token else None


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
