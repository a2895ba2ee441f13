"""The repeat check `pmt ingest` and `pmt sync` run on the postmortems they just wrote.

One call, ``check_repeats``: classify those postmortems (storing the category), find the
earlier postmortems whose cause they repeat, mark the earlier fixes that did not hold
(``tracker.causes.repeats.each_repeat``), then keep the most pressing repeats and count the
rest as they come (``Tally``: memory does not grow with their number). It returns data only; the command line words it (``cli.repeat_warnings``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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

    # In the order found: for the JSON output (empty when the caller did not keep them).
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


def pressing_key(warning: RepeatWarning) -> tuple[bool, int, int, float]:
    """Follow-ups never done first, the most overdue items first, then the closest matches."""
    w = warning
    return (w.fix_held is False, -w.overdue_items, -w.open_items, -w.score)


def most_pressing(warnings: Sequence[RepeatWarning]) -> list[RepeatWarning]:
    return sorted(warnings, key=pressing_key)


class Tally:
    """``summarise`` for repeats that come one at a time, holding only the ``limit`` most
    pressing (and all of them when ``keep``)."""

    def __init__(self, limit: int = MAX_WARNINGS_SHOWN, keep: bool = True) -> None:
        self.limit, self.keep = limit, keep
        self.kept: list[RepeatWarning] = []
        self.first: list[RepeatWarning] = []  # the first ``limit``, in the order found
        # The most pressing so far, as (its ``pressing_key`` and place, each part negated, so
        # that the heap's top is the least pressing kept; ties go to the one found first).
        self.heap: list[tuple[tuple[float, ...], RepeatWarning]] = []
        self.count = 0
        self.never_done = 0

    def add(self, warning: RepeatWarning) -> None:
        import heapq

        if self.keep:
            self.kept.append(warning)
        if len(self.first) < self.limit:
            self.first.append(warning)
        self.count += 1
        self.never_done += warning.fix_held is not False
        entry = (tuple(-part for part in (*pressing_key(warning), self.count)), warning)
        if len(self.heap) < self.limit:
            heapq.heappush(self.heap, entry)
        elif self.limit:
            heapq.heappushpop(self.heap, entry)

    def result(self) -> RepeatCheck:
        if self.count <= self.limit:
            shown = self.first
        else:
            shown = [w for _, w in sorted(self.heap, reverse=True)]
        rest_never_done = self.never_done - sum(1 for w in shown if w.fix_held is not False)
        return RepeatCheck(
            warnings=tuple(self.kept),
            shown=tuple(shown),
            more=self.count - len(shown),
            more_never_done=rest_never_done,
        )


def summarise(warnings: Sequence[RepeatWarning], limit: int = MAX_WARNINGS_SHOWN) -> RepeatCheck:
    """The ``limit`` most pressing of ``warnings`` to tell (all of them, in their order, when
    there are no more than ``limit``), and the others counted."""
    tally = Tally(limit)
    for warning in warnings:
        tally.add(warning)
    return tally.result()


def check_repeats(
    store: Store,
    keys: Iterable[str],
    settings: Settings,
    limit: int = MAX_WARNINGS_SHOWN,
    *,
    keep: bool = True,
    on_warning: Callable[[RepeatWarning], None] | None = None,
) -> RepeatCheck:
    """Classify the postmortems ``keys`` just written, find and record their repeats.

    Each repeat goes to ``on_warning`` as it is found; the result keeps them all only when
    ``keep`` (an ingest of thousands of postmortems may find tens of thousands)."""
    from tracker.causes.repeats import each_repeat

    tally = Tally(limit, keep)
    for warning in each_repeat(store, keys, settings):
        tally.add(warning)
        if on_warning is not None:
            on_warning(warning)
    return tally.result()
