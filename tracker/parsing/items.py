"""Action items and takeaways from an action section.

An action section holds lists, tables, sub-headings, group labels ("**Tasks:**", "Monitoring and
Alerts:") and sometimes only prose or bare lines. This module walks it once and decides, for
each piece, whether it is a concrete next step (an item), a broad takeaway, a note, or a label
that gives the items under it a kind or a done state.

Rules that matter (and why):
- Takeaways are split off only when the section itself separates broad points from tasks
  ("Improvements" beside "Tasks"), or under a heading that can only mean lessons; otherwise an
  "Improvements" list is the to-do list.
- A nested child is its own item when it is a to-do itself (checkbox, imperative, owner);
  links under an item are its tickets; other children are notes and are left out.
- A list item that is a short title ending in ":" with a single detail child is one item
  ("Add monitoring: integrate ..."); with several children it is a group label.
- Bare lines and prose count only when the section has no list or table at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from tracker.models import ActionItem, Problem
from tracker.parsing.blocks import Block, Code, ListBlock, ListItem, Para, Table
from tracker.parsing.dates import date_problem, parse_due
from tracker.parsing.fields import (
    ENUMERATOR,
    Context,
    Fields,
    done_of,
    looks_done,
    owner_like,
    priority_of,
    read_fields,
    starts_with_verb,
)
from tracker.parsing.sections import NUMBERING, GroupHint, Node, group_hint, normalise, plain
from tracker.parsing.vocabulary import KIND_WORDS, STATUS_MARK, TEMPLATE_BLANK, TEMPLATE_INSTRUCTION

_LINK_ONLY = re.compile(
    r"^\s*(?:(?:pr|prs|pull request|issue|ticket|link|see|tracked in|ref)s?\s*:?\s*)?"
    r"(?:<?https?://\S+?>?|\[[^\]]*\]\([^)]*\)|\[[^\]]*\]\[[^\]]*\]|(?:[\w.-]+/[\w.-]+)?#\d+|[A-Z][A-Z0-9]{1,9}-\d+)"
    r"(?:\s*[,;]?\s*(?:<?https?://\S+?>?|\[[^\]]*\]\([^)]*\)|(?:[\w.-]+/[\w.-]+)?#\d+|[A-Z][A-Z0-9]{1,9}-\d+))*\s*$",
    re.IGNORECASE,
)
_NOTE_START = re.compile(
    r"^(?:\*\*|__)?(?:note|nb|n\.b\.|context|why|rationale|reason|because|since|e\.g\.|i\.e\.|eg|ie|see|"
    r"details?|background|this (?:will|would|should|is|was)|that (?:will|would)|so that|which|"
    r"more (?:info|details)|related|fyi|ps|example|for example|currently|today)\b",
    re.IGNORECASE,
)
_COMMITMENT = re.compile(
    r"\b(?:will|'ll|are going to|is going to|plan(?:s)? to|intend(?:s)? to|need(?:s)? to|must|should|"
    r"going forward|committed to|commit to)\b",
    re.IGNORECASE,
)
_ASPIRATION = re.compile(
    r"\b(?:ideal(?:ly)?|aim(?:s|ing)?|goals?|would like|hope|strive|striving|most importantly|aspire|vision)\b",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(
    r"^(?:<[^<>]*>|\{\{[^{}]*\}\}|\[(?:action|item|task|description|owner|todo|tbd)[^\]]*\]|tbd|tbc|n/?a|none|todo|\.\.\.|…|-+|\?+)$",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_STATUS_CHILD = re.compile(
    r"^(?:\*\*|__)?(?:(?:done|fixed|completed?|resolved|closed|shipped|merged|implemented)(?:\*\*|__)?\s*[:\-–—]"
    r"|(?:this|it)\s+(?:was|has\s+been|is\s+now|is)\s+(?:already\s+)?(?:done|fixed|completed|implemented|resolved|addressed|shipped|merged)\b"
    r"|(?P<open>(?:todo|in\s+progress|wip|pending|not\s+started)(?:\*\*|__)?\s*[:\-–—]))",
    re.IGNORECASE,
)
_TICKET_CELL = re.compile(r"(?:[\w.-]+/[\w.-]+)?#\d+$|[A-Z][A-Z0-9]{1,9}-\d+$")
# What is left of a template's line once its blanks are gone: "- Owner: - Due:".
_EMPTY_KEYS = re.compile(
    r"\b(?:owner|due|priority|status|ticket|deadline|assignee)\s*:?\s*(?=[-–—|,;]|$)", re.IGNORECASE
)
_FIRST_ALNUM = re.compile(r"[^\W_]")
_TASK_MARKERS = re.compile(r"\b(?:owner|due|by \w+ \d)", re.IGNORECASE)
_PARENTHESES = re.compile(r"\(.*?\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(*_])")

# Table columns, recognised by header words.
_COLUMN_ROLES: list[tuple[str, re.Pattern[str]]] = [
    (
        "ticket",
        re.compile(
            r"^(?:tickets?|issues?|bugs?|bug ?#|links?|jira|github|pr|prs|tracking|tracker|reference|ref|url|issue link)\b"
        ),
    ),
    (
        "owner",
        re.compile(
            r"^(?:owners?|assignees?|assigned(?: to)?|who|responsible|dri|team|person|lead)\b"
        ),
    ),
    (
        "due",
        re.compile(
            r"^(?:due|deadline|eta|target|by when|when|date|due date|target date|completion date)\b"
        ),
    ),
    ("priority", re.compile(r"^(?:priority|prio|pri|urgency|importance|severity|p)\b")),
    ("status", re.compile(r"^(?:status|state|done|complete|completed|progress|resolved)\b")),
    ("kind", re.compile(r"^(?:type|kind|category|class|classification)\b")),
    (
        "text",
        re.compile(
            r"^(?:action(?: item)?s?|items?|tasks?|todo|to do|description|what|follow ?-?ups?|remediation|work|title|summary|details|next steps?|step|change)\b"
        ),
    ),
    ("ignore", re.compile(r"^(?:notes?|comments?|source|origin|from|#|no|id|number)$")),
]


@dataclass(slots=True)
class _Group:
    hint: GroupHint
    parent: _Group | None = None
    # A team or person heading the items under it ("- Lighthouse" over its team's fixes).
    owner: str | None = None

    def owner_of_items(self) -> str | None:
        g: _Group | None = self
        while g is not None:
            if g.owner:
                return g.owner
            g = g.parent
        return None

    def chain(self) -> list[GroupHint]:
        out: list[GroupHint] = []
        g: _Group | None = self
        while g is not None:
            out.append(g.hint)
            g = g.parent
        return out


@dataclass(slots=True)
class _Candidate:
    raw: str
    line: int
    group: _Group
    section: str
    # Set by a table's columns; they win over what the text says.
    overrides: dict[str, object] | None = None
    extra_tickets: list[str] | None = None
    takeaway_only: bool = False


@dataclass(slots=True)
class _Walk:
    ctx: Context
    candidates: list[_Candidate] = field(default_factory=list)
    prose: list[tuple[str, int, _Group, str]] = field(default_factory=list)
    groups: list[_Group] = field(default_factory=list)
    structured: bool = False


def extract(sections: list[Node], ctx: Context) -> tuple[list[ActionItem], list[str]]:
    """Items and takeaways of the document's action sections (with their subsections)."""
    candidates: list[_Candidate] = []
    for section in sections:
        walk = _Walk(ctx)
        top = _Group(_section_hint(section, len(sections) > 1))
        walk.groups.append(top)
        _walk_node(section, top, walk, top_level=True)
        if not walk.structured:
            _read_prose(walk)
        candidates.extend(walk.candidates)

    # Where a task group ("Tasks:", "To-Do List", a "Tasks to address the issue" section) holds
    # items, the points beside it (unlabelled, or under "Improvements", "Preventative
    # measures") are the broad takeaways the section separates from its tasks.
    has_tasks = any(any(h.tasks for h in c.group.chain()) for c in candidates)

    items: list[ActionItem] = []
    takeaways: list[str] = []
    per_group: dict[int, tuple[list[GroupHint], bool]] = {}
    for cand in candidates:
        known = per_group.get(id(cand.group))
        if known is None:
            chain = cand.group.chain()
            beside_tasks = has_tasks and not any(h.tasks or h.done is not None for h in chain)
            known = chain, beside_tasks or any(h.takeaway == "strong" for h in chain)
            per_group[id(cand.group)] = known
        chain, in_takeaways = known
        is_takeaway = cand.takeaway_only or in_takeaways
        fields = read_fields(cand.raw, ctx)
        ctx.problems.extend(
            Problem(cand.line, message, severity) for severity, message in fields.problems
        )
        if not _has_words(fields.text):
            if not fields.tickets:
                continue
            # An item that is only a link to its ticket: the link is its text.
            fields.text = plain(cand.raw).strip("[]() ")
            if not _has_words(fields.text):
                continue
        elif (
            _PLACEHOLDER.match(fields.text)
            or TEMPLATE_INSTRUCTION.match(fields.text)
            or (
                ("{" in fields.text or "<" in fields.text or "[" in fields.text)
                and not _has_words(_EMPTY_KEYS.sub("", TEMPLATE_BLANK.sub("", fields.text)))
            )
        ):
            continue  # a template's blank or instruction: "<action item>", "TBD", "List the tasks here"
        if is_takeaway:
            takeaways.append(fields.text)
            continue
        items.append(_item(cand, fields, chain))
    return items, takeaways


