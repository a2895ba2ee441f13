"""``pmt report weekly``: the weekly report as Markdown, HTML or JSON, optionally published."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Literal

import typer

from cli.app import app
from cli.context import app_context, store
from cli.options import format_option, output_option
from cli.output import emit, say

report_app = typer.Typer(
    help=(
        "Reports built from the store.\n\n"
        "Example: pmt report weekly --format html --output report.html"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(report_app, name="report")


ReportFormat = Literal["markdown", "html", "json"]


class PostTarget(str, Enum):
    # An enum, not a Literal: typer takes a list of enum members, not of Literal values.
    github = "github"
    slack = "slack"


@report_app.command("weekly")
def weekly(
    ctx: typer.Context,
    week: str | None = typer.Option(
        None, "--week", help="ISO week such as 2026-W48 (default: the last full week)."
    ),
    since: str | None = typer.Option(None, "--since", help="First day, YYYY-MM-DD."),
    until: str | None = typer.Option(
        None, "--until", help="Last day, YYYY-MM-DD (default with --since: today)."
    ),
    fmt: ReportFormat = format_option(
        ReportFormat, help="markdown, html (one self-contained file) or json."
    ),
    output: Path | None = output_option(
        "Write the report to FILE instead of stdout (atomically; a symbolic link is written "
        "through to its regular file; a FIFO or a device is refused)."
    ),
    post: list[PostTarget] = typer.Option(
        [],
        "--post",
        help="Also publish it (repeatable): 'github' (one issue per week in report.github_repo, "
        "updated in place) or 'slack' (the incoming webhook in PMT_SLACK_WEBHOOK_URL).",
    ),
) -> None:
    """The weekly report on postmortems and their action items.

    New postmortems; action items added, done and overdue; completion, time to close and
    deadline compliance by priority; the oldest open items and the owners with the most
    overdue; recurring causes. Periods are cut in the configured time zone.

    Example: pmt report weekly --week 2026-W48 --format html --output week48.html

    Example: pmt report weekly --post github --post slack
    """
    from datetime import UTC, datetime

    from cli.files import output_target, write_output
    from tracker.reports.period import resolve_period
    from tracker.reports.recurrence import find_repeats, prepare_repeats
    from tracker.reports.render_html import LIST_LIMIT as HTML_LIST
    from tracker.reports.render_html import render_html
    from tracker.reports.render_json import render_json
    from tracker.reports.render_markdown import LIST_LIMIT as MARKDOWN_LIST
    from tracker.reports.render_markdown import render_markdown
    from tracker.reports.weekly import build_weekly_report

    actx = app_context(ctx)
    settings = actx.settings
    if output is not None:
        # A FIFO or a device is refused before the work, not after it.
        output_target(output)
    now = datetime.now(UTC)
    period = resolve_period(
        timezone=settings.timezone, now=now, week=week, since=since, until=until
    )
    targets = list(dict.fromkeys(post))
    # A missing token or webhook is found before the work, not after it.
    if PostTarget.github in targets:
        from sync.publish import github_target

        github_target(settings, actx.secrets)
    if PostTarget.slack in targets:
        from sync.publish import slack_url

        slack_url(actx.secrets)
    with store(settings) as db:
        if db.is_empty():
            say("pmt: the store is empty: run `pmt ingest PATH` first; the report has no data")
        prepare_repeats(db, settings, period)
        with db.session(write=False) as session:
            # JSON lists every overdue item; the other formats the most overdue they show.
            report = build_weekly_report(
                session,
                settings,
                period,
                now=now,
                find_repeats=find_repeats,
                overdue_limit=None if fmt == "json" else max(HTML_LIST, MARKDOWN_LIST),
            )

    renderers = {
        "markdown": render_markdown,
        "html": render_html,
        "json": render_json,
    }
    text = renderers[fmt](report)
    if output is not None:
        write_output(output, text)
        say(f"pmt: wrote the {fmt} report for {period.title} to {output}")
    else:
        emit(text)

    for target in targets:
        if target is PostTarget.github:
            from sync.publish import post_github

            result = post_github(report, settings, actx.secrets)
            say(f"pmt: {result.action} {result.url}")
        else:
            from sync.publish import post_slack

            post_slack(report, actx.secrets)
            say("pmt: posted the report to Slack")
