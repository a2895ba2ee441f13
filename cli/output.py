"""One renderer for every listing: table, json, csv and markdown.

Commands compute rows (plain dicts) and hand them here with the columns to show. JSON gets the
whole rows (it is for scripts, so nothing is cut); the other formats get the named columns.
A table fits the terminal (``cli.table_fit``: text wraps, paths shorten, a date or a URL is
never broken, the least useful columns are hidden) unless ``--wide`` asks for everything.
Machine output goes to stdout; messages go to stderr (``say``). Long listings are written as
they are read (``json_lines``, ``json_array``, ``csv_lines`` with ``emit_all``); a listing cut
to its first rows (``cli.options.rows_to_show``) says so with ``say_cut``.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from cli.table_fit import FitColumn


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    # Longest a table cell may be before it wraps (0: no limit); ignored with --wide.
    max_width: int = 0
    justify: str = "left"
    # How a cell gives way on a narrow terminal: "text" wraps, "path" is shortened in the
    # middle, "atom" (date, URL, ticket, number) is never broken, "ref" becomes a numbered
    # reference listed in full under the table. None: judged from the cells.
    kind: str | None = None
    # Hidden in this order when the table does not fit (1 first); 0: never hidden. A column
    # with nothing in it is hidden first, silently.
    drop: int = 0


def csv_columns(keys: str) -> list[Column]:
    """CSV columns, named with spaces between: each headed by its key, as scripts read them."""
    return [Column(key, key) for key in keys.split()]


# Set by the root --wide option (or a command's own): every column, nothing shortened.
_wide = False


def set_wide(value: bool) -> None:
    global _wide
    _wide = value


def is_wide() -> bool:
    return _wide


def say(message: str) -> None:
    """A message for the person at the terminal (stderr, so stdout stays parseable)."""
    typer.echo(message, err=True)


def say_wrapped(message: str, indent: int | None = None) -> None:
    """``say``, each line wrapped between words to the terminal's width (a path is never cut),
    continued under ``indent`` spaces (default: its own indent and two more). Only for a
    terminal (or an explicit ``COLUMNS``): a log keeps one line per message, for grep."""
    width = _message_width()
    if width is None:
        say(message)
        return
    lines = []
    for line in message.split("\n"):
        lead = len(line) - len(line.lstrip(" "))
        lines += textwrap.wrap(
            line,
            width=width,
            subsequent_indent=" " * (lead + 2 if indent is None else indent),
            break_long_words=False,
            break_on_hyphens=False,
            drop_whitespace=True,
        ) or [line]
    say("\n".join(lines))


def _message_width() -> int | None:
    import os

    value = os.environ.get("COLUMNS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    if sys.stderr.isatty():
        from cli.table_fit import terminal_width

        return terminal_width()
    return None


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=_json_default) + "\n"


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def json_lines(objects: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """A JSON array of ``objects``, one object a line without spaces (as ``pmt overdue
    --format json`` has always printed), made piece by piece as the objects come: a long
    listing is written while it is read (``emit_all``).

    For objects of text, integers, booleans, None and dates, each encoded by ``pydantic_core``
    (pmt has it through pydantic): the bytes of ``json.dumps(obj, separators=(",", ":"),
    ensure_ascii=False)`` (a date as YYYY-MM-DD) at five times its speed
    (tests/test_overdue_output.py compares them).
    """
    from pydantic_core import to_json

    first = True
    for obj in objects:
        yield ("[\n  " if first else ",\n  ") + to_json(obj).decode()
        first = False
    yield "[]\n" if first else "\n]\n"


def json_array(objects: Iterable[Any]) -> Iterator[str]:
    """``to_json(list(objects))``, the same bytes (an indented array), made piece by piece as
    the objects come: ``pmt list --format json`` is written while the store is read."""
    first = True
    for obj in objects:
        yield ("[\n  " if first else ",\n  ") + nested_json(obj, 2)
        first = False
    yield "[]\n" if first else "\n]\n"


def nested_json(obj: Any, depth: int) -> str:
    """``to_json(obj)`` without its last newline, as it reads ``depth`` spaces deep in an
    indented document: every line after the first that much further in (a newline inside a
    string is escaped, so each "\\n" here starts a line of the object)."""
    text = json.dumps(obj, indent=2, ensure_ascii=False, default=_json_default)
    return text.replace("\n", "\n" + " " * depth)


class JsonListWriter:
    """Writes ``{**head, key: [...]}`` to stdout as ``to_json`` would, the list's objects one
    at a time as they come (``pmt ingest --format json``: repeats found during the analysis)."""

    def __init__(self, head: dict[str, Any], key: str) -> None:
        opening = to_json({**head, key: []})
        # The document ends with the empty list: '"key": []\n}\n'.
        assert opening.endswith("[]\n}\n")
        emit(opening[: -len("]\n}\n")])
        self.count = 0

    def add(self, item: Any) -> None:
        emit(("\n    " if not self.count else ",\n    ") + nested_json(item, 4))
        self.count += 1

    def close(self) -> None:
        emit("\n  ]\n}\n" if self.count else "]\n}\n")


def csv_lines(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> Iterator[str]:
    """CSV of ``rows`` (the header first), made a batch of rows at a time (``emit_all``)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c.key for c in columns])
    for n, row in enumerate(rows, 1):
        writer.writerow([cell(row.get(c.key)) for c in columns])
        if n % 1000 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def say_cut(command: str, showing: str, fmt: str, scripts: str) -> None:
    """After a listing cut to its first rows: what it shows (``showing``: "the 20 most overdue
    of 58519") and how to get the rest ("pmt overdue: showing the 20 most overdue of 58519;
    --limit N or --all for more, --format json|csv for scripts"). ``scripts``: the formats for
    scripts the command offers ("json|csv"), named unless ``fmt`` is one."""
    hint = "--limit N or --all for more"
    if fmt not in ("json", "csv"):
        hint += f", --format {scripts} for scripts"
    say(f"pmt {command}: showing {showing}; {hint}")


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value)
    return str(value)


