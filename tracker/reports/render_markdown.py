"""The weekly report as Markdown, for a GitHub issue, a wiki page or a chat message.

Long lists are cut (``LIST_LIMIT`` rows, then "and N more") so that the body stays well under
GitHub's 65,536-character limit for an issue however many items are overdue.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker.reports import cells, words
from tracker.reports.entries import (
    CAUSE_WINDOW_DAYS,
    NO_OWNER,
    ItemStats,
    RepeatEntry,
    WeeklyReport,
)

LIST_LIMIT = 25


def _esc(text: object) -> str:
    if text is None:
        return ""
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


class _Md(str):
    """Markdown made here (a link): put in a cell as it is."""


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = ()
) -> list[str]:
    out = ["| " + " | ".join(headers) + " |"]
    out.append("|" + "|".join("---:" if i in right else "---" for i in range(len(headers))) + "|")
    out += [
        "| " + " | ".join(c if isinstance(c, _Md) else _esc(c) for c in row) + " |" for row in rows
    ]
    return out


def _link(text: object, url: str | None) -> _Md:
    """``[text](url)`` when there is an address, else the text; a cell's ``|`` escaped."""
    shown = _esc(text)
    if url and url.startswith(("https://", "http://")):
        return _Md(f"[{shown.replace('[', '(').replace(']', ')')}](<{url}>)")
    return _Md(shown)


def _more(total: int, shown: int) -> list[str]:
    return ["", f"…and {total - shown} more."] if total > shown else []


def render_markdown(report: WeeklyReport) -> str:
    out: list[str] = [f"# {report.title}", "", f"_{words.period_sentence(report)}_", ""]
    out += ["## At a glance", ""]
    out += [f"- {line}" for line in words.at_a_glance(report)]
    out.append("")

    out += ["## New postmortems", ""]
    if report.postmortems:
        out += _table(cells.POSTMORTEM_HEADERS, cells.postmortem_rows(report, _link), right=(5,))
    else:
        out.append(f"No new postmortems {report.span}.")
    out.append("")

    out += ["## Action items", ""]
    out += _stats_table([*report.by_priority, report.totals])
    out += [
        "",
        (
            "_Done: checked in the postmortem or its ticket closed. Completion: share of all "
            "items done by the end of the period. Days to close: median, from the incident, over "
            "the items done in the period. On time: items due in the period that were done by "
            "their due date (a due date marked “policy” comes from the deadline policy)._"
        ),
        "",
    ]

    out += [f"## Overdue now ({report.overdue_count})", ""]
    if report.overdue:
        shown = report.overdue[:LIST_LIMIT]
        out += _table(
            [*cells.ITEM_HEADERS, "Days late", "Ticket", "Postmortem"],
            [
                [
                    *cells.item_cells(e),
                    e.days_overdue,
                    cells.ticket_cell(e, _link),
                    cells.postmortem_cell(report, e.postmortem_key, e.postmortem_title, _link),
                ]
                for e in shown
            ],
            right=(4,),
        )
        out += _more(report.overdue_count, len(shown))
    else:
        out.append("Nothing is overdue.")
    out.append("")

    out += ["## Oldest open action items", ""]
    if report.oldest_open:
        out += _table(
            ["Action item", "Owner", "Open for", "Due", "Postmortem"],
            [
                [
                    e.text,
                    e.owner or NO_OWNER,
                    words.days(e.age_days),
                    cells.due_text(e),
                    cells.postmortem_cell(report, e.postmortem_key, e.postmortem_title, _link),
                ]
                for e in report.oldest_open
            ],
            right=(2,),
        )
    else:
        out.append("No action item is open.")
    out.append("")

    out += ["## Owners with the most overdue items", ""]
    if report.owners:
        out += _table(cells.OWNER_HEADERS, cells.owner_rows(report), right=(1, 2, 3))
    else:
        out.append("Nobody has an overdue item.")
    out.append("")

    out += _causes(report)
    out += _history(report)
    return "\n".join(out).rstrip() + "\n"


def _stats_table(rows: Sequence[ItemStats]) -> list[str]:
    return _table(
        cells.STATS_HEADERS,
        [words.stats_cells(s) for s in rows],
        right=tuple(range(1, 10)),
    )


def _causes(report: WeeklyReport) -> list[str]:
    c = report.causes
    out = [f"## Recurring causes (last {CAUSE_WINDOW_DAYS} days)", ""]
    out.append(words.cause_window_note(report))
    out.append("")
    if c.categories:
        out += _table(cells.cause_headers(), cells.cause_rows(report), right=(1, 2, 3))
    else:
        out.append(cells.no_incidents(report))
    out.append("")
    out += [f"### Repeats {report.span}", ""]
    if not report.repeats:
        out += [f"No incident {report.span} repeated the cause of an earlier one.", ""]
        return out
    for heading, entries, none in (
        ("The earlier follow-up was never done", report.never_done, "None."),
        ("The fix did not hold", report.did_not_hold, "None."),
    ):
        out += [f"**{heading}**", ""]
        out += [_repeat_line(report, r) for r in entries] or [none]
        out.append("")
    return out


def _repeat_line(report: WeeklyReport, r: RepeatEntry) -> str:
    later, earlier = cells.repeat_postmortems(report, r, _link)
    line = f"- {later} repeats {earlier}{cells.earlier_date(r)}, similarity {r.score:.2f}"
    if r.kind == "follow_up_never_done":
        line += f": {r.open_items} of {len(r.earlier_items)} earlier action items still open"
        if listed := cells.waiting(r):
            line += (
                " ("
                + "; ".join(
                    f"{_esc(i.text)}, {_esc(i.owner or 'no owner')}, {i.status}" for i in listed
                )
                + ")"
            )
    else:
        line += f": all {len(r.earlier_items)} earlier action items were done"
    return line + "."


def _history(report: WeeklyReport) -> list[str]:
    out = [f"## Open and done over the last {len(report.history)} weeks", ""]
    out += _table(
        ["Week", "Starts", "Open at the end of the week", "Done during the week"],
        [
            [words.week_label(report, w), w.start.isoformat(), w.open, w.closed]
            for w in report.history
        ],
        right=(2, 3),
    )
    out.append("")
    return out
