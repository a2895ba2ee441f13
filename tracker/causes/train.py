"""Train the root-cause classifier and write its artefact.

    python -m tracker.causes.train [--out PATH] [--no-extra]

Reads ``data/incidents.jsonl`` (real incidents, own-words summaries; see ``data/README.md``)
and trains on its ``train`` split only: the ``test`` split is frozen and never used here. The
project's own written sentences (the ``dev`` half of ``tests/data/causes/sentences.jsonl``,
when the checkout has it) are added at half weight. Five-fold cross-validation on the training
split fits the probability temperature and the abstention threshold, and gives the figures
stored in the artefact's header. Deterministic: the same data gives the same model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.causes.evidence import text_evidence
from tracker.causes.lexicon import MECHANISMS
from tracker.causes.model import (
    CHAR_NGRAMS,
    MODEL_PATH,
    WORD_NGRAMS,
    CauseModel,
    TextVectors,
    lexicon_feature_names,
    lexicon_features,
    model_arrays,
)
from tracker.causes.taxonomy import UNKNOWN

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

DATA = Path(__file__).parent / "data" / "incidents.jsonl"
EXTRA = Path(__file__).resolve().parents[2] / "tests" / "data" / "causes" / "sentences.jsonl"
# Chosen by five-fold cross-validation on the training split (see data/README.md).
C = 10.0
LEXICON_WEIGHT = 0.3
EXTRA_WEIGHT = 0.5
FOLDS = 5
SEED = 0
MODEL_VERSION = "1"


@dataclass(frozen=True)
class Example:
    text: str
    category: str
    weight: float = 1.0


def load_incidents(path: Path = DATA, split: str | None = None) -> list[dict[str, Any]]:
    rows = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    return [r for r in rows if split is None or r["split"] == split]


def load_extra(path: Path = EXTRA) -> list[Example]:
    """The project's own written sentences, development half only (the other half is the
    held-out test of ``tests/test_causes_quality.py``)."""
    if not path.exists():
        return []
    rows = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    return [Example(r["text"], r["category"], EXTRA_WEIGHT) for r in rows if r["split"] == "dev"]


def examples(rows: Sequence[dict[str, Any]]) -> list[Example]:
    return [Example(r["summary"], r["category"]) for r in rows]


def fit(
    train: Sequence[Example], *, c: float = C, lexicon_weight: float = LEXICON_WEIGHT
) -> CauseModel:
    """A model (temperature 1, threshold 0) fitted on ``train``."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    texts = [e.text for e in train]
    word_fit = TfidfVectorizer(ngram_range=WORD_NGRAMS, sublinear_tf=True).fit(texts)
    char_fit = TfidfVectorizer(
        analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True, min_df=2
    ).fit(texts)
    words = list(word_fit.get_feature_names_out())
    chars = list(char_fit.get_feature_names_out())
    names = lexicon_feature_names([m.name for m in MECHANISMS])
    vectors = TextVectors(words, word_fit.idf_, chars, char_fit.idf_)
    x = _features(vectors, names, lexicon_weight, texts)
    classifier = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    classifier.fit(
        x, [e.category for e in train], sample_weight=np.array([e.weight for e in train])
    )
    meta = {
        "version": MODEL_VERSION,
        "lexicon_weight": lexicon_weight,
        "temperature": 1.0,
        "threshold": 0.0,
        "c": c,
    }
    arrays = model_arrays(
        words=words, word_idf=word_fit.idf_, chars=chars, char_idf=char_fit.idf_, lexicon_names=names,
        coef=classifier.coef_, intercept=classifier.intercept_, classes=list(classifier.classes_), meta=meta,
    )  # fmt: skip
    return CauseModel(arrays)


def _features(
    vectors: TextVectors, names: list[str], weight: float, texts: Sequence[str]
) -> csr_matrix:
    from scipy.sparse import hstack

    evidences = [text_evidence(t, None) for t in texts]
    return hstack([vectors.transform(texts), lexicon_features(evidences, names, weight)]).tocsr()


def scores(model: CauseModel, texts: Sequence[str]) -> np.ndarray:
    """Raw decision scores (before the temperature), one row per text."""
    import numpy as np

    evidences = [text_evidence(t, None) for t in texts]
    features = model.features(list(texts), [""] * len(texts), evidences)
    result: np.ndarray = np.asarray(features @ model.coef.T) + model.intercept
    return result


