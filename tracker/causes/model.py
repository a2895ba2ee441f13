"""The trained root-cause classifier: features, the stored model, probabilities and reasons.

Features of a root cause (the sentence, plus the rest of its section at ``DETAIL_WEIGHT``):

* word unigrams and bigrams, TF-IDF (sublinear tf, the idf of the training set);
* character 2- to 5-grams within words (scikit-learn's ``char_wb``), TF-IDF likewise;
* the lexicon's evidence (``tracker.causes.evidence``): the log score of each category, each
  mechanism named, and whether the text says its cause is unknown, scaled by ``lexicon_weight``.

The model is a multinomial logistic regression (scikit-learn) over these features, its
probabilities calibrated by a temperature fitted on cross-validated predictions
(``tracker.causes.train``). It is stored as plain arrays in ``data/cause_model.npz``: the
vocabularies, the idf, the coefficients and a JSON header (format, version, training data hash,
parameters, figures). Loading reads the arrays and rebuilds scikit-learn's vectorizers with the
stored vocabulary and idf: no pickle, and no dependence on the scikit-learn version it was
trained with.

Character n-grams are counted one distinct word at a time: ``char_wb`` n-grams never cross a
space, so a document's counts are the sum of its words' counts (a sparse product), and the
words that documents share are read once. A test checks the result equals
``TfidfVectorizer.transform``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.causes.evidence import Evidence
from tracker.causes.taxonomy import NAMES
from tracker.errors import PmtError

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

FORMAT = 1
MODEL_PATH = Path(__file__).parent / "data" / "cause_model.npz"
# The section's text beyond the sentence counts this much, and only its start is read.
DETAIL_WEIGHT = 0.5
MODEL_DETAIL_CHARS = 400
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)
UNKNOWN_FEATURE = "says_unknown"


class ModelError(PmtError):
    """The stored model is missing or of another format: retrain it."""


def lexicon_feature_names(mechanisms: Sequence[str]) -> list[str]:
    return (
        [f"category:{c}" for c in NAMES]
        + [f"mechanism:{m}" for m in mechanisms]
        + [UNKNOWN_FEATURE]
    )


def lexicon_features(
    evidences: Sequence[Evidence], names: Sequence[str], weight: float
) -> csr_matrix:
    """One row per evidence: the columns ``names`` (see ``lexicon_feature_names``), scaled."""
    import numpy as np
    from scipy.sparse import csr_matrix

    column = {name: k for k, name in enumerate(names)}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for i, ev in enumerate(evidences):
        found = [(f"category:{c}", math.log1p(s)) for c, s in ev.scores.items() if s > 0]
        found += [(f"mechanism:{m}", 1.0) for m in ev.mechanisms]
        if ev.says_unknown:
            found.append((UNKNOWN_FEATURE, 1.0))
        for name, value in found:
            k = column.get(name)
            if k is not None:
                rows.append(i)
                cols.append(k)
                vals.append(value * weight)
    return csr_matrix(
        (np.asarray(vals, dtype=np.float64), (rows, cols)), shape=(len(evidences), len(names))
    )


class TextVectors:
    """Word and character TF-IDF with a fixed vocabulary and idf (those of the training set)."""

    def __init__(
        self, words: list[str], word_idf: np.ndarray, chars: list[str], char_idf: np.ndarray
    ) -> None:
        from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer  # type: ignore[import-untyped]

        self.words = CountVectorizer(ngram_range=WORD_NGRAMS, vocabulary=words)
        self.chars = CountVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, vocabulary=chars)
        self.word_weights = TfidfTransformer(sublinear_tf=True)
        self.word_weights.idf_ = word_idf
        self.char_weights = TfidfTransformer(sublinear_tf=True)
        self.char_weights.idf_ = char_idf
        self.names = [f"word:{w}" for w in words] + [f"chars:'{c}'" for c in chars]

    def char_counts(self, texts: Sequence[str]) -> csr_matrix:
        """``char_wb`` n-gram counts of the texts, counted once per distinct word."""
        from scipy.sparse import csr_matrix
        from sklearn.feature_extraction.text import CountVectorizer

        if not any(t.split() for t in texts):
            return csr_matrix((len(texts), len(self.chars.vocabulary)))
        # char_wb lower-cases the text and splits it on white space, as this does.
        splitter = CountVectorizer(tokenizer=str.split, token_pattern=None, lowercase=True)
        documents = splitter.fit_transform(texts)
        per_word = self.chars.transform(splitter.get_feature_names_out())
        return (documents @ per_word).tocsr()

    def parts(self, texts: Sequence[str]) -> tuple[csr_matrix, csr_matrix]:
        """Word and character TF-IDF of each text, each of unit length."""
        words = self.word_weights.transform(self.words.transform(texts))
        chars = self.char_weights.transform(self.char_counts(texts))
        return words.tocsr(), chars.tocsr()

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """Word then character TF-IDF of each text, each part of unit length."""
        from scipy.sparse import hstack

        return hstack(self.parts(texts)).tocsr()


def combine(sentences: csr_matrix, details: csr_matrix) -> csr_matrix:
    """The sentence's vectors plus the detail's at ``DETAIL_WEIGHT``, back to unit length."""
    import numpy as np
    from scipy.sparse import diags

    mixed = (sentences + DETAIL_WEIGHT * details).tocsr()
    norms = np.sqrt(np.asarray(mixed.multiply(mixed).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    result: csr_matrix = (diags(1.0 / norms) @ mixed).tocsr()
    return result


@dataclass(frozen=True)
class Prediction:
    """Probabilities of every category for one text."""

    classes: tuple[str, ...]
    probabilities: tuple[float, ...]

    def ranked(self) -> list[tuple[str, float]]:
        return sorted(zip(self.classes, self.probabilities), key=lambda cp: -cp[1])


@dataclass(frozen=True)
class Reason:
    """One feature behind a label: its name and how much it added to the label's score."""

    feature: str
    weight: float