def render(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    fmt: str,
    *,
    json_data: Any = None,
    title: str | None = None,
    group_by: str | None = None,
) -> str:
    """Return ``rows`` rendered in ``fmt`` (table, json, csv or markdown); ``json_data``
    replaces the rows for JSON output."""
    if fmt == "json":
        return to_json(list(rows) if json_data is None else json_data)
    if fmt == "csv":
        return _csv(rows, columns)
    if fmt == "markdown":
        return _markdown(rows, columns, title=title, group_by=group_by)
    return _table(rows, columns, title=title, group_by=group_by)


def emit(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def emit_all(pieces: Iterable[str]) -> None:
    """``emit`` for output made piece by piece (``json_lines``), written as it comes."""
    write = sys.stdout.write
    for piece in pieces:
        write(piece)
    sys.stdout.flush()


def _csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> str:
    return "".join(csv_lines(rows, columns))


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    *,
    title: str | None,
    group_by: str | None,
) -> str:
    out: list[str] = []
    if title:
        out += [f"## {title}", ""]
    for group, members in _groups(rows, group_by):
        if group is not None:
            out += [f"### {group or '(no owner)'}", ""]
        out.append("| " + " | ".join(c.header for c in columns) + " |")
        out.append("|" + "|".join("---:" if c.justify == "right" else "---" for c in columns) + "|")
        for row in members:
            out.append("| " + " | ".join(_md_escape(cell(row.get(c.key))) for c in columns) + " |")
        out.append("")
    return "\n".join(out)


def _groups(
    rows: Sequence[Mapping[str, Any]], group_by: str | None
) -> list[tuple[str | None, list[Mapping[str, Any]]]]:
    if not group_by:
        return [(None, list(rows))]
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(cell(row.get(group_by)), []).append(row)
    return list(groups.items())


