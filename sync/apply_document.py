"""Apply's last step: the plan's write-backs (links, checked boxes) as one atomic edit of the
document, from the tickets known by then, refused if the document changed since the plan was
made (``sync.writeback``). Each write-back action's result says what became of its edit."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from sync.apply_results import ActionResult
from sync.plan import Action, Plan
from sync.writeback import (
    CheckEdit,
    Digest,
    Edit,
    LinkEdit,
    WritebackRefused,
    link_markdown,
    write_back,
)

# Ticket (key, url) per item uid (None: the tracking ticket).
Tickets = Mapping[str | None, tuple[str, str | None]]


def write_document(
    plan: Plan,
    document: str,
    actions: Sequence[tuple[Action, ActionResult]],
    tickets: Tickets,
    url_for: Callable[[str], str],
    digest: Digest,
) -> bytes | None:
    """Make the edits of ``actions`` in the file ``document`` (``plan``'s postmortem), setting
    each result; returns the document's new bytes, or None when nothing was written."""
    edits: list[Edit] = []
    pending: list[ActionResult] = []
    for action, result in actions:
        if action.line is None:
            result.status, result.error = "skipped", "the item has no line"
            continue
        if action.kind == "writeback":
            ticket = tickets.get(action.uid)
            if ticket is None:
                result.status, result.error = "skipped", "no ticket to link"
                continue
            key, url = ticket[0], ticket[1] or url_for(ticket[0])
            result.key, result.url = key, url
            edit: Edit = LinkEdit(
                line=action.line, link=link_markdown(key, url), url=url, text=action.text
            )
        else:
            edit = CheckEdit(line=action.line, text=action.text)
        edits.append(edit)
        pending.append(result)
    if not edits:
        return None
    if plan.content_hash is None:
        for result in pending:
            result.status, result.error = "failed", f"{plan.path}: unknown content; not written"
        return None
    try:
        written = write_back(document, edits, plan.content_hash, digest=digest)
    except WritebackRefused as exc:
        for result in pending:
            result.status, result.error = "failed", str(exc)
        return None
    for result, outcome in zip(pending, written.outcomes, strict=True):
        if outcome.problem:
            result.status, result.error = "failed", f"{plan.path}: {outcome.problem}"
        else:
            result.status = "done" if outcome.applied else "unchanged"
    return written.data
