"""Repeat warnings for people: what `pmt ingest` and `pmt sync` say when a cause comes back.

Two cases, in different words: the earlier follow-up was never done (items still open or
overdue), or it was done and did not hold (every item closed, the cause came back anyway).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cli.output import say_wrapped

if TYPE_CHECKING:
    from tracker.causes.repeats import EarlierItem, RepeatWarning

# Items listed per warning before "... and N more".
MAX_ITEMS_SHOWN = 8
# Warnings written out in full; the others are counted in one line (an ingest of thousands of
# postmortems may find hundreds of repeats: the JSON output and pmt causes have them all).
MAX_WARNINGS_SHOWN = 5


def _item_line(item: EarlierItem) -> str:
    state = item.status
    if item.not_effective:
        state += ", not effective"
    extras = [
        x
        for x in (item.owner, f"due {item.due.isoformat()}" if item.due else None, item.ticket)
        if x
    ]
    tail = f" ({', '.join(extras)})" if extras else ""
    return f"    [{state}] {item.text}{tail}"


def describe(warning: RepeatWarning) -> list[str]:
    """The lines of one warning (no trailing newline)."""
    earlier = warning.earlier_path
    if warning.earlier_date:
        earlier += f", {warning.earlier_date.isoformat()}"
    lines = [
        (
            f"repeat: {warning.path} has the same cause as {earlier} "
            f"(similarity {warning.score:.2f}, {warning.category.replace('_', ' ')})"
        )
    ]
    items = warning.items
    if warning.kind == "fix_did_not_hold":
        n = len(items)
        lines.append(
            f"  the fix did not hold: {'the' if n == 1 else 'all'} {n} action item{'s' if n != 1 else ''} "
            f"of the earlier postmortem {'was' if n == 1 else 'were'} closed and the cause came back anyway"
            + (
                "; marked not effective"
                if warning.marked_not_effective or all(i.not_effective for i in items)
                else ""
            )
        )
    elif not items:
        lines.append(
            "  the follow-up was never done: the earlier postmortem has no action items, "
            "so nothing was planned to stop this happening again"
        )
    else:
        open_n, overdue_n = warning.open_items, warning.overdue_items
        lines.append(
            f"  the follow-up was never done: {open_n} of {len(items)} action item"
            f"{'s' if len(items) != 1 else ''} of the earlier postmortem "
            f"{'is' if open_n == 1 else 'are'} still open"
            + (f" ({overdue_n} overdue)" if overdue_n else "")
        )
    # Open ones first: they are what to chase.
    ordered = sorted(items, key=lambda i: {"overdue": 0, "open": 1}.get(i.status, 2))
    lines += [_item_line(i) for i in ordered[:MAX_ITEMS_SHOWN]]
    if len(ordered) > MAX_ITEMS_SHOWN:
        lines.append(f"    ... and {len(ordered) - MAX_ITEMS_SHOWN} more")
    return lines


def most_pressing(warnings: Sequence[RepeatWarning]) -> list[RepeatWarning]:
    """Follow-ups never done first, the most overdue items first, then the closest matches."""
    return sorted(
        warnings,
        key=lambda w: (w.kind == "fix_did_not_hold", -w.overdue_items, -w.open_items, -w.score),
    )


def print_warnings(warnings: Sequence[RepeatWarning], limit: int = MAX_WARNINGS_SHOWN) -> None:
    """Say the ``limit`` most pressing warnings on stderr (stdout stays for machine output),
    and how many more there are."""
    ordered = most_pressing(warnings) if len(warnings) > limit else list(warnings)
    for warning in ordered[:limit]:
        say_wrapped("\n".join(describe(warning)))
    rest = ordered[limit:]
    if rest:
        never = sum(1 for w in rest if w.kind != "fix_did_not_hold")
        say_wrapped(
            f"repeat: ... and {len(rest)} more postmortem{'s' if len(rest) != 1 else ''} repeating "
            f"an earlier cause ({never} with the earlier follow-up never done, "
            f"{len(rest) - never} where the fix did not hold); pmt causes lists them all"
        )


def warnings_json(warnings: Sequence[RepeatWarning]) -> dict[str, Any]:
    """``{"repeats": [...]}`` to merge into a command's JSON, or {} when there are none (so
    that a JSON document's keys change only when there is something to say)."""
    return {"repeats": [w.to_dict() for w in warnings]} if warnings else {}


def analyse(store: Any, keys: Sequence[str], settings: Any) -> list[RepeatWarning]:
    """Classify the postmortems just written and find their repeats (see tracker.causes.repeats)."""
    from tracker.causes.repeats import analyse_postmortems

    return analyse_postmortems(store, keys, settings)
