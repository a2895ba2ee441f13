"""What a Jira ticket made from a draft says: summary, description, labels, and JQL literals. Pure.

The description exists in two encodings because the two REST versions want different things:
``/rest/api/3`` (used on Jira Cloud) takes Atlassian Document Format (ADF, a JSON tree) and
refuses a plain string, while ``/rest/api/2`` (used on Data Center) takes wiki markup. Both are
rendered from one list of blocks, so they always say the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from sync.base import TicketDraft

# Jira refuses a longer summary (400). Java counts UTF-16 code units, so an emoji counts twice.
SUMMARY_LIMIT = 255
# A Jira label is at most 255 characters and may not contain whitespace.
LABEL_LIMIT = 255


@dataclass(frozen=True)
class Span:
    text: str
    strong: bool = False
    code: bool = False
    href: str | None = None


@dataclass(frozen=True)
class Block:
    kind: Literal["paragraph", "bullets", "heading", "rule", "code"]
    # paragraph / heading: one line of spans; bullets: one line of spans per item.
    lines: tuple[tuple[Span, ...], ...] = ()


# --- summary and labels -------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def summary_for(draft: TicketDraft) -> str:
    """The item's text on one line, cut on a word with an ellipsis to fit Jira's 255 units."""
    text = " ".join(draft.text.split()) or draft.marker.item_uid
    if utf16_len(text) <= SUMMARY_LIMIT:
        return text
    cut = _cut_utf16(text, SUMMARY_LIMIT - 1)  # room for the ellipsis (one unit)
    space = cut.rfind(" ")
    # A single enormous word (a URL) is cut where it must be rather than left nearly empty.
    if space > len(cut) // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def _cut_utf16(text: str, limit: int) -> str:
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


def label(value: str) -> str:
    """A configured name as a valid Jira label: whitespace becomes '-', cut to the limit."""
    return "-".join(value.split())[:LABEL_LIMIT]


def labels_for(draft: TicketDraft, configured: list[str]) -> list[str]:
    """Configured labels, the draft's own, and the two marker labels (order kept, no repeats)."""
    wanted = [*configured, *draft.labels, draft.marker.token, draft.marker.postmortem_token]
    return list(dict.fromkeys(label(name) for name in wanted if name.strip()))


# --- JQL ----------------------------------------------------------------------------------------


def jql_quote(value: str) -> str:
    """``value`` as a JQL string literal.

    Always quoted, so a reserved word (``and``, ``order``, ``empty``...) or a character JQL gives
    a meaning to (``=``, ``(``, ``,``, ``-``, a space) is just text. Inside the quotes only the
    backslash, the double quote and control characters need escaping.
    """
    escaped = (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def jql_list(values: list[str]) -> str:
    return "(" + ", ".join(jql_quote(v) for v in values) + ")"


# --- description --------------------------------------------------------------------------------


def description_blocks(draft: TicketDraft, assignee: str | None = None) -> list[Block]:
    blocks: list[Block] = []
    if draft.role == "tracking":
        blocks.append(
            _para(Span("Follow-up actions of this postmortem; each is linked to this ticket."))
        )
    else:
        blocks.append(Block("paragraph", tuple((Span(line),) for line in _lines(draft.text))))
        rows: list[tuple[Span, ...]] = []
        if draft.owner:
            shown = draft.owner + (f" ({assignee})" if assignee and assignee != draft.owner else "")
            rows.append(_field("Owner", shown))
        if draft.due:
            rows.append(_field("Due", draft.due.isoformat()))
        if draft.priority:
            rows.append(_field("Priority", draft.priority))
        if draft.kind:
            rows.append(_field("Kind", draft.kind))
        if draft.done:
            rows.append(_field("In the postmortem", "checked as done"))
        if rows:
            blocks.append(Block("bullets", tuple(rows)))
    blocks.extend(_incident(draft))
    origin = f" {draft.postmortem_path}" if draft.postmortem_path else ""
    blocks.append(Block("rule"))
    blocks.append(
        _para(
            Span(
                f"Made by pmt from the postmortem{origin}. Edit the postmortem rather than this "
                "description: the next pmt sync rewrites it. Keep the labels "
            ),
            Span(draft.marker.token, code=True),
            Span(" and "),
            Span(draft.marker.postmortem_token, code=True),
            Span(": they let pmt find this ticket again."),
        )
    )
    # The marker in full, as on GitHub: a fallback for servers whose search does not return the
    # pmt.marker issue property (read back with sync.markers.read_marker).
    blocks.append(Block("code", ((Span(draft.marker.html_comment()),),)))
    return blocks


def _incident(draft: TicketDraft) -> list[Block]:
    rows: list[tuple[Span, ...]] = []
    title = draft.postmortem_title or draft.postmortem_path
    if title or draft.postmortem_url:
        shown = " ".join((title or "the postmortem").split())
        rows.append((Span("Postmortem: ", strong=True), Span(shown, href=draft.postmortem_url)))
    if draft.incident_date:
        rows.append(_field("Incident date", draft.incident_date.isoformat()))
    if draft.incident_ticket:
        rows.append(_field("Incident ticket", draft.incident_ticket))
    blocks: list[Block] = []
    root = (draft.root_cause or "").strip()
    if rows or root:
        blocks.append(Block("heading", ((Span("Incident"),),)))
    if rows:
        blocks.append(Block("bullets", tuple(rows)))
    if root:
        blocks.append(_para(Span("Root cause", strong=True)))
        blocks.append(Block("paragraph", tuple((Span(line),) for line in _lines(root))))
    return blocks


def _field(name: str, value: str) -> tuple[Span, ...]:
    return (Span(f"{name}: ", strong=True), Span(" ".join(value.split())))


def _para(*spans: Span) -> Block:
    return Block("paragraph", (tuple(spans),))


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return [line for line in lines if line] or ["(no text)"]


def comment_blocks(text: str) -> list[Block]:
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()] or ["(no text)"]
    return [Block("paragraph", tuple((Span(line),) for line in _lines(p))) for p in paragraphs]


