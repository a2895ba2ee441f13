"""``pmt serve``: the service (``cli.serve.app``) on uvicorn."""

from __future__ import annotations

import typer

from cli.app import app
from cli.context import app_context, store
from cli.output import say


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(
        None, "--host", help="Address to listen on (default: [serve] host, 127.0.0.1)."
    ),
    port: int | None = typer.Option(
        None, "--port", help="Port to listen on (default: [serve] port, 8000)."
    ),
    workers: int | None = typer.Option(
        None,
        "--workers",
        min=0,
        help="Background threads applying queued deliveries (default: 2 on PostgreSQL, 1 on "
        "SQLite, which has one writer at a time; 0: only accept them, and let another replica "
        "apply them).",
    ),
) -> None:
    """Run pmt as a service: GitHub and Jira webhooks keep ticket states in step as they
    change, a read-only dashboard at /, the CLI's JSON at /api/overdue and /api/causes,
    /healthz and /metrics. Deliveries must be signed: set PMT_GITHUB_WEBHOOK_SECRET and
    PMT_JIRA_WEBHOOK_SECRET to the secrets the webhooks were registered with. Several
    replicas may share one PostgreSQL store.

    Example: PMT_GITHUB_WEBHOOK_SECRET=... pmt serve --port 8080
    """
    import uvicorn

    from cli.serve.app import build_app

    context = app_context(ctx)
    settings = context.settings
    secrets = context.secrets
    bind = host or settings.serve.host
    if not (secrets.github_webhook_secret or secrets.jira_webhook_secret):
        say(
            "pmt serve: no webhook secret is set (PMT_GITHUB_WEBHOOK_SECRET, "
            "PMT_JIRA_WEBHOOK_SECRET): every delivery will be refused"
        )
    if bind not in ("127.0.0.1", "::1", "localhost") and not (
        secrets.serve_token or settings.serve.trusted_header
    ):
        say(
            f"pmt serve: listening on {bind} with the dashboard open to anyone who reaches it; "
            "set PMT_SERVE_TOKEN or [serve] trusted_header"
        )
    with store(settings) as db:
        if workers is None:
            workers = 2 if db.dialect == "postgresql" else 1
        service = build_app(db, settings, secrets, workers=workers)
        uvicorn.run(service, host=bind, port=port or settings.serve.port, log_level="info")
