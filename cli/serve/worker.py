"""The background workers of ``pmt serve``: threads that apply queued deliveries.

The webhook endpoint only verifies and queues (it answers well within GitHub's 10 s); a
worker wakes when a delivery is queued, or every ``POLL_S`` for deliveries queued by another
replica or left by a restart, and applies them one by one (``sync.webhook_apply.work_once``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta
from typing import TYPE_CHECKING

from sync.webhook_apply import work_once
from tracker.store import DatabaseError
from tracker.store.deliveries import prune
from tracker.store.tables import utcnow

if TYPE_CHECKING:
    from cli.serve.metrics import Metrics
    from tracker.config import Settings
    from tracker.store import Store

POLL_S = 1.0
# How often the first worker forgets the deliveries older than the age a delivery may have.
PRUNE_EVERY_S = 3600.0
log = logging.getLogger("pmt.serve")


class Workers:
    def __init__(self, store: Store, settings: Settings, metrics: Metrics, count: int) -> None:
        self.store = store
        self.settings = settings
        self.metrics = metrics
        self.wake = threading.Event()
        self.stopping = threading.Event()
        host = f"{socket.gethostname()}:{os.getpid()}"
        self.threads = [
            threading.Thread(target=self._run, args=(f"{host}:{n}", n == 0), name=f"pmt-worker-{n}")
            for n in range(count)
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        """Let each worker finish the delivery it holds, then stop."""
        self.stopping.set()
        self.wake.set()
        for thread in self.threads:
            thread.join()

    def _run(self, name: str, prunes: bool) -> None:
        pruned: float | None = None
        while not self.stopping.is_set():
            if prunes and (pruned is None or time.monotonic() - pruned > PRUNE_EVERY_S):
                pruned = time.monotonic()
                self._prune()
            try:
                step = work_once(self.store, self.settings, name)
            except Exception:  # the store unreachable, or a bug: the worker must live on
                # (the delivery it held is taken again when its lease ends)
                log.exception("pmt serve: a worker could not read the queue")
                step = None
            if step is None:
                self.wake.wait(POLL_S)
                self.wake.clear()
                continue
            source = step.delivery.source
            self.metrics.applied.labels(source, "failed" if step.failed else "done").inc()
            if step.failed:
                log.warning(
                    "pmt serve: delivery %s failed: %s", step.delivery.delivery_id, step.outcome
                )
            else:
                self.metrics.latency.labels(source).observe(step.latency)

    def _prune(self) -> None:
        age = timedelta(hours=self.settings.serve.max_delivery_age_hours)
        try:
            gone = prune(self.store, utcnow() - age)
        except DatabaseError:
            log.exception("pmt serve: could not forget old deliveries")
            return
        if gone:
            log.info("pmt serve: forgot %d delivery(ies) applied more than %s ago", gone, age)
