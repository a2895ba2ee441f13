"""One pass over markdown-it's tokens: the document as a flat list of blocks with line numbers.

markdown-it gives 0-based ``map`` line ranges on block tokens; blocks here carry 1-based lines
of the original text (front matter included: it is blanked, not cut, before tokenising).
Inline content is kept as written (raw Markdown), because item text keeps its inline Markdown
and every field reader works on that.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@dataclass(slots=True)
class Heading:
    level: int
    text: str
    line: int
    # A bold line standing alone or a plain-text line promoted by the section builder.
    pseudo: bool = False


@dataclass(slots=True)
class Para:
    text: str
    line: int


@dataclass(slots=True)
class ListItem:
    # The item's first paragraph (None for an empty item or one that opens with a sub-list).
    text: str | None
    line: int
    # What follows the first paragraph inside the item: more paragraphs, sub-lists, tables.
    children: list[Block] = field(default_factory=list)


@dataclass(slots=True)
class ListBlock:
    ordered: bool
    start: int
    items: list[ListItem]
    line: int


@dataclass(slots=True)
class Table:
    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]


@dataclass(slots=True)
class Code:
    text: str
    line: int


Block = Heading | Para | ListBlock | Table | Code

_MD: MarkdownIt | None = None
_BR = re.compile(r"\s*<br\s*/?>\s*", re.IGNORECASE)


def markdown() -> MarkdownIt:
    """The one tokeniser: CommonMark with tables, block structure only (built on first use).

    Every reader here works on inline content as written (``Token.content``), never on the
    children markdown-it's inline phase would give each inline token, so that phase (the core
    rule "inline", about 40% of a full tokenisation) is off. The block tokens, their line maps
    and the link reference definitions are the same as a full parse's.
    """
    global _MD
    if _MD is None:
        from markdown_it import MarkdownIt

        _MD = (
            MarkdownIt("commonmark", {"maxNesting": 40})
            .enable("table")
            .disable(["inline", "text_join"])
        )
    return _MD


def tokenize(text: str) -> tuple[list[Block], dict[str, str]]:
    """Blocks of ``text`` and its link reference definitions (normalised label -> URL)."""
    env: dict[str, Any] = {}
    tokens = markdown().parse(text, env)
    refs = {label: ref.get("href", "") for label, ref in env.get("references", {}).items()}
    blocks = _walk(tokens, refs)
    return blocks, refs


# --- layout written with other means than Markdown's ------------------------------------------
# Postmortems use code blocks, fences and HTML as layout: a whole document fenced as
# ```markdown, prose indented four spaces (or centred with spaces), "<h3>Root Cause</h3>", a
# "###Heading" without its space. Each is read as the Markdown it stands for.

_HASH_HEADING = re.compile(r"^(#{1,6})([^\W\d_][^\n]*)$")
_CODE_CHARS = re.compile(
    r"[{};=<>$|\\]|^\s*(?:sudo|cd|ls|cat|curl|echo|git|npm|pip|apt|docker|kubectl)\b|^\s*[#/]|\(\)"
)
_HTML_STRUCTURE = re.compile(r"<(?:h[1-6]|p|li|ul|ol|div|br)\b", re.IGNORECASE)
_MARKDOWN_INFO = frozenset(("markdown", "md", "text", "txt", "plain", "plaintext"))


def _prose(text: str) -> bool:
    """Lines that read as sentences or titles, not as code, config or logs."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if not lines:
        return False
    wordy = sum(
        1
        for ln in lines
        if not _CODE_CHARS.search(ln)
        and sum(ch.isalpha() or ch == " " for ch in ln) >= 0.75 * len(ln)
    )
    return wordy >= 0.7 * len(lines)


def _as_markdown(text: str, first_line: int, refs: dict[str, str]) -> list[Block]:
    """``text`` (its first line is the file's ``first_line``) read as Markdown of its own."""
    import textwrap

    env: dict[str, Any] = {}
    padded = "\n" * (first_line - 1) + textwrap.dedent(text.expandtabs(4))
    tokens = markdown().parse(padded, env)
    for label, ref in env.get("references", {}).items():
        refs.setdefault(label, ref.get("href", ""))
    return _walk(tokens, refs)


def _layout(t: Any, refs: dict[str, str]) -> list[Block] | None:
    """The blocks a fence, code block or HTML block stands for, when it is layout."""
    kind = t.type
    if kind == "html_block":
        if not _HTML_STRUCTURE.search(t.content):
            return None
        from tracker.parsing.html import blocks_of

        return blocks_of(t.content, t.map[0] + 1)
    if kind == "fence":
        info = t.info.strip().lower()
        if info in _MARKDOWN_INFO or (
            not info and t.content.count("\n") >= 5 and _prose(t.content)
        ):
            return _as_markdown(t.content, t.map[0] + 2, refs)
        return None
    if _prose(t.content):  # an indented code block
        return _as_markdown(t.content, t.map[0] + 1, refs)
    return None


# Bullets typed as characters ("● Add alerts", "— Review configs"), and list markers left
# inside a paragraph by a too shallow indent ("1. Group\n - point"): a list all the same.
_GLYPH_CHARS = frozenset("●•▪◦–—➤►")
_GLYPH = re.compile(r"^\s*(?:[●•▪◦–—➤►]|[-*+](?=\s))\s+(?=\S)")
_MARKER_LINE = re.compile(r"\n\s*[-*+]\s+\S")


