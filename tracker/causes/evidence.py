"""What the lexicon (``tracker.causes.lexicon``) finds in a root-cause text: a score per
category and the failure mechanisms named.

The scores are features of the trained classifier (``tracker.causes.model``), not its
decision; the mechanisms are also what repeat detection compares. A mention counts more in
the clause after "due to / because / caused by" (the cause), half in the clause after
"causing / leading to" (the consequence), and not at all when negated ("not a DDoS", "ruled
out the database").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field

from tracker.causes import lexicon
from tracker.causes.matcher import PatternSet

# The section's full text counts for less than the one-sentence root cause.
DETAIL_WEIGHT = 0.5
# Long sections are cut: the cause is nearly always stated early, and regexes cost per character.
MAX_DETAIL_CHARS = 3000

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n\s*\n")
# Every negation (lexicon.NEGATION_PATTERN) holds one of these words: a window without any of
# them is not read by the negation pattern (a test checks the claim on arbitrary text).
_NEGATION_HINT = re.compile(
    r"not|never|n't|nor|no evidence|ruled out|unrelated|rather than|instead of", re.IGNORECASE
)


@dataclass(slots=True)
class Evidence:
    """What the lexicon found in a text: a score per category and the mechanisms seen."""

    scores: dict[str, float] = field(default_factory=dict)
    mechanisms: dict[str, float] = field(default_factory=dict)
    unknown_stated: bool = False
    discovery: bool = False

    def add(self, other: Evidence, factor: float) -> None:
        for cat, s in other.scores.items():
            self.scores[cat] = self.scores.get(cat, 0.0) + s * factor
        for name, s in other.mechanisms.items():
            self.mechanisms[name] = max(self.mechanisms.get(name, 0.0), s * factor)
        self.unknown_stated = self.unknown_stated or other.unknown_stated
        self.discovery = self.discovery or other.discovery

    @property
    def says_unknown(self) -> bool:
        """The text says its cause is not known yet (and not that it was found later)."""
        return self.unknown_stated and not self.discovery

    def ranked_mechanisms(self) -> tuple[str, ...]:
        return tuple(sorted(self.mechanisms, key=lambda n: -self.mechanisms[n]))


class _Breaks:
    """Where clause weights change (start, weight): the clause after "due to" names the cause
    (weighted up), after "causing" the effect (weighted down); a sentence starts afresh."""

    __slots__ = ("starts", "weights")

    def __init__(self, text: str, spans: Mapping[int, list[tuple[int, int]]]) -> None:
        events: list[tuple[int, float]] = [(0, 1.0)]
        for m in _SENTENCE_END.finditer(text):
            events.append((m.end(), 1.0))
        for k, weight in ((_CAUSE, 1.25), (_EFFECT, 0.5)):
            for _, end in spans.get(k, ()):
                events.append((end, weight))
        events.sort()
        self.starts = [start for start, _ in events]
        self.weights = [weight for _, weight in events]

    def weight_at(self, pos: int) -> float:
        """The weight of the last break at or before ``pos``."""
        return self.weights[bisect_right(self.starts, pos) - 1]


def _negated(text: str, start: int, negatable: bool) -> bool:
    """True when the match at ``start`` is negated ("not a DDoS"). ``negatable``: the text
    holds a negating word somewhere."""
    if not negatable:
        return False
    low = max(0, start - 40)
    if _NEGATION_HINT.search(text, low, start) is None:
        return False
    return lexicon.NEGATION_PATTERN.search(text[low:start]) is not None


def _first_match_weight(
    spans: list[tuple[int, int]], text: str, breaks: _Breaks, negatable: bool
) -> float:
    """The weight of the best placed match that is not negated (0.0 when none is)."""
    best = 0.0
    for start, _ in spans:
        weight = breaks.weight_at(start)
        # A match that cannot beat the best so far needs no negation check.
        if weight <= best or _negated(text, start, negatable):
            continue
        best = weight
        if best >= 1.25:
            break
    return best


# Every pattern of the lexicon, matched together (see matcher): the mechanisms, then the cues,
# then the markers of causes and effects and of causes said to be unknown.
_PATTERNS = PatternSet(
    [m.pattern for m in lexicon.MECHANISMS]
    + [cue[1] for cue in lexicon.CUES]
    + [
        lexicon.CAUSE_MARKERS,
        lexicon.EFFECT_MARKERS,
        lexicon.UNKNOWN_PATTERN,
        lexicon.DISCOVERY_PATTERN,
    ]
)
_N_MECHANISMS = len(lexicon.MECHANISMS)
_N_SCORED = _N_MECHANISMS + len(lexicon.CUES)
_CAUSE, _EFFECT, _UNKNOWN, _DISCOVERY = range(_N_SCORED, _N_SCORED + 4)


def evidence(text: str | None) -> Evidence:
    """Score ``text`` against every mechanism and cue of the lexicon."""
    ev = Evidence()
    if not text or not text.strip():
        return ev
    text = lexicon.BOILERPLATE_PATTERN.sub(" ", text)
    spans = _PATTERNS.spans(text)
    breaks = _Breaks(text, spans)
    negatable = _NEGATION_HINT.search(text) is not None
    for k, found in spans.items():
        if k >= _N_SCORED:
            break
        w = _first_match_weight(found, text, breaks, negatable)
        if not w:
            continue
        if k < _N_MECHANISMS:
            mech = lexicon.MECHANISMS[k]
            score = mech.weight * w
            ev.mechanisms[mech.name] = max(ev.mechanisms.get(mech.name, 0.0), score)
            ev.scores[mech.category] = ev.scores.get(mech.category, 0.0) + score
        else:
            category, _pattern, weight = lexicon.CUES[k - _N_MECHANISMS]
            ev.scores[category] = ev.scores.get(category, 0.0) + weight * w
    ev.unknown_stated = _UNKNOWN in spans
    ev.discovery = _DISCOVERY in spans
    return ev


def cause_text(root_cause: str | None, detail: str | None) -> tuple[str, str]:
    """The sentence and the rest of the section (without the sentence repeated), both cleaned."""
    sentence = (root_cause or "").strip()
    rest = (detail or "").strip()
    if sentence and rest.startswith(sentence):
        rest = rest[len(sentence) :].strip()
    elif not sentence and rest:
        sentence, rest = rest, ""
    return sentence, rest[:MAX_DETAIL_CHARS]


def with_extra(sentence: str, extra: str | None) -> str:
    """The sentence after ``extra`` (a free-text front-matter cause)."""
    if extra:
        return f"{extra}. {sentence}" if sentence else extra
    return sentence


def text_evidence(root_cause: str | None, detail: str | None, extra: str | None = None) -> Evidence:
    """The lexicon's evidence: the sentence (after ``extra``) in full, and the rest of the
    section at half weight."""
    sentence, rest = cause_text(root_cause, detail)
    ev = evidence(with_extra(sentence, extra))
    if rest:
        ev.add(evidence(rest), DETAIL_WEIGHT)
    return ev
