"""Mechanism similarity: same failure mechanism matches, same category or same company does not,
and the search compares a bounded number of candidates per postmortem."""

from __future__ import annotations

import pytest

from tracker.causes.normalise import normalise
from tracker.causes.similar import CauseDoc, MechanismIndex, pair_similarity
from tracker.config import CausesSettings

THRESHOLD = CausesSettings().repeat_threshold

SAME = [
    (
        "Our SSL certificate for shop.example.com lapsed on Sunday; the renewal job had died in March.",
        "The TLS cert on api.other.io expired overnight because renewal was never automated.",
    ),
    (
        "A bad rate-limit rule was deployed to every edge location at once and blocked all logins.",
        "An incorrect config change was pushed globally without a canary, breaking every region.",
    ),
    (
        "The leap second made the kernel timer code livelock and pin the CPUs.",
        "When the extra leap second was added, our Java hosts went to 100% CPU.",
    ),
    (
        "Clients retried immediately with no backoff, a retry storm that kept the API down.",
        "The thundering herd of reconnecting mobile clients overwhelmed the gateway.",
    ),
    (
        "Replication lag on the Postgres replicas reached 40 minutes.",
        "Our MySQL read replicas fell an hour behind the primary (replication lag).",
    ),
]

HARD_NEGATIVES = [
    (
        "The TLS certificate on the API expired.",
        "The new certificate was issued for the wrong hostname and clients rejected it.",
    ),
    (
        "The leap second caused a kernel livelock.",
        "The clocks went back for daylight saving time and the billing job ran twice.",
    ),
    (
        "The log disk filled up and writes failed.",
        "The connection pool to the database was exhausted during the traffic peak.",
    ),
    (
        "Replication lag made the replicas serve stale reads.",
        "A missing index made the dashboard query scan the whole table.",
    ),
]

SAME_COMPANY_DIFFERENT_CAUSE = [
    (
        "Acme checkout went down because a null pointer in the Acme cart service crashed it.",
        "Acme checkout went down because the Acme cart service's TLS certificate expired.",
    ),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_same_mechanism_matches(a: str, b: str) -> None:
    assert pair_similarity(a, b) >= THRESHOLD


@pytest.mark.parametrize(("a", "b"), HARD_NEGATIVES + SAME_COMPANY_DIFFERENT_CAUSE)
def test_same_category_or_same_company_is_not_enough(a: str, b: str) -> None:
    assert pair_similarity(a, b) < THRESHOLD


def test_similarity_is_symmetric_enough_and_bounded() -> None:
    a, b = SAME[0]
    ab, ba = pair_similarity(a, b), pair_similarity(b, a)
    assert abs(ab - ba) < 1e-6
    assert 0.0 <= ab <= 1.0
    assert pair_similarity(a, a) > 0.95


def test_normalise_drops_names_numbers_and_dates_and_folds_synonyms() -> None:
    text = normalise(
        "On March 3, 2025 the Postgres primary at Acme (db-01.acme.io, v14.2) rejected 5,000 "
        "connections because its SSL cert had lapsed."
    )
    for gone in ("acme", "march", "2025", "5,000", "14.2", "postgres", "db-01"):
        assert gone not in text
    assert "certificat" in text and "expir" in text and "databas" in text


def _docs(texts: list[str]) -> list[CauseDoc]:
    return [
        CauseDoc(key=f"pm{i}", text=t, order=(f"2025-01-{i + 1:02d}", i))
        for i, t in enumerate(texts)
    ]


def test_only_earlier_postmortems_are_candidates() -> None:
    texts = [SAME[0][0], SAME[4][0], SAME[0][1], SAME[4][1]]
    index = MechanismIndex(_docs(texts))
    assert index.candidates(0) == []
    later = index.earlier_matches(2, THRESHOLD)
    assert [m.earlier for m in later] == [0]
    assert [m.earlier for m in index.earlier_matches(3, THRESHOLD)] == [1]
    # The earlier one never "repeats" the later one.
    assert all(m.earlier != 2 for m in index.earlier_matches(0, THRESHOLD))


def test_candidates_per_postmortem_are_bounded_whatever_the_corpus_size() -> None:
    """The search is not all-pairs: each postmortem is scored against at most
    keys x per_key earlier ones, however many share its words."""
    texts = [
        f"The TLS certificate for service number {i} expired without renewal." for i in range(300)
    ]
    index = MechanismIndex(_docs(texts), per_key=10)
    bound = max(len(k) for k in index.keys) * 10
    assert max(len(index.candidates(i)) for i in range(300)) <= bound < 300
    # ...and the nearest earlier ones are still found.
    assert index.earlier_matches(299, THRESHOLD, limit=3)


def test_empty_and_stop_word_texts_do_not_break_the_index() -> None:
    index = MechanismIndex(_docs(["", "the of and", "The TLS certificate expired."]))
    assert index.earlier_matches(2, THRESHOLD) == []
    assert MechanismIndex([]).docs == []
