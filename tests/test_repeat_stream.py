"""Repeats that come one at a time: the most pressing kept without holding them all
(``tracker.repeat_check.Tally``), and ``pmt ingest --format json`` writing them as they come
with the bytes ``to_json`` gives the whole document."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest

from cli.output import JsonListWriter, to_json
from tracker.causes.repeat_warning import (
    FIX_DID_NOT_HOLD,
    FOLLOW_UP_NEVER_DONE,
    EarlierItem,
    RepeatWarning,
)
from tracker.repeat_check import Tally, most_pressing, summarise


def _warning(rng: random.Random, n: int) -> RepeatWarning:
    kind = rng.choice([FIX_DID_NOT_HOLD, FOLLOW_UP_NEVER_DONE])
    states = ["done"] if kind == FIX_DID_NOT_HOLD else ["open", "overdue", "done"]
    items = tuple(
        EarlierItem(f"item {k}", None, None, rng.choice(states)) for k in range(rng.randint(0, 3))
    )
    return RepeatWarning(
        key=f"PM-{n}",
        path=f"pms/{n}.md",
        title=None,
        incident_date=date(2026, 1, 1),
        category="config_change",
        earlier_key="PM-0",
        earlier_path="pms/0.md",
        earlier_title=None,
        earlier_date=None,
        earlier_category="config_change",
        score=rng.choice([0.5, 0.6, 0.7]),
        kind=kind,
        items=items,
    )


@pytest.mark.parametrize("limit", [0, 1, 5])
def test_the_tally_keeps_what_a_full_sort_would_show(limit: int) -> None:
    rng = random.Random(limit)
    for size in (0, 1, limit, limit + 1, 40):
        warnings = [_warning(rng, n) for n in range(size)]
        ordered = most_pressing(warnings) if size > limit else warnings
        rest = ordered[limit:]
        tally = Tally(limit, keep=False)
        for w in warnings:
            tally.add(w)
        got = tally.result()
        assert got.shown == tuple(ordered[:limit])
        assert got.more == len(rest)
        assert got.more_never_done == sum(1 for w in rest if w.fix_held is not False)
        assert got.warnings == ()
        assert summarise(warnings, limit).warnings == tuple(warnings)


@pytest.mark.parametrize("count", [0, 1, 3])
def test_the_json_written_piece_by_piece_is_the_whole_document(
    count: int, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(count)
    head = {"files": [{"path": "a.md", "status": "new"}], "counts": {"new": 1}}
    warnings = [_warning(rng, n) for n in range(count)]
    writer = JsonListWriter(head, "repeats")
    for w in warnings:
        writer.add(w)
    writer.close()
    out = capsys.readouterr().out
    assert out == to_json({**head, "repeats": [w.to_dict() for w in warnings]})
    assert len(json.loads(out)["repeats"]) == count
