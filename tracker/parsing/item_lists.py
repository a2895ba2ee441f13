"""Action items in lists and under sub-headings: which list item is a to-do, a group label, a
note or its parent's metadata ("Owner: Alice", "Done: ...", a link to its ticket)."""

from __future__ import annotations

import re

from tracker.models import Problem
from tracker.parsing.blocks import Block, Code, ListBlock, ListItem, Para, Table
from tracker.parsing.fields import Context, Fields, read_fields
from tracker.parsing.headings import NUMBERING, GroupHint, group_hint, normalise, plain
from tracker.parsing.item_tables import walk_table
from tracker.parsing.item_walk import (
    DIGIT,
    LINK_ONLY,
    NOTE_START,
    Candidate,
    Group,
    Walk,
    attach_detail_lists,
    label_of,
    lines_under_label,
    open_label,
)
from tracker.parsing.owners import owner_like
from tracker.parsing.sections import Node
from tracker.parsing.tense import starts_with_verb
from tracker.parsing.vocabulary import KIND_WORDS, words

_STATUS_CHILD = re.compile(
    r"^(?:\*\*|__)?(?:(?:done|fixed|completed?|resolved|closed|shipped|merged|implemented)(?:\*\*|__)?\s*[:\-–—]"
    r"|(?:this|it)\s+(?:was|has\s+been|is\s+now|is)\s+(?:already\s+)?(?:done|fixed|completed|implemented|resolved|addressed|shipped|merged)\b"
    r"|(?P<open>(?:todo|in\s+progress|wip|pending|not\s+started)(?:\*\*|__)?\s*[:\-–—]))",
    re.IGNORECASE,
)

_TASK_MARKERS = re.compile(r"\b(?:owner|due|by \w+ \d)", re.IGNORECASE)


def walk_node(node: Node, group: Group, walk: Walk, top_level: bool = False) -> None:
    section = node.title
    if not top_level:
        hint = group_hint(section)
        if node.heading is not None and _is_item_heading(node, hint):
            _heading_item(node, group, walk)
            return
        group = Group(hint, group)
        walk.groups.append(group)
    _walk_blocks(node.blocks, group, walk, section)
    area: Group | None = None  # the last subsection naming an area ("To-Do List")
    for child in node.children:
        if child.kind in ("actions", "takeaways"):
            if child.kind == "takeaways":
                g = Group(GroupHint(takeaway="strong"), group)
                walk.groups.append(g)
                walk_node(child, g, walk)
                continue
            hint = group_hint(child.title)
            if hint.tasks or hint.takeaway or hint.done is not None:
                area = Group(hint, group)
                walk.groups.append(area)
                walk_node(child, area, walk, top_level=True)
            else:
                # "Monitoring" after "To-Do List" is a part of that area.
                walk_node(child, area or group, walk)


def _is_item_heading(node: Node, hint: GroupHint) -> bool:
    """ "### 2. Add rate limiting to the API" under the action section is an item, not a group."""
    if hint.tasks or hint.takeaway or hint.kind or hint.done is not None or node.kind != "actions":
        return False
    return starts_with_verb(NUMBERING.sub("", plain(node.title), count=1))


_KEY_LINE = re.compile(
    r"^(?:[-*+]\s+)?(?:\*\*|__)?(owners?|assignees?|assigned(?: to)?|who|due(?: date)?|deadline|eta|priority|status|state|"
    r"tickets?|issues?|jira|tracking|type|kind)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(.+)$",
    re.IGNORECASE,
)


def _heading_item(node: Node, group: Group, walk: Walk) -> None:
    assert node.heading is not None
    parent = node.parent.title if node.parent is not None else node.title
    cand = Candidate(
        NUMBERING.sub("", node.heading.text.strip(), count=1), node.heading.line, group, parent
    )
    # "Owner: Alice" / "Due: 2026-03-01" / "Status: done" lines under the heading.
    for block in node.blocks:
        lines = [block.text] if isinstance(block, Para) else []
        if isinstance(block, ListBlock):
            lines = [i.text for i in block.items if i.text]
        for text in lines:
            for line in text.split("\n"):
                if _key_line(line, cand, walk.ctx):
                    continue
                if isinstance(block, ListBlock) and LINK_ONLY.match(line):
                    cand.extra_tickets = [
                        *(cand.extra_tickets or []),
                        *read_fields(line, walk.ctx).tickets,
                    ]
    walk.candidates.append(cand)
    walk.structured = True
    for child in node.children:
        if child.kind == "actions":
            walk_node(child, group, walk)


