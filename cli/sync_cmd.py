"""``pmt sync PATH...``: turn action items into tickets, link both ways, never duplicate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import typer

from cli.app import EXIT_UNREACHABLE, EXIT_USAGE, app, redacted
from cli.context import app_context, store
from cli.options import TableOrJson, format_option
from cli.output import Column, emit, render, say, to_json
from cli.repeat_warnings import say_repeats
from sync.registry import DEFAULT_TRACKER, NAMES

if TYPE_CHECKING:
    from sync.proposals import Proposed, Proposer
    from sync.service import Applied, Planned
    from tracker.repeat_check import RepeatCheck

# Where the links go: into the files (direct), into them and a pull request (pr), nowhere.
WriteBack = Literal["direct", "pr", "none"]

# Said when stdin is not a terminal, no --yes, and the plan has writes: nobody can be asked.
NEEDS_YES = (
    "pmt sync: nothing was written: stdin is not a terminal, so nobody can confirm the plan; "
    "pass --yes to apply it (or --dry-run to only show it)"
)

# Said after "<why>: " when a dry run plans without the tracker (credentials missing).
STORE_ONLY = "this plan is from the store only; ticket states and markers were not checked"

PLAN_COLUMNS = [
    Column("path", "Postmortem", max_width=36),
    Column("line", "Line", justify="right"),
    Column("text", "Item", max_width=50),
    Column("action", "Action"),
    Column("ticket", "Ticket"),
    Column("detail", "Detail", max_width=50),
]
RESULT_COLUMNS = [
    Column("path", "Postmortem", max_width=36),
    Column("line", "Line", justify="right"),
    Column("text", "Item", max_width=40),
    Column("action", "Action"),
    Column("status", "Status"),
    Column("url", "Ticket"),
    Column("error", "Error", max_width=60),
]


def stdin_is_terminal() -> bool:
    """Whether someone can answer a question (tests replace this)."""
    return sys.stdin.isatty()


@app.command("sync")
def sync(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(..., help="Postmortem files or folders.", show_default=False),
    tracker: str | None = typer.Option(
        None, "--tracker", "-t", help=f"{NAMES} (default: [sync] tracker, {DEFAULT_TRACKER})."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", "-n", help="Show the plan; write nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Apply the plan without asking."),
    no_writeback: bool = typer.Option(
        False, "--no-writeback", help="Do not write ticket links into the Markdown files."
    ),
    write_back: WriteBack | None = typer.Option(
        None,
        "--write-back",
        help="direct: write the links into the Markdown files (default, unless [sync] "
        "writeback = false); pr: write them, commit them on [sync] pr_branch, push it and open "
        "or update its one pull request (for CI); none: as --no-writeback.",
    ),
    fmt: TableOrJson = format_option(
        TableOrJson, help='table, or json ({"plan": [...], "result": [...]}).'
    ),
) -> None:
    """Create or update a ticket for every action item, and write each ticket's link back
    into the item's line. Ingests the paths first, shows the plan, asks before writing (unless
    --yes), then applies it. When stdin is not a terminal (CI, cron) nobody can be asked: it
    writes only with --yes, else exits 2. Running it again creates nothing and writes nothing
    when nothing changed. Exit 4 when the tracker cannot be reached (connection refused, DNS
    failure): the run stops there, nothing was sent. --dry-run needs no credentials: without
    them the plan is from the store only (ticket states and markers not checked).

    Example: pmt sync postmortems/2026-01-12-db-failover.md --dry-run
    """
    from sync.apply import stopped_message
    from sync.base import RateLimitedError
    from sync.registry import get_backend
    from sync.service import plan_sync
    from tracker.repeat_check import check_repeats

    context = app_context(ctx)
    settings = context.settings
    # A dry run needs no credentials: without them it plans from the store only.
    backend = get_backend(
        tracker or settings.sync.tracker, settings, context.secrets, allow_store_only=dry_run
    )
    if no_writeback and write_back not in (None, "none"):
        raise typer.BadParameter(
            f"--no-writeback contradicts --write-back={write_back}", param_hint="--write-back"
        )
    writeback = {None: None, "direct": True, "pr": True, "none": False}[
        "none" if no_writeback else write_back
    ]
    # Made before anything is written: a missing token or repository stops the run here.
    proposer = _proposer(settings, context.secrets) if write_back == "pr" and not dry_run else None
    as_json = fmt == "json"
    with store(settings) as db:
        try:
            planned = plan_sync(db, backend, settings, paths, writeback=writeback)
        except RateLimitedError as exc:
            say(f"pmt sync: nothing was written: {stopped_message(exc)}")
            raise typer.Exit(1) from None
        for failed in planned.ingest.failed:
            say(f"pmt sync: {failed.path}: {failed.error}")
        for path in planned.ingest.cleaned:
            say(f"pmt sync: removed {path}, a temporary file left by an interrupted write-back")
        repeats = check_repeats(db, planned.ingest.changed_keys, settings)
        say_repeats(repeats)
        if not as_json:
            _show_plan(planned)
        if dry_run:
            say("pmt sync: dry run: nothing was written")
            if not planned.checked:
                say(f"pmt sync: {planned.unchecked}: {STORE_ONLY}")
            if as_json:
                emit(_json(planned, [], None, planned.warnings, repeats))
            _say_warnings(planned.warnings)
            raise typer.Exit(0 if planned.ingest.ok else 1)
        if planned.writes and not yes:
            if not stdin_is_terminal():
                say(NEEDS_YES)
                raise typer.Exit(EXIT_USAGE)
            if not typer.confirm("Apply this plan?", default=False, err=True):
                say("pmt sync: nothing was written")
                raise typer.Exit(1)
        # Applied even when nothing is to be written: the ticket states read for the plan are
        # recorded (as pmt refresh would), and the lock re-check costs nothing remote.
        applied = _apply(db, backend, settings, planned, writeback)
    proposed = _propose(settings, applied, proposer) if proposer is not None else None
    if as_json:
        emit(
            _json(
                planned,
                applied.result_rows(),
                applied.stopped,
                applied.warnings,
                repeats,
                proposed,
            )
        )
    elif planned.writes:
        _show_result(applied)
    else:
        say("pmt sync: nothing to write: every ticket and every line is up to date")
    _say_warnings(applied.warnings)
    if applied.stopped:
        say(redacted(f"pmt sync: {applied.stopped}"))
    if applied.unreachable:
        raise typer.Exit(EXIT_UNREACHABLE)
    if applied.failed or not planned.ingest.ok:
        raise typer.Exit(1)


def _apply(
    store: Any, backend: Any, settings: Any, planned: Planned, writeback: bool | None
) -> Applied:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from sync.service import apply_sync, total_actions

    console = Console(stderr=True)
    if not console.is_terminal:
        return apply_sync(store, backend, settings, planned, writeback=writeback, on_wait=_waiting)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("syncing", total=total_actions(planned))
        return apply_sync(
            store,
            backend,
            settings,
            planned,
            writeback=writeback,
            on_progress=lambda action, result: progress.advance(task),
            on_wait=_waiting,
        )


def _json(
    planned: Planned,
    result: list[dict[str, Any]],
    stopped: str | None,
    warnings: list[str],
    repeats: RepeatCheck,
    proposed: Proposed | None = None,
) -> str:
    """The JSON document of a run (``--format json``), secrets redacted. ``checked`` is false
    for a plan from the store only (the tracker was not asked)."""
    data: dict[str, Any] = {
        "plan": planned.plan_rows(),
        "result": result,
        "stopped": stopped,
        "warnings": warnings,
        "checked": planned.checked,
    }
    if proposed is not None:
        data["pull_request"] = proposed.to_dict()
    return redacted(to_json({**data, **repeats.to_dict()}))


def _proposer(settings: Any, secrets: Any) -> Proposer:
    from sync.branch import git
    from sync.registry import PROPOSERS

    made = PROPOSERS[settings.sync.pr_host](settings, secrets)
    git(Path(settings.project_root), "rev-parse", "HEAD")  # a git checkout with a commit
    return made


def _propose(settings: Any, applied: Applied, proposer: Proposer) -> Proposed | None:
    """The pull request of the links written; a failure keeps the links in the working tree."""
    from sync.base import SyncError
    from sync.proposals import propose

    try:
        proposed = propose(settings, applied.results, proposer)
    except SyncError as exc:
        say(
            redacted(
                f"pmt sync: the links are written in the files but no pull request was made: {exc}"
            )
        )
        raise typer.Exit(exc.exit_code) from None
    if proposed is None:
        say("pmt sync: no link to propose: the files already say it all")
    else:
        done = "opened" if proposed.proposal.created else "updated"
        say(f"pmt sync: {done} pull request #{proposed.proposal.number}: {proposed.proposal.url}")
    return proposed


def _say_warnings(warnings: list[str]) -> None:
    # After the tables, on stderr: things to fix in the configuration, not failures.
    for warning in warnings:
        say(redacted(f"pmt sync: warning: {warning}"))


def _waiting(key: str) -> None:
    say(f"pmt sync: waiting for another pmt sync of {key} to finish")


def _show_plan(planned: Planned) -> None:
    from sync.plan import summary

    rows = planned.plan_rows()
    if rows:
        emit(render(rows, PLAN_COLUMNS, "table", title="Plan"))
    counts = summary(planned.plans)
    shown = (
        ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items())
        or "no action items"
    )
    say(f"pmt sync: plan for {len(planned.plans)} postmortem(s): {shown}")


def _show_result(applied: Applied) -> None:
    rows = [
        r
        for r in applied.result_rows()
        if r["status"] in ("done", "failed", "reported")
        or r["action"] in ("create", "adopt", "link_existing")
    ]
    if rows:
        emit(redacted(render(rows, RESULT_COLUMNS, "table", title="Done")))
    statuses: dict[str, int] = {}
    for result in applied.results:
        for r in result.results:
            statuses[r.status] = statuses.get(r.status, 0) + 1
    shown = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in statuses.items())
    say(f"pmt sync: {shown or 'nothing done'}")