# --- ADF (REST v3) ------------------------------------------------------------------------------


def to_adf(blocks: list[Block]) -> dict[str, Any]:
    """An ADF document. Lines of a paragraph are joined by hardBreak nodes; no text node is empty
    (Jira refuses an empty one)."""
    content: list[dict[str, Any]] = []
    for block in blocks:
        if block.kind == "rule":
            content.append({"type": "rule"})
        elif block.kind == "code":
            text = "\n".join("".join(span.text for span in line) for line in block.lines)
            content.append({"type": "codeBlock", "content": [{"type": "text", "text": text}]})
        elif block.kind == "heading":
            content.append(
                {"type": "heading", "attrs": {"level": 3}, "content": _adf_inline(block.lines)}
            )
        elif block.kind == "paragraph":
            content.append({"type": "paragraph", "content": _adf_inline(block.lines)})
        else:
            content.append(
                {
                    "type": "bulletList",
                    "content": [
                        {
                            "type": "listItem",
                            "content": [{"type": "paragraph", "content": _adf_inline((line,))}],
                        }
                        for line in block.lines
                    ],
                }
            )
    return {"type": "doc", "version": 1, "content": content}


def _adf_inline(lines: tuple[tuple[Span, ...], ...]) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for index, line in enumerate(lines):
        if index:
            nodes.append({"type": "hardBreak"})
        for span in line:
            if not span.text:
                continue
            node: dict[str, Any] = {"type": "text", "text": span.text}
            marks: list[dict[str, Any]] = []
            if span.code:
                marks.append({"type": "code"})
            elif span.strong:
                marks.append({"type": "strong"})
            if span.href:
                marks.append({"type": "link", "attrs": {"href": span.href}})
            if marks:
                node["marks"] = marks
            nodes.append(node)
    return nodes


def adf_text(node: Any) -> str:
    """The plain text of an ADF tree (for tests and for reading a description back)."""
    if isinstance(node, dict):
        if node.get("type") == "text":
            return str(node.get("text", ""))
        if node.get("type") == "hardBreak":
            return "\n"
        inner = "".join(adf_text(child) for child in node.get("content", []))
        return inner + ("\n" if node.get("type") in {"paragraph", "heading", "codeBlock"} else "")
    if isinstance(node, list):
        return "".join(adf_text(child) for child in node)
    return ""


# --- wiki markup (REST v2) ----------------------------------------------------------------------

# Characters with a meaning in Jira wiki markup; each is escaped with a backslash. A hyphen
# between two letters or digits (2026-03-01, OPS-12, on-call) cannot start a strike-through and
# is left alone for readability. The backslash itself cannot be escaped (a double one is a line
# break), so it is written as an HTML entity.
_WIKI_SPECIAL = re.compile(r"[*_+^~?{}\[\]|!#]|(?<![0-9A-Za-z])-|-(?![0-9A-Za-z])")


def wiki_escape(text: str) -> str:
    parts = text.split("\\")
    return "&#92;".join(_WIKI_SPECIAL.sub(lambda m: "\\" + m.group(0), part) for part in parts)


def to_wiki(blocks: list[Block]) -> str:
    out: list[str] = []
    for block in blocks:
        if block.kind == "rule":
            out.append("----")
        elif block.kind == "code":
            # Nothing inside {noformat} is interpreted, so the text is written as it is.
            text = "\n".join("".join(span.text for span in line) for line in block.lines)
            out.append("{noformat}\n" + text + "\n{noformat}")
        elif block.kind == "heading":
            out.append("h3. " + _wiki_inline(block.lines[0]))
        elif block.kind == "paragraph":
            out.append("\n".join(_wiki_inline(line) for line in block.lines))
        else:
            out.append("\n".join("* " + _wiki_inline(line) for line in block.lines))
    return "\n\n".join(out) + "\n"


def _wiki_inline(line: tuple[Span, ...]) -> str:
    parts: list[str] = []
    for span in line:
        if not span.text:
            continue
        if span.code:
            # {{monospace}}; the marker tokens are hex and dashes, escaped like any text.
            text = "{{" + wiki_escape(span.text) + "}}"
        else:
            text = wiki_escape(span.text)
            if span.strong:
                text = f"*{text.rstrip()}*" + (" " if text.endswith(" ") else "")
        if span.href:
            url = span.href.replace("|", "%7C").replace("]", "%5D").replace("[", "%5B")
            text = f"[{text}|{url}]"
        parts.append(text)
    return "".join(parts)
