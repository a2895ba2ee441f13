"""The root-cause classifier: categories by mechanism, ``unknown`` when nothing is named,
front matter overriding, and confidences that mean something."""

from __future__ import annotations

import pytest

from tracker.causes.classify import (
    SOURCE_CLASSIFIER,
    SOURCE_FRONT_MATTER,
    classify_fields,
    classify_postmortem,
    classify_text,
    front_matter_override,
)
from tracker.causes.taxonomy import CATEGORIES, NAMES, canonical
from tracker.models import Postmortem

# Written for these tests (not taken from tests/data/causes), one or more per category.
CASES = [
    (
        "Our wildcard TLS certificate expired on Saturday and nobody had set up auto-renewal.",
        "cert_credential",
    ),
    (
        "The OAuth client secret used by the billing sync reached its expiry date.",
        "cert_credential",
    ),
    (
        "Hosts running the old kernel spun at full CPU when the leap second was inserted.",
        "time_clock",
    ),
    (
        "The nightly invoice job ran twice when the clocks went back for daylight saving time.",
        "time_clock",
    ),
    ("A bad routing config was pushed to all regions at once, without a canary.", "config_change"),
    (
        "Someone set the connection timeout in the client configuration to 50 ms instead of 500 ms.",
        "config_change",
    ),
    (
        "A race condition between two writers in the session handler logged users out at random.",
        "code_bug",
    ),
    ("An unhandled exception on empty carts crashed the checkout worker.", "code_bug"),
    (
        "After upgrading the runtime to the new major version, the old crypto module was gone.",
        "upgrade_migration",
    ),
    (
        "The log volume filled up and the database could not write its WAL: no space left on device.",
        "capacity_overload",
    ),
    (
        "A surge in traffic after the TV spot exhausted the API's connection pool.",
        "capacity_overload",
    ),
    (
        "Our payment gateway provider had an outage, so card payments timed out.",
        "dependency_failure",
    ),
    ("Replication lag on the MySQL replicas reached 20 minutes.", "database"),
    ("Deadlocks between the two order transactions aborted most checkouts.", "database"),
    ("The DNS record for the login domain was deleted during a zone cleanup.", "network_dns"),
    ("A BGP route leak sent our traffic through a congested transit path.", "network_dns"),
    ("The data center lost utility power and a generator failed to start.", "hardware_power"),
    ("A failed disk in the RAID array left the storage node read-only.", "hardware_power"),
    (
        "An engineer ran the cleanup command against production thinking it was staging.",
        "human_error",
    ),
    (
        "The Terraform apply destroyed and recreated the production load balancer.",
        "automation_tooling",
    ),
    ("A large DDoS attack saturated our edge links.", "security"),
    (
        "A backfill script overwrote the shipping addresses of 9,000 orders with nulls.",
        "data_corruption",
    ),
    (
        "The CDN cache was never invalidated after the release, so users got stale JavaScript.",
        "cache",
    ),
    ("The disk alert had been silenced during maintenance and never re-enabled.", "monitoring_gap"),
]


@pytest.mark.parametrize(("text", "category"), CASES)
def test_category_by_mechanism(text: str, category: str) -> None:
    result = classify_text(text)
    assert result.category == category, (result, text)
    assert result.source == SOURCE_CLASSIFIER
    assert 0.2 <= result.confidence <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "The root cause is still under investigation.",
        "We do not yet know what caused the restarts.",
        "The service was unavailable for 40 minutes and recovered on its own.",
        "Cause: TBD",
        "We have mitigated the issue and are monitoring the results.",
    ],
)
def test_unknown_when_no_cause_is_named(text: str | None) -> None:
    result = classify_text(text)
    assert result.category == "unknown"
    assert result.secondary is None


def test_an_unknown_that_was_later_found_is_classified() -> None:
    text = "The cause was initially unknown; it turned out the TLS certificate had expired."
    assert classify_text(text).category == "cert_credential"


def test_negated_mechanism_does_not_count() -> None:
    text = (
        "This was not a DDoS attack: a retry storm from our own mobile clients overwhelmed the API."
    )
    assert classify_text(text).category == "capacity_overload"


def test_mechanism_beats_its_consequence() -> None:
    # The disk filled (mechanism) *causing* the database to crash (consequence).
    result = classify_text("The disk filled up with logs, causing the database to crash.")
    assert result.category == "capacity_overload"


def test_secondary_category_when_two_mechanisms_are_named() -> None:
    result = classify_text(
        "A memory leak in the image resizing library grew the heap until the pods were OOM-killed."
    )
    # The leak (a code bug) and the exhaustion it led to (capacity): both are named. Which one
    # leads is the trained model's call; the old lexicon put the bug first.
    assert {result.category, result.secondary} == {"code_bug", "capacity_overload"}


def test_confidence_is_higher_for_a_clear_cause_than_a_vague_one() -> None:
    clear = classify_text(
        "The TLS certificate expired because the renewal cron job had been failing."
    )
    vague = classify_text("Something in the network was slow.")
    assert clear.confidence > vague.confidence


def test_detail_is_read_when_the_sentence_says_little() -> None:
    result = classify_text(
        "Checkout failed for an hour.",
        "Checkout failed for an hour. Investigation showed the database primary failed over "
        "and the application kept writing to the old primary.",
    )
    assert result.category == "database"


@pytest.mark.parametrize(
    ("front", "category", "secondary"),
    [
        ({"cause": "dns"}, "network_dns", None),
        ({"cause": "cert-credential"}, "cert_credential", None),
        ({"cause": ["config", "human"]}, "config_change", "human_error"),
        ({"cause": {"category": "cache", "secondary": "capacity"}}, "cache", "capacity_overload"),
        ({"tags": ["sev1", "cause/time_clock"]}, "time_clock", None),
        ({"tags": "outage, cause:database"}, "database", None),
        ({"tags": ["network_dns"]}, "network_dns", None),
    ],
)
def test_front_matter_overrides(front: dict, category: str, secondary: str | None) -> None:
    result = classify_fields("The TLS certificate expired.", None, front)
    assert (result.category, result.secondary) == (category, secondary)
    assert result.source == SOURCE_FRONT_MATTER
    assert result.confidence == 1.0


@pytest.mark.parametrize(
    "front", [{}, {"tags": ["security", "sev2"]}, {"cause": 42}, {"title": "x"}]
)
def test_front_matter_without_a_category_does_not_override(front: dict) -> None:
    assert front_matter_override(front) is None
    assert classify_fields("The TLS certificate expired.", None, front).source == SOURCE_CLASSIFIER


def test_free_text_cause_in_front_matter_is_read_by_the_classifier() -> None:
    result = classify_fields(None, None, {"cause": "expired TLS certificate"})
    assert result.category == "cert_credential"
    assert result.source == SOURCE_CLASSIFIER


def test_classify_postmortem_uses_its_front_matter() -> None:
    pm = Postmortem(
        path="x.md", root_cause="The disk filled up.", front_matter={"cause": "monitoring"}
    )
    assert classify_postmortem(pm).category == "monitoring_gap"


def test_taxonomy_is_documented_and_aliases_resolve() -> None:
    assert len(NAMES) == 17 and NAMES[-1] == "unknown"
    assert all(c.definition.endswith(".") and c.title for c in CATEGORIES)
    assert canonical("DNS") == "network_dns"
    assert canonical("Cert Credential") == "cert_credential"
    assert canonical("no-such-thing") is None
