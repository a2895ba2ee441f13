"""Sections by meaning: classify headings and build the document's section tree.

A heading is normalised (emoji, numbering, Markdown emphasis, punctuation and case removed)
and matched against a small vocabulary, so "## 3. 🛠️ Action Items:" and "**Follow-ups**" are
both the action section. Unknown headings are "other"; a subsection with an unknown heading
takes its parent's kind (a "### 2024-03-01 10:00" under the timeline is timeline).

Headings are real Markdown headings (ATX or setext, any level), bold lines standing alone
(promoted here, one level below the enclosing real heading), and, in a document with no
Markdown headings at all, plain lines that read as section names ("Root Cause Analysis").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from tracker.parsing.blocks import Block, Heading, ListBlock, ListItem, Para
from tracker.parsing.vocabulary import KIND_WORDS, STATUS_MARK

NUMBERING = re.compile(
    r"^\s*(?:(?:section|part|step|chapter)\s+)?(?:\d+(?:\.\d+)*|[ivx]{1,4}|[a-h])[.):]\s+|^\s*\d+(?:\.\d+)+\s+|^\s*\d+\s+(?=[a-z])",
    re.IGNORECASE,
)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\[[^\]]*\]")
_NON_WORD = re.compile(r"[^a-z0-9&/']+")
_MARKS = re.compile(r"(\*\*|__|~~|`)")
_SINGLE_MARKS = re.compile(r"(?<![\w*])[*_](?=\S)|(?<=\S)[*_](?![\w*])")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_INLINE_TAG = re.compile(
    r"</?(?:span|font|b|i|u|em|strong|mark|small|sup|sub|code|kbd|br|a)\b[^<>]*>", re.IGNORECASE
)

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "actions",
        re.compile(
            r"\b(?:action ?items?|actions?(?! taken)|action plan|follow ?-?ups?|remediations?|"
            r"next steps?|corrective|prevent(?:at)?ive|prevention|to ?dos?|tasks?|"
            r"what we ?(?:ll|will|are going to) do|what (?:we are|were|we re|are we|will we) doing|doing differently|"
            r"what (?:are|will) we (?:do|change)|doing about (?:it|this)|how (?:we ?ll|we will|we are going to|to) prevent|"
            r"prevent(?:ing)? (?:this|it|recurrence|future|similar)|recurrence|"
            r"what (?:we are|were|we re) changing|changes (?:we are|were|we re) making|"
            r"work items?|countermeasures?|repair items?|open items?|"
            r"(?:short|medium|long)[ -]?term (?:fix(?:es)?|actions?|improvements?|work|plans?))\b"
        ),
    ),
    (
        "timeline",
        re.compile(
            r"\b(?:time ?line|chronology|sequence of events|timeline of events|events timeline|event log|incident log|history of events)\b"
        ),
    ),
    (
        "root_cause",
        re.compile(
            r"\b(?:root ?causes?|rca|causes?|caused|contributing factors?|why did (?:this|it) happen|"
            r"failure analysis|technical analysis|incident analysis|analysis|5 whys|five whys)\b"
        ),
    ),
    (
        "takeaways",
        re.compile(
            r"\b(?:takeaways?|what needs to change|what should (?:change|improve)|what must change|"
            r"areas? (?:for|of) improvement|improvement areas?)\b"
        ),
    ),
    (
        "lessons",
        re.compile(
            r"\b(?:lessons?|learnings?|learned|learnt|what went (?:well|wrong|badly|right)|"
            r"got lucky|where we got lucky|could have gone better|insights?|retrospective|reflections?|"
            r"went well|went wrong|things that went)\b"
        ),
    ),
    (
        "impact",
        re.compile(
            r"\b(?:impact|impacts|who was affected|affected (?:users|services|customers)|blast radius)\b"
        ),
    ),
    (
        "resolution",
        re.compile(
            r"\b(?:resolution|resolved|recovery|mitigations?|actions taken|steps taken|"
            r"how (?:it was|we) (?:fixed|resolved|recovered)|fix applied|workaround|incident response)\b"
        ),
    ),
    (
        "summary",
        re.compile(
            r"\b(?:summary|overview|tl ?;? ?dr|abstract|description|what happened|synopsis|"
            r"background|introduction|details|incident report)\b"
        ),
    ),
]

# Headings whose section holds action items only when no stronger action section exists;
# beside a real action section they are broad takeaways.
_WEAK_ACTIONS = re.compile(
    r"^(?:(?:\w+ )?improvements?|recommendations?|fixes|improvements? ?/ ?fixes)$"
)
# Headings about what comes next: the action section only when the document has no other.
_FUTURE = re.compile(
    r"^(?:whats? next|what comes next|next up|future work|future improvements|looking ahead|"
    r"moving forward|going forward|the way forward|plans?|our plans?|(?:short|long)[ -]?term)$"
)
_FIX = re.compile(r"^(?:the )?fix(?:ed)?$|^how we fixed (?:it|this)$")

# Inside an action section: what a subsection or a group label says about its items.
_TASK_WORDS = re.compile(
    r"\b(?:tasks?|to ?dos?|action ?items?|actions?|next steps?|follow ?-?ups?|work items?|"
    r"concrete steps?|steps|tickets?)\b"
)
_STRONG_TAKEAWAY = re.compile(
    r"\b(?:takeaways?|what needs to change|what should (?:change|improve)|what must change|"
    r"lessons?|learnings?|learned|learnt|insights?|went well|went wrong|themes?|principles?)\b"
)
_WEAK_TAKEAWAY = re.compile(
    r"\b(?:improvements?|fixes|recommendations?|goals?|objectives?|ideas?|areas?)\b"
)
_DONE_TRUE = re.compile(
    r"\b(?:completed?|done|finished|implemented|resolved|shipped|closed|already)\b"
)
_DONE_FALSE = re.compile(
    r"\b(?:planned|in ?-?progress|open|pending|outstanding|remaining|upcoming|future|long ?-?term|"
    r"not (?:yet )?(?:started|done)|ongoing|proposed|backlog)\b"
)

# Plain-text documents: lines that name a section even though nothing marks them as headings.
_KNOWN_OTHER = re.compile(
    r"^(?:conclusions?|appendix|references|attendees|participants|glossary|supporting information|"
    r"related(?: links)?|links|notes|acknowledg(?:e)?ments|authors?|status|stats|statistics|metadata|"
    r"detection|trigger|questions|open questions|faq|contact|next review|sign ?-?off|approvals?)$"
)
_BOLD_LINE = re.compile(
    r"^(?:[^\w\s*_`\[]{1,3}\s*)?(\*\*|__)(?P<t>[^*_\n]{1,100}?)\1\s*(?P<c>:?)\s*$"
)


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
    # (tracker.parsing.metadata).
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


def plain(text: str) -> str:
    """Inline Markdown as plain text: emphasis, code marks, inline HTML tags and link targets
    removed."""
    if "<" in text:
        text = _INLINE_TAG.sub("", text)
    if "[" in text:
        text = _LINK.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)
    if "*" in text or "_" in text or "`" in text or "~" in text:
        if "**" in text or "__" in text or "~~" in text or "`" in text:
            text = _MARKS.sub("", text)
        if "*" in text or "_" in text:  # often all gone with the double marks
            text = _SINGLE_MARKS.sub("", text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    return squeeze(text)


def squeeze(text: str) -> str:
    """``" ".join(text.split())``: runs of whitespace as one space, none at the ends.

    Most text already reads so, and is returned as it is without being split and joined again:
    every whitespace character but the space is unprintable, so printable text with no double
    space and no space at an end has nothing to squeeze."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