def _override(o: dict[str, object], f: Fields) -> None:
    if f.owner is not None and o.get("owner") is None:
        o["owner"], o["owner_handle"] = f.owner, f.owner_handle
    for key in ("due", "priority", "kind", "done"):
        value = getattr(f, key)
        if value is not None and o.get(key) is None:
            o[key] = value
    if f.tickets:
        o["tickets"] = [*(o.get("tickets") or []), *f.tickets]  # type: ignore[misc]


def _walk_blocks(blocks: list[Block], group: Group, walk: Walk, section: str) -> None:
    current = group
    blocks = attach_detail_lists(blocks)
    n = len(blocks)
    for i, block in enumerate(blocks):
        if isinstance(block, Para):
            label = label_of(block.text)
            if label is not None:
                current = open_label(label, group, current)
                walk.groups.append(current)
                continue
            walk.prose.append((block.text, block.line, current, section))
        elif isinstance(block, ListBlock):
            if (
                not block.ordered
                and len(block.items) == 1
                and not block.items[0].children
                and block.items[0].text
            ):
                label = label_of(block.items[0].text)
                if (
                    label is not None
                    and i + 1 < n
                    and isinstance(blocks[i + 1], (ListBlock, Table))
                ):
                    current = open_label(label, group, current)
                    walk.groups.append(current)
                    continue
            walk.structured = True
            _walk_list(block, current, walk, section)
        elif isinstance(block, Table):
            if walk_table(block, current, walk, section):
                walk.structured = True
        elif isinstance(block, Code):
            continue


_GROUP_PREFIX = re.compile(
    r"^(?:\*\*|__)?(?P<label>[^:*_\n]{2,40}?)(?:\*\*|__)?\s*:(?:\*\*|__)?\s+(?P<rest>\S.*)$",
    re.DOTALL,
)


def _walk_list(block: ListBlock, group: Group, walk: Walk, section: str) -> None:
    """A list's items. In a flat list, an item that is only a label ("Tasks:") heads the items
    after it, and "Improvements/Fixes: ..." puts its own text among the broad points."""
    current = group
    last = len(block.items) - 1
    for n, item in enumerate(block.items):
        if item.text is not None and "\n" in item.text:
            item = lines_under_label(item)
        text = item.text
        if text is not None and not item.children and n < last and not starts_with_verb(text):
            label = label_of(text)
            if label is not None and text.rstrip("*_ ").endswith(":"):
                current = open_label(label, group, current)
                walk.groups.append(current)
                continue
        m = (
            _GROUP_PREFIX.match(text)
            if text is not None and not item.children and ":" in text[:44]
            else None
        )
        if (
            m is not None
            and not starts_with_verb(m.group("label"))
            and not DIGIT.search(m.group("label"))
        ):
            hint = group_hint(m.group("label"))
            if hint.takeaway and not hint.tasks:
                own = Group(hint, group)
                walk.groups.append(own)
                walk.candidates.append(Candidate(m.group("rest"), item.line, own, section))
                continue
        _walk_item(item, current, walk, section)


