"""``pmt parse FILE...``: what pmt understands of each postmortem, as JSON or a readable summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import typer

from cli.app import app
from cli.context import app_context
from cli.options import format_option
from cli.output import Column, emit, render, say, to_json

if TYPE_CHECKING:
    from tracker.models import Postmortem

ParseFormat = Literal["json", "table"]

_META_FIELDS = (
    "title", "id", "date", "started", "ended", "timezone", "duration_minutes", "severity",
    "users_affected_pct", "incident", "impact", "root_cause", "resolution",
)  # fmt: skip
_ITEM_COLUMNS = [
    Column("line", "Line", justify="right"),
    Column("text", "Action item", max_width=60),
    Column("owner", "Owner", max_width=20),
    Column("due", "Due"),
    Column("priority", "Prio"),
    Column("kind", "Kind"),
    Column("done", "Done"),
    Column("ticket", "Ticket", max_width=40),
]


@app.command("parse")
def parse(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(
        ..., help="Postmortem Markdown files.", show_default=False, dir_okay=False
    ),
    fmt: ParseFormat = format_option(
        ParseFormat, help="json (one object per file; a list for several) or table."
    ),
) -> None:
    """Show what pmt reads in postmortems: sections, action items (owner, due, priority, kind,
    done, ticket, line), takeaways, timeline, start and end, impact and root cause. A file that
    cannot be read is reported on stderr and the others are still parsed; the exit code is then 1.
    What is wrong inside a file (bad front matter, a due date that does not exist) is reported on
    stderr as FILE:LINE: error (exit code 1, with what could be read still shown) or warning.

    Example: pmt parse postmortems/2026-03-01-db-outage.md --format table
    """
    from tracker.errors import InputError
    from tracker.parsing import parse_file

    settings = app_context(ctx).settings.parsing
    parsed: list[Postmortem] = []
    failed = 0
    for path in files:
        try:
            pm = parse_file(path, settings)
        except InputError as exc:
            say(f"pmt: error: {exc}")
            failed += 1
            continue
        parsed.append(pm)
        for problem in pm.problems:
            say(f"pmt: {problem.severity}: {path}:{problem.line}: {problem.message}")
        failed += bool(pm.errors)

    if fmt == "json":
        if parsed:
            data: Any = parsed[0].to_dict() if len(files) == 1 else [pm.to_dict() for pm in parsed]
            emit(to_json(data))
    else:
        emit("".join(_table(pm) for pm in parsed))
    if failed:
        raise typer.Exit(1)


def _table(pm: Postmortem) -> str:
    data = pm.to_dict()
    meta_rows = [
        {"field": name, "value": _short(data.get(name))}
        for name in _META_FIELDS
        if data.get(name) is not None
    ]
    sections = ", ".join(f"{s['heading']} ({s['kind']})" for s in data["sections"])
    meta_rows.append({"field": "sections", "value": sections})
    out = render(
        meta_rows,
        [Column("field", "Field"), Column("value", "Value", max_width=100)],
        "table",
        title=pm.path,
    )
    out += render(
        data["action_items"], _ITEM_COLUMNS, "table", title=f"Action items ({len(pm.action_items)})"
    )
    if pm.takeaways:
        rows = [{"takeaway": t} for t in pm.takeaways]
        out += render(
            rows, [Column("takeaway", "Takeaway", max_width=100)], "table", title="Takeaways"
        )
    if pm.timeline:
        rows = [t.to_dict() for t in pm.timeline]
        out += render(
            rows,
            [Column("at", "At"), Column("text", "What happened", max_width=90)],
            "table",
            title="Timeline",
        )
    return out + "\n"


def _short(value: Any, limit: int = 300) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1] + "…"
    return value