def takeaway_texts(section: Node, ctx: Context) -> list[str]:
    """A "What needs to change" / "Takeaways" section standing on its own: its points."""
    out: list[str] = []
    for node in section.walk():
        for block in node.blocks:
            if isinstance(block, ListBlock):
                for item in block.items:
                    if item.text:
                        text = read_fields(item.text, ctx).text
                        if _has_words(text):
                            out.append(text)
    return out


def _section_hint(section: Node, among_others: bool) -> GroupHint:
    hint = group_hint(section.title)
    # The section's own name ("Action Items") says "tasks" but separates nothing by itself;
    # beside another action section ("Tasks to address the issue" after "Measures") it does.
    tasks = among_others and hint.tasks and bool(_TASKS_ONLY.search(normalise(section.title)))
    return GroupHint(
        hint.kind, hint.done, tasks, None if section.kind == "actions" else hint.takeaway
    )


_TASKS_ONLY = re.compile(r"\b(?:tasks?|to ?dos?|action ?items?)\b")


_NO_OVERRIDES: dict[str, object] = {}


def _item(cand: _Candidate, fields: Fields, chain: list[GroupHint]) -> ActionItem:
    o = cand.overrides or _NO_OVERRIDES
    tickets = fields.tickets
    if o.get("tickets") or cand.extra_tickets:
        tickets = list(
            dict.fromkeys([*(o.get("tickets") or []), *tickets, *(cand.extra_tickets or [])])  # type: ignore[misc]
        )
    elif len(tickets) > 1:
        tickets = list(dict.fromkeys(tickets))
    kind = o.get("kind") or fields.kind or next((h.kind for h in chain if h.kind), None)
    done = o.get("done") if o.get("done") is not None else fields.done
    if done is None:
        done = next((h.done for h in chain if h.done is not None), None)
    if done is None and looks_done(fields.text):
        done = True
    due = o.get("due") or fields.due
    return ActionItem(
        text=fields.text,
        line=cand.line,
        owner=(o.get("owner") or fields.owner or cand.group.owner_of_items()),  # type: ignore[arg-type]
        due=due if isinstance(due, date) else None,
        priority=(o.get("priority") or fields.priority),  # type: ignore[arg-type]
        kind=kind,  # type: ignore[arg-type]
        done=done,  # type: ignore[arg-type]
        ticket=", ".join(tickets) if tickets else None,
        related=", ".join(dict.fromkeys(r for r in fields.related if r not in tickets)) or None,
        section=cand.section,
    )


