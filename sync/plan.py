"""Planning a sync: what each action item of one postmortem needs, decided before anything is sent.

Pure: the inputs are plain values (the items as stored, the local links, the remote state read
in bulk and the drafts), the output is a ``Plan``. Nothing here talks to a tracker, the database
or the file system, so every rule is a row in a table-driven test and ``pmt sync --dry-run``
shows exactly what ``sync.apply`` will then do.

Rules per item (first match wins):

- removed from the document: ``removed`` once (a comment and a label), if it has a ticket;
- linked already: ``update`` when the draft's fingerprint differs from the one last pushed,
  else ``unchanged``. A ticket pmt did not create (linked from a reference in the document) is
  never rewritten: its ``synced_hash`` is ``None``;
- carries a reference to a ticket of this tracker: ``link_existing`` (never a second ticket);
- carries a reference to another tracker's ticket: ``skip`` (it is tracked elsewhere);
- a ticket with this item's marker exists remotely but no local link: ``adopt`` (a previous
  run created it and crashed before recording it). The marker is whatever the backend read
  back (GitHub's body line; Jira's issue property or description line), or the item's own
  token among the ticket's labels (Jira's ``pmt-<hex>`` label, present in every listing);
  the local link, when there is one, always wins;
- a previous run sent this item's create and lost the answer (a crash, a timeout, a 5xx), and
  the marker search does not show the ticket yet: ``skip`` until ``PlanInput.unconfirmed`` says
  (search indexes lag: a ticket made a moment ago may not be found yet, and creating it again
  would make a duplicate);
- checked as done and never ticketed: ``skip``;
- otherwise ``create``.

A plan from the store only (``PlanInput.checked`` false: the tracker was not asked) follows the
same rules with no remote state: a linked item is ``update`` or ``unchanged`` ("not checked"), a
reference is ``link_existing`` unverified, no ticket is found to adopt and no mismatch is seen.

Then, per item with a ticket: ``done_mismatch`` when the box and the ticket disagree, and
``writeback`` when the item's line lacks its ticket link. A postmortem's tracking ticket (when
the tracker has one) is planned first, and an ``attach`` of its children last
(``sync.plan_tracking``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from sync.base import RemoteTicket, TicketDraft
from sync.markers import Marker
from sync.plan_model import (
    ADOPTED,
    REMOVED_PREFIX,
    WRITING_KINDS,
    Action,
    ActionKind,
    LinkState,
    Mismatch,
    OnDoneMismatch,
    Plan,
    PlanInput,
    PlanItem,
    Resolution,
    split_tracking_hash,
    summary,
    tracking_hash,
)
from sync.plan_tracking import adopt, plan_attach, plan_tracking

# The plan's values live in ``sync.plan_model``; they are importable from here too.
__all__ = [
    "ADOPTED",
    "NOT_CHECKED",
    "REMOVED_PREFIX",
    "WRITING_KINDS",
    "Action",
    "ActionKind",
    "LinkState",
    "Mismatch",
    "OnDoneMismatch",
    "Plan",
    "PlanInput",
    "PlanItem",
    "Resolution",
    "build_plan",
    "split_tracking_hash",
    "summary",
    "tracking_hash",
]

_NO_CHILD = object()
# The detail of an action whose ticket the tracker was not asked about.
NOT_CHECKED = "not checked: the tracker was not asked"


def build_plan(
    data: PlanInput,
    parse_ref: Callable[[str], str | None],
    url_for: Callable[[str], str],
) -> Plan:
    """Decide every action for one postmortem. ``parse_ref``/``url_for`` are the backend's."""
    remote_by_uid = _orphans_by_uid(data)

    item_actions: list[Action] = []
    # The tracking ticket's children: (item uid, ticket key; None for a ticket created this run).
    children: list[tuple[str, str | None]] = []
    for item in data.items:
        actions, child = _plan_item(data, item, remote_by_uid, parse_ref, url_for)
        item_actions += actions
        if child is not _NO_CHILD:
            children.append((item.uid, child))  # type: ignore[arg-type]

    actions = plan_tracking(data, remote_by_uid, children) + item_actions
    attach = plan_attach(data, children)
    if attach is not None:
        actions.append(attach)
    return Plan(
        postmortem_key=data.postmortem_key,
        path=data.path,
        tracker=data.tracker,
        actions=tuple(actions),
        content_hash=data.content_hash,
    )


def _orphans_by_uid(data: PlanInput) -> dict[str, RemoteTicket]:
    """The remote tickets of this postmortem by item uid, found by any marker pmt writes."""
    uids = [item.uid for item in data.items]
    if data.tracking_draft is not None:
        uids.append(data.tracking_draft.marker.item_uid)
    by_token = {Marker(data.postmortem_key, uid).token: uid for uid in uids}
    found: dict[str, RemoteTicket] = {}
    for ticket in data.remote.values():
        marker = ticket.marker
        if marker is not None and marker.postmortem_key == data.postmortem_key:
            found.setdefault(marker.item_uid, ticket)
            continue
        if marker is not None:
            continue  # another postmortem's ticket
        uid = next((by_token[label] for label in ticket.labels if label in by_token), None)
        if uid is not None:
            found.setdefault(uid, ticket)
    return found


