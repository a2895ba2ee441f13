"""Reading one action item's text: owner, due, priority, kind, done, ticket, and the clean text."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.parsing.fields import Context, read_fields
from tracker.parsing.tense import looks_done, starts_with_verb

CTX = Context(
    references={
        "KEYCHAIN": "https://github.com/acme/app/issues/7",
        "OPS-9": "https://acme.atlassian.net/browse/OPS-9",
    },
    date_order="mdy",
    year=2026,
)

# raw text -> (text, owner, due, priority, kind, done, ticket)
CASES = [
    (
        "Add alerting on queue depth",
        ("Add alerting on queue depth", None, None, None, None, None, None),
    ),
    # owners
    ("Rotate the keys (Alice)", ("Rotate the keys", "Alice", None, None, None, None, None)),
    ("Rotate the keys (owner: bob)", ("Rotate the keys", "bob", None, None, None, None, None)),
    (
        "Rotate the keys (Owner: Priya, Tomas)",
        ("Rotate the keys", "Priya, Tomas", None, None, None, None, None),
    ),
    ("Owner: bob - Rotate the keys", ("Rotate the keys", "bob", None, None, None, None, None)),
    ("Rotate the keys @carol", ("Rotate the keys", "carol", None, None, None, None, None)),
    ("Rotate the keys - @carol", ("Rotate the keys", "carol", None, None, None, None, None)),
    ("[SRE] Rotate the keys", ("Rotate the keys", "SRE", None, None, None, None, None)),
    (
        "Hypha + ICL: Rotate the keys",
        ("Rotate the keys", "Hypha + ICL", None, None, None, None, None),
    ),
    ("Alice to rotate the keys", ("Rotate the keys", "Alice", None, None, None, None, None)),
    (
        "The SRE team to rotate the keys",
        ("Rotate the keys", "SRE team", None, None, None, None, None),
    ),
    (
        "Jonas will review the monitors",
        ("Review the monitors", "Jonas", None, None, None, None, None),
    ),
    ("Rotate the keys — Bob", ("Rotate the keys", "Bob", None, None, None, None, None)),
    ("Rotate the keys - Bob Smith", ("Rotate the keys", "Bob Smith", None, None, None, None, None)),
    ("Add caching - Redis", ("Add caching - Redis", None, None, None, None, None, None)),
    ("Add caching - P2", ("Add caching", None, None, "P2", None, None, None)),
    (
        "Ask @dana to review the policy",
        ("Ask @dana to review the policy", "dana", None, None, None, None, None),
    ),
    # not owners: titles, areas, verbs
    (
        "Patch Load Balancer Software: Ensure updates are tested",
        (
            "Patch Load Balancer Software: Ensure updates are tested",
            None,
            None,
            None,
            None,
            None,
            None,
        ),
    ),
    (
        "Monitoring: add a disk alert",
        ("Monitoring: add a disk alert", None, None, None, None, None, None),
    ),
    (
        "Migrate Postgres to use the new disk",
        ("Migrate Postgres to use the new disk", None, None, None, None, None, None),
    ),
    (
        "Need to review the limits",
        ("Need to review the limits", None, None, None, None, None, None),
    ),
    (
        "Identify who owns the service",
        ("Identify who owns the service", None, None, None, None, None, None),
    ),
    (
        "Find the person responsible for billing",
        ("Find the person responsible for billing", None, None, None, None, None, None),
    ),
    (
        "Find data owned by the billing team",
        ("Find data owned by the billing team", None, None, None, None, None, None),
    ),
    (
        "Rotate keys, owned by Platform team",
        ("Rotate keys", "Platform team", None, None, None, None, None),
    ),
    ("Fix the alert - assigned to Carol", ("Fix the alert", "Carol", None, None, None, None, None)),
    (
        "**Owner:** Omar — Raise the limit",
        ("Raise the limit", "Omar", None, None, None, None, None),
    ),
    (
        "Rotate the key — *owner: Bob*, **due: 2026-06-01**",
        ("Rotate the key", "Bob", date(2026, 6, 1), None, None, None, None),
    ),
    # due dates
    ("Ship the fix by March 3", ("Ship the fix", None, date(2026, 3, 3), None, None, None, None)),
    (
        "Ship the fix, due 2026-03-01",
        ("Ship the fix", None, date(2026, 3, 1), None, None, None, None),
    ),
    (
        "Ship the fix (due: 03/01/2026)",
        ("Ship the fix", None, date(2026, 3, 1), None, None, None, None),
    ),
    (
        "Retire the scheduler by end of Q2",
        ("Retire the scheduler", None, date(2026, 6, 30), None, None, None, None),
    ),
    (
        "Retire the scheduler by Q3 2027",
        ("Retire the scheduler", None, date(2027, 9, 30), None, None, None, None),
    ),
    (
        "Retire the scheduler by end of March",
        ("Retire the scheduler", None, date(2026, 3, 31), None, None, None, None),
    ),
    ("Ship the fix (2026-04-02)", ("Ship the fix", None, date(2026, 4, 2), None, None, None, None)),
    ("Reduce latency by 50%", ("Reduce latency by 50%", None, None, None, None, None, None)),
    # priorities
    ("[P1] Add a health check", ("Add a health check", None, None, "P1", None, None, None)),
    ("P0: Serve cached values", ("Serve cached values", None, None, "P0", None, None, None)),
    (
        "Cache rules at the edge (P2)",
        ("Cache rules at the edge", None, None, "P2", None, None, None),
    ),
    (
        "Document the fallback - priority: low",
        ("Document the fallback", None, None, "P3", None, None, None),
    ),
    ("Audit the defaults (critical)", ("Audit the defaults", None, None, "P0", None, None, None)),
    (
        "Load test at peak (high priority)",
        ("Load test at peak", None, None, "P1", None, None, None),
    ),
    ("Clean up stale flags P4", ("Clean up stale flags", None, None, "P4", None, None, None)),
    # kinds
    ("Monitor expiry (detect)", ("Monitor expiry", None, None, None, "detect", None, None)),
    (
        "Add a kill switch [mitigate]",
        ("Add a kill switch", None, None, None, "mitigate", None, None),
    ),
    (
        "Type: process - Move reminders to the list",
        ("Move reminders to the list", None, None, None, "process", None, None),
    ),
    ("Pin versions (prevent)", ("Pin versions", None, None, None, "preventative", None, None)),
    # done states
    ("[x] Replace the node", ("Replace the node", None, None, None, None, True, None)),
    ("[ ] Replace the node", ("Replace the node", None, None, None, None, False, None)),
    ("~~Raise the bandwidth~~", ("Raise the bandwidth", None, None, None, None, True, None)),
    ("**DONE** Add a SMART alert", ("Add a SMART alert", None, None, None, None, True, None)),
    (
        "**TODO** Automate replacement",
        ("Automate replacement", None, None, None, None, False, None),
    ),
    ("TODO: add tests", ("Add tests", None, None, None, None, False, None)),
    ("Upgrade the firmware (done)", ("Upgrade the firmware", None, None, None, None, True, None)),
    (
        "Test a rack failure (in progress)",
        ("Test a rack failure", None, None, None, None, False, None),
    ),
    ("Spread replicas - Status: closed", ("Spread replicas", None, None, None, None, True, None)),
    ("✅ Document the procedure", ("Document the procedure", None, None, None, None, True, None)),
    ("Document the procedure ✅", ("Document the procedure", None, None, None, None, True, None)),
    ("⏳ Alert at 80% memory", ("Alert at 80% memory", None, None, None, None, False, None)),
    (
        "Add a retry budget. This has been done.",
        ("Add a retry budget.", None, None, None, None, True, None),
    ),
    # enumerators
    ("Task 2: Validate input", ("Validate input", None, None, None, None, None, None)),
    ("Action 3: Validate input", ("Validate input", None, None, None, None, None, None)),
    # tickets
    (
        "Add iOS 16 to the matrix (#1423)",
        ("Add iOS 16 to the matrix", None, None, None, None, None, "#1423"),
    ),
    (
        "Fix the crash acme/ios-app#1420",
        ("Fix the crash", None, None, None, None, None, "acme/ios-app#1420"),
    ),
    (
        "Gate releases on crash rate MOB-88",
        ("Gate releases on crash rate", None, None, None, None, None, "MOB-88"),
    ),
    # A reference inside the sentence is a mention (related), not the item's ticket (issue 14).
    (
        "Fix the crash in #12 for good",
        ("Fix the crash in #12 for good", None, None, None, None, None, None),
    ),
    (
        "Add a staged rollout ([tracking issue](https://github.com/acme/app/issues/31))",
        (
            "Add a staged rollout",
            None,
            None,
            None,
            None,
            None,
            "https://github.com/acme/app/issues/31",
        ),
    ),
    (
        "Fix [the flaky test](https://github.com/acme/app/pull/5)",
        ("Fix the flaky test", None, None, None, None, None, "https://github.com/acme/app/pull/5"),
    ),
    (
        "Backfill symbols https://acme.atlassian.net/browse/MOB-91",
        (
            "Backfill symbols",
            None,
            None,
            None,
            None,
            None,
            "https://acme.atlassian.net/browse/MOB-91",
        ),
    ),
    (
        "Review the API change ([issue][keychain])",
        (
            "Review the API change",
            None,
            None,
            None,
            None,
            None,
            "https://github.com/acme/app/issues/7",
        ),
    ),
    (
        "Read [the guide](https://docs.example.com/guide) first",
        (
            "Read [the guide](https://docs.example.com/guide) first",
            None,
            None,
            None,
            None,
            None,
            None,
        ),
    ),
    (
        "Use SHA-256 and UTF-8 everywhere",
        ("Use SHA-256 and UTF-8 everywhere", None, None, None, None, None, None),
    ),
    # everything at once
    (
        "[ ] Add a CI check (@maria, P1, due 2026-03-20) OPS-12",
        ("Add a CI check", "maria", date(2026, 3, 20), "P1", None, False, "OPS-12"),
    ),
]


@pytest.mark.parametrize(("raw", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_read_fields(raw: str, expected: tuple[object, ...]) -> None:
    f = read_fields(raw, CTX)
    assert (f.text, f.owner, f.due, f.priority, f.kind, f.done, f.ticket) == expected


def test_ambiguous_due_dates_follow_date_order() -> None:
    dmy = Context(references={}, date_order="dmy", year=2026)
    assert read_fields("Review before 4/5/2026", CTX).due == date(2026, 4, 5)
    assert read_fields("Review before 4/5/2026", dmy).due == date(2026, 5, 4)
    # A date that can be read only one way ignores the setting.
    assert read_fields("Review before 25/5/2026", CTX).due == date(2026, 5, 25)


def test_a_date_without_a_year_and_no_incident_year_is_left_in_the_text() -> None:
    f = read_fields("Ship the fix by March 3", Context(references={}))
    assert (f.text, f.due) == ("Ship the fix by March 3", None)


def test_wrapped_lines_are_joined_by_single_spaces() -> None:
    assert read_fields("Add alerting\non queue\ndepth", CTX).text == "Add alerting on queue depth"


@pytest.mark.parametrize(
    ("text", "done"),
    [
        ("The BASH script was updated to recreate the link.", True),
        ("Training materials were updated.", True),
        ("Added a metric for disk usage", True),
        ("Add a metric for disk usage", False),
        ("Ensure the config was validated", False),
        ("The alert should have been configured", False),
        ("The alert was not configured", False),
        ("Automated tests for the client", False),
    ],
)
def test_looks_done(text: str, done: bool) -> None:
    assert looks_done(text) is done


@pytest.mark.parametrize(
    ("text", "verb"),
    [
        ("Add tests", True),
        ("Adding tests", True),
        ("**Update** the docs", True),
        ("Dashboard for p99", False),
        ("We will add", False),
    ],
)
def test_starts_with_verb(text: str, verb: bool) -> None:
    assert starts_with_verb(text) is verb
