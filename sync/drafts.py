"""What each ticket should say, built from a stored action item, its postmortem and the settings.

The drafts are tracker-neutral (``TicketDraft``); a backend renders them. Everything that goes
into a draft goes into its fingerprint, so a change here (a new label in the configuration, an
edited root cause) is pushed to the tickets on the next sync.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from sync.base import TicketDraft
from sync.markers import Marker
from tracker.config import Settings
from tracker.reports.links import postmortem_url, relative_to_ingest_root

__all__ = ["TRACKING_UID", "item_draft", "labels_for", "postmortem_url", "tracking_draft"]

# The marker's item part for a postmortem's tracking ticket: not a valid item uid, so it can never
# collide with one.
TRACKING_UID = "~tracking"


class ItemLike(Protocol):
    """The fields of ``tracker.store.tables.ItemRow`` a draft reads."""

    uid: str
    text: str
    owner: str | None
    owner_handle: bool
    due: date | None
    priority: str | None
    kind: str | None
    status: str


class PostmortemLike(Protocol):
    """The fields of ``tracker.store.tables.PostmortemRow`` a draft reads."""

    key: str
    path: str
    title: str | None
    incident_date: date | None
    incident_ticket: str | None
    root_cause: str | None


def item_draft(
    item: ItemLike, postmortem: PostmortemLike, settings: Settings, tracker: str
) -> TicketDraft:
    return TicketDraft(
        marker=Marker(postmortem.key, item.uid),
        text=item.text,
        role="item",
        owner=item.owner,
        owner_handle=item.owner_handle,
        due=item.due,
        priority=item.priority,
        kind=item.kind,
        done=item.status == "done",
        labels=labels_for(settings, tracker, item.priority),
        **_postmortem_fields(postmortem, settings),
    )


def tracking_draft(
    postmortem: PostmortemLike, settings: Settings, tracker: str
) -> TicketDraft | None:
    """The postmortem's tracking ticket, or None when the tracker is configured without one."""
    section = getattr(settings, tracker, None)
    if not getattr(section, "tracking_issue", False):
        return None
    title = postmortem.title or postmortem.key
    return TicketDraft(
        marker=Marker(postmortem.key, TRACKING_UID),
        text=f"Postmortem follow-ups: {title}",
        role="tracking",
        labels=labels_for(settings, tracker, None),
        **_postmortem_fields(postmortem, settings),
    )


def _postmortem_fields(postmortem: PostmortemLike, settings: Settings) -> dict[str, Any]:
    """What every draft of one postmortem says about it."""
    return {
        "postmortem_title": postmortem.title,
        "postmortem_path": relative_to_ingest_root(postmortem.path, settings),
        "postmortem_url": postmortem_url(postmortem.path, settings),
        "incident_date": postmortem.incident_date,
        "incident_ticket": postmortem.incident_ticket,
        "root_cause": postmortem.root_cause,
    }


def labels_for(settings: Settings, tracker: str, priority: str | None) -> tuple[str, ...]:
    """The configured labels, plus the priority label where the tracker has one."""
    section = getattr(settings, tracker, None)
    labels: list[str] = list(getattr(section, "labels", []) or [])
    template = getattr(section, "priority_label", "") or ""
    if priority and template:
        labels.append(template.replace("{priority}", priority))
    # Order kept, duplicates dropped: the fingerprint must not change with a repeated label.
    return tuple(dict.fromkeys(labels))