@lru_cache(maxsize=4096)
def normalise(heading: str) -> str:
    """ "## 3. 🛠️ **Action Items:**" -> "action items"."""
    s = plain(heading).lower()
    s = NUMBERING.sub("", s, count=1)
    s = s.replace("&", " and ").replace("’", "'")
    s = _NON_WORD.sub(" ", s)
    s = s.replace("'", "")
    return " ".join(s.split())


@lru_cache(maxsize=4096)
def classify(heading: str) -> str:
    """The section kind a heading names, read on its own."""
    norm = normalise(heading)
    if not norm:
        return "other"
    if "taken" in norm and "action" in norm:
        return "resolution"
    if _WEAK_ACTIONS.match(norm):
        return "weak_actions"
    if _FUTURE.match(norm):
        return "future_actions"
    if _FIX.match(norm):
        return "resolution"
    for kind, pattern in _PATTERNS:
        if pattern.search(norm):
            return kind
    return "other"


@dataclass(frozen=True, slots=True)
class GroupHint:
    """What an action subsection or group label says: its items' kind and done state, and
    whether it holds concrete tasks or broad takeaways."""

    kind: str | None = None
    done: bool | None = None
    tasks: bool = False
    takeaway: str | None = None  # "strong" | "weak" | None


@lru_cache(maxsize=4096)
def group_hint(label: str) -> GroupHint:
    norm = normalise(label)
    done: bool | None = None
    if _DONE_FALSE.search(norm):
        done = False
    elif _DONE_TRUE.search(norm):
        done = True
    kind = None
    for word in norm.split():
        if word in KIND_WORDS:
            found = KIND_WORDS[word]
            if kind is not None and kind != found:
                kind = None  # "corrective and preventative": no single kind
                break
            kind = found
    takeaway = (
        "strong"
        if _STRONG_TAKEAWAY.search(norm)
        else "weak"
        if _WEAK_TAKEAWAY.search(norm)
        else None
    )
    tasks = bool(_TASK_WORDS.search(norm)) and takeaway != "strong"
    return GroupHint(kind, done, tasks, takeaway)


