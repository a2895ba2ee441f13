"""The state of one walk through an action section: the groups (labels, sub-headings) items
fall under, the candidates found so far, and how a label or a line reads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.parsing.blocks import Block, ListBlock, ListItem, Para
from tracker.parsing.fields import Context
from tracker.parsing.headings import GroupHint, group_hint
from tracker.parsing.tickets import REF

# A line that is only links or references to tickets: "PR: #12, #13", "https://.../issues/4".
_URL_OR_LINK = r"<?https?://\S+?>?|\[[^\]]*\]\([^)]*\)"

LINK_ONLY = re.compile(
    r"^\s*(?:(?:pr|prs|pull request|issue|ticket|link|see|tracked in|ref)s?\s*:?\s*)?"
    rf"(?:{_URL_OR_LINK}|\[[^\]]*\]\[[^\]]*\]|{REF})"
    rf"(?:\s*[,;]?\s*(?:{_URL_OR_LINK}|{REF}))*\s*$",
    re.IGNORECASE,
)

NOTE_START = re.compile(
    r"^(?:\*\*|__)?(?:note|nb|n\.b\.|context|why|rationale|reason|because|since|e\.g\.|i\.e\.|eg|ie|see|"
    r"details?|background|this (?:will|would|should|is|was)|that (?:will|would)|so that|which|"
    r"more (?:info|details)|related|fyi|ps|example|for example|currently|today)\b",
    re.IGNORECASE,
)

PLACEHOLDER = re.compile(
    r"^(?:<[^<>]*>|\{\{[^{}]*\}\}|\[(?:action|item|task|description|owner|todo|tbd)[^\]]*\]|tbd|tbc|n/?a|none|todo|\.\.\.|…|-+|\?+)$",
    re.IGNORECASE,
)

DIGIT = re.compile(r"\d")

# What is left of a template's line once its blanks are gone: "- Owner: - Due:".
EMPTY_KEYS = re.compile(
    r"\b(?:owner|due|priority|status|ticket|deadline|assignee)\s*:?\s*(?=[-–—|,;]|$)", re.IGNORECASE
)


@dataclass(slots=True)
class Group:
    hint: GroupHint
    parent: Group | None = None
    # A team or person heading the items under it ("- Lighthouse" over its team's fixes).
    owner: str | None = None

    def owner_of_items(self) -> str | None:
        g: Group | None = self
        while g is not None:
            if g.owner:
                return g.owner
            g = g.parent
        return None

    def chain(self) -> list[GroupHint]:
        out: list[GroupHint] = []
        g: Group | None = self
        while g is not None:
            out.append(g.hint)
            g = g.parent
        return out


@dataclass(slots=True)
class Candidate:
    raw: str
    line: int
    group: Group
    section: str
    # Set by a table's columns; they win over what the text says.
    overrides: dict[str, object] | None = None
    extra_tickets: list[str] | None = None
    takeaway_only: bool = False


@dataclass(slots=True)
class Walk:
    ctx: Context
    candidates: list[Candidate] = field(default_factory=list)
    prose: list[tuple[str, int, Group, str]] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    structured: bool = False


def has_words(text: str) -> bool:
    return bool(text) and (text[0].isalnum() or any(ch.isalnum() for ch in text))


def open_label(label: str, group: Group, current: Group) -> Group:
    """The group a label opens. "Tasks:" or "Improvements:" names an area of the section;
    "Monitoring:" after "To-Do List:" is a part of that area, not a sibling of it."""
    hint = group_hint(label)
    parent = group
    if not (hint.tasks or hint.takeaway or hint.done is not None):
        g: Group | None = current
        while g is not None and g is not group:
            if g.hint.tasks or g.hint.takeaway or g.hint.done is not None:
                parent = g
                break
            g = g.parent
    return Group(hint, parent)


def attach_detail_lists(blocks: list[Block]) -> list[Block]:
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
                and label_of(last.text) is not None
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


def label_of(text: str) -> str | None:
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


def lines_under_label(item: ListItem) -> ListItem:
    """ "* **Tasks:**" whose next lines (a lazy continuation, no markers) are each a sentence of
    their own: the label with those lines as its children."""
    text = item.text or ""
    lines = text.split("\n")
    if len(lines) < 3 or label_of(lines[0]) is None or not lines[0].rstrip("*_ ").endswith(":"):
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
