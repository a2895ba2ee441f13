"""``/metrics``: what the service did, in Prometheus' text format (``prometheus_client``).

Each app has its own registry (several apps in one process, as in the tests, do not share
counters). The queue depth is read from the store when Prometheus scrapes, so every replica
reports the same shared queue.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self, queue_depth: Callable[[], float]) -> None:
        self.registry = CollectorRegistry()
        self.deliveries = Counter(
            "pmt_webhook_deliveries",
            "Webhook deliveries received, by tracker and what became of them "
            "(queued, duplicate, ignored, rejected).",
            ["source", "outcome"],
            registry=self.registry,
        )
        self.applied = Counter(
            "pmt_webhook_applied",
            "Queued deliveries applied by this replica's workers (result: done or failed).",
            ["source", "result"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "pmt_webhook_sync_latency_seconds",
            "Seconds from a delivery's acceptance to its application.",
            ["source"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600),
            registry=self.registry,
        )
        self.response = Histogram(
            "pmt_webhook_response_seconds",
            "Seconds the webhook endpoint took to answer.",
            ["source"],
            registry=self.registry,
        )
        depth = Gauge(
            "pmt_webhook_queue_depth",
            "Deliveries accepted and not yet applied (the store's queue, shared by replicas).",
            registry=self.registry,
        )
        depth.set_function(queue_depth)

    def text(self) -> bytes:
        return generate_latest(self.registry)
