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
    """The one tokeniser: CommonMark with tables and strikethrough (built on first use)."""
    global _MD
    if _MD is None:
        from markdown_it import MarkdownIt

        _MD = MarkdownIt("commonmark", {"maxNesting": 40}).enable(["table", "strikethrough"])
    return _MD


def tokenize(text: str) -> tuple[list[Block], dict[str, str]]:
    """Blocks of ``text`` and its link reference definitions (normalised label -> URL)."""
    env: dict[str, Any] = {}
    tokens = markdown().parse(text, env)
    blocks, _ = _walk(tokens, 0, len(tokens))
    refs = {label: ref.get("href", "") for label, ref in env.get("references", {}).items()}
    return blocks, refs


def _walk(tokens: Sequence[Any], i: int, stop: int) -> tuple[list[Block], int]:
    """Blocks from ``tokens[i:stop]``; container tokens are consumed whole."""
    out: list[Block] = []
    while i < stop:
        t = tokens[i]
        kind = t.type
        if kind == "paragraph_open":
            inline = tokens[i + 1]
            out.append(Para(inline.content, t.map[0] + 1))
            i += 3
        elif kind == "heading_open":
            inline = tokens[i + 1]
            out.append(Heading(int(t.tag[1]), inline.content, t.map[0] + 1))
            i += 3
        elif kind == "bullet_list_open" or kind == "ordered_list_open":
            close = _close(tokens, i)
            start = int(t.attrs.get("start", 1)) if kind == "ordered_list_open" else 1
            out.append(ListBlock(kind == "ordered_list_open", start, _items(tokens, i + 1, close), t.map[0] + 1))
            i = close + 1
        elif kind == "table_open":
            close = _close(tokens, i)
            out.append(_table(tokens, i + 1, close))
            i = close + 1
        elif kind == "fence" or kind == "code_block":
            out.append(Code(t.content, t.map[0] + 1))
            i += 1
        else:
            # blockquote_open/close, hr, html_block: quoted content is read as if unquoted.
            i += 1
    return out, i


def _close(tokens: Sequence[Any], i: int) -> int:
    """Index of the token closing the container opened at ``i``."""
    level = tokens[i].level
    closing = tokens[i].type.replace("_open", "_close")
    j = i + 1
    while j < len(tokens):
        t = tokens[j]
        if t.level == level and t.type == closing:
            return j
        j += 1
    return len(tokens) - 1


def _items(tokens: Sequence[Any], i: int, stop: int) -> list[ListItem]:
    items: list[ListItem] = []
    while i < stop:
        t = tokens[i]
        if t.type != "list_item_open":
            i += 1
            continue
        close = _close(tokens, i)
        children, _ = _walk(tokens, i + 1, close)
        text: str | None = None
        line = t.map[0] + 1
        if children and isinstance(children[0], Para):
            first = children.pop(0)
            assert isinstance(first, Para)
            # The paragraph's own line: "-" alone on a line puts the text on the next one, and
            # so does "- [ ]" alone (the text goes on as a lazy continuation).
            text, line = first.text, first.line
            if "\n" in text:
                lines = text.split("\n")
                skip = 0
                while skip < len(lines) - 1 and not _has_word(lines[skip]):
                    skip += 1
                line += skip
        items.append(ListItem(text, line, children))
        i = close + 1
    return items


def _has_word(line: str) -> bool:
    return any(ch.isalnum() for ch in line.replace("[x]", "").replace("[X]", ""))


def _table(tokens: Sequence[Any], i: int, stop: int) -> Table:
    header: list[str] = []
    header_line = 0
    rows: list[tuple[int, list[str]]] = []
    cells: list[str] = []
    row_line = 0
    in_head = False
    while i < stop:
        t = tokens[i]
        kind = t.type
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
    return Table(header, header_line, rows)
