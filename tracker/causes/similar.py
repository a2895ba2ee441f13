"""Which root causes are the same failure mechanism: a search for them that scales.

``MechanismIndex`` holds a corpus of root causes (``CauseDoc``) with their word and character
TF-IDF vectors and their mechanisms; how alike two of them are is ``tracker.causes.scoring``'s.

The search never compares every pair. Each postmortem is filed in an inverted index under its
specific mechanisms and its few most discriminative words (``KeyChooser``); its candidates are
the most recent earlier postmortems filed under the same keys (at most ``per_key`` per key),
and only those are scored exactly. The work grows with ``n * keys * per_key``, linearly in the
number of postmortems. ``pmt causes`` and the reports search a corpus loaded whole; ``pmt
ingest`` searches the index kept in the store (``tracker.causes.incremental``) with the same keys.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tracker.causes import scoring
from tracker.causes.evidence import evidence
from tracker.causes.normalise import normalise
from tracker.causes.pairs import PAIR_MATH
from tracker.causes.scoring import (
    MaskArrays,
    combine_arrays,
    mechanism_mask,
    strong_mechanisms,
)
from tracker.causes.vectors import char_tfidf, drop_stop, word_vectorizer

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

# Inverted index: keys per document and candidates per key.
TERMS_PER_DOC = 6
PER_KEY = 40
# A word in more than this share of the documents discriminates nothing (and would make its
# posting list long); it is not used as a key.
MAX_KEY_DF = 0.2


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
        self._mask_arrays = MaskArrays([mechanism_mask(m) for m in self.mechanisms])
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
            mine = [f"m:{m}" for m in sorted(strong_mechanisms(self.mechanisms[i]))]
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

    def pair_scores(self, left: list[int], right: list[int]) -> list[float]:
        """Exact similarity of each pair (``left[k]``, ``right[k]``)."""
        if not left:
            return []
        chars = PAIR_MATH.row_dots(self.chars, left, right)
        words = PAIR_MATH.row_dots(self.words, left, right) if scoring.WORD_WEIGHT else None
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
        keys = [f"m:{m}" for m in sorted(strong_mechanisms(mechanisms))]
        scored = []
        for term in sorted(terms):
            idf = self._weight(term)
            if idf is not None:
                scored.append((-(1.0 + math.log(terms[term])) * idf, term))
        scored.sort(key=lambda st: st[0])
        return keys + [f"w:{term}" for _, term in scored[: self.per_doc]]


def pair_similarity(a: str, b: str, corpus: Sequence[str] = ()) -> float:
    """Similarity of two texts, with IDF taken from ``corpus`` (plus the two texts)."""
    docs = [CauseDoc(key=str(k), text=t, order=("", k)) for k, t in enumerate([a, b, *corpus])]
    index = MechanismIndex(docs)
    return index.similarity(1, 0)
