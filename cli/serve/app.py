"""The ``pmt serve`` application (Starlette): webhooks in, a read-only dashboard and API out.

    POST /webhooks/<tracker>   a signed delivery: verified and queued (202), a replay (200),
                               or refused (401 unsigned, badly signed or stale; 400 malformed)
    GET  /                     the dashboard (``cli.serve.dashboard``)
    GET  /postmortems/<key>    one postmortem with its items and tickets
    GET  /api/overdue          what ``pmt overdue --format json`` prints
    GET  /api/causes           what ``pmt causes --format json`` prints
    GET  /healthz              the store answers (200) or not (503)
    GET  /metrics              Prometheus text format (``cli.serve.metrics``)

Deliveries are applied in the background (``cli.serve.worker``). The pages, the API and the
metrics are open when neither ``PMT_SERVE_TOKEN`` nor ``[serve] trusted_header`` is set (the
default bind is 127.0.0.1); else a request shows the bearer token or the proxy's header.
Everything that reads or writes the store runs in Starlette's thread pool.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from cli.context import today
from cli.output import json_lines, to_json
from cli.serve.metrics import CONTENT_TYPE, Metrics
from cli.serve.worker import Workers
from sync.registry import receivers
from sync.webhooks import Rejected, receive
from tracker.errors import PmtError
from tracker.store import DatabaseError
from tracker.store.deliveries import queue_depth
from tracker.store.tables import utcnow

if TYPE_CHECKING:
    from tracker.config import Secrets, Settings
    from tracker.store import Store

# GitHub caps a delivery at 25 MB; anything larger is not a delivery.
MAX_BODY = 25 * 1024 * 1024
_OPEN = ("/healthz", "/webhooks/")


class Service:
    """What the routes share: the store, the settings, the secrets, the metrics, the workers."""

    def __init__(self, store: Store, settings: Settings, secrets: Secrets, workers: int) -> None:
        self.store = store
        self.settings = settings
        self.secrets = secrets
        self.readers = receivers()
        self.metrics = Metrics(lambda: queue_depth(store))
        self.workers = Workers(store, settings, self.metrics, workers)

    def allowed(self, request: Request) -> bool:
        token = self.secrets.serve_token
        header = self.settings.serve.trusted_header
        if not token and not header:
            return True
        if header and request.headers.get(header):
            return True
        given = request.headers.get("authorization", "")
        return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())

    async def webhook(self, request: Request) -> Response:
        name = request.path_params["tracker"]
        reader = self.readers.get(name)
        if reader is None:
            return JSONResponse({"error": f"no tracker called {name!r}"}, 404)
        started = time.perf_counter()
        body = await _body(request)
        if body is None:
            return JSONResponse({"error": "the delivery is larger than 25 MB"}, 413)
        serve = self.settings.serve
        try:
            got = await run_in_threadpool(
                receive,
                self.store,
                reader,
                request.headers,
                body,
                secret=getattr(self.secrets, reader.SECRET_FIELD),
                max_age=timedelta(hours=serve.max_delivery_age_hours),
                now=utcnow(),
            )
        except Rejected as refused:
            self.metrics.deliveries.labels(name, "rejected").inc()
            return JSONResponse({"error": refused.reason}, refused.status)
        finally:
            self.metrics.response.labels(name).observe(time.perf_counter() - started)
        self.metrics.deliveries.labels(name, got.outcome).inc()
        if got.outcome == "queued":
            self.workers.wake.set()
        answer = {"status": got.outcome, "delivery": got.delivery_id, "event": got.event}
        return JSONResponse(answer, 200 if got.outcome == "duplicate" else 202)

    async def home(self, request: Request) -> Response:
        from cli.serve import dashboard

        day = today(self.settings)
        page = await run_in_threadpool(dashboard.home_page, self.store, self.settings, day)
        return HTMLResponse(page)

    async def postmortem(self, request: Request) -> Response:
        from cli.serve import dashboard

        # Already decoded by the router ("%2F" is "/"): decoding again would misread "%25".
        key = request.path_params["key"]
        page = await run_in_threadpool(dashboard.postmortem_page, self.store, self.settings, key)
        if page is None:
            return HTMLResponse(
                f"<!doctype html><title>Not found</title><p>No postmortem {_escape(key)}.", 404
            )
        return HTMLResponse(page)

    async def api_overdue(self, request: Request) -> Response:
        from tracker.queries import overdue_rows

        try:
            day = _day(request, "as_of") or today(self.settings)
        except ValueError as bad:
            return JSONResponse({"error": str(bad)}, 400)
        params = request.query_params
        filters: dict[str, Any] = {
            "owner": params.getlist("owner") or None,
            "priority": params.getlist("priority") or None,
            "postmortem": params.getlist("postmortem") or None,
            "tracker": params.get("tracker"),
        }

        def pieces() -> Iterator[str]:
            with self.store.reading() as conn:
                rows = overdue_rows(conn, day, limit=None, by_owner=False, **filters)
                yield from json_lines(row.to_dict() for row in rows)

        return StreamingResponse(pieces(), media_type="application/json")

    async def api_causes(self, request: Request) -> Response:
        from tracker.causes.report import causes_report, default_period

        try:
            since, until = _day(request, "since"), _day(request, "until")
        except ValueError as bad:
            return JSONResponse({"error": str(bad)}, 400)
        day = today(self.settings)
        period = default_period(day, since, until)
        if period.since > period.until:
            return JSONResponse(
                {"error": f"since {period.since} is after until {period.until}"}, 400
            )

        def report() -> str:
            made = causes_report(self.store, self.settings, period, day, repeats_limit=None)
            return to_json(made.to_dict())

        return Response(await run_in_threadpool(report), media_type="application/json")

    async def healthz(self, request: Request) -> Response:
        try:
            depth = await run_in_threadpool(queue_depth, self.store)
        except (DatabaseError, PmtError, OSError) as exc:
            return JSONResponse({"status": "unavailable", "error": type(exc).__name__}, 503)
        return JSONResponse({"status": "ok", "queue": depth})

    async def metrics_text(self, request: Request) -> Response:
        text = await run_in_threadpool(self.metrics.text)
        return Response(text, media_type=CONTENT_TYPE)


def build_app(store: Store, settings: Settings, secrets: Secrets, *, workers: int = 1) -> Starlette:
    """The application on an open store (closed by the caller); ``workers`` background
    threads apply the queued deliveries (0: this process only accepts them)."""
    service = Service(store, settings, secrets, workers)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        service.workers.start()
        try:
            yield
        finally:
            await run_in_threadpool(service.workers.stop)

    routes = [
        Route("/webhooks/{tracker}", service.webhook, methods=["POST"]),
        Route("/", service.home),
        Route("/postmortems/{key:path}", service.postmortem),
        Route("/api/overdue", service.api_overdue),
        Route("/api/causes", service.api_causes),
        Route("/healthz", service.healthz),
        Route("/metrics", service.metrics_text),
    ]

    async def access(request: Request, call_next: Any) -> Response:
        if not request.url.path.startswith(_OPEN) and not service.allowed(request):
            return JSONResponse(
                {"error": "show PMT_SERVE_TOKEN (Authorization: Bearer ...) or sign in"},
                401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        response: Response = await call_next(request)
        return response

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=access)],
    )
    app.state.service = service
    return app


async def _body(request: Request) -> bytes | None:
    """The request's body, read up to ``MAX_BODY`` (None beyond: not a delivery), whatever its
    Content-Length says."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _day(request: Request, name: str) -> date | None:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a day (YYYY-MM-DD)") from None


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
