"""What a GitHub issue made from a ticket draft says: title, Markdown body and labels. Pure."""

from __future__ import annotations

from sync.base import TicketDraft

# GitHub refuses longer titles (422); the full text is always in the body.
MAX_TITLE = 256
# GitHub label names are limited to 50 characters and descriptions to 100.
_MAX_LABEL_DESCRIPTION = 100
PRIORITIES = ("P0", "P1", "P2", "P3", "P4")

# Label colours pmt uses when it has to create a label (hex, no "#").
LABEL_COLOURS = {
    "marker": "c5def5",
    "priority": "d93f0b",
    "removed": "cccccc",
    "default": "0e8a16",
}


def title_for(draft: TicketDraft) -> str:
    """The item's text on one line, cut on a word boundary with an ellipsis when too long."""
    text = " ".join(draft.text.split()) or draft.marker.item_uid
    if len(text) <= MAX_TITLE:
        return text
    cut = text[: MAX_TITLE - 1]
    space = cut.rfind(" ")
    # A single enormous word (a URL) is cut where it must be rather than left empty.
    if space > MAX_TITLE // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def priority_label(template: str, priority: str | None) -> str | None:
    if not template or not priority:
        return None
    return template.replace("{priority}", priority)


def labels_for(draft: TicketDraft, defaults: list[str], priority_template: str) -> list[str]:
    """Configured defaults, the priority label, the draft's own labels and the marker label.

    The per-postmortem marker label is what makes ``list_postmortem`` one listing.
    """
    wanted: list[str] = [*defaults]
    if draft.role == "item":
        label = priority_label(priority_template, draft.priority)
        if label:
            wanted.append(label)
    wanted.extend(draft.labels)
    wanted.append(draft.marker.postmortem_token)
    return unique(wanted)


def managed_labels(priority_template: str, removed_label: str) -> set[str]:
    """Labels pmt sets and may take away again on update (lower-cased)."""
    managed = {removed_label.lower()} if removed_label else set()
    for p in PRIORITIES:
        label = priority_label(priority_template, p)
        if label:
            managed.add(label.lower())
    return managed


def label_style(
    name: str, draft_postmortem_key: str | None, priority_template: str, removed_label: str
) -> tuple[str, str]:
    """Colour and description for a label pmt creates."""
    if name.startswith("pmt-pm-"):
        desc = (
            f"pmt: tickets of postmortem {draft_postmortem_key}" if draft_postmortem_key else "pmt"
        )
        return LABEL_COLOURS["marker"], _shorten(desc, _MAX_LABEL_DESCRIPTION)
    if name == removed_label:
        return LABEL_COLOURS["removed"], "pmt: the action item was removed from its postmortem"
    if name.lower() in managed_labels(priority_template, ""):
        return LABEL_COLOURS["priority"], "pmt: action item priority"
    return LABEL_COLOURS["default"], "pmt: postmortem follow-up"


def body_for(draft: TicketDraft, assignee: str | None) -> str:
    """The issue body in Markdown, ending with the hidden marker."""
    if draft.role == "tracking":
        parts = _tracking_body(draft)
    else:
        parts = _item_body(draft, assignee)
    source = f" `{draft.postmortem_path}`" if draft.postmortem_path else ""
    parts.append(
        f"<sub>Made by pmt from the postmortem{source}. Edit the postmortem rather than this "
        "description: the next `pmt sync` rewrites it.</sub>"
    )
    parts.append(draft.marker.html_comment())
    return "\n\n".join(parts) + "\n"


def _item_body(draft: TicketDraft, assignee: str | None) -> list[str]:
    parts = [draft.text.strip()]
    rows: list[tuple[str, str]] = []
    if draft.owner:
        rows.append(("Owner", draft.owner + (f" (@{assignee})" if assignee else "")))
    if draft.due:
        rows.append(("Due", draft.due.isoformat()))
    if draft.priority:
        rows.append(("Priority", draft.priority))
    if draft.kind:
        rows.append(("Kind", draft.kind))
    if rows:
        table = ["| Field | Value |", "| --- | --- |"]
        table += [f"| {name} | {_cell(value)} |" for name, value in rows]
        parts.append("\n".join(table))
    parts.extend(_incident(draft))
    return parts


def _tracking_body(draft: TicketDraft) -> list[str]:
    parts = ["Follow-up actions of this postmortem: each action item is a sub-issue of this issue."]
    parts.extend(_incident(draft))
    return parts


def _incident(draft: TicketDraft) -> list[str]:
    lines: list[str] = []
    title = draft.postmortem_title or draft.postmortem_path
    if title or draft.postmortem_url:
        shown = _inline(title or "the postmortem")
        link = f"[{shown}]({draft.postmortem_url})" if draft.postmortem_url else shown
        lines.append(f"**Postmortem:** {link}")
    if draft.incident_date:
        lines.append(f"**Incident date:** {draft.incident_date.isoformat()}")
    if draft.incident_ticket:
        lines.append(f"**Incident ticket:** {_inline(draft.incident_ticket)}")
    parts = ["  \n".join(lines)] if lines else []
    if draft.root_cause and draft.root_cause.strip():
        quoted = "\n".join(f"> {line}".rstrip() for line in draft.root_cause.strip().splitlines())
        parts.append("**Root cause**\n\n" + quoted)
    return parts


def _cell(value: str) -> str:
    # A pipe or a newline would break the table row.
    return " ".join(value.split()).replace("|", "\\|")


def _inline(value: str) -> str:
    return " ".join(value.split()).replace("[", "\\[").replace("]", "\\]")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def unique(names: list[str]) -> list[str]:
    # GitHub label names are case-insensitive: keep the first spelling.
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        name = name.strip()
        if name and name.lower() not in seen:
            seen.add(name.lower())
            out.append(name)
    return out
