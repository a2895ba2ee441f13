"""``pmt doctor``: check the configuration, the database and the trackers' credentials."""

from __future__ import annotations

import typer

from cli.app import EXIT_FAILED, EXIT_USAGE, app
from cli.context import app_context
from cli.options import TextOrJson, format_option
from cli.output import emit, say, to_json

MARKS = {"ok": "ok  ", "warn": "warn", "fail": "FAIL", "skip": "skip"}
INDENT = " " * 20


def _text(check: object) -> str:
    """``ok    database      sqlite:///...: schema 0003`` and its hint, wrapped to the terminal
    between words (a path or URL is never cut)."""
    import textwrap

    from cli.table_fit import terminal_width
    from tracker.doctor import Check

    assert isinstance(check, Check)
    width = max(terminal_width(), 40)
    parts = [check.summary]
    if check.hint and check.status in ("fail", "warn"):
        parts.append(check.hint)
    first = f"{MARKS[check.status]}  {check.name:<13} "
    lines = []
    for n, part in enumerate(parts):
        lines += textwrap.wrap(
            part,
            width=width,
            initial_indent=first if n == 0 else INDENT,
            subsequent_indent=INDENT,
            break_long_words=False,
            break_on_hyphens=False,
        )
    return "\n".join(lines) + "\n"


@app.command("doctor")
def doctor(
    ctx: typer.Context,
    offline: bool = typer.Option(
        False, "--offline", help="Do not contact GitHub or Jira; check only what is set locally."
    ),
    fmt: TextOrJson = format_option(TextOrJson),
) -> None:
    """Check that pmt can work here, like gh auth status: the configuration loads, the database
    opens (its schema and size), and each configured tracker has credentials that it accepts
    (one authenticated read, then the repository or project; a few seconds at most).
    Exit status 1 when a check fails, 2 when the configuration itself cannot be read.

    Example: pmt doctor --offline
    """
    from cli.doctor_probes import PROBES
    from sync.registry import check_credentials
    from tracker.doctor import Check, check_config, check_database, check_slack

    actx = app_context(ctx)
    config_check, settings = check_config(actx.config_file)
    checks: list[Check] = [config_check]
    if settings is not None:
        checks.append(check_database(settings))
        for check in [*check_credentials(settings, actx.secrets), check_slack(actx.secrets)]:
            probe = PROBES.get(check.name)
            if check.status == "ok" and probe is not None and not offline:
                check = probe(settings, actx.secrets, None)
            checks.append(check)
    if fmt == "json":
        emit(to_json([c.to_dict() for c in checks]))
    else:
        emit("".join(_text(c) for c in checks))
    failed = [c for c in checks if c.status == "fail"]
    if failed:
        say(
            f"pmt doctor: {len(failed)} problem{'s' if len(failed) != 1 else ''}: {', '.join(c.name for c in failed)}"
        )
    else:
        say(
            "pmt doctor: no problem found"
            + (" (offline: trackers not contacted)" if offline else "")
        )
    if settings is None:
        raise typer.Exit(EXIT_USAGE)
    if failed:
        raise typer.Exit(EXIT_FAILED)
