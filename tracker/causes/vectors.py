"""The TF-IDF vectors repeat detection compares, from scikit-learn.

* words: lower-cased ``[a-z]{2,}`` tokens of the normalised cause, English and postmortem stop
  words removed, as unigrams and bigrams (the inverted index's keys come from these);
* characters: ``char_wb`` 3- to 5-grams of the same text without stop words, sublinear tf,
  smoothed idf, unit rows (the text part of the similarity).

Character n-grams are counted one distinct word at a time: ``char_wb`` n-grams never cross a
space, so a document's counts are the sum of its words' counts, and the words that documents
share (most of them) are read once. A test checks the matrix equals ``TfidfVectorizer``'s.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

TOKEN_PATTERN = r"(?u)\b[a-z][a-z]+\b"
CHAR_NGRAMS = (3, 5)

# Postmortem prose that says nothing about the mechanism.
DOMAIN_STOP_WORDS = frozenset({
    "root", "cause", "caused", "causes", "causing", "issue", "issues", "incident", "outage",
    "problem", "problems", "customers", "customer", "users", "user", "service", "services",
    "our", "we", "us", "team", "teams", "result", "resulted", "resulting", "led", "lead",
    "leading", "due", "because", "which", "that", "this", "was", "were", "had", "has", "have",
    "after", "before", "during", "when", "while", "then", "time", "minutes", "hours", "hour",
    "day", "days", "week", "weeks", "affected", "impact", "impacted", "errors", "error",
    "failed", "failure", "failing", "down", "unavailable", "degraded", "production",
    "requests", "request", "some", "all", "one", "two", "also", "still", "about", "around",
})  # fmt: skip


@lru_cache(maxsize=1)
def stop_words() -> list[str]:
    """scikit-learn's English stop words and the postmortem ones, sorted."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # type: ignore[import-untyped]

    return sorted(ENGLISH_STOP_WORDS | DOMAIN_STOP_WORDS)


@lru_cache(maxsize=1)
def _word_analyzer() -> Callable[[str], list[str]]:
    analyzer: Callable[[str], list[str]] = word_vectorizer().build_analyzer()
    return analyzer


def word_vectorizer() -> Any:
    """The word TF-IDF of the inverted index (unfitted)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        ngram_range=(1, 2),
        stop_words=stop_words(),
        sublinear_tf=True,
        token_pattern=TOKEN_PATTERN,
        dtype=np.float32,
    )


def word_terms(norm: str) -> Counter[str]:
    """The word terms (unigrams and bigrams) of a normalised text with their counts, exactly
    as the word TF-IDF sees them."""
    return Counter(_word_analyzer()(norm))


def drop_stop(texts: Sequence[str], stop: Collection[str] | None = None) -> list[str]:
    stop_set = set(stop_words() if stop is None else stop)
    return [" ".join(w for w in t.split() if w not in stop_set) for t in texts]


def char_tfidf(texts: Sequence[str]) -> csr_matrix:
    """The ``char_wb`` TF-IDF (3- to 5-grams, sublinear tf, float32) of ``texts``, fitted on
    them: the matrix ``TfidfVectorizer(analyzer="char_wb", ...).fit_transform`` gives."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    if not any(t.split() for t in texts):
        return csr_matrix((len(texts), 1), dtype=np.float32)
    # char_wb lower-cases the text and splits it on white space, as this does.
    splitter = CountVectorizer(tokenizer=str.split, token_pattern=None, lowercase=True)
    documents = splitter.fit_transform(texts)
    grams = CountVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS)
    per_word = grams.fit_transform(splitter.get_feature_names_out())
    counts = (documents @ per_word).tocsr()
    weighted = TfidfTransformer(sublinear_tf=True).fit_transform(counts.astype(np.float32))
    result: csr_matrix = weighted.astype(np.float32).tocsr()
    return result