def _has_words(text: str) -> bool:
    return bool(text) and (text[0].isalnum() or any(ch.isalnum() for ch in text))


# --- walking the section --------------------------------------------------------------------


def _walk_node(node: Node, group: _Group, walk: _Walk, top_level: bool = False) -> None:
    section = node.title
    if not top_level:
        hint = group_hint(section)
        if node.heading is not None and _is_item_heading(node, hint):
            _heading_item(node, group, walk)
            return
        group = _Group(hint, group)
        walk.groups.append(group)
    _walk_blocks(node.blocks, group, walk, section)
    area: _Group | None = None  # the last subsection naming an area ("To-Do List")
    for child in node.children:
        if child.kind in ("actions", "takeaways"):
            if child.kind == "takeaways":
                g = _Group(GroupHint(takeaway="strong"), group)
                walk.groups.append(g)
                _walk_node(child, g, walk)
                continue
            hint = group_hint(child.title)
            if hint.tasks or hint.takeaway or hint.done is not None:
                area = _Group(hint, group)
                walk.groups.append(area)
                _walk_node(child, area, walk, top_level=True)
            else:
                # "Monitoring" after "To-Do List" is a part of that area.
                _walk_node(child, area or group, walk)


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


def _heading_item(node: Node, group: _Group, walk: _Walk) -> None:
    assert node.heading is not None
    parent = node.parent.title if node.parent is not None else node.title
    cand = _Candidate(
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
                if isinstance(block, ListBlock) and _LINK_ONLY.match(line):
                    cand.extra_tickets = [
                        *(cand.extra_tickets or []),
                        *read_fields(line, walk.ctx).tickets,
                    ]
    walk.candidates.append(cand)
    walk.structured = True
    for child in node.children:
        if child.kind == "actions":
            _walk_node(child, group, walk)


def _override(o: dict[str, object], f: Fields) -> None:
    for key in ("owner", "due", "priority", "kind", "done"):
        value = getattr(f, key)
        if value is not None and o.get(key) is None:
            o[key] = value
    if f.tickets:
        o["tickets"] = [*(o.get("tickets") or []), *f.tickets]  # type: ignore[misc]


def _walk_blocks(blocks: list[Block], group: _Group, walk: _Walk, section: str) -> None:
    current = group
    blocks = _attach_detail_lists(blocks)
    n = len(blocks)
    for i, block in enumerate(blocks):
        if isinstance(block, Para):
            label = _label(block.text)
            if label is not None:
                current = _open_label(label, group, current)
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
                label = _label(block.items[0].text)
                if (
                    label is not None
                    and i + 1 < n
                    and isinstance(blocks[i + 1], (ListBlock, Table))
                ):
                    current = _open_label(label, group, current)
                    walk.groups.append(current)
                    continue
            walk.structured = True
            _walk_list(block, current, walk, section)
        elif isinstance(block, Table):
            if _walk_table(block, current, walk, section):
                walk.structured = True
        elif isinstance(block, Code):
            continue


def _open_label(label: str, group: _Group, current: _Group) -> _Group:
    """The group a label opens. "Tasks:" or "Improvements:" names an area of the section;
    "Monitoring:" after "To-Do List:" is a part of that area, not a sibling of it."""
    hint = group_hint(label)
    parent = group
    if not (hint.tasks or hint.takeaway or hint.done is not None):
        g: _Group | None = current
        while g is not None and g is not group:
            if g.hint.tasks or g.hint.takeaway or g.hint.done is not None:
                parent = g
                break
            g = g.parent
    return _Group(hint, parent)


_GROUP_PREFIX = re.compile(
    r"^(?:\*\*|__)?(?P<label>[^:*_\n]{2,40}?)(?:\*\*|__)?\s*:(?:\*\*|__)?\s+(?P<rest>\S.*)$",
    re.DOTALL,
)


def _walk_list(block: ListBlock, group: _Group, walk: _Walk, section: str) -> None:
    """A list's items. In a flat list, an item that is only a label ("Tasks:") heads the items
    after it, and "Improvements/Fixes: ..." puts its own text among the broad points."""
    current = group
    last = len(block.items) - 1
    for n, item in enumerate(block.items):
        if item.text is not None and "\n" in item.text:
            item = _lines_under_label(item)
        text = item.text
        if text is not None and not item.children and n < last and not starts_with_verb(text):
            label = _label(text)
            if label is not None and text.rstrip("*_ ").endswith(":"):
                current = _open_label(label, group, current)
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
            and not _DIGIT.search(m.group("label"))
        ):
            hint = group_hint(m.group("label"))
            if hint.takeaway and not hint.tasks:
                own = _Group(hint, group)
                walk.groups.append(own)
                walk.candidates.append(_Candidate(m.group("rest"), item.line, own, section))
                continue
        _walk_item(item, current, walk, section)


