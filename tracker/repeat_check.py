"""The repeat check `pmt ingest` and `pmt sync` run on the postmortems they just wrote.

One call, ``check_repeats``: classify those postmortems (storing the category), find the
earlier postmortems whose cause they repeat, mark the earlier fixes that did not hold
(``tracker.causes.repeats.analyse_postmortems``), then put the most pressing repeats first
and count the rest. It returns data only; the command line words it (``cli.repeat_warnings``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.causes.repeats import RepeatWarning
    from tracker.config import Settings
    from tracker.store import Store

# Repeats told in full; the others are only counted (an ingest of thousands of postmortems
# may find hundreds: the JSON output and pmt causes have them all).
MAX_WARNINGS_SHOWN = 5


@dataclass(frozen=True)
class RepeatCheck:
    """Every repeat found, and which of them to tell in full."""

    # In the order found: for the JSON output.
    warnings: tuple[RepeatWarning, ...] = ()
    # The most pressing ones (at most ``MAX_WARNINGS_SHOWN``), in the order to tell them.
    shown: tuple[RepeatWarning, ...] = ()
    # The rest, only counted: how many, and of those how many whose earlier follow-up was
    # never done (the others are fixes that did not hold).
    more: int = 0
    more_never_done: int = 0

    def to_dict(self) -> dict[str, Any]:
        """``{"repeats": [...]}`` to merge into a command's JSON, or {} when there are none (so
        that a JSON document's keys change only when there is something to say)."""
        return {"repeats": [w.to_dict() for w in self.warnings]} if self.warnings else {}


def most_pressing(warnings: Sequence[RepeatWarning]) -> list[RepeatWarning]:
    """Follow-ups never done first, the most overdue items first, then the closest matches."""
    return sorted(
        warnings,
        key=lambda w: (w.fix_held is False, -w.overdue_items, -w.open_items, -w.score),
    )


def summarise(warnings: Sequence[RepeatWarning], limit: int = MAX_WARNINGS_SHOWN) -> RepeatCheck:
    """The ``limit`` most pressing of ``warnings`` to tell (all of them, in their order, when
    there are no more than ``limit``), and the others counted."""
    ordered = most_pressing(warnings) if len(warnings) > limit else list(warnings)
    rest = ordered[limit:]
    return RepeatCheck(
        warnings=tuple(warnings),
        shown=tuple(ordered[:limit]),
        more=len(rest),
        more_never_done=sum(1 for w in rest if w.fix_held is not False),
    )


def check_repeats(
    store: Store, keys: Iterable[str], settings: Settings, limit: int = MAX_WARNINGS_SHOWN
) -> RepeatCheck:
    """Classify the postmortems ``keys`` just written, find and record their repeats."""
    from tracker.causes.repeats import analyse_postmortems

    return summarise(analyse_postmortems(store, keys, settings), limit)
