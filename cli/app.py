"""The ``pmt`` command: the root app, its global options and the one error handler.

Commands live one per module (``cli/<name>_cmd.py``) and import their heavy dependencies
(sqlmodel, PyGithub, jira, markdown-it) inside the function body, so that ``pmt --help`` and
``pmt lint`` start fast.

Every error reaches the user in one style, ``pmt: error: MESSAGE`` on stderr, with one set of
exit codes (``EXIT_*`` below; docs/configuration.md and ``pmt --help`` list them): a usage mistake
(an unknown option, a bad value) as much as a bad setting or a failing command.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from cli.context import AppContext
from tracker.bulk import bulk_work
from tracker.errors import PmtError

EXIT_OK = 0
# Findings (lint errors, overdue items with --fail) or a file or ticket that failed.
EXIT_FAILED = 1
# A usage error, or a configuration (pmt.toml, PMT_*, a URL) that cannot be used.
EXIT_USAGE = 2
# A bug: rerun with PMT_DEBUG=1 for the traceback.
EXIT_UNEXPECTED = 3
EXIT_INTERRUPTED = 130
# A ticket tracker could not be reached (connection refused, DNS failure): nothing was sent, the
# run stopped at the first such request (``sync.base.UnreachableError``).
EXIT_UNREACHABLE = 4

EXIT_CODES_HELP = (
    "Exit codes: 0 success; 1 findings (lint errors, overdue items with --fail) or a file or "
    "ticket that failed; 2 a usage or configuration error (an unknown option, a bad setting "
    "or URL); 3 an unexpected error (a bug: rerun with PMT_DEBUG=1); 4 a ticket tracker could not "
    "be reached (connection refused, DNS failure: nothing was sent); 130 interrupted."
)


def redacted(text: str) -> str:
    """``text`` without any secret configured in the environment (tokens, their base64 forms,
    Basic auth values, the Slack webhook URL): for every message and JSON document printed."""
    from sync.redact import environment_forms, redact

    return redact(text, environment_forms(os.environ))


def _redact_library_logs() -> None:
    """Library log lines (PyGithub's stderr handler, anything reaching logging's last-resort
    handler) are redacted too, with the secrets of this invocation."""
    from sync.redact import environment_forms, redact_logs

    redact_logs(environment_forms(os.environ))


class PmtGroup(TyperGroup):
    """Maps errors to exit codes in one place: a user's mistake never shows a traceback."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from cli.help_text import tidy

        tidy(self)

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.Abort:
            typer.echo("pmt: error: aborted", err=True)
            sys.exit(EXIT_FAILED)
        except typer.TyperException as exc:  # typer's usage errors (vendored click)
            if type(exc).__name__ == "NoArgsIsHelpError":
                exc.show()  # type: ignore[attr-defined]
                sys.exit(EXIT_USAGE)
            typer.echo(f"pmt: error: {_sentence(exc.format_message())}", err=True)
            usage_of = getattr(getattr(exc, "ctx", None), "command_path", None)
            if usage_of:
                typer.echo(f"pmt: see '{usage_of} --help'", err=True)
            sys.exit(exc.exit_code)
        sys.exit(code if isinstance(code, int) else EXIT_OK)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        _redact_library_logs()
        try:
            return super().invoke(ctx)
        except PmtError as exc:
            typer.echo(f"pmt: error: {redacted(str(exc))}", err=True)
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
                f"pmt: unexpected error: {type(exc).__name__}: {redacted(str(exc))}\n"
                "pmt: this is a bug; run again with PMT_DEBUG=1 for the traceback and report it",
                err=True,
            )
            raise typer.Exit(EXIT_UNEXPECTED) from None


def _sentence(message: str) -> str:
    """Usage messages in pmt's style: "no such option: --x", not "No such option: --x"."""
    if len(message) > 1 and message[0].isupper() and message[1].islower():
        return message[0].lower() + message[1:]
    return message


app = typer.Typer(
    cls=PmtGroup,
    name="pmt",
    help=(
        "pmt: the postmortem action-item tracker. Parse postmortems written in Markdown, "
        "track their action items, sync them to GitHub Issues or Jira, chase what is overdue "
        "and learn from causes that repeat.\n\n"
        "Example: pmt ingest postmortems/ && pmt overdue\n\n"
        "Shell completion: pmt --install-completion (bash, zsh, fish or PowerShell), or "
        "pmt --show-completion to print the script.\n\n" + EXIT_CODES_HELP
    ),
    no_args_is_help=True,
    # --install-completion / --show-completion (typer's, for bash, zsh, fish, PowerShell).
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def version_text() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"pmt {version('postmortem-tracker')}"
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "pmt (version unknown: not installed)"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(version_text())
        raise typer.Exit(EXIT_OK)


@app.callback()
def root(
    ctx: typer.Context,
    config: Path | None = typer.Option(
        None,
        "--config",
        "-c",
        envvar="PMT_CONFIG",
        help="Configuration file (default: the nearest pmt.toml in the current folder or above, "
        "up to the git repository's root).",
        dir_okay=False,
    ),
    wide: bool = typer.Option(
        False,
        "--wide",
        help="Tables show every column, nothing shortened (default: fit the terminal).",
    ),
    version: bool = typer.Option(
        False,
        "--version",
        "-V",
        help="Print pmt's version and exit.",
        callback=_show_version,
        is_eager=True,
    ),
) -> None:
    from cli.output import set_wide

    set_wide(wide)
    ctx.obj = AppContext(config_file=config)


# Each module adds its command(s) to ``app`` when imported; this order is the order in --help.
COMMAND_MODULES: list[str] = [
    "parse_cmd",
    "lint_cmd",
    "new_cmd",
    "ingest_cmd",
    "overdue_cmd",
    "show_cmd",
    "sync_cmd",
    "refresh_cmd",
    "report_cmd",
    "remind_cmd",
    "causes_cmd",
    "owners_cmd",
    "config_cmd",
    "doctor_cmd",
    "serve_cmd",
]


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"cli.{name}")


_register()


def main() -> None:
    """Console-script entry point."""
    # A command's process is short and most of what it allocates lives until exit (modules,
    # classes, settings): fewer passes of the cyclic collector (tracker.bulk).
    try:
        with bulk_work():
            app()
    except KeyboardInterrupt:  # raised before a command started (e.g. while importing)
        sys.stderr.write("pmt: interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