def _attach_detail_lists(blocks: list[Block]) -> list[Block]:
    """A bullet list wedged into a numbered list, not indented under it, belongs to the
    numbered item before it: under a label ("2. Client fixes:") it is that label's sub-list;
    under an item it is the item's details, and not read."""
    if not any(isinstance(b, ListBlock) and b.ordered for b in blocks):
        return blocks
    out: list[Block] = []
    for i, block in enumerate(blocks):
        prev = blocks[i - 1] if i > 0 else None
        if (
            isinstance(block, ListBlock)
            and isinstance(prev, ListBlock)
            and not block.ordered
            and _is_detail_list(blocks, i)
        ):
            last = prev.items[-1]
            if (
                last.text is not None
                and _label(last.text) is not None
                and last.text.rstrip("*_ ").endswith(":")
            ):
                prev.items[-1] = ListItem(last.text, last.line, [*last.children, block])
            continue
        out.append(block)
    return out


def _is_detail_list(blocks: list[Block], i: int) -> bool:
    """A bullet list wedged into a numbered list is the details of the numbered item before it
    ("1. **Fix X** ... to analyze:" then "- query plans" then "2. ...")."""
    prev = blocks[i - 1]
    if not (isinstance(prev, ListBlock) and prev.ordered and prev.items):
        return False
    last = prev.items[-1]
    if (last.text or "").rstrip().endswith(":") and not any(
        isinstance(c, ListBlock) for c in last.children
    ):
        return True
    for later in blocks[i + 1 :]:
        if isinstance(later, ListBlock):
            return later.ordered and later.start == prev.start + len(prev.items)
        if not isinstance(later, Para):
            return False
    return False


