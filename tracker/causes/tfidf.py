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


def _count(sequences: Iterable[Sequence[str]]) -> tuple[csr_matrix, list[str]]:
    """One row per sequence counting its terms (float32), and the terms in column order
    (the order they were first seen)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    vocabulary: dict[str, int] = {}
    indptr = [0]
    columns: list[int] = []
    counts: list[int] = []
    for terms in sequences:
        for term, count in Counter(terms).items():
            column = vocabulary.get(term)
            if column is None:
                column = vocabulary[term] = len(vocabulary)
            columns.append(column)
            counts.append(count)
        indptr.append(len(columns))
    matrix = csr_matrix(
        (np.asarray(counts, dtype=np.float32), np.asarray(columns, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(indptr) - 1, max(1, len(vocabulary))),
    )
    return matrix, list(vocabulary)


def tfidf(documents: Iterable[Sequence[str]]) -> csr_matrix:
    """The TF-IDF matrix (float32, one row per document, columns in alphabetical order of the
    terms) of documents given as their terms."""
    return _weigh(*_count(documents))


def char_tfidf(texts: Iterable[str]) -> csr_matrix:
    """``tfidf`` of the texts' ``char_terms``, counted a word at a time: each distinct word's
    n-grams are counted once and a document's counts are its words' sums (a sparse product)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    words: dict[str, int] = {}
    rows: list[int] = []
    columns: list[int] = []
    n_docs = 0
    for n_docs, text in enumerate(texts, start=1):
        for word in text.lower().split():
            column = words.get(word)
            if column is None:
                column = words[word] = len(words)
            rows.append(n_docs - 1)
            columns.append(column)
    if not words:
        return csr_matrix((n_docs, 1), dtype=np.float32)
    word_grams, grams = _count(_word_grams(word) for word in words)
    documents = csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (np.asarray(rows), np.asarray(columns))), shape=(n_docs, len(words))
    )
    return _weigh((documents @ word_grams).tocsr(), grams)


def _weigh(counts: csr_matrix, terms: list[str]) -> csr_matrix:
    """Term counts (columns: ``terms``, in any order) into TF-IDF weights, columns sorted."""
    import numpy as np
    from scipy.sparse import csr_matrix

    n_docs = counts.shape[0]
    if not terms:
        return csr_matrix((n_docs, 1), dtype=np.float32)
    # Columns in the alphabetical order of the terms, as scikit-learn sorts its vocabulary.
    rank = np.empty(len(terms), dtype=np.int64)
    rank[np.argsort(np.array(terms, dtype=object), kind="stable")] = np.arange(len(terms))
    matrix = csr_matrix(
        (counts.data.astype(np.float32), rank[counts.indices], counts.indptr), shape=(n_docs, len(terms))
    )
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    matrix.sort_indices()
    df = np.bincount(matrix.indices, minlength=len(terms)).astype(np.float32) + 1.0
    idf = np.log(np.full(len(terms), n_docs + 1, dtype=np.float32) / df) + np.float32(1.0)
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
