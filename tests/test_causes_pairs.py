"""The array work of the repeat search (``tracker.causes.pairs``) gives what its plain twin gives,
on random input; the similarity on arrays (``tracker.causes.scoring``) is ``combine``'s."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import random as sparse_random  # type: ignore[import-untyped]

from tracker.causes import lexicon
from tracker.causes.pairs import PAIR_MATH, ArrayPairMath, Entries, PlainPairMath
from tracker.causes.scoring import (
    MaskArrays,
    combine,
    mechanism_mask,
    score_bound,
    scores_from_parts,
)

ARRAY, PLAIN = ArrayPairMath(), PlainPairMath()


def test_the_search_uses_the_array_twin() -> None:
    assert isinstance(PAIR_MATH, ArrayPairMath)


def _entries(rng: np.random.Generator, n: int, keys: int, days: int) -> Entries:
    """Each postmortem (ids 1..n, some days shared or unknown) filed under a few keys."""
    key_of: list[int] = []
    day_of: list[str] = []
    id_of: list[int] = []
    for pm_id in rng.permutation(np.arange(1, n + 1)).tolist():
        day = "" if rng.random() < 0.1 else f"2025-01-{1 + int(rng.integers(0, days)):02d}"
        for key in rng.choice(keys, int(rng.integers(1, min(keys, 3) + 1)), replace=False).tolist():
            key_of.append(int(key))
            day_of.append(day)
            id_of.append(pm_id)
    return key_of, day_of, id_of


def test_earlier_pairs_match_bisect_on_sorted_postings() -> None:
    rng = np.random.default_rng(11)
    for case in range(150):
        n = int(rng.integers(1, 60))
        filed = _entries(rng, n, keys=int(rng.integers(1, 8)), days=int(rng.integers(1, 6)))
        # The queries are some of the filed postmortems (as after a write), with their keys.
        queries = rng.choice(np.arange(1, n + 1), int(rng.integers(1, n + 1))).tolist()
        if case % 5 == 0:  # a query not filed at all has no candidates
            queries.append(n + 1)
        per_key = int(rng.integers(1, 6))
        fast = ARRAY.earlier_pairs(ARRAY.index(filed), queries, per_key)
        plain = PLAIN.earlier_pairs(PLAIN.index(filed), queries, per_key)
        assert fast[0].tolist() == plain[0].tolist()
        assert fast[1].tolist() == plain[1].tolist()
        assert n + 1 not in fast[0].tolist()
        # One index serves every batch of queries: the batches' pairs are the whole's.
        index = ARRAY.index(filed)
        halves = [
            ARRAY.earlier_pairs(index, part, per_key) for part in (queries[::2], queries[1::2])
        ]
        together = sorted(
            {(q, e) for got in halves for q, e in zip(got[0].tolist(), got[1].tolist())}
        )
        assert together == list(zip(fast[0].tolist(), fast[1].tolist()))
        # Later postmortems that name a query among their candidates are what the search of
        # those later ones finds: what a backfilled earlier postmortem makes them search again.
        everyone = sorted(set(filed[2]))
        every_pair = ARRAY.earlier_pairs(index, everyone, per_key)
        for earlier in queries[:5]:
            expected = sorted({q for q, e in zip(*map(list, every_pair)) if e == earlier})
            assert ARRAY.later_ids(index, [earlier], per_key) == expected
            assert PLAIN.later_ids(PLAIN.index(filed), [earlier], per_key) == expected
    empty: Entries = ([], [], [])
    assert (
        ARRAY.later_ids(ARRAY.index(empty), [1], 3)
        == PLAIN.later_ids(PLAIN.index(empty), [1], 3)
        == []
    )
    assert ARRAY.earlier_pairs(ARRAY.index(empty), [1], 3)[0].tolist() == []
    assert PLAIN.earlier_pairs(PLAIN.index(empty), [1], 3)[0].tolist() == []


def test_best_pairs_per_query_match_a_full_sort() -> None:
    """Each query's best pairs: score first, then the most recent earlier one, then the first
    given; queries ascending, whether or not they come in order."""
    rng = np.random.default_rng(7)
    for case in range(400):
        ids = rng.permutation(40)[: rng.integers(1, 7)]
        if case % 2:
            ids = np.sort(ids)
        query = np.repeat(ids, rng.integers(1, 9, len(ids))).astype(np.int64)
        n = len(query)
        score = rng.choice([0.4, 0.6, 0.8], n) if case % 3 else rng.random(n)
        recency = rng.integers(0, 4 if case % 4 else 1000, n).astype(np.int64)
        for limit in (1, 3):
            expected = []
            for q in sorted(set(query.tolist())):
                mine = [k for k in range(n) if query[k] == q]
                mine.sort(key=lambda k: (-score[k], -recency[k], k))
                expected += mine[:limit]
            assert ARRAY.best_per_query(query, score, recency, limit).tolist() == expected
            assert PLAIN.best_per_query(query, score, recency, limit).tolist() == expected
    empty = np.array([], dtype=np.int64)
    assert ARRAY.best_per_query(empty, np.array([]), empty, 3).tolist() == []
    assert PLAIN.best_per_query(empty, np.array([]), empty, 3).tolist() == []


def test_row_dots_equal_the_sparse_products_of_the_pairs() -> None:
    matrix = sparse_random(60, 400, density=0.05, format="csr", dtype=np.float32, random_state=3)
    lil = matrix.tolil()
    lil[7] = 0  # an empty row on either side of a pair
    matrix = lil.tocsr()
    rng = np.random.default_rng(5)
    left = [int(i) for i in rng.integers(0, 60, 500)] + [7, 2]
    right = [int(j) for j in rng.integers(0, 60, 500)] + [2, 7]
    expected = np.asarray(matrix[left].multiply(matrix[right]).sum(axis=1)).ravel()
    got = ARRAY.row_dots(matrix, left, right)
    assert np.allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert np.allclose(PLAIN.row_dots(matrix, left, right), got, rtol=1e-5, atol=1e-6)
    assert got[-1] == got[-2] == 0.0
    assert ARRAY.row_dots(matrix, [], []).shape == PLAIN.row_dots(matrix, [], []).shape == (0,)


def test_scores_on_arrays_are_combine_on_random_mechanism_sets() -> None:
    rng = np.random.default_rng(3)
    names = [m.name for m in lexicon.MECHANISMS]
    sets = [
        frozenset(rng.choice(names, int(rng.integers(0, 5)), replace=False).tolist())
        for _ in range(80)
    ] + [frozenset({"cert_expired"}), frozenset({"cert_expired", "leap_second"})]
    masks = MaskArrays([mechanism_mask(s) for s in sets])
    left = rng.integers(0, len(sets), 3000)
    right = rng.integers(0, len(sets), 3000)
    chars = rng.random(3000)
    words = rng.random(3000)
    got = scores_from_parts(chars, words, *masks.parts(left, right))
    expected = [
        combine(float(w), float(c), sets[a], sets[b])
        for a, b, c, w in zip(left.tolist(), right.tolist(), chars, words)
    ]
    assert got.tolist() == pytest.approx(expected, abs=1e-12)


def test_score_bound_is_the_score_of_identical_wording() -> None:
    for a, b in [
        ({"cert_expired"}, {"cert_expired", "leap_second"}),
        ({"cert_expired"}, {"leap_second"}),
        (set(), {"leap_second"}),
    ]:
        bound = combine(1.0, 1.0, frozenset(a), frozenset(b))
        assert score_bound(frozenset(a), frozenset(b)) == pytest.approx(bound)
