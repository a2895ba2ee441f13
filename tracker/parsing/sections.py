"""The document's section tree, each section with its kind.

A heading's kind comes from ``headings.classify``, so "## 3. 🛠️ Action Items:" and
"**Follow-ups**" are both the action section. Unknown headings are "other"; a subsection with an unknown heading
takes its parent's kind (a "### 2024-03-01 10:00" under the timeline is timeline).

Headings are real Markdown headings (ATX or setext, any level), bold lines standing alone
(promoted here, one level below the enclosing real heading), and, in a document with no
Markdown headings at all, plain lines that read as section names ("Root Cause Analysis"; found
by ``plain_headings``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.parsing.blocks import Block, Heading, ListBlock, Para
from tracker.parsing.headings import classify, group_hint, plain
from tracker.parsing.plain_headings import bold_label, list_as_document, promote_plain_lines
from tracker.parsing.tense import starts_with_verb
from tracker.parsing.vocabulary import STATUS_MARK


@dataclass(slots=True)
class Node:
    """A section: its heading (None for the part before the first heading) and its content."""

    heading: Heading | None
    level: int
    kind: str = "other"
    own_kind: str = "other"
    blocks: list[Block] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None
    # The heading as plain text ("" for the root).
    title: str = ""
    # Its "Key: value" lines, read once, and for the root the summary-like sections
    # (tracker.parsing.summary).
    key_values: list[tuple[str, str, int]] | None = None
    summaries: list[Node] | None = None

    # The section and its descendants in document order, once the tree is built.
    _walked: list[Node] | None = None

    def walk(self) -> list[Node]:
        if self._walked is None:
            out = [self]
            for child in self.children:
                out.extend(child.walk())
            self._walked = out
        return self._walked


def build(blocks: list[Block]) -> Node:
    """The section tree of ``blocks``; the root holds what comes before the first heading."""
    root = Node(None, 0)
    blocks = list_as_document(blocks)
    line_mode = not any(isinstance(b, Heading) for b in blocks)
    if line_mode:
        blocks = promote_plain_lines(blocks)
    stack = [root]
    real_level = 0
    for n, block in enumerate(blocks):
        if isinstance(block, Para) and not line_mode:
            promoted = _promote_bold(block, stack[-1], real_level)
            if promoted is not None:
                heading, rest = promoted
                _open(stack, heading)
                if rest is not None:
                    stack[-1].blocks.append(rest)
                continue
            label = _promote_label(
                block, stack[-1], real_level, blocks[n + 1] if n + 1 < len(blocks) else None
            )
            if label is not None:
                _open(stack, label)
                continue
        if isinstance(block, Heading):
            if not block.pseudo:
                real_level = block.level
            _open(stack, block)
            continue
        stack[-1].blocks.append(block)
    _resolve_weak(root)
    _mark_title(root)
    _adopt_marked(root)
    return root


def title_node(root: Node) -> Node | None:
    """The document's title heading: its first heading, when no other heading is as high."""
    if root.children and root.children[0].heading is not None and root.children[0].heading.pseudo:
        return None
    nodes = [n for n in root.walk()[1:] if n.heading is not None and not n.heading.pseudo]
    if not nodes or root.children[0] is not nodes[0]:
        return None
    first = nodes[0]
    if any(n.level <= first.level for n in nodes[1:]):
        return None
    return first


def _mark_title(root: Node) -> None:
    node = title_node(root)
    if node is None or node.kind == "other":
        return
    if any(d.own_kind != "other" for d in node.walk()[1:]) or not node.children and not node.blocks:
        # The title names the incident, not a section: its subsections are the sections.
        node.kind = "other"
        for d in node.walk()[1:]:
            if d.parent is not None:
                d.kind = _effective_kind(d.own_kind, d.parent.kind, d.title)


def _open(stack: list[Node], heading: Heading) -> None:
    while len(stack) > 1 and stack[-1].level >= heading.level:
        stack.pop()
    parent = stack[-1]
    node = Node(heading, heading.level, parent=parent, title=plain(heading.text))
    node.own_kind = classify(heading.text)
    node.kind = _effective_kind(node.own_kind, parent.kind, heading.text)
    parent.children.append(node)
    stack.append(node)


# A heading that opens with a time or a day ("### 4:09-4:56 PM: Post-incident follow-up").
_TIMED = re.compile(
    r"^\W*(?:\d{1,2}[:h.]\d{2}|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d)",
    re.IGNORECASE,
)