def _table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    *,
    title: str | None,
    group_by: str | None,
) -> str:
    from rich.console import Console
    from rich.table import Table

    from cli import table_fit

    candidates = [c for c in columns if c.key != group_by]
    cells = [[cell(row.get(c.key)) for c in candidates] for row in rows]
    wide = is_wide()
    limit = 10**6 if wide else table_fit.terminal_width()
    specs = [_spec(c, [r[i] for r in cells], wide) for i, c in enumerate(candidates)]
    widths = table_fit.fit(specs, limit).widths
    legend: dict[str, str] = {}
    for i, c in enumerate(candidates):
        if c.kind == "ref" and widths[i] is None and any(line[i] for line in cells):
            # Too long to fit: a numbered reference in the cell, the whole value below.
            for line in cells:
                if line[i]:
                    legend.setdefault(line[i], f"[{len(legend) + 1}]")
                    line[i] = legend[line[i]]
            specs[i] = table_fit.FitColumn(
                c.header, "atom", 0, max(len(x) for x in legend.values())
            )
            widths = table_fit.fit(specs, limit).widths
    shown = [i for i, w in enumerate(widths) if w is not None]
    width = max(0 if wide else limit, table_fit.table_width(widths))
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=False, no_color=True, highlight=False)
    for group, members in _groups(
        [dict(row, _cells=cells[n]) for n, row in enumerate(rows)], group_by
    ):
        heading = title if group is None else f"{group or '(no owner)'} ({len(members)})"
        table = Table(title=heading, title_justify="left", show_lines=False)
        for i in shown:
            table.add_column(
                # Wrapped by hand: a column that never wraps its cells would cut its header.
                "\n".join(
                    textwrap.wrap(
                        candidates[i].header, width=widths[i] or 1, break_long_words=False
                    )
                ),
                justify=candidates[i].justify,  # type: ignore[arg-type]
                width=widths[i],
                no_wrap=specs[i].kind != "text",
                overflow="fold",
            )
        for member in members:
            row_cells = member["_cells"]
            table.add_row(
                *(
                    table_fit.shorten_middle(row_cells[i], widths[i] or 0)
                    if specs[i].kind == "path"
                    else row_cells[i]
                    for i in shown
                )
            )
        console.print(table)
    for value, ref in legend.items():
        # Wrapped between words only, under its number: a path is never cut.
        console.print(
            textwrap.fill(
                f"{ref} {value}",
                width=limit,
                subsequent_indent=" " * (len(ref) + 1),
                break_long_words=False,
                break_on_hyphens=False,
            ),
            soft_wrap=True,
        )
    # Columns with nothing in them are hidden without a word: nothing is lost.
    hidden = [
        c.header for i, c in enumerate(candidates) if widths[i] is None and specs[i].drop >= 0
    ]
    if hidden:
        note = (
            f"({len(hidden)} column{'s' if len(hidden) != 1 else ''} hidden to fit {limit} "
            f"columns: {', '.join(hidden)}; --wide shows every column)"
        )
        console.print(textwrap.fill(note, width=limit, break_long_words=False), soft_wrap=True)
    # No padding after the last character: rich pads titles to the table's width.
    return "".join(line.rstrip() + "\n" for line in buf.getvalue().splitlines())


def _spec(column: Column, cells: Sequence[str], wide: bool) -> FitColumn:
    """How ``column`` may give way (``cli.table_fit``)."""
    from cli import table_fit

    kind = column.kind or table_fit.guess_kind(cells)
    if kind == "ref":
        kind = "atom"
    # A header may wrap between its words ("Days / late") rather than widen a column of numbers.
    header = table_fit.cell_width(column.header)
    if not wide:
        header = max((table_fit.cell_width(w) for w in column.header.split()), default=0)
    natural = max([header, *(table_fit.cell_width(x) for x in cells)])
    if column.max_width and not wide and kind != "atom":
        floor = table_fit.minimum(table_fit.FitColumn(column.header, kind, column.drop, 0))
        natural = min(natural, max(column.max_width, floor))
    # An empty column goes first when room is short (drop -1).
    drop = -1 if not any(cells) and not wide else column.drop
    unbreakable = table_fit.unbreakable_width(cells) if kind == "text" and not wide else 0
    return table_fit.FitColumn(column.header, kind, drop, max(natural, unbreakable), unbreakable)
