"""HTML blocks written as layout in Markdown postmortems (``<h3>Root Cause</h3>``, ``<ul><li>``,
``<p>``): the same blocks a Markdown heading, list or paragraph gives, with their lines.

The standard library's ``html.parser`` reads the markup (entities included); only the elements
that carry a document's structure are kept, and any other tag is dropped with its text kept.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tracker.parsing.blocks import Block, Heading, ListBlock, ListItem, Para
from tracker.parsing.vocabulary import words

# Emoji shortcodes and spacing entities used as bullets: ":small_orange_diamond:Start Time: ...".
_DECORATION = re.compile(r"^(?:\s|:[a-z0-9_+-]+:)+")
_BLOCKS = words(
    """
    p div li h1 h2 h3 h4 h5 h6 td th br tr blockquote
    """
)


class _Reader(HTMLParser):
    def __init__(self, first_line: int) -> None:
        super().__init__(convert_charrefs=True)
        self.first_line = first_line
        self.out: list[Block] = []
        self.text: list[str] = []
        self.line = first_line
        self.tag: str | None = None  # the block element being read ("p", "li", "h2", ...)
        self.lists: list[ListBlock] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("ul", "ol"):
            self.flush()
            self.lists.append(ListBlock(tag == "ol", 1, [], self._line()))
        elif tag in _BLOCKS:
            self.flush()
            self.tag = tag

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol") and self.lists:
            self.flush()
            done = self.lists.pop()
            if done.items:
                self.out.append(done)
        elif tag in _BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.text:
            stripped = data.lstrip("\n")
            self.line = self._line() + data.count("\n", 0, len(data) - len(stripped))
            data = stripped
        self.text.append(data)

    def _line(self) -> int:
        return self.first_line + self.getpos()[0] - 1

    def flush(self) -> None:
        text = " ".join(_DECORATION.sub("", "".join(self.text)).split())
        self.text = []
        tag, self.tag = self.tag, None
        if not text:
            return
        if tag is not None and tag[0] == "h" and tag[1:].isdigit():
            self.out.append(Heading(int(tag[1]), text, self.line))
        elif tag == "li" and self.lists:
            self.lists[-1].items.append(ListItem(text, self.line))
        else:
            self.out.append(Para(text, self.line))


def blocks_of(html: str, first_line: int) -> list[Block]:
    """The headings, lists and paragraphs of an HTML block whose first line is ``first_line``."""
    reader = _Reader(first_line)
    reader.feed(html)
    reader.close()
    reader.flush()
    while reader.lists:  # a list left open at the block's end
        done = reader.lists.pop(0)
        if done.items:
            reader.out.append(done)
    return reader.out
