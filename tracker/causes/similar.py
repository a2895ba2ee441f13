"""Which root causes are the same failure mechanism, and a search for them that scales.

Similarity of two causes combines three things:

* the TF-IDF cosine of their normalised words (unigrams and bigrams: "certificate expire",
  "replication lag"),
* the TF-IDF cosine of their character n-grams (robust to morphology and spelling:
  "misconfigured" / "misconfiguration", "fail-over" / "failover"),
* the overlap of the *mechanisms* the lexicon recognises in them (``cert_expired``,
  ``leap_second``, ``config_push_global``), weighted by how specific each mechanism is.

When both texts name mechanisms and they share none, the score is damped: two postmortems
about certificates, one expired and one issued for the wrong host, are not the same failure.

The search never compares every pair. Each postmortem is filed in an inverted index under its
mechanisms and its few most discriminative words; its candidates are the most recent earlier
postmortems filed under the same keys (at most ``per_key`` per key), and only those are scored
exactly. The work grows with ``n * keys * per_key``, linearly in the number of postmortems.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tracker.causes import lexicon
from tracker.causes.evidence import evidence
from tracker.causes.normalise import normalise
from tracker.causes.vectors import char_tfidf, drop_stop, word_vectorizer

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

    # Row numbers of pairs: a list, or a numpy array when they come by the million.
    Indices = Sequence[int] | np.ndarray

# Weights of the three parts (tuned on the development half of tests/data/causes/pairs.jsonl).
WORD_WEIGHT = 0.0
CHAR_WEIGHT = 0.30
MECHANISM_WEIGHT = 0.70
# Both name mechanisms, none shared: probably a different failure in the same words.
DISJOINT_DAMPING = 0.4
# Inverted index: keys per document and candidates per key.
TERMS_PER_DOC = 6
PER_KEY = 40
# A word in more than this share of the documents discriminates nothing (and would make its
# posting list long); it is not used as a key.
MAX_KEY_DF = 0.2


# Mechanisms that say where rather than how; they count for little in the overlap.
_WEAK_MECHANISMS = {
    "cache_generic",
    "load_balancer",
    "health_check",
    "version_upgrade",
    "migration",
    "quota_limit",
    "backlog",
    "auth_failure",
    "config_everywhere",
    "config_value",
    "config_edit",
    "db_generic",
    "manual_action",
    "regression",
    "logic_error",
    "upstream_internal",
    "cpu_saturation",
    "pipeline",
    "automation_script",
}
_WEAK_WEIGHT = 0.35
_MECHANISM_WEIGHTS = {
    m.name: (_WEAK_WEIGHT if m.name in _WEAK_MECHANISMS else 1.0) for m in lexicon.MECHANISMS
}


@dataclass(frozen=True, slots=True)
class CauseDoc:
    """One postmortem's root cause, as the matcher sees it."""

    key: str
    text: str
    # Sort key of "earlier": (incident date or first-seen date as ISO text, store id).
    order: tuple[str, int] = ("", 0)
    mechanisms: frozenset[str] | None = None
    # ``normalise(text)`` when the caller has it already (persisted with the postmortem).
    norm: str | None = None


@dataclass(frozen=True, slots=True)
class Match:
    earlier: int
    later: int
    score: float


def mechanisms_of(text: str) -> frozenset[str]:
    return frozenset(evidence(text).mechanisms)


def mechanism_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Weighted Jaccard of two mechanism sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    weight = _MECHANISM_WEIGHTS.get
    inter = sum(weight(m, 1.0) for m in a & b)
    union = sum(weight(m, 1.0) for m in a | b)
    smaller = min(sum(weight(m, 1.0) for m in a), sum(weight(m, 1.0) for m in b))
    # Half Jaccard, half overlap coefficient: a text that names one extra mechanism (the
    # consequence, say) should not lose much of its match.
    return 0.5 * (inter / union) + 0.5 * (inter / smaller) if union and smaller else 0.0