def bold_label(text: str) -> tuple[str, bool] | None:
    """A paragraph that is one bold phrase standing alone: its text and whether it ends in ':'."""
    if "\n" in text or not (text.startswith(("**", "__")) or "**" in text[:6] or "__" in text[:6]):
        return None
    m = _BOLD_LINE.match(text)
    if not m:
        return None
    inner = m.group("t").strip()
    if len(inner.split()) > 12:
        return None
    colon = bool(m.group("c")) or inner.endswith(":")
    return inner.rstrip(":").strip() + (":" if colon else ""), colon


def plain_heading_line(line: str) -> int:
    """For documents without Markdown headings: 1 for a section-name line, 2 for a label line
    ("Monitoring and Alerts:"), 0 for ordinary text."""
    s = line.strip()
    if not s or len(s) > 70 or s[-1] in ".,;!?" or not (s[0].isupper() or s[0].isdigit()):
        return 0
    n_words = len(s.split())
    if s.endswith(":"):
        return 2 if n_words <= 7 else 0
    if n_words > 6 or ":" in s:
        return 0
    kind = classify(s)
    if kind != "other" or _KNOWN_OTHER.match(normalise(s)):
        return 1
    return 0


def build(blocks: list[Block]) -> Node:
    """The section tree of ``blocks``; the root holds what comes before the first heading."""
    root = Node(None, 0)
    blocks = _list_as_document(blocks)
    line_mode = not any(isinstance(b, Heading) for b in blocks)
    if line_mode:
        blocks = _promote_plain_lines(blocks)
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
        from tracker.parsing.fields import starts_with_verb

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


