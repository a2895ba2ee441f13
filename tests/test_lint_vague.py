"""The vague-action heuristic, both ways, with the reason it gives."""

from __future__ import annotations

import pytest

from tracker.lint import vagueness

VAGUE = [
    # (item, a word the reason must contain)
    ("Investigate monitoring", "open-ended"),
    ("Improve reliability", "open-ended"),
    ("Be more careful", "attitude"),
    ("Look into alerting", "open-ended"),
    ("Monitoring", "too short"),
    ("Better alerting", "open-ended"),
    ("More tests", "too short"),
    ("Fix it", "what?"),
    ("Fix the bug", "what?"),
    ("Follow up", "open-ended"),
    ("Review the incident with the team", "open-ended"),
    ("Communicate better", "open-ended"),
    ("Ensure it doesn't happen again", "open-ended"),
    ("Make sure this does not happen again", "open-ended"),
    ("Improve the deployment process", "open-ended"),
    ("Add more monitoring and alerting", "what?"),
    ("Add alerts", "what?"),
    ("Update docs", "what?"),
    ("Update the runbook", "what?"),
    ("Implement proactive alerts", "what?"),
    ("Discuss with the database team", "open-ended"),
    ("Consider using a different approach", "open-ended"),
    ("TBD", "too short"),
    ("Enhance observability", "open-ended"),
    ("Do better next time", "open-ended"),
    ("Be more careful when deploying on Fridays", "attitude"),
    ("Keep an eye on disk usage", "attitude"),
    ("Pay attention to warnings", "attitude"),
    ("Alice to improve monitoring", "open-ended"),
    ("We should investigate the outage", "open-ended"),
    ("TODO: look into it", "open-ended"),
    ("**Improve** _alerting_", "open-ended"),
    ("Investigate source of non-deterministic behaviour", "open-ended"),
    ("Check how to optimize interchaintest upgrade tests", "open-ended"),
    ("Improve coverage of readiness/liveness probes", "open-ended"),
    ("Better communication with stakeholders during incidents", "open-ended"),
    ("General stability improvements", "no action verb"),
    ("", "nothing"),
]

CONCRETE = [
    "Add an alert on 5xx rate > 2% for checkout-api",
    "Renew the wildcard certificate for *.example.com and set auto-renewal in cert-manager",
    "Rotate the expired TLS certificate on edge-lb-01",
    "Set connection pool max_size to 200 in payments-db config",
    "Enable HSTS on the marketing site",
    "Upgrade openssl to 3.0.13 on all bastion hosts",
    "Upgrade openssl",
    "Page on-call when the orders queue depth exceeds 10k for 5 minutes",
    "Write a runbook section on restoring the users table from the nightly snapshot",
    "Investigate why the checkout-api pool exhausts at 200 connections",
    'Investigate root cause of "no space left on device" messages',
    "Delete the stale DNS record for old-api.example.com",
    "Add a CI check that fails when a migration lacks a down step",
    "Alice to add a canary stage to the deploy pipeline",
    "We will add rate limiting to the login endpoint",
    "Runbook for certificate renewal on edge-proxy",
    "Cap retries at 3 with exponential backoff in the billing client",
    "Migrate session storage from Redis 5 to Redis 7",
    "Document the failover procedure for the primary Postgres cluster in the ops wiki",
    "Review alert thresholds for the payments service against last quarter's traffic",
    "Adding an expiry check for all certificates to the nightly job",
    "Backfill the missing invoices for 2026-03-14",
    "Pin the base image to debian:12.5 in the Dockerfile",
    "Rate-limit password reset emails to 5 per hour per account",
    "Remove the legacy /v1/export endpoint",
    "Load test the search cluster at 2x peak traffic before Black Friday",
    "Turn on query logging for queries slower than 500 ms",
    "Move to the new cluster in eu-west",
    "Subscribe to security alerts",
    "Hypha: Test impact of pruning configuration in rollback command to reduce rollback time",
    "Add `statement_timeout` to the reporting role",
    "Switch DNS TTL for api to 60 seconds",
    "Block deploys on Fridays after 15:00 UTC via the deploy bot",
    "Be able to restore the orders database from backup within 30 minutes",
    "**Add** a [dashboard](https://grafana.example.com/d/abc) for replication lag on db-main",
    "Set up synthetic checks for the login page from three regions",
]


@pytest.mark.parametrize(("text", "because"), VAGUE)
def test_vague_items_are_flagged_with_a_reason(text: str, because: str) -> None:
    reason = vagueness(text)
    assert reason is not None, f"{text!r} should be vague"
    assert because in reason


@pytest.mark.parametrize("text", CONCRETE)
def test_concrete_items_pass(text: str) -> None:
    assert vagueness(text) is None


def test_the_reason_quotes_the_opener_as_written() -> None:
    assert vagueness("Look into alerting") == (
        '"Look into" is open-ended and names no concrete object or criterion'
    )


@pytest.mark.parametrize("text", ["```", "[]()", "- [ ]", "((((", "é" * 500, "a " * 5000])
def test_odd_input_never_raises(text: str) -> None:
    vagueness(text)
