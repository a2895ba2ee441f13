"""The weekly report as JSON for scripts: one object whose shape docs/reports.md documents."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from tracker.reports.entries import CAUSE_WINDOW_DAYS, ItemEntry, RepeatEntry, WeeklyReport
from tracker.reports.words import at_a_glance

SCHEMA_VERSION = 1


def to_dict(report: WeeklyReport) -> dict[str, Any]:
    """The JSON shape documented in docs/reports.md (``pmt report weekly --format json``)."""
    if len(report.overdue) != report.overdue_count:
        raise ValueError("the JSON lists every overdue item: build the report without a limit")

    def items(entries: Sequence[ItemEntry]) -> list[dict[str, Any]]:
        return [{**_plain(e), "postmortem_url": report.url_of(e.postmortem_key)} for e in entries]

    causes = report.causes
    return {
        "version": SCHEMA_VERSION,
        "title": report.title,
        "period": report.period.to_dict(),
        "generated_at": report.generated_at.isoformat(),
        "as_of": report.as_of.isoformat(),
        "at_a_glance": at_a_glance(report),
        "postmortems": [{**_plain(p), "url": report.url_of(p.key)} for p in report.postmortems],
        "items": _plain(report.totals),
        "by_priority": [_plain(s) for s in report.by_priority],
        "overdue": items(report.overdue),
        "oldest_open": items(report.oldest_open),
        "owners": [_plain(o) for o in report.owners],
        "causes": {
            "window_days": CAUSE_WINDOW_DAYS,
            "recent": {
                "start": causes.recent_start.isoformat(),
                "end": causes.recent_end.isoformat(),
            },
            "previous": {
                "start": causes.previous_start.isoformat(),
                "end": causes.previous_end.isoformat(),
            },
            "categories": [{**_plain(c), "change": c.change} for c in causes.categories],
        },
        "repeats": {
            "follow_up_never_done": [_repeat(r) for r in report.never_done],
            "fix_did_not_hold": [_repeat(r) for r in report.did_not_hold],
        },
        "history": [_plain(w) for w in report.history],
    }


def render_json(report: WeeklyReport) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"


def _repeat(entry: RepeatEntry) -> dict[str, Any]:
    data: dict[str, Any] = _plain(entry)
    data["open_items"] = entry.open_items
    return data


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (date, datetime)):
        return obj.isoformat()
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj
