"""The rows of the weekly report's tables that read the same in Markdown and in HTML.

Each renderer passes its own ``link(text, url)`` (a Markdown link, an HTML anchor) and escapes
the other cells its own way; the columns, their order and what each cell says are decided here.
"""

from __future__ import annotations

from collections.abc import Callable

from tracker.reports.entries import (
    CAUSE_WINDOW_DAYS,
    NO_OWNER,
    ItemEntry,
    RepeatEntry,
    RepeatItem,
    WeeklyReport,
)
from tracker.reports.words import duration

# ``link(text, url)``: a link when ``url`` is a web address, else the text.
Link = Callable[[object, str | None], object]

POSTMORTEM_HEADERS = [
    "Postmortem",
    "Incident date",
    "Duration",
    "Impact",
    "Root cause",
    "Action items",
]
ITEM_HEADERS = ["Action item", "Owner", "Priority", "Due"]
OWNER_HEADERS = ["Owner", "Overdue", "Open", "Most days late"]
# The items-by-priority table (rows: ``words.stats_cells``); column 6 is the median days to close.
STATS_HEADERS = [
    "Priority",
    "Added",
    "Done",
    "Open now",
    "Overdue now",
    "Completion",
    "Days to close",
    "Due",
    "Done on time",
    "On-time rate",
]
# Earlier action items listed per repeat.
WAITING_SHOWN = 5


def due_text(entry: ItemEntry) -> str:
    """The due date, "(policy)" when the deadline policy set it; "none" without one."""
    if entry.due is None:
        return "none"
    return entry.due.isoformat() + (" (policy)" if entry.due_implicit else "")


def ticket_cell(entry: ItemEntry, link: Link) -> object:
    return link(entry.ticket or "", entry.ticket_url if entry.ticket else None)


def postmortem_cell(report: WeeklyReport, key: str, title: str | None, link: Link) -> object:
    return link(title or key, report.url_of(key))


def postmortem_rows(report: WeeklyReport, link: Link) -> list[list[object]]:
    """The new postmortems, under ``POSTMORTEM_HEADERS``."""
    return [
        [
            postmortem_cell(report, p.key, p.title, link),
            p.incident_date.isoformat() if p.incident_date else "",
            duration(p.duration_minutes),
            p.impact or "",
            p.cause_label,
            p.items,
        ]
        for p in report.postmortems
    ]


def item_cells(entry: ItemEntry) -> list[object]:
    """The first cells of an action item's row, under ``ITEM_HEADERS``."""
    return [entry.text, entry.owner or NO_OWNER, entry.priority or "", due_text(entry)]


def owner_rows(report: WeeklyReport) -> list[list[object]]:
    """The owners with the most overdue items, under ``OWNER_HEADERS``."""
    return [[o.owner, o.overdue, o.open, o.most_days_late] for o in report.owners]


def cause_headers(before: str = "") -> list[str]:
    """The causes table's headers; ``before`` starts the third ("The ")."""
    window = CAUSE_WINDOW_DAYS
    return ["Cause", f"Last {window} days", f"{before}{window} days before", "Change"]


def cause_rows(report: WeeklyReport) -> list[list[object]]:
    """Cause, incidents in the recent window, in the one before, and the change."""
    return [[k.label, k.recent, k.previous, f"{k.change:+d}"] for k in report.causes.categories]


def no_incidents(report: WeeklyReport) -> str:
    """What the causes section says when no incident fell in either window."""
    c = report.causes
    return f"No incidents from {c.previous_start.isoformat()} to {c.recent_end.isoformat()}."


def repeat_postmortems(report: WeeklyReport, r: RepeatEntry, link: Link) -> tuple[object, object]:
    """The postmortem that repeats a cause and the earlier one, as links."""
    return (
        postmortem_cell(report, r.postmortem_key, r.postmortem_title, link),
        postmortem_cell(report, r.earlier_key, r.earlier_title, link),
    )


def earlier_date(r: RepeatEntry) -> str:
    """`` (YYYY-MM-DD)``, the earlier incident's date, when known."""
    return f" ({r.earlier_date.isoformat()})" if r.earlier_date else ""


def waiting(repeat: RepeatEntry) -> list[RepeatItem]:
    """The earlier action items still not done, as many as a repeat lists."""
    return [i for i in repeat.earlier_items if i.status != "done"][:WAITING_SHOWN]
