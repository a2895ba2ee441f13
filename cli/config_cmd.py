"""``pmt config``: the effective settings and where each came from."""

from __future__ import annotations

import typer

from cli.app import app
from cli.context import app_context
from cli.options import TableOrJson, format_option
from cli.output import Column, emit, render, say, set_wide, to_json

COLUMNS = [
    Column("key", "Setting", kind="atom"),
    Column("value", "Value", kind="text"),
    Column("where", "From", kind="atom", drop=1),
]


@app.command("config")
def config(
    ctx: typer.Context,
    fmt: TableOrJson = format_option(TableOrJson),
    changed: bool = typer.Option(
        False, "--changed", help="Only the settings not at their default."
    ),
    wide: bool = typer.Option(False, "--wide", help="Every column, nothing shortened."),
) -> None:
    """Print the effective settings and where each came from: the configuration file
    (pmt.toml or --config), a PMT_* environment variable (which wins over the file), or the
    default. Credentials are read from the environment only and shown masked.

    Example: pmt config --changed
    """
    from tracker.config_sources import effective

    if wide:
        set_wide(True)
    result = effective(app_context(ctx).config_file)
    rows = [s for s in result.settings if not changed or s.source != "default"]
    if fmt == "json":
        emit(to_json({**result.to_dict(), "settings": [s.to_dict() for s in rows]}))
        return
    secrets = [s for s in result.secrets if not changed or s.source != "unset"]
    table = [{"key": s.key, "value": s.value, "where": _where(s.source, s.origin)} for s in rows]
    # Credentials: from the environment only, never shown.
    table += [
        {"key": s.key, "value": s.value, "where": "environment" if s.source == "env" else s.source}
        for s in secrets
    ]
    if table:
        emit(render(table, COLUMNS, "table"))
    else:
        say("pmt config: every setting is at its default and no credential is set")
    where = (
        f"configuration file {result.file}" if result.file else "no configuration file (pmt.toml)"
    )
    say(f"pmt config: {where}; project root {result.project_root}")


def _where(source: str, origin: str | None) -> str:
    """The variable's name, the file's, or "default" / "unset"."""
    return origin if source in ("env", "file") and origin else source
