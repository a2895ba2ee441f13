"""One renderer for every listing: table, json, csv and markdown.

Commands compute rows (plain dicts) and hand them here with the columns to show. JSON gets the
whole rows (it is for scripts, so nothing is cut); the other formats get the named columns.
Machine output goes to stdout; messages go to stderr (``say``).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

import typer


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    # Longest a table cell may be before it is cut with an ellipsis (0: never cut).
    max_width: int = 0
    justify: str = "left"


def say(message: str) -> None:
    """A message for the person at the terminal (stderr, so stdout stays parseable)."""
    typer.echo(message, err=True)


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
    fmt: Format | str,
    *,
    json_data: Any = None,
    title: str | None = None,
    group_by: str | None = None,
) -> str:
    """Return ``rows`` rendered in ``fmt``; ``json_data`` replaces the rows for JSON output."""
    fmt = Format(fmt)
    if fmt is Format.json:
        return to_json(list(rows) if json_data is None else json_data)
    if fmt is Format.csv:
        return _csv(rows, columns)
    if fmt is Format.markdown:
        return _markdown(rows, columns, title=title, group_by=group_by)
    return _table(rows, columns, title=title, group_by=group_by)


def emit(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c.key for c in columns])
    for row in rows:
        writer.writerow([cell(row.get(c.key)) for c in columns])
    return buf.getvalue()


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

    buf = io.StringIO()
    width = None if sys.stdout.isatty() else 160
    console = Console(file=buf, width=width, force_terminal=False, no_color=True, highlight=False)
    shown = [c for c in columns if c.key != group_by]
    for group, members in _groups(rows, group_by):
        heading = title if group is None else f"{group or '(no owner)'} ({len(members)})"
        table = Table(title=heading, title_justify="left", show_lines=False)
        for c in shown:
            table.add_column(
                c.header,
                justify=c.justify,  # type: ignore[arg-type]
                overflow="ellipsis" if c.max_width else "fold",
                max_width=c.max_width or None,
            )
        for row in members:
            table.add_row(*(cell(row.get(c.key)) for c in shown))
        console.print(table)
    return buf.getvalue()