def _effective_kind(own: str, parent: str, text: str) -> str:
    if parent == "timeline" and _TIMED.match(text):
        return "timeline"  # a period of the timeline, whatever its title says
    if parent == "actions":
        # Inside the action section, subsections are groups of actions unless they plainly name
        # another part of the document.
        hint = group_hint(text)
        if hint.takeaway == "strong" and own in ("takeaways", "lessons"):
            return "takeaways"
        if own in ("timeline", "summary", "impact", "root_cause") and not (
            hint.kind or hint.tasks or hint.done is not None
        ):
            return own
        return "actions"
    if own == "other":
        return parent if parent != "other" else "other"
    return own


def _promote_bold(
    block: Para, current: Node, real_level: int
) -> tuple[Heading, Para | None] | None:
    head = block.text[:6]
    if "**" not in head and "__" not in head:
        return None  # what bold_label asks of the first line, without splitting a long paragraph
    first, _, rest = block.text.partition("\n")
    found = bold_label(first)
    if found is None:
        return None
    text, colon = found
    # A bold first line followed by text: a heading only when it reads as one.
    if rest and not colon and classify(text) == "other":
        return None
    if current.kind == "actions" and not colon:
        # "**Add rate limiting**" under Action Items is an item written in bold, not a group.
        hint = group_hint(text)
        if starts_with_verb(text) and not (
            hint.tasks or hint.takeaway or hint.kind or hint.done is not None
        ):
            return None
    heading = Heading(real_level + 1, text, block.line, pseudo=True)
    return heading, (Para(rest, block.line + 1) if rest else None)


def _promote_label(
    block: Para, current: Node, real_level: int, following: Block | None
) -> Heading | None:
    """ "Some possible actions in the future:" standing alone outside any action section: the
    action section's heading, written as a plain line."""
    text = block.text
    if not isinstance(following, ListBlock) or current.kind == "actions":
        return None  # a lead-in line introduces a list
    if "\n" in text or not text.rstrip().endswith(":") or len(text.split()) > 12:
        return None
    if classify(text) != "actions" or _TAKEN.search(text):
        return None
    return Heading(real_level + 1, plain(text.strip().rstrip(":")) + ":", block.line, pseudo=True)


_TAKEN = re.compile(r"\b(?:taken|done|completed|performed)\b", re.IGNORECASE)


def _adopt_marked(root: Node) -> None:
    """With no action section, a section whose paragraphs or items are marked as to-dos (two at
    least: "**DONE**: ...", "[ ] ...") holds the document's action items."""
    nodes = root.walk()
    if any(n.kind == "actions" for n in nodes):
        return
    for node in nodes[1:]:
        texts = [b.text for b in node.blocks if isinstance(b, Para)]
        texts += [
            i.text for b in node.blocks if isinstance(b, ListBlock) for i in b.items if i.text
        ]
        if (
            node.kind in ("lessons", "takeaways", "other")
            and sum(bool(STATUS_MARK.match(t)) for t in texts) >= 2
        ):
            node.kind = "actions"
            return


def _resolve_weak(root: Node) -> None:
    """ "Improvements" is the action section when there is no other, else broad takeaways;
    "What's next" is the action section when there is no other, else just a section."""
    nodes = root.walk()
    has_actions = any(n.own_kind == "actions" for n in nodes)
    for node in nodes:
        if node.own_kind in ("weak_actions", "future_actions") and node.kind == node.own_kind:
            if any(d.own_kind == "actions" for d in node.walk()[1:]):
                # "Recommendations" over "Immediate Actions" and "Short Term": the action area.
                node.kind = node.own_kind = "actions"
                for child in node.walk()[1:]:
                    if child.parent is not None:
                        child.kind = _effective_kind(child.own_kind, child.parent.kind, child.title)
            elif has_actions:
                node.kind = "takeaways" if node.own_kind == "weak_actions" else _inherited(node)
            else:
                node.kind = "actions"
            node.own_kind = node.kind if node.kind != _inherited(node) else "other"
            for child in node.walk()[1:]:
                if child.parent is not None:
                    child.kind = _effective_kind(child.own_kind, child.parent.kind, child.title)
        elif node.kind in ("weak_actions", "future_actions"):
            node.kind = "actions"


def _inherited(node: Node) -> str:
    parent = node.parent.kind if node.parent is not None else "other"
    return parent if parent not in ("weak_actions", "future_actions") else "other"