def _strong(mechs: frozenset[str]) -> frozenset[str]:
    return frozenset(m for m in mechs if m not in _WEAK_MECHANISMS)


def combine(
    word_cos: float, char_cos: float, mech_a: frozenset[str], mech_b: frozenset[str]
) -> float:
    """The similarity of two causes from their parts (see the module docstring)."""
    overlap = mechanism_overlap(mech_a, mech_b)
    score = WORD_WEIGHT * word_cos + CHAR_WEIGHT * char_cos + MECHANISM_WEIGHT * overlap
    strong_a, strong_b = _strong(mech_a), _strong(mech_b)
    if strong_a and strong_b and not (strong_a & strong_b):
        score *= DISJOINT_DAMPING
    return min(1.0, score)


class _MechanismMasks:
    """Mechanism sets as bit masks, so the overlap of two sets is a few integer operations."""

    def __init__(self) -> None:
        self.bit = {m.name: 1 << k for k, m in enumerate(lexicon.MECHANISMS)}
        self.weak = sum(self.bit[n] for n in _WEAK_MECHANISMS if n in self.bit)
        self._memo: dict[tuple[int, int], float] = {}

    def mask(self, mechs: frozenset[str]) -> int:
        return sum(self.bit.get(m, 0) for m in mechs)

    def weight(self, mask: int) -> float:
        weak = (mask & self.weak).bit_count()
        return (mask.bit_count() - weak) + _WEAK_WEIGHT * weak

    def overlap(self, a: int, b: int) -> float:
        """``mechanism_overlap`` on masks (memoised: a corpus has few distinct mechanism sets)."""
        if not a or not b:
            return 0.0
        key = (a, b) if a <= b else (b, a)
        found = self._memo.get(key)
        if found is None:
            inter, union = self.weight(a & b), self.weight(a | b)
            smaller = min(self.weight(a), self.weight(b))
            found = 0.5 * (inter / union) + 0.5 * (inter / smaller)
            if len(self._memo) < 1_000_000:
                self._memo[key] = found
        return found


_MASKS = _MechanismMasks()