class CauseModel:
    """The stored classifier: features, probabilities, and the features behind a label."""

    def __init__(self, arrays: Mapping[str, Any]) -> None:
        import numpy as np

        self.meta: dict[str, Any] = json.loads(str(arrays["meta"]))
        if self.meta.get("format") != FORMAT:
            raise ModelError(
                f"cause model format {self.meta.get('format')}, expected {FORMAT}: retrain it"
            )
        words = str(arrays["word_vocabulary"]).split("\n")
        chars = str(arrays["char_vocabulary"]).split("\n")
        self.vectors = TextVectors(words, arrays["word_idf"], chars, arrays["char_idf"])
        self.lexicon_names = str(arrays["lexicon_features"]).split("\n")
        self.lexicon_weight = float(self.meta["lexicon_weight"])
        self.coef = np.asarray(arrays["coef"], dtype=np.float64)
        self.intercept = np.asarray(arrays["intercept"], dtype=np.float64)
        self.classes = tuple(str(c) for c in arrays["classes"])
        self.temperature = float(self.meta["temperature"])
        self.threshold = float(self.meta["threshold"])
        self.feature_names = self.vectors.names + self.lexicon_names

    @property
    def version(self) -> str:
        return str(self.meta["version"])

    def features(
        self, sentences: Sequence[str], details: Sequence[str], evidences: Sequence[Evidence]
    ) -> csr_matrix:
        from scipy.sparse import hstack

        n = len(sentences)
        words, chars = self.vectors.parts(
            list(sentences) + [d[:MODEL_DETAIL_CHARS] for d in details]
        )
        lex = lexicon_features(evidences, self.lexicon_names, self.lexicon_weight)
        return hstack([combine(words[:n], words[n:]), combine(chars[:n], chars[n:]), lex]).tocsr()

    def probabilities(self, features: csr_matrix) -> np.ndarray:
        """Calibrated probabilities, one row per text, columns in ``classes`` order."""
        import numpy as np

        scores = np.asarray(features @ self.coef.T) + self.intercept
        scores /= self.temperature
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        result: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
        return result

    def predict(
        self, sentences: Sequence[str], details: Sequence[str], evidences: Sequence[Evidence]
    ) -> list[Prediction]:
        if not sentences:
            return []
        probs = self.probabilities(self.features(sentences, details, evidences))
        return [Prediction(self.classes, tuple(float(p) for p in row)) for row in probs]

    def reasons(
        self, features: csr_matrix, row: int, category: str, limit: int = 10
    ) -> list[Reason]:
        """The features that raised ``category``'s score most for text ``row`` (its weight
        against the average of the other categories, times the feature's value)."""
        import numpy as np

        c = self.classes.index(category)
        others = np.delete(self.coef, c, axis=0).mean(axis=0)
        vector = features.getrow(row)
        found = [
            Reason(self.feature_names[j], float(v * (self.coef[c, j] - others[j])))
            for j, v in zip(vector.indices, vector.data)
        ]
        found.sort(key=lambda r: -r.weight)
        return [r for r in found[:limit] if r.weight > 0]


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> CauseModel:
    """The stored model (read once per process)."""
    import numpy as np

    if not path.exists():
        raise ModelError(f"no cause model at {path}: run python -m tracker.causes.train")
    with np.load(path, allow_pickle=False) as arrays:
        return CauseModel({name: arrays[name] for name in arrays.files})


def model_arrays(
    *,
    words: Sequence[str],
    word_idf: np.ndarray,
    chars: Sequence[str],
    char_idf: np.ndarray,
    lexicon_names: Sequence[str],
    coef: np.ndarray,
    intercept: np.ndarray,
    classes: Sequence[str],
    meta: dict[str, Any],
) -> dict[str, Any]:
    """What ``load_model`` reads, as ``np.savez_compressed`` takes it."""
    import numpy as np

    return {
        "meta": np.array(json.dumps({**meta, "format": FORMAT}, sort_keys=True)),
        "word_vocabulary": np.array("\n".join(words)),
        "word_idf": np.asarray(word_idf, dtype=np.float64),
        "char_vocabulary": np.array("\n".join(chars)),
        "char_idf": np.asarray(char_idf, dtype=np.float64),
        "lexicon_features": np.array("\n".join(lexicon_names)),
        "coef": np.asarray(coef, dtype=np.float16),
        "intercept": np.asarray(intercept, dtype=np.float64),
        "classes": np.array(list(classes)),
    }
