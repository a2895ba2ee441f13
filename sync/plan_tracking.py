"""A postmortem's tracking ticket in a sync plan: planned before its items, and the ``attach``
of its children after them (GitHub's tracking issue with its items as sub-issues).

Part of the planner (``sync.plan`` calls these; the rules for action items are there). Pure, as
the planner is: plain values in, actions out. ``adopt`` is shared by both: a ticket carrying a
marker that no local link records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from sync.base import RemoteTicket, TicketDraft
from sync.plan_model import Action, PlanInput, split_tracking_hash, tracking_hash


def adopt(base: Action, orphan: RemoteTicket, draft: TicketDraft | None, detail: str) -> Action:
    """Adopt ``orphan``: a ticket with this marker that no local link records."""
    return replace(
        base,
        kind="adopt",
        key=orphan.key,
        url=orphan.url,
        draft=draft,
        remote=orphan,
        detail=detail,
    )


def plan_tracking(
    data: PlanInput,
    remote_by_uid: Mapping[str, RemoteTicket],
    children: Sequence[tuple[str, str | None]],
) -> list[Action]:
    """The tracking ticket's action: ``update``/``unchanged`` when linked, else ``adopt`` or
    ``create`` once the postmortem has items to track; none without a tracking draft."""
    draft = data.tracking_draft
    if draft is None:
        return []
    link = data.tracking_link
    text = draft.text
    base = Action(kind="unchanged", uid=None, text=text)
    if link is not None:
        linked = replace(
            base, key=link.key, url=link.url, synced_hash=link.synced_hash, detail="tracking ticket"
        )
        body, _ = split_tracking_hash(link.synced_hash)
        if body != draft.fingerprint():
            return [replace(linked, kind="update", draft=draft)]
        return [linked]
    if not children:
        return []
    orphan = remote_by_uid.get(draft.marker.item_uid)
    if orphan is not None:
        detail = "tracking ticket made by a run that stopped before recording it"
        return [adopt(base, orphan, draft, detail)]
    return [replace(base, kind="create", draft=draft, detail="tracking ticket")]


def plan_attach(data: PlanInput, children: Sequence[tuple[str, str | None]]) -> Action | None:
    """``attach`` the item tickets (``children``: item uid, ticket key or None for one created
    this run) to the tracking ticket, unless they are attached already."""
    draft = data.tracking_draft
    if draft is None or not children:
        return None
    link = data.tracking_link
    keys = [key for _, key in children]
    if link is not None and None not in keys:
        _, attached = split_tracking_hash(link.synced_hash)
        expected = split_tracking_hash(tracking_hash(draft.fingerprint(), [k for k in keys if k]))[
            1
        ]
        if attached == expected:
            return None
    return Action(
        kind="attach",
        uid=None,
        text=draft.text,
        key=link.key if link else None,
        url=link.url if link else None,
        draft=draft,
        synced_hash=link.synced_hash if link else None,
        children=tuple(uid for uid, _ in children),
        detail=f"attach {len(children)} item ticket(s) to the tracking ticket",
    )
