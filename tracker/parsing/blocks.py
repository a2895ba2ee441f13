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
from typing import TYPE_CHECKING, Any, Union

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


Block = Union[Heading, Para, ListBlock, Table, Code]

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

        _MD = MarkdownIt("commonmark", {"maxNesting": 40}).enable("table").disable(["inline", "text_join"])
    return _MD


def tokenize(text: str) -> tuple[list[Block], dict[str, str]]:
    """Blocks of ``text`` and its link reference definitions (normalised label -> URL)."""
    env: dict[str, Any] = {}
    tokens = markdown().parse(text, env)
    blocks = _walk(tokens)
    refs = {label: ref.get("href", "") for label, ref in env.get("references", {}).items()}
    return blocks, refs


def _walk(tokens: Sequence[Any]) -> list[Block]:
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
            if item is not None and item.text is None and not item.children:
                # The item's first paragraph is its text (the common case: no Para to make
                # and move out of its children when the item closes).
                _settle(item, tokens[i + 1].content, t.map[0] + 1)
            else:
                target.append(Para(tokens[i + 1].content, t.map[0] + 1))
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
            block = ListBlock(ordered, int(t.attrs.get("start", 1)) if ordered else 1, [], t.map[0] + 1)
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
        elif kind == "fence" or kind == "code_block":
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
