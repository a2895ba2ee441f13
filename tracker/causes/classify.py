"""Classify a root cause into the taxonomy, with an optional secondary category and a confidence.

The category comes from the trained classifier (``tracker.causes.model``; trained by
``python -m tracker.causes.train`` on real incidents): calibrated probabilities over the
categories, from the words and character n-grams of the root cause and the lexicon's evidence.
Below the confidence threshold (the model's, or ``causes.min_confidence``) the answer is
``unknown``: pmt does not guess. So is a text that names nothing, or that says the cause is not
known yet. Front matter (``cause:`` or a ``cause/<category>`` tag) overrides the classifier
with confidence 1.0.

Texts are classified in batches (``classify_many``): the vectorizers cost far more per call
than per text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tracker.causes.classification import Classification
from tracker.causes.evidence import Evidence, cause_text, text_evidence, with_extra
from tracker.causes.model import MODEL_DETAIL_CHARS, Reason, load_model
from tracker.causes.taxonomy import BY_NAME, UNKNOWN, canonical
from tracker.models import Postmortem

SOURCE_FRONT_MATTER = "front_matter"
SOURCE_CLASSIFIER = "classifier"

# A secondary category must have at least this share of the primary's probability, and this much.
SECONDARY_SHARE = 0.45
SECONDARY_MIN = 0.15

__all__ = [
    "SOURCE_CLASSIFIER",
    "SOURCE_FRONT_MATTER",
    "Classification",
    "cause_text",
    "classify_fields",
    "classify_many",
    "classify_postmortem",
    "classify_text",
    "explain",
    "front_matter_override",
    "front_matter_text",
    "text_evidence",
]


Fields = tuple["str | None", "str | None", "Mapping[str, Any] | None"]


@dataclass(frozen=True)
class _Input:
    sentence: str
    detail: str
    evidence: Evidence
    override: Classification | None


def _prepare(
    root_cause: str | None, detail: str | None, front_matter: Mapping[str, Any] | None
) -> _Input:
    sentence, rest = cause_text(root_cause, detail)
    extra = front_matter_text(front_matter)
    ev = text_evidence(root_cause, detail, extra)
    return _Input(with_extra(sentence, extra), rest, ev, front_matter_override(front_matter))


def classify_many(
    items: Sequence[Fields], *, min_confidence: float | None = None
) -> list[Classification]:
    """Classify (root cause, section text, front matter) triples: front matter first, else the
    model on the root cause and its section. ``min_confidence``: below it the answer is
    ``unknown`` (None: the model's own threshold)."""
    inputs = [_prepare(*item) for item in items]
    asked = [
        i
        for i, x in enumerate(inputs)
        if x.override is None and x.sentence and not x.evidence.says_unknown
    ]
    out: list[Classification | None] = [None] * len(inputs)
    if asked:
        model = load_model()
        threshold = model.threshold if min_confidence is None else min_confidence
        predictions = model.predict(
            [inputs[i].sentence for i in asked],
            [inputs[i].detail[:MODEL_DETAIL_CHARS] for i in asked],
            [inputs[i].evidence for i in asked],
        )
        for i, prediction in zip(asked, predictions):
            mechanisms = inputs[i].evidence.ranked_mechanisms()
            (primary, top), (runner_up, second) = prediction.ranked()[:2]
            if primary == UNKNOWN or top < threshold:
                out[i] = Classification(
                    UNKNOWN,
                    None,
                    round(1.0 - top if primary != UNKNOWN else top, 3),
                    SOURCE_CLASSIFIER,
                    mechanisms,
                )
                continue
            secondary = None
            if runner_up != UNKNOWN and second >= SECONDARY_MIN and second >= SECONDARY_SHARE * top:
                secondary = runner_up
            out[i] = Classification(
                primary, secondary, round(top, 3), SOURCE_CLASSIFIER, mechanisms
            )
    results: list[Classification] = []
    for x, found in zip(inputs, out):
        mechanisms = x.evidence.ranked_mechanisms()
        if x.override is not None:
            found = Classification(
                x.override.category, x.override.secondary, 1.0, SOURCE_FRONT_MATTER, mechanisms
            )
        elif found is None:
            # No text (certain), or a text that says its cause is not known yet.
            found = Classification(
                UNKNOWN, None, 1.0 if not x.sentence else 0.8, SOURCE_CLASSIFIER, mechanisms
            )
        results.append(found)
    return results


def classify_fields(
    root_cause: str | None,
    detail: str | None,
    front_matter: Mapping[str, Any] | None,
    *,
    min_confidence: float | None = None,
) -> Classification:
    return classify_many([(root_cause, detail, front_matter)], min_confidence=min_confidence)[0]


def classify_text(
    root_cause: str | None, detail: str | None = None, *, min_confidence: float | None = None
) -> Classification:
    """Classify a root cause sentence (and, weighted less, the root-cause section around it)."""
    return classify_fields(root_cause, detail, None, min_confidence=min_confidence)


def classify_postmortem(pm: Postmortem, *, min_confidence: float | None = None) -> Classification:
    """Front matter first; otherwise the classifier on the root cause and its section."""
    return classify_fields(
        pm.root_cause, pm.root_cause_detail, pm.front_matter, min_confidence=min_confidence
    )


@dataclass(frozen=True)
class Explanation:
    """Why a text got its label: the classification, the model's probabilities of the top
    categories, and the features that raised the label's score most."""

    classification: Classification
    probabilities: list[tuple[str, float]]
    reasons: list[Reason]
    model_version: str

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.classification.to_dict(),
            "model_version": self.model_version,
            "probabilities": [
                {"category": c, "probability": round(p, 3)} for c, p in self.probabilities
            ],
            "reasons": [{"feature": r.feature, "weight": round(r.weight, 3)} for r in self.reasons],
        }