@dataclass
class MechanismIndex:
    """Vectors, mechanisms and an inverted index over a corpus of root causes."""

    docs: Sequence[CauseDoc]
    per_key: int = PER_KEY
    terms_per_doc: int = TERMS_PER_DOC
    words: csr_matrix = field(init=False)
    chars: csr_matrix = field(init=False)
    mechanisms: list[frozenset[str]] = field(init=False)
    # rank[i]: the place of document i in "earlier first" order; order[r]: the document at r.
    rank: list[int] = field(init=False)
    order: list[int] = field(init=False)
    # Key -> ranks of the documents filed under it, ascending.
    postings: dict[str, list[int]] = field(init=False)
    keys: list[list[str]] = field(init=False)

    def __post_init__(self) -> None:
        import numpy as np
        from scipy.sparse import csr_matrix

        texts = [d.norm if d.norm is not None else normalise(d.text) for d in self.docs]
        self.mechanisms = [
            d.mechanisms if d.mechanisms is not None else mechanisms_of(d.text) for d in self.docs
        ]
        self._mask_arrays = MaskArrays([_MASKS.mask(m) for m in self.mechanisms])
        n = len(texts)
        self.words = csr_matrix((n, 1), dtype=np.float32)
        self.chars = csr_matrix((n, 1), dtype=np.float32)
        if n and any(texts):
            try:
                self.words = word_vectorizer().fit_transform(texts).tocsr()
            except ValueError:  # every text was stop words: no word keys, chars still compare
                pass
            self.chars = char_tfidf(drop_stop(texts))
        self.order = sorted(range(n), key=lambda i: (self.docs[i].order, i))
        self.rank = [0] * n
        for position, i in enumerate(self.order):
            self.rank[i] = position
        self.keys = self._keys_of_all(n)
        self.postings = {}
        for position, i in enumerate(self.order):
            for key in self.keys[i]:
                self.postings.setdefault(key, []).append(position)

    def _keys_of_all(self, n: int) -> list[list[str]]:
        """Each document's keys: its specific mechanisms and its most discriminative words."""
        import numpy as np

        words = self.words
        df = np.bincount(words.indices, minlength=words.shape[1]) if words.nnz else np.zeros(1)
        too_common = df > max(2, MAX_KEY_DF * n)
        keys: list[list[str]] = []
        for i in range(n):
            mine = [f"m:{m}" for m in sorted(_strong(self.mechanisms[i]))]
            start, end = words.indptr[i], words.indptr[i + 1]
            if end > start:
                cols = words.indices[start:end]
                vals = np.where(too_common[cols], 0.0, words.data[start:end])
                best = np.argsort(-vals)[: self.terms_per_doc]
                mine += [f"w:{cols[b]}" for b in best if vals[b] > 0]
            keys.append(mine)
        return keys

    def candidates(self, i: int) -> list[int]:
        """Earlier documents sharing a key with ``i``: the most recent ``per_key`` per key."""
        mine = self.rank[i]
        found: set[int] = set()
        for key in self.keys[i]:
            posting = self.postings[key]
            # Postings hold ranks in ascending order: everything before ``i``'s own place.
            cut = bisect.bisect_left(posting, mine)
            found.update(posting[max(0, cut - self.per_key) : cut])
        return sorted(self.order[r] for r in found)

    @staticmethod
    def _row_dots(matrix: csr_matrix, left: Indices, right: Indices) -> np.ndarray:
        """Dot products of the rows ``left[k]`` and ``right[k]`` of ``matrix``, all at once."""
        import numpy as np

        out = np.zeros(len(left), dtype=np.float64)
        if not len(left) or not matrix.nnz:
            return out
        # Each left row is made dense once and its partners' rows are multiplied by it (a
        # sparse matrix-vector product, in C). Slicing both sides out of the matrix instead
        # copied every candidate row twice and built two big intermediate matrices.
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

    def pair_scores(self, left: list[int], right: list[int]) -> list[float]:
        """Exact similarity of each pair (``left[k]``, ``right[k]``)."""
        if not left:
            return []
        chars = self._row_dots(self.chars, left, right)
        words = self._row_dots(self.words, left, right) if WORD_WEIGHT else None
        scores: list[float] = combine_arrays(chars, words, self._mask_arrays, left, right).tolist()
        return scores

    def scores(self, i: int, others: Sequence[int]) -> list[float]:
        """Exact similarity of ``i`` with each of ``others``."""
        return self.pair_scores([i] * len(others), list(others))

    def similarity(self, i: int, j: int) -> float:
        return self.scores(i, [j])[0]

    def earlier_matches(self, i: int, threshold: float, limit: int = 5) -> list[Match]:
        """Earlier documents whose cause matches ``i``'s, best first (at most ``limit``)."""
        return self.matches_of([i], threshold, limit).get(i, [])

    def matches_of(
        self, queries: Sequence[int], threshold: float, limit: int = 5, batch: int = 20_000
    ) -> dict[int, list[Match]]:
        """``earlier_matches`` for many documents, scoring their candidates in batches."""
        found: dict[int, list[Match]] = {}
        left: list[int] = []
        right: list[int] = []

        def flush() -> None:
            for i, j, score in zip(left, right, self.pair_scores(left, right)):
                if score >= threshold:
                    found.setdefault(i, []).append(Match(earlier=j, later=i, score=score))
            left.clear()
            right.clear()

        for i in queries:
            cands = self.candidates(i)
            left.extend([i] * len(cands))
            right.extend(cands)
            if len(left) >= batch:
                flush()
        flush()
        for i, matches in found.items():
            matches.sort(key=lambda m: (-m.score, -self.rank[m.earlier]))
            del matches[limit:]
        return found


