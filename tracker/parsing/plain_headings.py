"""Headings that nothing marks as headings: a bold line standing alone, a plain line that reads
as a section name in a document with no Markdown headings, a bulleted outline acting as the
document."""

from __future__ import annotations

import re

from tracker.parsing.blocks import Block, Heading, ListBlock, ListItem, Para
from tracker.parsing.headings import classify, normalise

# Plain-text documents: lines that name a section even though nothing marks them as headings.
_KNOWN_OTHER = re.compile(
    r"^(?:conclusions?|appendix|references|attendees|participants|glossary|supporting information|"
    r"related(?: links)?|links|notes|acknowledg(?:e)?ments|authors?|status|stats|statistics|metadata|"
    r"detection|trigger|questions|open questions|faq|contact|next review|sign ?-?off|approvals?)$"
)

_BOLD_LINE = re.compile(
    r"^(?:[^\w\s*_`\[]{1,3}\s*)?(\*\*|__)(?P<t>[^*_\n]{1,100}?)\1\s*(?P<c>:?)\s*$"
)


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


def promote_plain_lines(blocks: list[Block]) -> list[Block]:
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


def list_as_document(blocks: list[Block]) -> list[Block]:
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
