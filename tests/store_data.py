"""Builders of parsed postmortems for store tests (no parser needed)."""

from __future__ import annotations

from datetime import date

from tracker.models import ActionItem, Postmortem


def item(text: str, line: int = 10, **kw: object) -> ActionItem:
    return ActionItem(text=text, line=line, **kw)  # type: ignore[arg-type]


def postmortem(
    key: str = "INC-1", *items: ActionItem, when: date | None = date(2026, 3, 2), **kw: object
) -> Postmortem:
    return Postmortem(
        path=f"postmortems/{key}.md",
        id=key,
        title=kw.pop("title", f"Outage {key}"),  # type: ignore[arg-type]
        date=when,
        action_items=list(items),
        **kw,  # type: ignore[arg-type]
    )