def index_keys(
    mechanisms: frozenset[str],
    terms: Mapping[str, int],
    df: Mapping[str, int],
    n: int,
    per_doc: int = TERMS_PER_DOC,
) -> list[str]:
    """A document's inverted-index keys, as ``MechanismIndex`` chooses them: its specific
    mechanisms and its ``per_doc`` best words by TF-IDF (sublinear tf, smoothed idf) among
    those in at most ``MAX_KEY_DF`` of the ``n`` documents (``df``: document frequencies)."""
    return KeyChooser(df, n, per_doc).keys(mechanisms, terms)


class KeyChooser:
    """``index_keys`` for many documents under the same frequencies (each term's weight is
    worked out once)."""

    def __init__(self, df: Mapping[str, int], n: int, per_doc: int = TERMS_PER_DOC) -> None:
        self.df, self.n, self.per_doc = df, n, per_doc
        self.limit = max(2, MAX_KEY_DF * n)
        self._idf: dict[str, float | None] = {}

    def _weight(self, term: str) -> float | None:
        """The term's idf, or None when it is too common to be a key."""
        if term in self._idf:
            return self._idf[term]
        freq = self.df.get(term, 1)
        idf = None if freq > self.limit else math.log((1 + self.n) / (1 + freq)) + 1.0
        self._idf[term] = idf
        return idf

    def keys(self, mechanisms: frozenset[str], terms: Mapping[str, int]) -> list[str]:
        keys = [f"m:{m}" for m in sorted(_strong(mechanisms))]
        scored = []
        for term in sorted(terms):
            idf = self._weight(term)
            if idf is not None:
                scored.append((-(1.0 + math.log(terms[term])) * idf, term))
        scored.sort(key=lambda st: st[0])
        return keys + [f"w:{term}" for _, term in scored[: self.per_doc]]


def score_bound(mech_a: frozenset[str], mech_b: frozenset[str]) -> float:
    """The highest score two causes with these mechanisms can reach (character cosine 1)."""
    return mask_bound(_MASKS.mask(mech_a), _MASKS.mask(mech_b))


def mechanism_mask(mechs: frozenset[str]) -> int:
    """A mechanism set as the bit mask ``mask_bound`` takes."""
    return _MASKS.mask(mechs)


_BOUNDS: dict[tuple[int, int], float] = {}


def mask_bound(a: int, b: int) -> float:
    """``score_bound`` on masks (memoised: a store has few distinct mechanism sets)."""
    found = _BOUNDS.get((a, b))
    if found is None:
        found = _mask_bound(a, b)
        if len(_BOUNDS) < 1_000_000:
            _BOUNDS[(a, b)] = found
    return found


def _mask_bound(a: int, b: int) -> float:
    score = CHAR_WEIGHT + WORD_WEIGHT + MECHANISM_WEIGHT * _MASKS.overlap(a, b)
    strong_a, strong_b = a & ~_MASKS.weak, b & ~_MASKS.weak
    if strong_a and strong_b and not (strong_a & strong_b):
        score *= DISJOINT_DAMPING
    return min(1.0, score)