def _glyph_list(text: str, line: int) -> tuple[str, ListBlock | None]:
    """A paragraph's text before its first line that starts with a bullet character, and those
    lines as a list (None when there is none)."""
    lines = text.split("\n")
    first = next((k for k, ln in enumerate(lines) if _GLYPH.match(ln)), None)
    if first is None:
        return text, None
    block = ListBlock(False, 1, [], line + first)
    for k in range(first, len(lines)):
        m = _GLYPH.match(lines[k])
        if m is not None:
            block.items.append(ListItem(lines[k][m.end() :], line + k))
        else:  # a wrapped line goes on with the bullet above it
            last = block.items[-1]
            last.text = f"{last.text}\n{lines[k]}"
    return "\n".join(lines[:first]), block


def _hash_heading(text: str, line: int) -> list[Block] | None:
    """ "###Posmortem": a heading whose author left out the space after the hashes."""
    first, _, rest = text.partition("\n")
    m = _HASH_HEADING.match(first)
    if m is None:
        return None
    out: list[Block] = [Heading(len(m.group(1)), m.group(2).strip().rstrip("#").strip(), line)]
    if rest.strip():
        out.append(Para(rest, line + 1))
    return out


def _walk(tokens: Sequence[Any], refs: dict[str, str]) -> list[Block]:
    """One pass over the tokens with a stack of open lists and items (no look-ahead scans)."""
    out: list[Block] = []
    target = out  # where the next block goes: the document, or the open list item's children
    # Per open list: the list its block lives in, and the block.
    stack: list[tuple[list[Block], ListBlock]] = []
    item: ListItem | None = None  # the innermost open list item
    items: list[ListItem | None] = []  # the open items of the enclosing lists
    i = 0
    n = len(tokens)
    while i < n:
        t = tokens[i]
        kind = t.type
        if kind == "paragraph_open":
            content = tokens[i + 1].content
            if content[:1] == "#" and (heading := _hash_heading(content, t.map[0] + 1)) is not None:
                target.extend(heading)
                i += 3
                continue
            glyphs = None
            if _GLYPH_CHARS.intersection(content) or (
                "\n" in content and _MARKER_LINE.search(content)
            ):
                content, glyphs = _glyph_list(content, t.map[0] + 1)
            if item is not None and item.text is None and not item.children:
                # The item's first paragraph is its text (the common case: no Para to make
                # and move out of its children when the item closes).
                if content:
                    _settle(item, content, t.map[0] + 1)
            elif content:
                target.append(Para(content, t.map[0] + 1))
            if glyphs is not None:
                target.append(glyphs)
            i += 3
            continue
        if kind == "list_item_open":
            item = ListItem(None, t.map[0] + 1, [])
            target = item.children
        elif kind == "list_item_close":
            if item is not None:
                stack[-1][1].items.append(item)
                item = None
            target = stack[-1][1].items  # type: ignore[assignment]  # nothing is added between items
        elif kind == "bullet_list_open" or kind == "ordered_list_open":
            ordered = kind == "ordered_list_open"
            block = ListBlock(
                ordered, int(t.attrs.get("start", 1)) if ordered else 1, [], t.map[0] + 1
            )
            target.append(block)
            stack.append((target, block))
            items.append(item)
            item = None
        elif kind == "bullet_list_close" or kind == "ordered_list_close":
            target = stack.pop()[0]
            item = items.pop()
        elif kind == "heading_open":
            target.append(Heading(int(t.tag[1]), tokens[i + 1].content, t.map[0] + 1))
            i += 3
            continue
        elif kind == "table_open":
            table, i = _table(tokens, i + 1)
            target.append(table)
        elif kind == "fence" or kind == "code_block" or kind == "html_block":
            layout = _layout(t, refs)
            if layout is not None:
                target.extend(layout)
            elif kind != "html_block":
                target.append(Code(t.content, t.map[0] + 1))
        # blockquote_open/close, hr, html_block: quoted content is read as if unquoted.
        i += 1
    return out


def _settle(item: ListItem, text: str, line: int) -> None:
    """Make an item's first paragraph its text, on the line where its words start."""
    # "-" alone on a line puts the text on the next one, and so does "- [ ]" alone (the text
    # goes on as a lazy continuation).
    if "\n" in text:
        lines = text.split("\n")
        skip = 0
        while skip < len(lines) - 1 and not _has_word(lines[skip]):
            skip += 1
        line += skip
    item.text, item.line = text, line


def _has_word(line: str) -> bool:
    return any(ch.isalnum() for ch in line.replace("[x]", "").replace("[X]", ""))


def _table(tokens: Sequence[Any], i: int) -> tuple[Table, int]:
    """The table whose tokens start at ``i``, and the index of its ``table_close``."""
    header: list[str] = []
    header_line = 0
    rows: list[tuple[int, list[str]]] = []
    cells: list[str] = []
    row_line = 0
    in_head = False
    n = len(tokens)
    while i < n:
        t = tokens[i]
        kind = t.type
        if kind == "table_close":
            break
        if kind == "inline":
            content = t.content
            if "<br" in content:
                # Line breaks inside a cell are only layout.
                content = _BR.sub(" ", content)
            cells.append(content)
        elif kind == "tr_open":
            cells = []
            row_line = t.map[0] + 1 if t.map else row_line
        elif kind == "tr_close":
            if in_head:
                header, header_line = cells, row_line
            else:
                rows.append((row_line, cells))
        elif kind == "thead_open":
            in_head = True
        elif kind == "thead_close":
            in_head = False
        i += 1
    return Table(header, header_line, rows), i
