"""The weekly report's 12-week history counts each week from the items' instants sorted once
(``tracker.reports.weekly._history``); it must give what asking every item about every week
gives (``Item.open_at`` and ``Item.closed_within``), on random items."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from tests.report_data import NOW, ZONE
from tracker.reports.item_state import Item
from tracker.reports.period import iso_week, weeks_ending
from tracker.reports.weekly import HISTORY_WEEKS, _history

START = datetime(2026, 8, 1, tzinfo=UTC)


def _instant(rng: random.Random) -> datetime:
    return START + timedelta(hours=rng.randrange(0, 24 * 130))


def _items(seed: int, n: int) -> list[Item]:
    rng = random.Random(seed)
    items = []
    for _ in range(n):
        created = _instant(rng)
        opened = min(created, _instant(rng)) if rng.random() < 0.5 else created
        done_unseen = rng.random() < 0.1
        closed = None if done_unseen or rng.random() < 0.4 else _instant(rng)
        if closed is not None and closed < opened:
            opened = closed
        removed = _instant(rng) if rng.random() < 0.2 else None
        # Instants on the week boundaries too, where < and <= differ.
        if rng.random() < 0.1:
            opened = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
        items.append(Item(None, None, created, opened, closed, done_unseen, removed, None))  # type: ignore[arg-type]
    return items


@pytest.mark.parametrize("seed", range(8))
def test_the_history_counts_what_each_item_says(seed: int) -> None:
    period = iso_week("2026-W48", ZONE)
    items = _items(seed, 300)
    got = _history(items, period, NOW)
    weeks = weeks_ending(period, HISTORY_WEEKS)
    assert [p.week for p in got] == [w.label for w in weeks]
    for point, week in zip(got, weeks):
        end = min(week.end_at, NOW)
        assert point.open == sum(1 for i in items if i.open_at(end)), week.label
        assert point.closed == sum(1 for i in items if i.closed_within(week.start_at, end))
