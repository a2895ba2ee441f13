"""The ``pmt`` command: the root app, its global options and the one error handler.

Commands live one per module (``cli/<name>_cmd.py``) and import their heavy dependencies
(sqlmodel, PyGithub, jira, markdown-it) inside the function body, so that ``pmt --help`` and
``pmt lint`` start fast.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import Any, Optional

import typer
from typer.core import TyperGroup

from cli.context import AppContext
from tracker.errors import PmtError

EXIT_UNEXPECTED = 3
EXIT_INTERRUPTED = 130


class PmtGroup(TyperGroup):
    """Maps errors to exit codes in one place: a user's mistake never shows a traceback."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except PmtError as exc:
            typer.echo(f"pmt: error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("pmt: interrupted", err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        # typer vendors click: Exit, Abort and usage errors (TyperException) are typer's own
        # and are rendered by it. click itself is not a dependency.
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as exc:
            if os.environ.get("PMT_DEBUG"):
                raise
            typer.echo(
                f"pmt: unexpected error: {type(exc).__name__}: {exc}\n"
                "pmt: this is a bug; run again with PMT_DEBUG=1 for the traceback and report it",
                err=True,
            )
            raise typer.Exit(EXIT_UNEXPECTED) from None


app = typer.Typer(
    cls=PmtGroup,
    name="pmt",
    help=(
        "pmt: the postmortem action-item tracker. Parse postmortems written in Markdown, "
        "track their action items, sync them to GitHub Issues or Jira, chase what is overdue "
        "and learn from causes that repeat.\n\n"
        "Example: pmt ingest postmortems/ && pmt overdue"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    ctx: typer.Context,
    config: Optional[Path] = typer.Option(
        None,
        "--config",
        "-c",
        envvar="PMT_CONFIG",
        help="Configuration file (default: the nearest pmt.toml in the current folder or above, "
        "up to the git repository's root).",
        dir_okay=False,
    ),
) -> None:
    ctx.obj = AppContext(config_file=config)


# Each module adds its command(s) to ``app`` when imported; this order is the order in --help.
COMMAND_MODULES: list[str] = ["parse_cmd", "lint_cmd", "new_cmd", "ingest_cmd", "overdue_cmd", "show_cmd", "sync_cmd", "refresh_cmd", "report_cmd", "remind_cmd", "causes_cmd"]


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"cli.{name}")


_register()


def main() -> None:
    """Console-script entry point."""
    # A command's process is short and most of what it allocates lives until exit (modules,
    # classes, settings): the cyclic collector's default of a pass every 700 allocations
    # re-scans them hundreds of times while sqlalchemy and pydantic import (about 5% of
    # `pmt overdue`). Every 20,000 still collects any cycles of a long ingest or sync.
    gc.set_threshold(20_000, *gc.get_threshold()[1:])
    try:
        app()
    except KeyboardInterrupt:  # raised before a command started (e.g. while importing)
        sys.stderr.write("pmt: interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
