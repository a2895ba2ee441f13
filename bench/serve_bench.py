"""`pmt serve` under a burst of webhook deliveries: answers per second, p50/p99 response time
of the webhook endpoint, and deliveries applied per second, on the process a user runs.

    .venv/bin/python bench/serve_bench.py                      # SQLite, 2,000 deliveries
    .venv/bin/python bench/serve_bench.py --deliveries 5000 --clients 16
    .venv/bin/python bench/serve_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

The store holds 200 postmortems with 1,000 items linked to GitHub issues; each delivery is a
signed ``issues`` event closing or reopening one of them (so every delivery writes a ticket
event). ``--clients`` threads send them as fast as the server answers. "Applied" counts from the
first request to the moment the queue is empty (/healthz), with ``--workers`` worker threads.

Targets (issue 18 sets none beyond GitHub's): every answer well within GitHub's 10 s (p99 under
1 s), and the workers keep up with the burst (applied per second at least half of accepted per
second: the queue drains within about the time the burst took to arrive).
A PostgreSQL URL names a server: the bench makes its own database there and drops it after.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SECRET = "bench-secret"
LINKED = 1000


def _store(url: str) -> None:
    from tracker.config import Settings
    from tracker.ingest import ingest_document
    from tracker.models import ActionItem, Postmortem
    from tracker.queries import items_of, record_link
    from tracker.store import Store

    store = Store(url)
    settings = Settings()
    number = 0
    for n in range(200):
        key = f"INC-{n}"
        items = [
            ActionItem(
                text=f"Follow-up {i} of {key}", line=10 + i, owner=f"owner{i}", due=date(2026, 1, 1)
            )
            for i in range(5)
        ]
        doc = Postmortem(
            path=f"pm/{key}.md", id=key, title=key, date=date(2025, 12, 1), action_items=items
        )
        ingest_document(store, doc, f"h-{key}", settings)
        with store.session() as s:
            for row in items_of(s, key):
                number += 1
                record_link(s, row.id, row.postmortem_id, "github", f"acme/ops#{number}", None)
    store.dispose()


def _pg_database(server_url: str) -> tuple[str, str]:
    from sqlalchemy import create_engine, text

    name = f"pmt_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}", name


def _drop_pg(server_url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _bodies(count: int) -> list[tuple[bytes, dict[str, str]]]:
    from tests.serve_server import github_headers, github_issue_event

    start = datetime.now(UTC) - timedelta(hours=1)
    made = []
    for n in range(count):
        stamp = (start + timedelta(milliseconds=n)).isoformat()
        body = github_issue_event(
            1 + n % LINKED, "closed" if (n // LINKED) % 2 == 0 else "open", updated_at=stamp
        )
        made.append((body, github_headers(SECRET, body, f"bench-{uuid.uuid4().hex}")))
    return made


def run(url: str, deliveries: int, clients: int, workers: int | None) -> dict[str, float]:
    import httpx

    port = _free_port()
    env = {
        **os.environ,
        "PMT_DATABASE_URL": url,
        "PMT_GITHUB_WEBHOOK_SECRET": SECRET,
        "PMT_GITHUB_REPO": "acme/ops",
    }
    pmt = str(Path(sys.executable).with_name("pmt"))
    server = subprocess.Popen(
        [pmt, "serve", "--port", str(port), *(["--workers", str(workers)] if workers else [])],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
            if time.monotonic() > deadline:
                raise SystemExit("pmt serve did not start")
        bodies = _bodies(deliveries)
        times: list[float] = []
        failures = 0
        lock = threading.Lock()

        def send(share: list[tuple[bytes, dict[str, str]]]) -> None:
            nonlocal failures
            with httpx.Client(base_url=base) as client:
                for body, headers in share:
                    started = time.perf_counter()
                    answer = client.post("/webhooks/github", content=body, headers=headers)
                    took = time.perf_counter() - started
                    with lock:
                        times.append(took)
                        failures += answer.status_code != 202

        threads = [
            threading.Thread(target=send, args=(bodies[n::clients],)) for n in range(clients)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        sent = time.perf_counter() - started
        while httpx.get(f"{base}/healthz").json()["queue"] > 0:
            time.sleep(0.05)
        applied = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    times.sort()
    return {
        "accepted_per_s": deliveries / sent,
        "applied_per_s": deliveries / applied,
        "p50_ms": 1000 * statistics.median(times),
        "p99_ms": 1000 * times[int(0.99 * (len(times) - 1))],
        "failures": failures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=None, help="default: pmt serve's own")
    parser.add_argument(
        "--database-url", default=None, help="a PostgreSQL server (default: SQLite)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dropped = None
        if args.database_url:
            url, dropped = _pg_database(args.database_url)
        else:
            url = f"sqlite:///{Path(tmp) / 'pmt.db'}"
        try:
            _store(url)
            got = run(url, args.deliveries, args.clients, args.workers)
        finally:
            if dropped:
                _drop_pg(args.database_url, dropped)
    kind = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"pmt serve, {kind}, {args.deliveries} signed deliveries from {args.clients} clients, {args.workers or 'the default number of'} worker(s)"
    )
    print(
        f"  answered:  {got['accepted_per_s']:.0f} deliveries/s; p50 {got['p50_ms']:.1f} ms, p99 {got['p99_ms']:.1f} ms (target p99 < 1000 ms; GitHub waits 10 s)"
    )
    print(
        f"  applied:   {got['applied_per_s']:.0f} deliveries/s, queue empty (target >= half of answered: {got['applied_per_s'] / got['accepted_per_s']:.2f})"
    )
    print(f"  refused:   {got['failures']:.0f} (target 0)")


if __name__ == "__main__":
    main()
