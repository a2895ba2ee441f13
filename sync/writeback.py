"""Write ticket links (and, when asked, checked boxes) back into a postmortem's Markdown.

Every byte other than the inserted link stays as it was: line endings (LF, CRLF or CR, even
mixed), the trailing newline or its absence, a byte-order mark, front matter, trailing spaces
(a Markdown hard break) and the bytes of lines that are not edited. The file is edited as bytes,
line by line; only the edited line is decoded (and re-encoded losslessly).

Where the link goes:

- an item in a table row goes into the row's ticket column (a header such as Ticket, Issue,
  Bug, Link, Jira) when the table has one, else at the end of the action cell (Action, Item,
  Task, ... or the first cell);
- any other item gets the link at the end of its line, before trailing spaces and a trailing
  backslash (both Markdown hard breaks). For an item spanning several lines, ``line`` is its
  first line, and the link goes there: that line is the one the parser reports, it always
  exists, and a reference anywhere in the item anchors it on the next ingest.

The write is ``tracker.files.replace_bytes``: atomic (a temporary file in the same folder, then
``os.replace``), keeping the file's owner, group and mode, and in place for a file with several
hard links. It is refused, with nothing written, when the file's bytes are not the ones the plan
was made from (their sha256 is compared just before reading, and the bytes again just before the
rename). A failure at any point leaves the original file untouched, and a temporary file left by
a run that was killed is removed by the next write-back in its folder (or the next ingest).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tracker.errors import InputError
from tracker.files import FileChanged, remove_stale_temps, replace_bytes

_TICKET_HEADER = re.compile(
    r"\b(tickets?|issues?|bugs?|links?|jira|tracking|tracker)\b", re.IGNORECASE
)
_ACTION_HEADER = re.compile(
    r"\b(action|actions|item|items|task|tasks|what|description|follow)", re.IGNORECASE
)
_DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_LIST_BOX = re.compile(r"^(\s*(?:>\s*)*(?:[-*+]|\d{1,9}[.)])\s+)\[ \]")
_WORD = re.compile(r"[^\W_]{3,}")


class WritebackRefused(InputError):
    """The file changed since pmt read it, or could not be written: nothing was written."""


@dataclass(frozen=True)
class LinkEdit:
    """Put ``link`` (Markdown) into the item on ``line`` (1-based)."""

    line: int
    link: str
    url: str
    # The item's text: the line must hold it (a guard against writing into the wrong line).
    text: str = ""


@dataclass(frozen=True)
class CheckEdit:
    """Check the box of the item on ``line`` (``[ ]`` becomes ``[x]``)."""

    line: int
    text: str = ""


Edit = LinkEdit | CheckEdit


@dataclass(frozen=True)
class EditOutcome:
    edit: Edit
    applied: bool
    # Why it was not applied; None when applied or when there was nothing to do.
    problem: str | None = None
    note: str | None = None


@dataclass
class WritebackResult:
    path: str
    outcomes: list[EditOutcome] = field(default_factory=list)
    # The file's new bytes when it was written (None: nothing to change): what the caller
    # records, without reading the file back.
    data: bytes | None = None

    @property
    def written(self) -> bool:
        return self.data is not None


def link_markdown(key: str, url: str) -> str:
    """``[#123](url)`` for a GitHub key ("org/repo#123"), ``[OPS-12](url)`` for a Jira key."""
    label = "#" + key.rsplit("#", 1)[1] if "#" in key else key
    return f"[{label}]({url})"


def content_hash(data: bytes) -> str:
    """sha256 of the bytes: the default way to tell whether a file changed."""
    return hashlib.sha256(data).hexdigest()


Digest = Callable[[bytes], str]


def apply_edits(data: bytes, edits: Sequence[Edit]) -> tuple[bytes, list[EditOutcome]]:
    """The document with ``edits`` made (pure). Edits that cannot be made are reported."""
    lines = data.splitlines(keepends=True)
    outcomes: list[EditOutcome] = []
    for edit in edits:
        index = edit.line - 1
        if not 0 <= index < len(lines):
            outcomes.append(
                EditOutcome(edit, False, f"line {edit.line} is past the end of the file")
            )
            continue
        raw = lines[index]
        body = raw.rstrip(b"\r\n")
        ending = raw[len(body) :]
        text = body.decode("utf-8", errors="surrogateescape")
        if not _holds_item(text, edit.text):
            outcomes.append(EditOutcome(edit, False, f"line {edit.line} does not hold the item"))
            continue
        if isinstance(edit, LinkEdit):
            new_text, outcome = _insert_link(lines, index, text, edit)
        else:
            new_text, outcome = _check_box(text, edit)
        outcomes.append(outcome)
        if new_text != text:
            lines[index] = new_text.encode("utf-8", errors="surrogateescape") + ending
    return b"".join(lines), outcomes


def write_back(
    path: str | Path, edits: Sequence[Edit], expected_hash: str, *, digest: Digest = content_hash
) -> WritebackResult:
    """Make ``edits`` in the file at ``path``, atomically, if ``digest(bytes) == expected_hash``;
    the result holds the new bytes when the file was written.

    ``digest`` lets the caller compare with the hash the store keeps (``tracker.ingest``'s,
    which also covers the settings that shaped the rows).
    """
    shown = str(path)
    # Write through a symlink to the real file, not over the link.
    real = Path(os.path.realpath(path))
    try:
        data = real.read_bytes()
    except OSError as exc:
        raise WritebackRefused(
            shown, f"cannot read it for write-back: {exc.strerror or exc}"
        ) from exc
    if digest(data) != expected_hash:
        raise WritebackRefused(shown, _CHANGED)
    new, outcomes = apply_edits(data, edits)
    result = WritebackResult(path=shown, outcomes=outcomes)
    if new != data:
        _replace(real, new, data, shown)
        result.data = new
    return result


_CHANGED = "changed since pmt read it; no link was written (run pmt sync again to write them)"


def _replace(real: Path, new: bytes, old: bytes, shown: str) -> None:
    # Temporary files an earlier run was killed before renaming: gone before this one adds its own.
    remove_stale_temps(real.parent)
    try:
        replace_bytes(real, new, expected=old)
    except FileChanged:
        raise WritebackRefused(shown, _CHANGED) from None
    except OSError as exc:
        raise WritebackRefused(
            shown,
            f"could not write the ticket links ({exc.strerror or exc}); the file is unchanged",
        ) from exc


def _holds_item(line: str, item_text: str) -> bool:
    if not line.strip():
        return False
    words = [w.lower() for w in _WORD.findall(item_text)][:4]
    if not words:
        return True
    found = {w.lower() for w in _WORD.findall(line)}
    return any(w in found for w in words)


def _insert_link(
    lines: list[bytes], index: int, text: str, edit: LinkEdit
) -> tuple[str, EditOutcome]:
    if edit.url in text:
        return text, EditOutcome(edit, False, note="the link is already there")
    header = _table_header(lines, index)
    if header is not None:
        cells = _cells(text)
        if cells:
            header_cells = [header[s:e] for s, e in _cells(header)]
            target = _column(header_cells, _TICKET_HEADER)
            where = "ticket column"
            if target is None or target >= len(cells):
                target = _column(header_cells, _ACTION_HEADER)
                where = "action cell"
                if target is None or target >= len(cells):
                    target = 0
            start, end = cells[target]
            cell = text[start:end]
            if cell.strip():
                kept = cell.rstrip()
                new_cell = f"{kept} {edit.link}{cell[len(kept) :]}"
            else:
                new_cell = f" {edit.link} "
            return text[:start] + new_cell + text[end:], EditOutcome(edit, True, note=where)
    kept = text.rstrip(" \t")
    tail = text[len(kept) :]
    if kept.endswith("\\") and not kept.endswith("\\\\"):
        kept, tail = kept[:-1], "\\" + tail
    return f"{kept} {edit.link}{tail}", EditOutcome(edit, True, note="end of line")


def _check_box(text: str, edit: CheckEdit) -> tuple[str, EditOutcome]:
    match = _LIST_BOX.match(text)
    if match:
        at = match.end(1)
    elif text.lstrip().startswith("|") and "[ ]" in text:
        at = text.index("[ ]")
    else:
        if re.search(r"\[[xX]\]", text):
            return text, EditOutcome(edit, False, note="already checked")
        return text, EditOutcome(edit, False, f"line {edit.line} has no box to check")
    return text[:at] + "[x]" + text[at + 3 :], EditOutcome(edit, True, note="box checked")


def _table_header(lines: list[bytes], index: int) -> str | None:
    """The header row of the table whose body holds line ``index``, or None if it is no table."""
    if b"|" not in lines[index]:
        return None
    i = index - 1
    while i >= 1:
        row = lines[i].decode("utf-8", errors="surrogateescape").rstrip("\r\n")
        if not row.strip() or "|" not in row and not _DELIMITER_ROW.match(row):
            return None
        if _DELIMITER_ROW.match(row) and "-" in row:
            header = lines[i - 1].decode("utf-8", errors="surrogateescape").rstrip("\r\n")
            return header if "|" in header else None
        i -= 1
    return None


def _cells(row: str) -> list[tuple[int, int]]:
    """(start, end) of each cell's text in a table row, split on unescaped pipes."""
    bounds = [i for i, ch in enumerate(row) if ch == "|" and (i == 0 or row[i - 1] != "\\")]
    if not bounds:
        return []
    spans: list[tuple[int, int]] = []
    edges = [-1, *bounds, len(row)]
    for a, b in itertools.pairwise(edges):
        spans.append((a + 1, b))
    # Drop the text before a leading pipe and after a trailing pipe: they are not cells.
    if not row[: bounds[0]].strip():
        spans = spans[1:]
    if not row[bounds[-1] + 1 :].strip():
        spans = spans[:-1]
    return spans


def _column(header_cells: Sequence[str], pattern: re.Pattern[str]) -> int | None:
    for i, name in enumerate(header_cells):
        if pattern.search(name.strip().strip("*_")):
            return i
    return None