def _promote_plain_lines(blocks: list[Block]) -> list[Block]:
    """In a document without Markdown headings, lines that name a section (plain, or one bold
    phrase) become headings; the lines between them stay paragraphs."""
    out: list[Block] = []
    for block in [part for whole in blocks for part in _split_list(whole)]:
        if not isinstance(block, Para):
            out.append(block)
            continue
        run: list[str] = []
        run_start = block.line
        for offset, line in enumerate(block.text.split("\n")):
            level = plain_heading_line(line)
            text = line.strip()
            if not level:
                bold = bold_label(text)
                if bold is not None:
                    level = 1 if classify(bold[0]) != "other" else 2
                    text = bold[0]
            if level:
                if run:
                    out.append(Para("\n".join(run), run_start))
                    run = []
                out.append(Heading(level, text, block.line + offset, pseudo=True))
            elif text:
                if not run:
                    run_start = block.line + offset
                run.append(text)
        if run:
            out.append(Para("\n".join(run), run_start))
    return out


_LEAD_LABEL = re.compile(
    r"^(?:\*\*|__)?(?P<label>[^*_:\n]{2,60}?)(?:\*\*|__)?\s*:(?:\*\*|__)?\s*(?P<rest>.*)$",
    re.DOTALL,
)


def _list_as_document(blocks: list[Block]) -> list[Block]:
    """A document written as one bullet list whose top-level items open with section names
    ("- **Summary**: ...", "- **Follow-ups**:" over sub-items): each such item is a section's
    heading (one level below the last real heading) followed by its text and sub-items."""
    out: list[Block] = []
    level = 1
    seen_section = False
    for block in blocks:
        if isinstance(block, Heading):
            level = block.level + 1
            seen_section = seen_section or classify(block.text) != "other"
        elif isinstance(block, Para) and not seen_section:
            # "**Issue Summary:**" or a plain "Corrective and Preventative Measures:" line.
            first = block.text.split("\n", 1)[0]
            bold = bold_label(first)
            name = bold[0] if bold is not None else first if plain_heading_line(first) else ""
            seen_section = bool(name) and classify(name) != "other"
        if seen_section or not isinstance(block, ListBlock) or len(block.items) < 2:
            out.append(block)
            continue
        heads = [_section_label(item.text or "") for item in block.items]
        if sum(h is not None for h in heads) < 2:
            out.append(block)
            continue
        rest = ListBlock(block.ordered, block.start, [], block.line)
        for item, head in zip(block.items, heads):
            if head is None:
                rest.items.append(item)
                continue
            if rest.items:
                out.append(rest)
                rest = ListBlock(block.ordered, block.start, [], item.line)
            label, text = head
            out.append(Heading(level, label, item.line, pseudo=True))
            if text:
                out.append(Para(text, item.line))
            out.extend(item.children)
        if rest.items:
            out.append(rest)
    return out


def _section_label(text: str) -> tuple[str, str] | None:
    m = _LEAD_LABEL.match(text)
    if m is None or classify(m.group("label")) == "other":
        return None
    return m.group("label").strip(), m.group("rest").strip()


def _split_list(block: Block) -> list[Block]:
    """A list that swallowed the document: with no Markdown headings, "Root Cause:" after a
    list item is a lazy continuation of the item's paragraph. The list ends before such a
    section-name line, which opens a paragraph of its own (promoted to a heading above)."""
    if not isinstance(block, ListBlock):
        return [block]
    out: list[Block] = []
    current = ListBlock(block.ordered, block.start, [], block.line)
    for item in block.items:
        lines = (item.text or "").split("\n")
        cut = next(
            (
                k
                for k in range(1, len(lines))
                if plain_heading_line(lines[k]) and classify(lines[k]) != "other"
            ),
            None,
        )
        if cut is None:
            current.items.append(item)
            continue
        current.items.append(ListItem("\n".join(lines[:cut]), item.line))
        out.append(current)
        out.append(Para("\n".join(lines[cut:]), item.line + cut))
        out.extend(b for child in item.children for b in _split_list(child))
        current = ListBlock(block.ordered, block.start, [], item.line + len(lines))
    if current.items:
        out.append(current)
    return out


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