def explain(
    root_cause: str | None,
    detail: str | None,
    front_matter: Mapping[str, Any] | None,
    *,
    min_confidence: float | None = None,
    limit: int = 10,
) -> Explanation:
    """The classification of one text with the features behind it (for ``pmt causes --explain``)."""
    c = classify_fields(root_cause, detail, front_matter, min_confidence=min_confidence)
    x = _prepare(root_cause, detail, front_matter)
    model = load_model()
    if not x.sentence:
        return Explanation(c, [], [], model.version)
    features = model.features([x.sentence], [x.detail[:MODEL_DETAIL_CHARS]], [x.evidence])
    ranked = [(cls, float(p)) for cls, p in zip(model.classes, model.probabilities(features)[0])]
    ranked.sort(key=lambda cp: -cp[1])
    label = (
        c.category
        if c.category in model.classes and c.source == SOURCE_CLASSIFIER
        else ranked[0][0]
    )
    return Explanation(c, ranked[:5], model.reasons(features, 0, label, limit), model.version)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, Mapping):
        return [value.get("category") or value.get("primary"), value.get("secondary")]
    if isinstance(value, Iterable):
        return list(value)
    return [value]


def _tag_category(tag: Any) -> str | None:
    if not isinstance(tag, str):
        return None
    low = tag.strip().lower()
    for prefix in ("cause:", "cause/", "cause=", "root-cause:", "root_cause:", "rootcause:"):
        if low.startswith(prefix):
            return canonical(low[len(prefix) :])
    # A bare tag counts only when it is a category's exact name: "security" as a topic tag is
    # too weak a signal, "network_dns" is not written by accident.
    return low if low in BY_NAME and "_" in low else None


def front_matter_override(front_matter: Mapping[str, Any] | None) -> Classification | None:
    """The categories front matter names (``cause: dns``, ``tags: [cause/cache]``), if any."""
    if not front_matter:
        return None
    found: list[str] = []
    for key in ("cause", "cause_category", "root_cause_category", "causes"):
        for value in _as_list(front_matter.get(key)):
            cat = canonical(value)
            if cat and cat not in found:
                found.append(cat)
    for key in ("tags", "labels"):
        for tag in _as_list(front_matter.get(key)):
            cat = _tag_category(tag)
            if cat and cat not in found:
                found.append(cat)
    if not found:
        return None
    secondary = found[1] if len(found) > 1 else None
    return Classification(found[0], secondary, 1.0, SOURCE_FRONT_MATTER, ())


def front_matter_text(front_matter: Mapping[str, Any] | None) -> str | None:
    """A free-text ``cause:`` that names no category ("expired certificate") is more text to read."""
    if not front_matter:
        return None
    value = front_matter.get("cause")
    if isinstance(value, str) and canonical(value) is None:
        return value
    return None
