"""The array work of the repeat search, behind one interface with a plain twin.

The search handles a million and more candidate pairs in a first analysis of a big store, so
three steps are done on numpy arrays (``ArrayPairMath``, the one ``PAIR_MATH`` used):

* ``index`` and ``earlier_pairs``: each new postmortem's candidates, the most recent earlier
  postmortems filed under each of its index keys, sliced from posting arrays sorted once (a
  run analyses its postmortems in batches against one index) for every (query, key) at once
  and deduplicated by a sort;
* ``row_dots``: the cosine of each pair's TF-IDF rows, one sparse matrix-vector product per
  query (slicing both rows of every pair out of the matrix copies them twice);
* ``best_per_query``: each query's few best pairs, by rounds of a per-query maximum.

``PlainPairMath`` does the same with loops, bisect and sorts, as one would write it first;
``tests/test_causes_pairs.py`` checks the two agree on random input. Each array version earns
its keep in ``bench/causes_bench.py``'s first analysis of 10,000 postmortems (about 12 s of CPU
in all; CPU seconds, array / plain, measured on that bench's sizes): ``earlier_pairs`` 0.16 /
1.63 s (1.1 million pairs), ``row_dots`` 1.1 / 5.2 s (1.1 million pairs in batches of 20,000),
``best_per_query`` 0.04 / 0.77 s (830,000 pairs).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

    # Row numbers of pairs: a list, or a numpy array when they come by the million.
    Indices = Sequence[int] | np.ndarray

# Entries of an inverted index, one per (postmortem, key): the key's number, the postmortem's
# day (ISO text, "" when unknown) and its id. "Earlier" is the order of (day, id).
Entries = tuple[list[int], list[str], list[int]]
# ``PlainPairMath``'s postings: key -> sorted (day, id); id -> its (key, day) entries.
PlainIndex = tuple[dict[int, list[tuple[str, int]]], dict[int, list[tuple[int, str]]]]


class PairMath(Protocol):
    def index(self, filed: Entries) -> Any:
        """The postings of ``filed``, sorted once for any number of ``earlier_pairs`` calls."""
        ...

    def earlier_pairs(
        self, index: Any, queries: Sequence[int], per_key: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each of ``queries`` (ids of postmortems filed in ``index``) and each key it is
        filed under, the ``per_key`` latest postmortems of that key that come before it (not
        itself): (query ids, earlier ids), each pair once, sorted. A query that is not filed
        has none."""
        ...

    def later_ids(self, index: Any, queries: Sequence[int], per_key: int) -> list[int]:
        """The postmortems of ``index`` that have one of ``queries`` among their
        ``earlier_pairs`` (it is one of the ``per_key`` latest before them in a key they share),
        ascending."""
        ...

    def row_dots(self, matrix: csr_matrix, left: Indices, right: Indices) -> np.ndarray:
        """Dot products of the rows ``left[k]`` and ``right[k]`` of ``matrix`` (float64)."""
        ...

    def best_per_query(
        self, query: np.ndarray, score: np.ndarray, recency: np.ndarray, limit: int
    ) -> np.ndarray:
        """Indices of each query's ``limit`` best pairs, queries ascending, each query's best
        first: the highest score, then the most recent (highest ``recency``), then the first
        given."""
        ...


@dataclass(frozen=True)
class ArrayIndex:
    """``ArrayPairMath``'s postings: every entry's place (key number times the number of
    ranks, plus its rank in "earlier first" order), sorted, with the postmortem at each; and
    each entry as filed (place, rank, id), for finding a query's own entries."""

    postings: np.ndarray
    posted: np.ndarray
    place: np.ndarray
    rank: np.ndarray
    ids: np.ndarray
    # The number of ranks: a key's places are ``key * width`` to ``(key + 1) * width - 1``.
    width: int = 1