def _label(text: str) -> str | None:
    """A group label: a short line ending in ':' or one bold phrase standing alone."""
    s = text.strip()
    if "\n" in s or len(s) > 90:
        return None
    bare = s.strip("*_ ").rstrip(":").strip("*_ ")
    if not bare or len(bare.split()) > 10:
        return None
    if s.endswith((":", ":**", ":__")):
        return bare
    if (s.startswith("**") and s.endswith("**") and s.count("**") == 2) or (
        s.startswith("__") and s.endswith("__") and s.count("__") == 2
    ):
        return bare
    return None


def _lines_under_label(item: ListItem) -> ListItem:
    """ "* **Tasks:**" whose next lines (a lazy continuation, no markers) are each a sentence of
    their own: the label with those lines as its children."""
    text = item.text or ""
    lines = text.split("\n")
    if len(lines) < 3 or _label(lines[0]) is None or not lines[0].rstrip("*_ ").endswith(":"):
        return item  # a title and its detail line are one item
    if not all(ln.strip()[:1].isupper() for ln in lines[1:]):
        return item
    children = ListBlock(
        False,
        1,
        [ListItem(ln.strip(), item.line + k) for k, ln in enumerate(lines) if k],
        item.line + 1,
    )
    return ListItem(lines[0], item.line, [children, *item.children])