def _plan_item(
    data: PlanInput,
    item: PlanItem,
    remote_by_uid: Mapping[str, RemoteTicket],
    parse_ref: Callable[[str], str | None],
    url_for: Callable[[str], str],
) -> tuple[list[Action], object]:
    link = data.links.get(item.uid)
    draft = data.drafts.get(item.uid)
    base = Action(kind="unchanged", uid=item.uid, text=item.text, line=item.line)
    ref_key = parse_ref(item.ticket) if item.ticket else None

    if item.status == "removed":
        if link is None or (link.synced_hash or "").startswith(REMOVED_PREFIX):
            return [], _NO_CHILD
        return [
            replace(
                base,
                kind="removed",
                key=link.key,
                url=link.url,
                synced_hash=link.synced_hash,
                detail="comment and label; never deleted",
            )
        ], _NO_CHILD

    if link is not None:
        linked = _plan_linked(base, link, draft, ref_key)
        if not data.checked and linked.kind == "unchanged" and not linked.detail:
            linked = replace(linked, detail=NOT_CHECKED)
        actions = [linked]
        remote = data.remote.get(link.key)
        actions += _mismatch(data, item, base, link.key, link.url, remote)
        if data.writeback and ref_key is None and not item.ticket:
            actions += _writeback(item, base, link.key, link.url)
        return actions, link.key

    if ref_key is not None:
        remote = data.remote.get(ref_key)
        if remote is None and data.checked:
            return [
                replace(
                    base,
                    kind="skip",
                    key=ref_key,
                    detail=f"the document names {item.ticket}, which the tracker does not know",
                )
            ], _NO_CHILD
        unverified = "" if data.checked else f"; {NOT_CHECKED}"
        found = replace(
            base,
            kind="link_existing",
            key=ref_key,
            url=(remote.url if remote else None) or url_for(ref_key),
            remote=remote,
            detail=f"the document names {item.ticket}{unverified}",
        )
        return [found, *_mismatch(data, item, base, ref_key, found.url, remote)], ref_key

    if item.ticket:
        return [
            replace(
                base,
                kind="skip",
                detail=f"tracked elsewhere ({item.ticket}), not in {data.tracker}",
            )
        ], _NO_CHILD

    orphan = remote_by_uid.get(item.uid)
    if orphan is not None:
        adopted = adopt(
            base,
            orphan,
            draft,
            "made by a run that stopped before recording it; recorded and brought up to date",
        )
        actions = [adopted, *_mismatch(data, item, base, orphan.key, orphan.url, orphan)]
        if data.writeback:
            actions += _writeback(item, base, orphan.key, orphan.url)
        return actions, orphan.key

    waiting = data.unconfirmed.get(item.uid)
    if waiting is not None:
        sent, until = waiting
        detail = (
            f"a run sent its create at {sent:%Y-%m-%d %H:%M} UTC and lost the answer; the tracker's "
            f"search does not show the ticket yet (search indexes lag): not created again before "
            f"{until:%H:%M} UTC, run pmt sync again then"
        )
        return [replace(base, kind="skip", detail=detail)], _NO_CHILD

    if item.status == "done":
        return [replace(base, kind="skip", detail="done before it had a ticket")], _NO_CHILD
    if draft is None:
        return [replace(base, kind="skip", detail="no ticket draft for this item")], _NO_CHILD

    actions = [replace(base, kind="create", draft=draft)]
    if data.writeback:
        actions += _writeback(item, base, None, None)
    return actions, None


def _plan_linked(
    base: Action, link: LinkState, draft: TicketDraft | None, ref_key: str | None
) -> Action:
    linked = replace(base, key=link.key, url=link.url, synced_hash=link.synced_hash)
    if ref_key is not None and ref_key != link.key:
        return replace(
            linked,
            detail=f"the document names {ref_key} but the item is linked to {link.key}; the link is kept",
        )
    previous = link.synced_hash
    if previous is not None and previous.startswith(REMOVED_PREFIX):
        previous = previous[len(REMOVED_PREFIX) :] or None
        if previous is None:
            return replace(linked, detail="back in the document", restore=True)
        if draft is not None:
            return replace(linked, kind="update", draft=draft, detail="back in the document")
    if previous is None or draft is None:
        # A ticket pmt did not create: it is followed, never rewritten.
        return linked
    if previous != draft.fingerprint():
        detail = (
            "made by a run that stopped before updating it"
            if previous == ADOPTED
            else "item changed"
        )
        return replace(linked, kind="update", draft=draft, detail=detail)
    return linked


def _mismatch(
    data: PlanInput,
    item: PlanItem,
    base: Action,
    key: str,
    url: str | None,
    remote: RemoteTicket | None,
) -> list[Action]:
    if remote is None:
        return []
    item_done = item.status == "done"
    ticket_closed = remote.state == "closed"
    if item_done == ticket_closed:
        return []
    mismatch: Mismatch
    resolution: Resolution = "report"
    if item_done:
        mismatch = "item_done_ticket_open"
        detail = f"checked in the document, {remote.state} on the tracker"
        if data.on_done_mismatch == "close_ticket":
            resolution = "close"
            detail += ": close the ticket"
    else:
        mismatch = "ticket_closed_item_open"
        detail = "closed on the tracker, not checked in the document"
        if data.on_done_mismatch == "update_box":
            if item.done is False and item.line is not None and data.writeback:
                resolution = "check_box"
                detail += ": check its box"
            else:
                detail += " (no box to check)" if item.done is None else " (write-back is off)"
    return [
        replace(
            base,
            kind="done_mismatch",
            key=key,
            url=url,
            mismatch=mismatch,
            resolution=resolution,
            detail=detail,
        )
    ]


def _writeback(item: PlanItem, base: Action, key: str | None, url: str | None) -> list[Action]:
    if item.line is None:
        return []
    return [
        replace(base, kind="writeback", key=key, url=url, detail="add the ticket link to the line")
    ]
