"""Repeat warnings for people: what `pmt ingest` and `pmt sync` say when a cause comes back.

The repeats are found and chosen by ``tracker.repeat_check.check_repeats``; this module words them.

Two cases, in different words: the earlier follow-up was never done (items still open or
overdue), or it was done and did not hold (every item closed, the cause came back anyway).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cli.output import say_wrapped

if TYPE_CHECKING:
    from tracker.causes.repeats import EarlierItem, RepeatWarning
    from tracker.repeat_check import RepeatCheck

# Items listed per warning before "... and N more".
MAX_ITEMS_SHOWN = 8


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
    if warning.fix_held is False:
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


def say_repeats(check: RepeatCheck) -> None:
    """Say the repeats to tell in full on stderr (stdout stays for machine output), and how
    many more there are."""
    for warning in check.shown:
        say_wrapped("\n".join(describe(warning)))
    if check.more:
        fixes = check.more - check.more_never_done
        say_wrapped(
            f"repeat: ... and {check.more} more repeat{'s' if check.more != 1 else ''} "
            f"of an earlier cause ({check.more_never_done} with the earlier follow-up "
            f"never done, {fixes} where the fix did not hold); pmt causes lists them all"
        )