def _walk_item(item: ListItem, group: Group, walk: Walk, section: str, depth: int = 0) -> None:
    if item.text is not None and "\n" in item.text:
        item = lines_under_label(item)
    text = item.text
    if not item.children and text is not None:
        # The common case: an item with nothing nested.
        walk.candidates.append(Candidate(text, item.line, group, section))
        return
    sublists = [c for c in item.children if isinstance(c, ListBlock)]
    paras = [c for c in item.children if isinstance(c, Para)]
    tables = [c for c in item.children if isinstance(c, Table)]

    if text is None:
        for sub in sublists:
            for child in sub.items:
                _walk_item(child, group, walk, section, depth + 1)
        return

    children = [c for sub in sublists for c in sub.items]
    label = label_of(text)
    if label is not None:
        hint = group_hint(label)
        bold_only = not text.rstrip().endswith((":", ":**", ":__"))
        real_children = [c for c in children if c.text and not LINK_ONLY.match(c.text)]
        is_group = bool(
            hint.tasks
            or hint.takeaway
            or hint.done is not None
            or (hint.kind and _only_kind_words(label))
        )
        if children and (is_group or len(real_children) > 1 or (bold_only and not real_children)):
            g = Group(hint, group)
            walk.groups.append(g)
            for child in children:
                if child.text is not None and (
                    LINK_ONLY.match(child.text) or NOTE_START.match(child.text.strip())
                ):
                    continue  # a note or a bare link under a label is not a task
                _walk_item(child, g, walk, section, depth + 1)
            for table in tables:
                walk_table(table, g, walk, section)
            return
        detail = real_children[0] if len(real_children) == 1 else None
        if detail is not None and detail.text is not None:
            # "Add Monitoring:" + one detail line: one item, title and detail joined.
            merged = Candidate(f"{text.strip()} {detail.text.strip()}", item.line, group, section)
            merged.extra_tickets = _child_tickets(detail.children, walk.ctx)
            walk.candidates.append(merged)
            return
        if not children and paras:
            walk.candidates.append(
                Candidate(f"{text.strip()} {paras[0].text.strip()}", item.line, group, section)
            )
            return

    title = plain(text).strip()
    real = [
        c
        for c in children
        if c.text and not LINK_ONLY.match(c.text) and not _KEY_LINE.match(c.text.strip())
    ]
    if real and title.endswith((":", ":-")) and all(_is_todo(c.text or "") for c in real):
        # "We must do the following:" over to-dos: a lead-in, and the to-dos are the items.
        for child in children:
            if child.text is not None and not LINK_ONLY.match(child.text):
                _walk_item(child, group, walk, section, depth + 1)
        return
    if len(real) >= 2 and _grouping_title(title):
        # "- Lighthouse" / "- Database" over several points: a heading written as a bullet.
        owner = title if owner_like(title) else None
        g = Group(GroupHint(), group, owner)
        walk.groups.append(g)
        for child in children:
            if child.text is not None and (
                LINK_ONLY.match(child.text) or NOTE_START.match(child.text.strip())
            ):
                continue
            _walk_item(child, g, walk, section, depth + 1)
        return

    cand = Candidate(text, item.line, group, section)
    walk.candidates.append(cand)
    # "Owner: Alice" / "Due: ..." / "Status: done" lines under the item are its metadata.
    for para in paras:
        for line in para.text.split("\n"):
            _key_line(line, cand, walk.ctx)
    for child in children:
        ctext = child.text
        if ctext is None:
            continue
        if LINK_ONLY.match(ctext):
            cand.extra_tickets = [
                *(cand.extra_tickets or []),
                *read_fields(ctext, walk.ctx).tickets,
            ]
            continue
        if not child.children and _key_line(ctext, cand, walk.ctx):
            continue
        status = _STATUS_CHILD.match(ctext.strip())
        if status is not None:
            # "Done: added a resolver alert", "This was fixed in #42": the parent's state.
            cand.overrides = cand.overrides or {}
            cand.overrides["done"] = not status.group("open")
            cand.extra_tickets = [
                *(cand.extra_tickets or []),
                *read_fields(ctext, walk.ctx).tickets,
            ]
            continue
        if _is_todo(ctext):
            _walk_item(child, group, walk, section, depth + 1)


def _grouping_title(title: str) -> bool:
    """A few words naming a thing, not a sentence or a to-do: "Lighthouse", "Client fixes"."""
    return (
        0 < len(title) <= 40
        and len(title.split()) <= 4
        and not any(ch in title for ch in ".:;!?()")
        and not starts_with_verb(title)
    )


def _key_line(line: str, cand: Candidate, ctx: Context) -> bool:
    m = _KEY_LINE.match(line.strip())
    if m is None:
        return False
    found = read_fields(f"x ({m.group(1)}: {m.group(2)})", ctx)
    ctx.problems.extend(
        Problem(cand.line, message, severity) for severity, message in found.problems
    )
    cand.overrides = cand.overrides or {}
    _override(cand.overrides, found)
    return True


_GENERIC_GROUP_WORDS = words(
    """
    and or measures items actions improvements steps work tasks related
    """
)


def _only_kind_words(label: str) -> bool:
    """ "Detection", "Monitoring and Alerting": a kind label; "Enhanced Monitoring": a title."""
    words = normalise(label).split()
    return bool(words) and all(w in KIND_WORDS or w in _GENERIC_GROUP_WORDS for w in words)


def _child_tickets(children: list[Block], ctx: Context) -> list[str]:
    out: list[str] = []
    for sub in children:
        if isinstance(sub, ListBlock):
            for c in sub.items:
                if c.text and LINK_ONLY.match(c.text):
                    out.extend(read_fields(c.text, ctx).tickets)
    return out


def _is_todo(text: str) -> bool:
    s = text.strip()
    if s.startswith(("[ ]", "[x]", "[X]")):
        return True
    if NOTE_START.match(s):
        return False
    if starts_with_verb(s):
        return True
    # Owner or due markers make a sub-step a task of its own.
    return "@" in s or bool(_TASK_MARKERS.search(s))
