"""The words that name failure mechanisms, and which category each mechanism belongs to.

Two kinds of evidence, written from how engineers describe outages (not read back from the
labelled test set):

* **mechanisms**: specific phrases ("certificate ... expired", "leap second", "pushed to all
  regions at once"). They are strong evidence for a category and are also what the repeat
  detection compares: two postmortems sharing a mechanism likely failed the same way.
* **cues**: generic words of a category ("misconfigured", "bug", "DNS"). Weaker evidence, for
  texts that name a category but no precise mechanism.

Triggers (deploy, release, rollout, change) are deliberately weak: they say *when* something
broke, not *how*.

The lexicon does not decide the category: its evidence (``tracker.causes.evidence``) is a set
of features of the trained model (``tracker.causes.model``), which learned how far to trust it.
Changing a pattern changes those features: retrain (``python -m tracker.causes.train``).
"""

from __future__ import annotations

import re

from tracker.causes.lexicon import changes, infrastructure, operations
from tracker.causes.lexicon.grammar import Mechanism, near, then
from tracker.causes.lexicon.markers import (
    BOILERPLATE_PATTERN,
    CAUSE_MARKERS,
    CUES,
    DISCOVERY_PATTERN,
    EFFECT_MARKERS,
    NEGATION_PATTERN,
    UNKNOWN_PATTERN,
)

__all__ = [
    "BOILERPLATE_PATTERN",
    "CAUSE_MARKERS",
    "CUES",
    "DISCOVERY_PATTERN",
    "EFFECT_MARKERS",
    "MECHANISMS",
    "NEGATION_PATTERN",
    "UNKNOWN_PATTERN",
    "Mechanism",
    "near",
    "then",
]

# Every mechanism, in a fixed order: the order is the pattern set's and the mechanism masks'.
MECHANISMS: tuple[Mechanism, ...] = tuple(
    Mechanism(name, category, re.compile(pattern, re.IGNORECASE), weight)
    for name, category, pattern, weight in (changes.TABLE + infrastructure.TABLE + operations.TABLE)
)
