"""How alike two root causes are: the weights of the similarity and its arithmetic.

The similarity of two causes combines the TF-IDF cosine of their words (weight 0 today), the
TF-IDF cosine of their character n-grams, and the weighted overlap of the *mechanisms* the
lexicon recognises in them; when both name specific mechanisms and share none, the score is
damped (two certificate problems, one expired and one issued for the wrong host, are not the
same failure). ``combine`` is the plain formula for one pair; ``MaskArrays`` and
``scores_from_parts`` are the same arithmetic for millions of pairs at once (mechanism sets as
bit masks in numpy words), which the repeat search uses: a test compares the two on random
mechanism sets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tracker.causes import lexicon

if TYPE_CHECKING:
    import numpy as np

    # Row numbers of pairs: a list, or a numpy array when they come by the million.
    Indices = Sequence[int] | np.ndarray

# Weights of the three parts (tuned on the development half of tests/data/causes/pairs.jsonl).
WORD_WEIGHT = 0.0
CHAR_WEIGHT = 0.30
MECHANISM_WEIGHT = 0.70
# Both name mechanisms, none shared: probably a different failure in the same words.
DISJOINT_DAMPING = 0.4


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


def strong_mechanisms(mechs: frozenset[str]) -> frozenset[str]:
    """The mechanisms that say how it failed (the weak ones say where)."""
    return frozenset(m for m in mechs if m not in _WEAK_MECHANISMS)


def combine(
    word_cos: float, char_cos: float, mech_a: frozenset[str], mech_b: frozenset[str]
) -> float:
    """The similarity of two causes from their parts (see the module docstring)."""
    overlap = mechanism_overlap(mech_a, mech_b)
    score = WORD_WEIGHT * word_cos + CHAR_WEIGHT * char_cos + MECHANISM_WEIGHT * overlap
    strong_a, strong_b = strong_mechanisms(mech_a), strong_mechanisms(mech_b)
    if strong_a and strong_b and not (strong_a & strong_b):
        score *= DISJOINT_DAMPING
    return min(1.0, score)


# The bit of each mechanism in a mask, the mask of the weak ones, and one numpy word.
_BIT = {m.name: 1 << k for k, m in enumerate(lexicon.MECHANISMS)}
_WEAK_MASK = sum(_BIT[n] for n in _WEAK_MECHANISMS if n in _BIT)
_WORD = (1 << 64) - 1


def mechanism_mask(mechs: frozenset[str]) -> int:
    """A mechanism set as a bit mask (one bit per mechanism of the lexicon), for ``MaskArrays``."""
    return sum(_BIT.get(m, 0) for m in mechs)


def score_bound(mech_a: frozenset[str], mech_b: frozenset[str]) -> float:
    """The highest score two causes with these mechanisms can reach (identical wording)."""
    masks = MaskArrays([mechanism_mask(mech_a), mechanism_mask(mech_b)])
    return float(bounds_from_parts(*masks.parts([0], [1]))[0])


class MaskArrays:
    """The mechanism masks of many documents as numpy words, so that the overlap, damping and
    bound of millions of pairs are a few vector operations (``combine``'s arithmetic)."""

    def __init__(self, masks: Sequence[int]) -> None:
        import numpy as np

        n_words = max(1, (len(lexicon.MECHANISMS) + 63) // 64)
        self.words = [
            np.fromiter(((m >> (64 * w)) & _WORD for m in masks), dtype=np.uint64, count=len(masks))
            for w in range(n_words)
        ]
        self.weak = [np.uint64((_WEAK_MASK >> (64 * w)) & _WORD) for w in range(n_words)]

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
    """``score_bound`` from the mechanisms' overlap and damping of each pair: the score the
    pair would reach with identical wording."""
    import numpy as np

    bound = (CHAR_WEIGHT + WORD_WEIGHT) + MECHANISM_WEIGHT * overlap
    bound *= damping
    return np.minimum(bound, 1.0)
