"""The TF-IDF of short texts as scikit-learn's ``TfidfVectorizer`` computes it, for the two
analysers repeat detection uses, without importing scikit-learn.

``pmt ingest`` compares each new root cause with its candidates, and importing scikit-learn
cost more than the comparison itself (most of a second on every run). The arithmetic is
small and fixed:

* words: lower-cased ``[a-z]{2,}`` tokens without stop words, as unigrams and bigrams;
* char_wb: character 3- to 5-grams of each word padded with one space on either side (a word
  shorter than the n-gram gives one gram);
* weights: sublinear tf (``1 + ln tf``), smoothed idf (``ln((1 + n) / (1 + df)) + 1``), each
  row scaled to unit length.

Tests check that the terms are scikit-learn's, in the same order, and that the matrices equal
its own within float32 rounding.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

_TOKEN = re.compile(r"(?u)\b[a-z][a-z]+\b")
CHAR_SIZES = (3, 5)

# A word's character n-grams, memoised: texts share most of their words.
_GRAMS: dict[str, tuple[str, ...]] = {}


def word_terms(text: str, stop: frozenset[str]) -> list[str]:
    """Unigrams then bigrams of ``text``'s words, stop words removed first."""
    tokens = [t for t in _TOKEN.findall(text.lower()) if t not in stop]
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


def _word_grams(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    grams: list[str] = []
    for n in range(CHAR_SIZES[0], CHAR_SIZES[1] + 1):
        if len(padded) <= n:
            grams.append(padded)  # the whole word, once
            break
        grams += [padded[i : i + n] for i in range(len(padded) - n + 1)]
    return tuple(grams)


def char_terms(text: str) -> list[str]:
    """The character 3- to 5-grams of ``text``'s words (scikit-learn's ``char_wb``)."""
    out: list[str] = []
    for word in text.lower().split():
        grams = _GRAMS.get(word)
        if grams is None:
            grams = _word_grams(word)
            if len(_GRAMS) < 200_000:
                _GRAMS[word] = grams
        out += grams
    return out


def tfidf(documents: Iterable[Sequence[str]]) -> csr_matrix:
    """The TF-IDF matrix (float32, one row per document, columns in alphabetical order of the
    terms) of documents given as their terms."""
    import numpy as np
    from scipy.sparse import csr_matrix

    vocabulary: dict[str, int] = {}
    indptr = [0]
    columns: list[int] = []
    counts: list[int] = []
    for terms in documents:
        for term, count in Counter(terms).items():
            column = vocabulary.get(term)
            if column is None:
                column = vocabulary[term] = len(vocabulary)
            columns.append(column)
            counts.append(count)
        indptr.append(len(columns))
    n_docs = len(indptr) - 1
    if not vocabulary:
        return csr_matrix((n_docs, 1), dtype=np.float32)
    # Columns in the alphabetical order of the terms, as scikit-learn sorts its vocabulary.
    rank = np.empty(len(vocabulary), dtype=np.int64)
    rank[np.argsort(np.array(list(vocabulary), dtype=object), kind="stable")] = np.arange(len(vocabulary))
    indices = rank[np.asarray(columns, dtype=np.int64)]
    data = np.asarray(counts, dtype=np.float32)
    matrix = csr_matrix((data, indices, np.asarray(indptr, dtype=np.int64)), shape=(n_docs, len(vocabulary)))
    matrix.sort_indices()
    df = np.bincount(matrix.indices, minlength=len(vocabulary)).astype(np.float32) + 1.0
    idf = np.log(np.full(len(vocabulary), n_docs + 1, dtype=np.float32) / df) + np.float32(1.0)
    data = matrix.data
    np.log(data, out=data)
    data += np.float32(1.0)
    data *= idf[matrix.indices]
    # Unit length: float32 squares summed in double, as scikit-learn's normaliser does.
    squares = (data * data).astype(np.float64)
    row_sizes = np.diff(matrix.indptr)
    filled = row_sizes > 0
    lengths = np.ones(n_docs, dtype=np.float64)
    if filled.any():
        lengths[filled] = np.sqrt(np.add.reduceat(squares, matrix.indptr[:-1][filled]))
    lengths[lengths == 0.0] = 1.0
    matrix.data = (data / np.repeat(lengths, row_sizes)).astype(np.float32)
    return matrix