class MaskArrays:
    """The mechanism masks of many documents as numpy words, so that the overlap, damping and
    bound of millions of pairs are a few vector operations (the same arithmetic as
    ``_MechanismMasks.overlap`` and ``_mask_bound``, so the same floats)."""

    def __init__(self, masks: Sequence[int]) -> None:
        import numpy as np

        n_words = max(1, (len(lexicon.MECHANISMS) + 63) // 64)
        self.words = [
            np.fromiter(((m >> (64 * w)) & _WORD for m in masks), dtype=np.uint64, count=len(masks))
            for w in range(n_words)
        ]
        self.weak = [np.uint64((_MASKS.weak >> (64 * w)) & _WORD) for w in range(n_words)]

    def _weight(self, words: list[np.ndarray]) -> np.ndarray:
        import numpy as np

        total = sum(np.bitwise_count(w).astype(np.int64) for w in words)
        weak = sum(np.bitwise_count(w & k).astype(np.int64) for w, k in zip(words, self.weak))
        weight: np.ndarray = (total - weak).astype(np.float64) + _WEAK_WEIGHT * weak.astype(
            np.float64
        )
        return weight

    def parts(self, left: Indices, right: Indices) -> tuple[np.ndarray, np.ndarray]:
        """The mechanism overlap and the damping factor of each pair (``left[k]``, ``right[k]``)."""
        import numpy as np

        li, ri = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
        a = [w[li] for w in self.words]
        b = [w[ri] for w in self.words]
        inter = self._weight([x & y for x, y in zip(a, b)])
        union = self._weight([x | y for x, y in zip(a, b)])
        smaller = np.minimum(self._weight(a), self._weight(b))
        with np.errstate(divide="ignore", invalid="ignore"):
            overlap = 0.5 * (inter / union) + 0.5 * (inter / smaller)
        empty = np.logical_or(union == 0, smaller == 0)
        overlap[empty] = 0.0
        strong_a = [x & ~k for x, k in zip(a, self.weak)]
        strong_b = [y & ~k for y, k in zip(b, self.weak)]
        has_a = np.logical_or.reduce([x != 0 for x in strong_a])
        has_b = np.logical_or.reduce([y != 0 for y in strong_b])
        disjoint = np.logical_and.reduce([(x & y) == 0 for x, y in zip(strong_a, strong_b)])
        damping = np.where(has_a & has_b & disjoint, DISJOINT_DAMPING, 1.0)
        return overlap, damping


_WORD = (1 << 64) - 1


def combine_arrays(
    chars: np.ndarray, words: np.ndarray | None, masks: MaskArrays, left: Indices, right: Indices
) -> np.ndarray:
    """``combine`` for many pairs at once, from their cosines and their documents' masks."""
    return scores_from_parts(chars, words, *masks.parts(left, right))


def scores_from_parts(
    chars: np.ndarray, words: np.ndarray | None, overlap: np.ndarray, damping: np.ndarray
) -> np.ndarray:
    """``combine`` from the cosines and the mechanisms' overlap and damping of each pair."""
    import numpy as np

    score = CHAR_WEIGHT * chars + MECHANISM_WEIGHT * overlap
    if words is not None:
        score += WORD_WEIGHT * words
    score *= damping
    return np.minimum(score, 1.0)


def bounds_from_parts(overlap: np.ndarray, damping: np.ndarray) -> np.ndarray:
    """``mask_bound`` from the mechanisms' overlap and damping of each pair: the score the
    pair would reach with identical wording."""
    import numpy as np

    bound = (CHAR_WEIGHT + WORD_WEIGHT) + MECHANISM_WEIGHT * overlap
    bound *= damping
    return np.minimum(bound, 1.0)


class PairScorer:
    """Character cosines of chosen pairs among a few documents (new postmortems and their
    candidates): the character TF-IDF is fitted on these documents only, not the whole store.
    The mechanisms' part of the score comes from ``MaskArrays`` (see ``scores_from_parts``)."""

    def __init__(self, norms: Sequence[str]) -> None:
        self.chars = char_tfidf(drop_stop(list(norms)))

    def char_cosines(self, left: Indices, right: Indices) -> np.ndarray:
        """The character TF-IDF cosine of each pair (``left[k]``, ``right[k]``)."""
        return MechanismIndex._row_dots(self.chars, left, right)


def pair_similarity(a: str, b: str, corpus: Sequence[str] = ()) -> float:
    """Similarity of two texts, with IDF taken from ``corpus`` (plus the two texts)."""
    docs = [CauseDoc(key=str(k), text=t, order=("", k)) for k, t in enumerate([a, b, *corpus])]
    index = MechanismIndex(docs)
    return index.similarity(1, 0)
