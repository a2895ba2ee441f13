"""pmt's TF-IDF equals scikit-learn's: the same terms in the same order, and matrices equal
within float32 rounding, on the labelled root causes and generated postmortems."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from tests.causes_data import labelled_texts
from tracker.causes import tfidf
from tracker.causes.normalise import normalise
from tracker.causes.similar import _STOP, stop_words
from tracker.causes.stop_words import ENGLISH_STOP_WORDS as COPIED


def _texts() -> list[str]:
    texts = labelled_texts()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from generate import postmortem_text

    return [normalise(t) for t in texts] + [normalise(postmortem_text(i, seed=4)[:2000]) for i in range(40)]


def _sklearn(analyzer: str) -> TfidfVectorizer:
    if analyzer == "word":
        return TfidfVectorizer(
            ngram_range=(1, 2), stop_words=stop_words(), sublinear_tf=True,
            token_pattern=r"(?u)\b[a-z][a-z]+\b", dtype=np.float32,
        )
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32)


def test_the_copied_stop_words_are_scikit_learns() -> None:
    assert COPIED == ENGLISH_STOP_WORDS


def test_terms_are_scikit_learns_in_the_same_order() -> None:
    words = _sklearn("word").build_analyzer()
    chars = _sklearn("char").build_analyzer()
    for text in _texts() + ["", "a", "ab", "abc", "  Mixed   CASE\twords\n", "x y z", "été naïve"]:
        assert tfidf.word_terms(text, _STOP) == words(text)
        assert tfidf.char_terms(text) == chars(text)


@pytest.mark.parametrize("analyzer", ["word", "char"])
def test_matrix_equals_scikit_learns(analyzer: str) -> None:
    texts = _texts()
    terms = tfidf.word_terms if analyzer == "word" else None
    ours = tfidf.tfidf([terms(t, _STOP) for t in texts]) if terms else tfidf.char_tfidf(texts)
    theirs = _sklearn(analyzer).fit_transform(texts).tocsr()
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype == np.float32
    np.testing.assert_allclose(ours.toarray(), theirs.toarray(), rtol=1e-6, atol=1e-7)


@given(st.lists(st.text(alphabet="abcde xyz\n", max_size=40), min_size=1, max_size=12))
@settings(max_examples=150, deadline=None)
def test_matrix_equals_scikit_learns_on_arbitrary_documents(texts: list[str]) -> None:
    ours = tfidf.char_tfidf(texts)
    assert (ours != tfidf.tfidf([tfidf.char_terms(t) for t in texts])).nnz == 0
    if not any(t.split() for t in texts):
        assert ours.nnz == 0
        return
    theirs = _sklearn("char").fit_transform(texts).tocsr()
    np.testing.assert_allclose(ours.toarray(), theirs.toarray(), rtol=1e-6, atol=1e-7)


def test_empty_documents_make_empty_rows() -> None:
    matrix = tfidf.tfidf([[], ["ab"], []])
    assert matrix.shape == (3, 1)
    assert matrix.getrow(0).nnz == 0 and matrix.getrow(2).nnz == 0
    assert matrix.getrow(1).toarray().tolist() == [[1.0]]