def _walk_item(item: ListItem, group: _Group, walk: _Walk, section: str, depth: int = 0) -> None:
    if item.text is not None and "\n" in item.text:
        item = _lines_under_label(item)
    text = item.text
    if not item.children and text is not None:
        # The common case: an item with nothing nested.
        walk.candidates.append(_Candidate(text, item.line, group, section))
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
    label = _label(text)
    if label is not None:
        hint = group_hint(label)
        bold_only = not text.rstrip().endswith((":", ":**", ":__"))
        real_children = [c for c in children if c.text and not _LINK_ONLY.match(c.text)]
        is_group = bool(
            hint.tasks
            or hint.takeaway
            or hint.done is not None
            or (hint.kind and _only_kind_words(label))
        )
        if children and (is_group or len(real_children) > 1 or (bold_only and not real_children)):
            g = _Group(hint, group)
            walk.groups.append(g)
            for child in children:
                if child.text is not None and (
                    _LINK_ONLY.match(child.text) or _NOTE_START.match(child.text.strip())
                ):
                    continue  # a note or a bare link under a label is not a task
                _walk_item(child, g, walk, section, depth + 1)
            for table in tables:
                _walk_table(table, g, walk, section)
            return
        detail = real_children[0] if len(real_children) == 1 else None
        if detail is not None and detail.text is not None:
            # "Add Monitoring:" + one detail line: one item, title and detail joined.
            merged = _Candidate(f"{text.strip()} {detail.text.strip()}", item.line, group, section)
            merged.extra_tickets = _child_tickets(detail.children, walk.ctx)
            walk.candidates.append(merged)
            return
        if not children and paras:
            walk.candidates.append(
                _Candidate(f"{text.strip()} {paras[0].text.strip()}", item.line, group, section)
            )
            return

    title = plain(text).strip()
    real = [
        c
        for c in children
        if c.text and not _LINK_ONLY.match(c.text) and not _KEY_LINE.match(c.text.strip())
    ]
    if real and title.endswith((":", ":-")) and all(_is_todo(c.text or "") for c in real):
        # "We must do the following:" over to-dos: a lead-in, and the to-dos are the items.
        for child in children:
            if child.text is not None and not _LINK_ONLY.match(child.text):
                _walk_item(child, group, walk, section, depth + 1)
        return
    if len(real) >= 2 and _grouping_title(title):
        # "- Lighthouse" / "- Database" over several points: a heading written as a bullet.
        owner = title if owner_like(title) else None
        g = _Group(GroupHint(), group, owner)
        walk.groups.append(g)
        for child in children:
            if child.text is not None and (
                _LINK_ONLY.match(child.text) or _NOTE_START.match(child.text.strip())
            ):
                continue
            _walk_item(child, g, walk, section, depth + 1)
        return

    cand = _Candidate(text, item.line, group, section)
    walk.candidates.append(cand)
    # "Owner: Alice" / "Due: ..." / "Status: done" lines under the item are its metadata.
    for para in paras:
        for line in para.text.split("\n"):
            _key_line(line, cand, walk.ctx)
    for child in children:
        ctext = child.text
        if ctext is None:
            continue
        if _LINK_ONLY.match(ctext):
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


def _key_line(line: str, cand: _Candidate, ctx: Context) -> bool:
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


