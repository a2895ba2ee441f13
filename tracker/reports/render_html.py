"""The weekly report as one self-contained HTML file: inline CSS, charts as inline SVG.

It opens from a file or an e-mail attachment with no network and no scripts. It is written for
readers who are not engineers: the "at a glance" part comes first in plain sentences, every
table and chart says in a line what it shows, and charts carry titles, axis labels and the
numbers themselves (colour is never the only cue).
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker.reports import cells
from tracker.reports.charts import PALETTE, Chart, Series, bar_chart, column_chart
from tracker.reports.entries import (
    CAUSE_WINDOW_DAYS,
    ItemEntry,
    ItemStats,
    RepeatEntry,
    WeeklyReport,
)
from tracker.reports.html_blocks import Raw, as_html, esc, link, section, table
from tracker.reports.html_style import CSS
from tracker.reports.words import (
    at_a_glance,
    cause_window_note,
    days,
    long_date,
    percent,
    period_sentence,
    stats_cells,
)

LIST_LIMIT = 50


def render_html(report: WeeklyReport) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="pmt">',
        f"<title>{esc(report.title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<header><h1>{esc(report.title)}</h1>",
        f'<p class="period">{esc(period_sentence(report))}</p></header>',
        _glance(report),
        _trend(report),
        _postmortems(report),
        _items(report),
        _overdue(report),
        _oldest(report),
        _owners(report),
        _causes(report),
        (
            "<footer>Made by pmt, the postmortem action-item tracker, on "
            f"{esc(long_date(report.as_of))}. An action item is done when it is checked in its "
            "postmortem or its ticket is closed.</footer>"
        ),
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _glance(report: WeeklyReport) -> str:
    t = report.totals
    cards = [
        (
            len(report.postmortems),
            "new postmortems" if len(report.postmortems) != 1 else "new postmortem",
            False,
        ),
        (t.closed, f"action items done {report.span}", False),
        (report.overdue_count, "action items overdue now", bool(report.overdue)),
        (
            percent(t.compliance),
            f"of the items due {report.span} done on time",
            (t.compliance or 1) < 1,
        ),
    ]
    html = ['<section class="glance" id="glance" aria-labelledby="glance-h">']
    html.append('<h2 id="glance-h">At a glance</h2>')
    html.append('<div class="cards">')
    for number, what, alert in cards:
        html.append(
            f'<div class="card{" alert" if alert else ""}"><span class="num">{esc(number)}</span>'
            f'<span class="what">{esc(what)}</span></div>'
        )
    html.append("</div><ul>")
    html += [f"<li>{esc(line)}</li>" for line in at_a_glance(report)]
    html.append("</ul></section>")
    return "\n".join(html)


def _trend(report: WeeklyReport) -> str:
    weeks = report.history
    labels = [f"{w.start.day} {w.start:%b}" for w in weeks]
    ongoing = bool(weeks) and weeks[-1].end >= report.as_of
    chart = column_chart(
        Chart(
            "chart-open-closed",
            title=f"Open and done action items, last {len(weeks)} weeks",
            desc=(
                "For each week: the action items still open at the end of the week and those done "
                "during it. "
                + "; ".join(
                    f"week of {lab}: {w.open} open, {w.closed} done"
                    for lab, w in zip(labels, weeks)
                )
                + (" (the last week so far)" if ongoing else "")
            ),
            categories=labels,
            series=[
                Series("Open at the end of the week", [w.open for w in weeks], PALETTE[1]),
                Series("Done during the week", [w.closed for w in weeks], PALETTE[0]),
            ],
            x_label="Week starting on Monday",
            y_label="Action items",
        )
    )
    return section(
        "trend",
        f"Open and done over the last {len(weeks)} weeks",
        "Orange bars are the action items still waiting at the end of each week; blue bars are "
        "those done during the week. Fewer orange and more blue is better. An item counts from "
        "its incident"
        + (f"; the last week is counted up to {long_date(report.as_of)}." if ongoing else "."),
        chart,
    )


def _postmortems(report: WeeklyReport) -> str:
    if not report.postmortems:
        body = f"<p>No new postmortems {report.span}.</p>"
    else:
        body = table(cells.POSTMORTEM_HEADERS, cells.postmortem_rows(report, link), numeric=(5,))
    return section(
        "postmortems",
        "New postmortems",
        "Postmortems written up (added to the tracker) during the period: how long the incident "
        "lasted, who it affected and what kind of failure caused it.",
        body,
    )


def _items(report: WeeklyReport) -> str:
    rows: list[ItemStats] = [*report.by_priority, report.totals]
    headers = [*cells.STATS_HEADERS[:6], "Median days to close", *cells.STATS_HEADERS[7:]]
    body = table(
        headers,
        [stats_cells(s) for s in rows],
        numeric=tuple(range(1, 10)),
        classes=[""] * (len(rows) - 1) + ["total"],
    )
    note = (
        '<p class="note">Completion is the share of all action items done by the end of the '
        "period (done / all, in brackets), including those already checked when pmt first read "
        "them, which are not counted as done in the period. Median days to close counts from the incident, over the items done in the "
        "period. On-time rate: of the items whose due date fell in the period, the share done "
        "by that date (the deadline policy gives a due date to items written without one).</p>"
    )
    return section(
        "items",
        "Action items",
        "Follow-up actions from all postmortems, by priority (P0 is the most urgent).",
        body + "\n" + note,
    )


def _item_rows(
    report: WeeklyReport, entries: Sequence[ItemEntry], *, late: bool
) -> list[list[object]]:
    rows: list[list[object]] = []
    for e in entries:
        row = cells.item_cells(e)
        row.append(Raw(f'<span class="late">{e.days_overdue}</span>') if late else days(e.age_days))
        row += [
            cells.ticket_cell(e, link),
            cells.postmortem_cell(report, e.postmortem_key, e.postmortem_title, link),
        ]
        rows.append(row)
    return rows


def _overdue(report: WeeklyReport) -> str:
    if not report.overdue:
        body = "<p>Nothing is overdue.</p>"
    else:
        shown = report.overdue[:LIST_LIMIT]
        body = table(
            [*cells.ITEM_HEADERS, "Days late", "Ticket", "Postmortem"],
            _item_rows(report, shown, late=True),
            numeric=(4,),
        )
        if report.overdue_count > len(shown):
            body += f'\n<p class="note">…and {report.overdue_count - len(shown)} more.</p>'
    return section(
        "overdue",
        f"Overdue now ({report.overdue_count})",
        f"Action items not done whose due date has passed, as of {long_date(report.as_of)}, the "
        "latest first.",
        body,
    )


def _oldest(report: WeeklyReport) -> str:
    body = (
        table(
            [*cells.ITEM_HEADERS, "Open for", "Ticket", "Postmortem"],
            _item_rows(report, report.oldest_open, late=False),
            numeric=(4,),
        )
        if report.oldest_open
        else "<p>No action item is open.</p>"
    )
    return section(
        "oldest",
        "Oldest open action items",
        "The follow-ups that have waited longest since their incident.",
        body,
    )


def _owners(report: WeeklyReport) -> str:
    body = (
        table(cells.OWNER_HEADERS, cells.owner_rows(report), numeric=(1, 2, 3))
        if report.owners
        else "<p>Nobody has an overdue action item.</p>"
    )
    return section(
        "owners",
        "Owners with the most overdue items",
        "Who may need help or a new deadline.",
        body,
    )


def _causes(report: WeeklyReport) -> str:
    c = report.causes
    body: list[str] = []
    if c.categories:
        body.append(
            bar_chart(
                Chart(
                    "chart-causes",
                    title=f"Incidents by cause: last {CAUSE_WINDOW_DAYS} days and the {CAUSE_WINDOW_DAYS} before",
                    desc="; ".join(
                        f"{k.label}: {k.recent} in the last {CAUSE_WINDOW_DAYS} days, {k.previous} before"
                        for k in c.categories
                    ),
                    categories=[k.label for k in c.categories],
                    series=[
                        Series(
                            f"Last {CAUSE_WINDOW_DAYS} days",
                            [k.recent for k in c.categories],
                            PALETTE[1],
                        ),
                        Series(
                            f"The {CAUSE_WINDOW_DAYS} days before",
                            [k.previous for k in c.categories],
                            PALETTE[0],
                        ),
                    ],
                    x_label="Incidents",
                    y_label="Cause",
                )
            )
        )
        body.append(table(cells.cause_headers("The "), cells.cause_rows(report), numeric=(1, 2, 3)))
    else:
        body.append(f"<p>{cells.no_incidents(report)}</p>")
    body.append(f"<h3>Incidents {report.span} that repeated an earlier cause</h3>")
    if not report.repeats:
        body.append(f"<p>None: no incident {report.span} had the same cause as an earlier one.</p>")
    else:
        for heading, explain, entries in (
            (
                "The earlier follow-up was never done",
                "The same failure came back while the actions meant to prevent it were still open.",
                report.never_done,
            ),
            (
                "The fix did not hold",
                (
                    "The earlier actions were all done, yet the same failure came back: they were "
                    "not enough."
                ),
                report.did_not_hold,
            ),
        ):
            body.append(f"<h4>{esc(heading)} ({len(entries)})</h4>")
            body.append(f'<p class="note">{esc(explain)}</p>')
            if entries:
                body.append(
                    '<ul class="repeats">' + "".join(_repeat(report, r) for r in entries) + "</ul>"
                )
            else:
                body.append("<p>None.</p>")
    return section(
        "causes",
        f"Recurring causes (last {CAUSE_WINDOW_DAYS} days)",
        cause_window_note(report) + " A cause that grows deserves a closer look.",
        "\n".join(body),
    )


def _repeat(report: WeeklyReport, r: RepeatEntry) -> str:
    later, earlier = (as_html(p) for p in cells.repeat_postmortems(report, r, link))
    text = (
        f"<li><strong>{later}</strong> repeats {earlier}{cells.earlier_date(r)} "
        f"(similarity {r.score:.2f})."
    )
    if r.kind == "follow_up_never_done":
        text += f" {r.open_items} of {len(r.earlier_items)} earlier action items are still open"
        if listed := cells.waiting(r):
            text += ": " + "; ".join(
                f"{esc(i.text)} ({esc(i.owner or 'no owner')}, {esc(i.status)})" for i in listed
            )
        text += "."
    else:
        text += f" All {len(r.earlier_items)} earlier action items were done."
    return text + "</li>"