def out_of_fold(
    rows: Sequence[dict[str, Any]], extra: Sequence[Example], folds: int = FOLDS
) -> tuple[np.ndarray, list[str], tuple[str, ...]]:
    """Cross-validated decision scores of ``rows`` (each fold trained on the others plus
    ``extra``), their labels and the class order."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

    labels = [r["category"] for r in rows]
    classes = tuple(sorted(set(labels) | {e.category for e in extra}))
    out = np.zeros((len(rows), len(classes)))
    splitter = StratifiedKFold(folds, shuffle=True, random_state=SEED)
    for train_idx, test_idx in splitter.split(np.zeros(len(rows)), labels):
        model = fit(examples([rows[i] for i in train_idx]) + list(extra))
        fold = scores(model, [rows[i]["summary"] for i in test_idx])
        order = [model.classes.index(c) if c in model.classes else None for c in classes]
        for j, k in enumerate(order):
            out[test_idx, j] = fold[:, k] if k is not None else -np.inf
    return out, labels, classes


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    import numpy as np

    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    result: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return result


def fit_temperature(scores: np.ndarray, labels: Sequence[str], classes: Sequence[str]) -> float:
    """The temperature that minimises the log-loss of the out-of-fold predictions."""
    import numpy as np

    truth = np.array([classes.index(y) for y in labels])
    best = (np.inf, 1.0)
    for t in np.exp(np.linspace(np.log(0.05), np.log(5.0), 200)):
        p = softmax(scores, float(t))[np.arange(len(truth)), truth]
        loss = float(-np.log(np.clip(p, 1e-12, 1.0)).mean())
        best = min(best, (loss, float(t)))
    return round(best[1], 4)


def abstaining(probs: np.ndarray, classes: Sequence[str], threshold: float) -> list[str]:
    """The top class of each row, or ``unknown`` below ``threshold``."""
    top = probs.argmax(axis=1)
    return [classes[k] if probs[i, k] >= threshold else UNKNOWN for i, k in enumerate(top)]


def fit_threshold(
    probs: np.ndarray, labels: Sequence[str], classes: Sequence[str], band: float = 0.1
) -> float:
    """The confidence under which pmt answers ``unknown``: the top of the lowest bands of
    out-of-fold confidence (``band`` wide) whose answers were wrong more often than right. A
    wrong category does more harm than none: it poisons the repeat search."""
    import numpy as np

    confidence = probs.max(axis=1)
    right = np.array([classes[k] == y for k, y in zip(probs.argmax(axis=1), labels)])
    threshold = 0.0
    for step in range(round(1 / band)):
        low, high = step * band, (step + 1) * band
        inside = (confidence >= low) & (confidence < high)
        if inside.any():
            if right[inside].mean() >= 0.5:
                break
            threshold = round(high, 2)
    return threshold


def data_hash(*paths: Path) -> str:
    """What the model was trained from: the data files and the lexicon's patterns (its
    evidence is a feature, so a changed pattern needs a retrained model)."""
    from tracker.causes import lexicon

    digest = hashlib.sha256()
    for path in paths:
        if path.exists():
            digest.update(path.read_bytes())
    for m in lexicon.MECHANISMS:
        digest.update(f"{m.name}|{m.category}|{m.pattern.pattern}|{m.weight}\n".encode())
    for category, pattern, weight in lexicon.CUES:
        digest.update(f"{category}|{pattern.pattern}|{weight}\n".encode())
    for pattern in (lexicon.UNKNOWN_PATTERN, lexicon.DISCOVERY_PATTERN, lexicon.NEGATION_PATTERN):
        digest.update(pattern.pattern.encode())
    return digest.hexdigest()


def train(out: Path = MODEL_PATH, *, use_extra: bool = True) -> dict[str, Any]:
    """Cross-validate, fit the final model on the whole training split and write it."""
    import numpy as np
    import sklearn  # type: ignore[import-untyped]
    from sklearn.metrics import accuracy_score, f1_score  # type: ignore[import-untyped]

    rows = load_incidents(split="train")
    extra = load_extra() if use_extra else []
    oof, labels, classes = out_of_fold(rows, extra)
    temperature = fit_temperature(oof, labels, classes)
    probs = softmax(oof, temperature)
    threshold = fit_threshold(probs, labels, classes)
    predicted = abstaining(probs, classes, threshold)
    figures = {
        "cv_accuracy": round(float(accuracy_score(labels, predicted)), 4),
        "cv_macro_f1": round(float(f1_score(labels, predicted, average="macro")), 4),
        "cv_folds": FOLDS,
    }
    model = fit(examples(rows) + extra)
    digest = data_hash(DATA, EXTRA if extra else Path("/nonexistent"))
    meta = {
        **model.meta,
        "version": f"{MODEL_VERSION}.{digest[:8]}",
        "temperature": temperature,
        "threshold": threshold,
        "trained_on": {
            "incidents": len(rows),
            "written_sentences": len(extra),
            "data_sha256": digest,
        },
        "sklearn": sklearn.__version__,
        **figures,
    }
    arrays = _arrays_of(model, meta)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **arrays)
    return meta


def _arrays_of(model: CauseModel, meta: dict[str, Any]) -> dict[str, Any]:
    vectors = model.vectors
    return model_arrays(
        words=list(vectors.words.vocabulary), word_idf=vectors.word_weights.idf_,
        chars=list(vectors.chars.vocabulary), char_idf=vectors.char_weights.idf_,
        lexicon_names=model.lexicon_names, coef=model.coef, intercept=model.intercept,
        classes=list(model.classes), meta=meta,
    )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tracker.causes.train", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--out", type=Path, default=MODEL_PATH, help=f"artefact to write (default {MODEL_PATH})"
    )
    parser.add_argument("--no-extra", action="store_true", help="train on the incidents only")
    args = parser.parse_args(argv)
    meta = train(args.out, use_extra=not args.no_extra)
    size = args.out.stat().st_size
    print(json.dumps(meta, indent=2, sort_keys=True))
    print(f"wrote {args.out} ({size / 1024:.0f} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
