"""Fit a table to the terminal: shorten what may be shortened, hide what matters least.

A cell is one of three kinds, and each gives way differently when the terminal is narrow:

- ``text`` (an action item, a title) wraps between words;
- ``path`` (a postmortem's path or key) is shortened in the middle with "…", keeping its
  folder's start and the file's name;
- ``atom`` (a date, a URL, a ticket, a number) is never broken: a reader must be able to copy
  it. When atoms do not fit, their column is hidden instead, the least useful first;
- ``ref`` (a long name shown in full elsewhere) is an atom that, rather than being hidden,
  becomes a numbered reference (``[1]``) with the whole value listed under the table.

``--wide`` turns all of this off: every column, nothing cut (for a wide terminal or a file).
The functions here are pure; ``cli.output`` draws the table with rich.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass

# Room a column takes besides its content in rich's boxed table: one space each side and
# the rule on its right; the table adds the rule on its left.
COLUMN_OVERHEAD = 3
TABLE_OVERHEAD = 1
# The narrowest a wrapping column is made (a column whose cells are all shorter keeps theirs).
TEXT_MIN = 18
PATH_MIN = 16
ELLIPSIS = "…"
# Words a wrapping column must still hold whole: URLs and dates (with a time, if any).
_UNBREAKABLE = re.compile(
    r"[a-z][a-z0-9+.-]*://\S+|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?\S*)?", re.IGNORECASE
)


@dataclass(frozen=True)
class FitColumn:
    header: str
    kind: str  # "text" | "path" | "atom"
    # Hidden in this order when the table does not fit (-1, then 1, 2...); 0: never hidden.
    drop: int
    natural: int  # the widest cell (or header word), in terminal cells
    # The longest URL or date inside a text column's cells: it wraps around them, never through.
    unbreakable: int = 0


@dataclass(frozen=True)
class Fit:
    # For each column, its width (None: hidden).
    widths: list[int | None]

    @property
    def hidden(self) -> list[int]:
        return [i for i, w in enumerate(self.widths) if w is None]


def terminal_width() -> int:
    """The width to fit: ``COLUMNS`` when set, else the terminal's, else 80 (a pipe, a file)."""
    value = os.environ.get("COLUMNS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    return shutil.get_terminal_size((80, 24)).columns


def cell_width(text: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(line) for line in text.splitlines()), default=0)


def unbreakable_width(cells: Sequence[str]) -> int:
    return max((cell_width(m.group()) for c in cells for m in _UNBREAKABLE.finditer(c)), default=0)


def guess_kind(cells: Sequence[str]) -> str:
    """For a column that does not say: cells with spaces are text; without, paths when they
    look like one (a "/" that is not in a URL), else atoms (dates, URLs, tickets, numbers)."""
    if any(" " in c for c in cells):
        return "text"
    if any("/" in c for c in cells) and not any("://" in c for c in cells):
        return "path"
    return "atom"


def minimum(column: FitColumn) -> int:
    header = max((cell_width(w) for w in column.header.split()), default=0)
    if column.kind == "atom":
        return max(column.natural, header)
    floor = TEXT_MIN if column.kind == "text" else PATH_MIN
    return max(min(column.natural, floor), header, column.unbreakable)


def table_width(widths: Sequence[int | None]) -> int:
    shown = [w for w in widths if w is not None]
    return sum(shown) + COLUMN_OVERHEAD * len(shown) + TABLE_OVERHEAD


def fit(columns: Sequence[FitColumn], width: int) -> Fit:
    """The width of each column so that the table is at most ``width`` cells wide.

    Columns keep their natural width when everything fits. Otherwise text and path columns
    give up room down to their minimum, then columns are hidden by rank (``drop`` 1 first,
    then 2, ...); columns ranked 0 stay, even when the table is then wider than ``width``.
    """
    naturals: list[int | None] = [max(c.natural, minimum(c)) for c in columns]
    if table_width(naturals) <= width:
        return Fit(naturals)
    # Columns with nothing in them (-1) are the first to go: hiding them loses nothing.
    shown = [i for i, c in enumerate(columns) if c.drop != -1]
    order = sorted((i for i in shown if columns[i].drop), key=lambda i: (columns[i].drop, -i))
    while order and _least(columns, shown) > width:
        shown.remove(order.pop(0))
    widths: list[int | None] = [None] * len(columns)
    for i in shown:
        widths[i] = minimum(columns[i])
    spare = width - table_width(widths)
    # Give the room left back to the columns that gave some up, in proportion to their want.
    wants = {i: max(naturals[i] or 0, 0) - (widths[i] or 0) for i in shown}
    total_want = sum(w for w in wants.values() if w > 0)
    if spare > 0 and total_want > 0:
        for i, want in wants.items():
            if want > 0:
                widths[i] = (widths[i] or 0) + min(want, spare * want // total_want)
        spare = width - table_width(widths)
        for i, want in wants.items():  # the cells lost to rounding, left to right
            room = (naturals[i] or 0) - (widths[i] or 0)
            if spare > 0 and room > 0:
                extra = min(room, spare)
                widths[i] = (widths[i] or 0) + extra
                spare -= extra
    return Fit(widths)


def _least(columns: Sequence[FitColumn], shown: Sequence[int]) -> int:
    return table_width([minimum(columns[i]) for i in shown])


def shorten_middle(text: str, width: int) -> str:
    """A path cut to ``width``: the file's name whole when it fits (``post…/a-long-name.md``),
    else the name alone, cut in its middle (``2026-11-03-fe…-rollout.md``): the folder says
    least."""
    if cell_width(text) <= width or width < 3:
        return text
    folder, _, name = text.rpartition("/")
    if folder and len(name) + 2 <= width:
        return folder[: width - len(name) - 2] + ELLIPSIS + "/" + name
    keep = width - 1
    head = keep // 2
    return name[:head] + ELLIPSIS + name[len(name) - (keep - head) :]