class ArrayPairMath:
    """``PairMath`` on numpy arrays (what the search uses)."""

    def index(self, filed: Entries) -> ArrayIndex:
        import numpy as np

        keys = np.array(filed[0], dtype=np.int64)
        ids = np.array(filed[2], dtype=np.int64)
        if not len(ids):
            return ArrayIndex(keys, ids, keys, keys, ids)
        # "Earlier first" order (day, then id) as one dense rank, and (key, rank) as one number.
        _, day_rank = np.unique(np.array(filed[1]), return_inverse=True)
        _, rank = np.unique(
            day_rank.astype(np.int64) * (int(ids.max()) + 1) + ids, return_inverse=True
        )
        rank = rank.astype(np.int64)
        width = int(rank.max()) + 1
        place = keys * width + rank
        by_place = np.argsort(place, kind="stable")
        return ArrayIndex(place[by_place], ids[by_place], place, rank, ids, width)

    def earlier_pairs(
        self, index: ArrayIndex, queries: Sequence[int], per_key: int
    ) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        none = np.zeros(0, dtype=np.int64)
        if not len(index.ids) or not len(queries):
            return none, none
        mine = np.isin(index.ids, np.asarray(queries, dtype=np.int64))
        wanted, asker = index.place[mine], index.ids[mine]
        postings, posted = index.postings, index.posted
        # Each (query, key): the entries of its key before its own place, the last per_key.
        cut = np.searchsorted(postings, wanted, side="left")
        first = np.searchsorted(postings, wanted - index.rank[mine], side="left")
        low = np.maximum(first, cut - per_key)
        lengths = cut - low
        total = int(lengths.sum())
        offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
        earlier = posted[np.repeat(low, lengths) + (np.arange(total) - offsets)]
        query_ids = np.repeat(asker, lengths)
        width = int(index.ids.max()) + 1
        # Each pair once (a sort and a mask: np.unique is many times slower on millions).
        pairs = np.sort(query_ids * width + earlier)
        pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
        return pairs // width, pairs % width

    def later_ids(self, index: ArrayIndex, queries: Sequence[int], per_key: int) -> list[int]:
        import numpy as np

        if not len(index.ids) or not len(queries):
            return []
        mine = index.place[np.isin(index.ids, np.asarray(queries, dtype=np.int64))]
        # Each query's own place, and the end of its key's postings: the next per_key after it.
        start = np.searchsorted(index.postings, mine, side="right")
        end = np.searchsorted(index.postings, (mine // index.width + 1) * index.width, side="left")
        lengths = np.minimum(end, start + per_key) - start
        offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
        later = index.posted[np.repeat(start, lengths) + (np.arange(int(lengths.sum())) - offsets)]
        found: list[int] = np.unique(later).tolist()
        return found

    def row_dots(self, matrix: csr_matrix, left: Indices, right: Indices) -> np.ndarray:
        import numpy as np

        out = np.zeros(len(left), dtype=np.float64)
        if not len(left) or not matrix.nnz:
            return out
        # Each left row is made dense once and its partners' rows are multiplied by it (a
        # sparse matrix-vector product, in C).
        left_a = np.asarray(left, dtype=np.int64)
        right_a = np.asarray(right, dtype=np.int64)
        by_left = np.argsort(left_a, kind="stable")
        cuts = np.flatnonzero(np.diff(left_a[by_left])) + 1
        indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
        dense = np.zeros(matrix.shape[1], dtype=np.float64)
        for group in np.split(by_left, cuts):
            i = int(left_a[group[0]])
            s, e = indptr[i], indptr[i + 1]
            if s == e:
                continue
            cols = indices[s:e]
            dense[cols] = data[s:e]
            out[group] = matrix[right_a[group]] @ dense
            dense[cols] = 0.0
        return out

    def best_per_query(
        self, query: np.ndarray, score: np.ndarray, recency: np.ndarray, limit: int
    ) -> np.ndarray:
        import numpy as np

        n = len(query)
        if not n:
            return np.arange(0)
        order = None
        if np.any(query[1:] < query[:-1]):
            order = np.argsort(query, kind="stable")
            query, score, recency = query[order], score[order], recency[order]
        change = query[1:] != query[:-1]
        starts = np.flatnonzero(np.r_[True, change])
        group = np.cumsum(np.r_[False, change])
        remaining = np.array(score, dtype=np.float64)
        position = np.arange(n)
        picked: list[np.ndarray] = []
        for _ in range(limit):
            top = np.maximum.reduceat(remaining, starts)
            live = top > -np.inf
            if not live.any():
                break
            tied = (remaining == top[group]) & live[group]
            newest = np.maximum.reduceat(np.where(tied, recency, np.iinfo(np.int64).min), starts)
            first = np.minimum.reduceat(
                np.where(tied & (recency == newest[group]), position, n), starts
            )
            chosen = first[live]
            picked.append(chosen)
            remaining[chosen] = -np.inf
        # Rounds in order, then a stable sort by query: each query's pairs best first.
        selected = np.concatenate(picked)
        selected = selected[np.argsort(query[selected], kind="stable")]
        return order[selected] if order is not None else selected


class PlainPairMath:
    """``PairMath`` with loops and sorts: the twin the tests compare ``ArrayPairMath`` with."""

    def index(self, filed: Entries) -> PlainIndex:
        postings: dict[int, list[tuple[str, int]]] = {}
        entries: dict[int, list[tuple[int, str]]] = {}
        for key, day, pm_id in zip(*filed):
            postings.setdefault(key, []).append((day, pm_id))
            entries.setdefault(pm_id, []).append((key, day))
        for posting in postings.values():
            posting.sort()
        return postings, entries

    def earlier_pairs(
        self, index: PlainIndex, queries: Sequence[int], per_key: int
    ) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        postings, entries = index
        pairs: set[tuple[int, int]] = set()
        for pm_id in set(queries):
            for key, day in entries.get(pm_id, []):
                posting = postings[key]
                cut = bisect_left(posting, (day, pm_id))
                pairs.update((pm_id, e) for _, e in posting[max(0, cut - per_key) : cut])
        ordered = sorted(pairs)
        return (
            np.array([q for q, _ in ordered], dtype=np.int64),
            np.array([e for _, e in ordered], dtype=np.int64),
        )

    def later_ids(self, index: PlainIndex, queries: Sequence[int], per_key: int) -> list[int]:
        postings, entries = index
        found: set[int] = set()
        for pm_id in set(queries):
            for key, day in entries.get(pm_id, []):
                posting = postings[key]
                place = bisect_left(posting, (day, pm_id))
                found.update(e for _, e in posting[place + 1 : place + 1 + per_key])
        return sorted(found)

    def row_dots(self, matrix: csr_matrix, left: Indices, right: Indices) -> np.ndarray:
        import numpy as np

        if not len(left):
            return np.zeros(0, dtype=np.float64)
        products = matrix[np.asarray(left)].multiply(matrix[np.asarray(right)])
        return np.asarray(products.sum(axis=1), dtype=np.float64).ravel()

    def best_per_query(
        self, query: np.ndarray, score: np.ndarray, recency: np.ndarray, limit: int
    ) -> np.ndarray:
        import numpy as np

        ranked = sorted(
            range(len(query)), key=lambda k: (int(query[k]), -float(score[k]), -int(recency[k]), k)
        )
        taken: dict[int, int] = {}
        kept: list[int] = []
        for k in ranked:
            q = int(query[k])
            if taken.get(q, 0) < limit:
                taken[q] = taken.get(q, 0) + 1
                kept.append(k)
        return np.array(kept, dtype=np.int64)


# What the search uses.
PAIR_MATH: PairMath = ArrayPairMath()