_GENERIC_GROUP_WORDS = frozenset(
    [
        "and",
        "or",
        "measures",
        "items",
        "actions",
        "improvements",
        "steps",
        "work",
        "tasks",
        "related",
    ]
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
                if c.text and _LINK_ONLY.match(c.text):
                    out.extend(read_fields(c.text, ctx).tickets)
    return out


def _is_todo(text: str) -> bool:
    s = text.strip()
    if s.startswith(("[ ]", "[x]", "[X]")):
        return True
    if _NOTE_START.match(s):
        return False
    if starts_with_verb(s):
        return True
    # Owner or due markers make a sub-step a task of its own.
    return "@" in s or bool(_TASK_MARKERS.search(s))


# --- tables ---------------------------------------------------------------------------------


def column_roles(header: list[str]) -> list[str | None]:
    roles: list[str | None] = []
    for cell in header:
        norm = normalise(_PARENTHESES.sub("", cell))
        role = _role(norm.rsplit(" ", 1)[-1]) if " " in norm else None
        # The header's last word names the column ("Priority action", "Task owner");
        # else its first words do ("Due date", "Bug #").
        if role is None or role == "ignore":
            role = _role(norm)
        roles.append(role if role not in [r for r in roles if r != "ignore"] else None)
    if "text" not in roles:
        for i, role in enumerate(roles):
            if role is None:
                roles[i] = "text"
                break
    return roles


def _role(norm: str) -> str | None:
    for name, pattern in _COLUMN_ROLES:
        if pattern.match(norm):
            return name
    return None


def _walk_table(table: Table, group: _Group, walk: _Walk, section: str) -> bool:
    roles = column_roles(table.header)
    if "text" not in roles:
        return False
    ti = roles.index("text")
    found = False
    ctx = walk.ctx
    for line, cells in table.rows:
        if ti >= len(cells) or not _has_words(cells[ti]):
            continue
        o: dict[str, object] = {}
        for role, cell in zip(roles, cells):
            value = cell.strip()
            if (
                not value
                or role in (None, "text", "ignore")
                or value.strip("-–—_*? ").lower() in ("", "n/a", "na", "tbd", "none")
            ):
                continue
            if role == "owner":
                o["owner"] = plain(value).lstrip("@")
            elif role == "due":
                due = parse_due(plain(value), ctx.date_order, ctx.year)
                problem = date_problem(plain(value), ctx.date_order)
                if problem is not None:
                    ctx.problems.append(Problem(line, f"due date {problem[1]}", problem[0]))
                if due is not None:
                    o["due"] = due
            elif role == "priority":
                prio = priority_of(plain(value))
                if prio:
                    o["priority"] = prio
            elif role == "status":
                status = done_of(plain(value))
                if status is not None:
                    o["done"] = status
            elif role == "kind":
                words = normalise(value).split(" ")
                if words[0] in KIND_WORDS:
                    o["kind"] = KIND_WORDS[words[0]]
            elif role == "ticket":
                if _TICKET_CELL.match(value):
                    o["tickets"] = [value]  # "#12", "OPS-7", "acme/api#3": the common case
                    continue
                cell_fields = read_fields(value, ctx)
                if cell_fields.tickets:
                    o["tickets"] = cell_fields.tickets
                elif _DIGIT.search(cell_fields.text) and not _PLACEHOLDER.match(cell_fields.text):
                    o["tickets"] = [plain(cell_fields.text)]  # "Bug 5554823": as written
                if cell_fields.done is not None and "done" not in o:
                    o["done"] = cell_fields.done  # "n/a **DONE**" in a bug column
        walk.candidates.append(_Candidate(cells[ti], line, group, section, overrides=o))
        found = True
    return found


# --- prose ----------------------------------------------------------------------------------


def _read_prose(walk: _Walk) -> None:
    """An action section with no list or table: its bare lines or sentences."""
    base: _Group | None = None
    current = _Group(GroupHint())
    for text, line, group, section in walk.prose:
        if group is not base:
            base = current = group
        for offset, unit in _units(text):
            label = _label(unit)
            if label is not None:
                # Labels are siblings under the section ("Improvements:" then "Tasks:"), and a
                # label goes on over the paragraphs after it.
                current = _open_label(label, group, current)
                walk.groups.append(current)
                continue
            plain_unit = ENUMERATOR.sub(
                "", plain(unit), count=1
            )  # "Task 1: Add ..." as a bare line
            if plain_unit.rstrip().endswith((":", ":-")):
                continue  # "We can prevent this in the future by:" leads in to what follows
            if (
                starts_with_verb(plain_unit)
                or _COMMITMENT.search(plain_unit)
                or STATUS_MARK.match(unit)
            ):
                walk.candidates.append(_Candidate(unit, line + offset, current, section))
            elif _ASPIRATION.search(plain_unit):
                walk.candidates.append(
                    _Candidate(unit, line + offset, current, section, takeaway_only=True)
                )
            elif looks_done(plain_unit, first_person=False):
                walk.candidates.append(_Candidate(unit, line + offset, current, section))


def _units(text: str) -> list[tuple[int, str]]:
    """Lines when each line is a sentence of its own, else sentences of the wrapped paragraph;
    a paragraph marked by its status ("**TODO**: ...") is one unit, its links included."""
    if STATUS_MARK.match(text):
        return [(0, text.replace("\n", " ").strip())]
    lines = text.split("\n")
    if len(lines) > 1 and all(
        ln.rstrip().endswith((".", "!", "?", ":"))
        or (i + 1 < len(lines) and lines[i + 1][:1].isupper())
        for i, ln in enumerate(lines[:-1])
    ):
        return [(i, ln.strip()) for i, ln in enumerate(lines) if ln.strip()]
    out: list[tuple[int, str]] = []
    pos = 0
    for m in [*_SENTENCE_END.finditer(text), None]:
        end = m.start() if m is not None else len(text)
        sentence = text[pos:end].replace("\n", " ").strip()
        if sentence:
            # The sentence's line is the line of its first word.
            first = _FIRST_ALNUM.search(text, pos, end)
            out.append((text.count("\n", 0, first.start() if first else pos), sentence))
        pos = m.end() if m is not None else len(text)
    return out
