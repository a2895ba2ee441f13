"""``pmt lint FILE|DIR...``: tell authors what their postmortems lack."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import typer

from cli.app import app
from cli.context import app_context
from cli.options import format_option
from cli.output import emit, say, to_json

if TYPE_CHECKING:
    from tracker.lint import Finding, LintReport

LintFormat = Literal["text", "json", "github"]


@app.command("lint")
def lint(
    ctx: typer.Context,
    paths: list[str] | None = typer.Argument(
        None,
        help="Postmortem files or folders (folders are searched recursively).",
        show_default=False,
    ),
    fmt: LintFormat = format_option(
        LintFormat,
        help="text (file:line: RULE [severity] message), json, or github (Actions annotations).",
    ),
    list_rules: bool = typer.Option(False, "--list-rules", help="List the rules and exit."),
    only_postmortems: bool = typer.Option(
        False,
        "--only-postmortems",
        help="Skip the files named that are not postmortems (outside lint.postmortems; when that "
        "is unset, files that do not read as one) instead of reporting them: for the pre-commit hook.",
    ),
) -> None:
    """Check postmortems for missing sections, impact, root cause, owners, due dates and vague
    action items. Exits 1 when there is an error-severity finding or an unusable file.

    Example: pmt lint postmortems/ --format github
    """
    from tracker.lint import RULES, lint_paths

    if list_rules:
        rows = [
            {"rule": r.name, "severity": r.severity, "summary": r.summary} for r in RULES.values()
        ]
        if fmt == "json":
            emit(to_json(rows))
        else:
            emit("".join(f"{r['rule']:<28} {r['severity']:<8} {r['summary']}\n" for r in rows))
        return
    if not paths:
        raise typer.BadParameter("give at least one file or folder", param_hint="PATHS")

    settings = app_context(ctx).settings
    skipped: list[str] = []

    def skip(path: object, why: str) -> None:
        skipped.append(str(path))
        say(f"pmt lint: {path}: skipped ({why})")

    report = lint_paths(paths, settings, on_skip=skip, only_postmortems=only_postmortems)
    emit(_render(report, fmt))
    if not report.files and not report.findings and not skipped:
        say(
            f"pmt lint: no postmortem files found in {', '.join(paths)} "
            f"(looked for {', '.join(settings.ingest.include)}: [ingest] include / exclude)"
        )
    say(_summary(report))
    if report.failed:
        raise typer.Exit(1)


def _render(report: LintReport, fmt: LintFormat) -> str:
    if fmt == "json":
        return to_json([f.to_dict() for f in report.findings])
    if fmt == "github":
        return "".join(_annotation(f) + "\n" for f in report.findings)
    return "".join(_text(f) + "\n" for f in report.findings)


def _text(f: Finding) -> str:
    where = f"{f.path}:{f.line}" if f.line else f.path
    return f"{where}: {f.rule} [{f.severity}] {f.message}"


def _annotation(f: Finding) -> str:
    """A GitHub Actions workflow command: shown on the pull request's diff at that line."""
    props = [f"file={_escape_property(f.path)}"]
    if f.line:
        props.append(f"line={f.line}")
    props.append(f"title={_escape_property(f.rule)}")
    return f"::{f.severity} {','.join(props)}::{_escape_data(f.message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _summary(report: LintReport) -> str:
    files = len(report.files)
    parts = [f"{files} file{'s' if files != 1 else ''}"]
    if not report.findings:
        parts.append("no findings")
    else:
        parts.append(f"{report.errors} error{'s' if report.errors != 1 else ''}")
        parts.append(f"{report.warnings} warning{'s' if report.warnings != 1 else ''}")
    if report.unusable:
        parts.append(f"{report.unusable} unusable")
    return "pmt lint: " + ", ".join(parts)
