"""What a root cause was classified as: the value ``tracker.causes.classify`` makes and the
store keeps (``cause_*`` columns). Its own module so that reading stored categories (``pmt
causes``, the reports) does not load the classifier and the lexicon."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Classification:
    category: str
    secondary: str | None
    confidence: float
    source: str
    # Mechanism names seen in the text (lexicon.MECHANISMS), strongest first.
    mechanisms: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "secondary_category": self.secondary,
            "confidence": round(self.confidence, 3),
            "source": self.source,
            "mechanisms": list(self.mechanisms),
        }
