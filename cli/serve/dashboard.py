"""The read-only dashboard of ``pmt serve``: one page for everyone, one page per postmortem.

Server-rendered HTML (Jinja2 templates in ``cli/serve/templates``), the weekly report's style
sheet and SVG charts inline: a page opens on a phone or behind a proxy with no script, no font
and no request of its own. Every figure comes from the queries the commands print, so the
dashboard and ``pmt overdue`` / ``pmt causes`` / ``pmt list`` / ``pmt show`` never disagree:

- overdue by owner: ``tracker.owners.owners`` (spellings of one person merged, as ``pmt owners``)
  and the most overdue items (``tracker.queries.overdue_page``);
- completion over time: the weekly report's 12-week history and chart
  (``tracker.reports.history.completion_history``: the same count, from a lighter read);
- recurring root causes: ``tracker.causes.report.causes_report`` over ``pmt causes``'s default
  period (the last 90 days against the 90 before);
- recent postmortems: ``tracker.queries.list_postmortems``; each one's page is ``pmt show``'s
  ``postmortem_detail``.

pmt has no team field: owners are shown as written (the same person's spellings merged).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from tracker.reports.charts import PALETTE, Chart, Series, bar_chart, column_chart
from tracker.reports.entries import NO_OWNER, WeekPoint, category_label
from tracker.reports.history import completion_history
from tracker.reports.html_style import CSS
from tracker.reports.links import first_ref, ticket_url
from tracker.reports.words import duration, long_date

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from tracker.causes.report import CausesReport
    from tracker.config import Settings
    from tracker.store import Store

# The most overdue items listed on the home page (all of them: ``pmt overdue``, /api/overdue).
OVERDUE_LIMIT = 20
# Owners listed in the overdue table; the rest are counted in a line under it.
OWNER_LIMIT = 30
# The line of the owners (and unowned items) in no team of [teams].
NO_TEAM = "(no team)"
RECENT_LIMIT = 15
REPEATS_LIMIT = 20

# What the dashboard adds to the report's style sheet: a navigation line, the empty page.
_EXTRA_CSS = """
nav.top { font-size: 14px; margin-bottom: 8px; } nav.top a { margin-right: 12px; }
.empty { background: #eef5fb; border: 1px solid #b6d3ea; border-radius: 8px; padding: 12px 20px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0 0; }
.facts dt { font-weight: 600; } .facts dd { margin: 0; overflow-wrap: anywhere; }
td.day { white-space: nowrap; } code { font-size: 14px; overflow-wrap: anywhere; }
details { margin: 4px 0 8px; } summary { cursor: pointer; color: #0b5cad; }
@media (max-width: 600px) {
  .card { flex-basis: 130px; padding: 8px 10px; } .glance { padding: 4px 12px 12px; }
  .facts { grid-template-columns: 1fr; } .facts dd { margin-bottom: 6px; }
  table.stack thead { display: none; }
  table.stack tr { display: block; border: 1px solid #d0d7de; margin-bottom: 8px; padding: 4px 0; }
  table.stack td { display: block; position: relative; border: 0; padding: 2px 8px 2px 104px;
    min-height: 1.6em; }
  table.stack td:empty { display: none; }
  table.stack td::before { content: attr(data-label); position: absolute; left: 8px; width: 90px;
    font-weight: 600; }
  table.stack td.num { text-align: left; } }
"""


@cache
def environment() -> Environment:
    """The templates, loaded once per process (the first page pays for it, not the import).
    Autoescaped: item texts and titles come from documents anyone may write."""
    env = Environment(
        loader=PackageLoader("cli.serve", "templates"),
        autoescape=select_autoescape(),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["css"] = Markup(CSS + _EXTRA_CSS)
    env.globals["no_owner"] = NO_OWNER
    env.filters["pm_href"] = postmortem_href
    env.filters["long_date"] = long_date
    env.filters["category"] = category_label
    return env


def postmortem_href(key: str) -> str:
    """The dashboard's address of a postmortem. Every reserved character is quoted, ``/``
    too: a key such as ``ops/../x.md`` must not read as path segments a browser would fold."""
    return "/postmortems/" + quote(key, safe="")


def web_href(url: str | None) -> str | None:
    """A stored address usable as a link: http(s) only (never ``javascript:`` or a file)."""
    return url if url and url.startswith(("https://", "http://")) else None


def _ticket_href(url: str | None, ticket: str | None, settings: Settings) -> str | None:
    """The address recorded with the ticket's link, else one made from the configuration for
    a reference written in the document (as the weekly report links it), else none."""
    return web_href(url) or web_href(ticket_url(first_ref(ticket), settings))


@dataclass(frozen=True)
class Linked:
    """An item (an ``OverdueRow`` or a ``pmt show`` ``ItemDetail``) and its ticket's address."""

    row: Any
    ticket_href: str | None


# ---------------------------------------------------------------------------------------------
# The home page


@dataclass(frozen=True)
class OwnerCount:
    """One owner's line: overdue and open items (the same person's spellings merged)."""

    owner: str
    overdue: int
    # None for the "(no owner)" line: nobody's open items are not counted.
    open: int | None


def home_page(store: Store, settings: Settings, today: date) -> str:
    """The dashboard: overdue by owner, completion over 12 weeks, recurring causes, recent
    postmortems, all as of ``today`` (in the configured time zone). An empty store gets a
    page saying how to fill it, not an error."""
    template = environment().get_template("home.html")
    if store.is_empty():
        return template.render(empty=True, today=today, title="pmt dashboard")
    from tracker.causes.report import causes_report, default_period
    from tracker.queries import count_postmortems, list_postmortems, overdue_page

    with store.reading() as conn:
        page = overdue_page(conn, today, OVERDUE_LIMIT)
        owners = overdue_by_owner(conn, settings, today, page.total)
        history = completion_history(conn, settings.timezone, today)
        recent = list_postmortems(conn, today, RECENT_LIMIT)
        postmortems = count_postmortems(conn)
    causes = causes_report(
        store, settings, default_period(today, None, None), today, repeats_limit=REPEATS_LIMIT
    )
    return template.render(
        empty=False,
        title="pmt dashboard",
        today=today,
        timezone=settings.timezone,
        overdue_total=page.total,
        overdue=[Linked(r, _ticket_href(r.ticket_url, r.ticket, settings)) for r in page.rows],
        owners=owners[:OWNER_LIMIT],
        people=sum(1 for o in owners if o.open is not None),
        owners_more=len(owners) - len(owners[:OWNER_LIMIT]),
        teams=overdue_by_team(owners, settings.teams),
        history=history,
        history_chart=history_chart(history, today),
        causes=causes,
        causes_chart=causes_chart(causes),
        recent=recent,
        postmortems=postmortems,
    )


def overdue_by_owner(
    conn: Connection, settings: Settings, today: date, total: int
) -> list[OwnerCount]:
    """Owners with overdue items, most first, as ``pmt owners`` counts them; the items without
    an owner (the total less everyone's) last, as one "(no owner)" line."""
    from tracker.owners import owners

    lines = [
        OwnerCount(o.owner, o.overdue, o.open) for o in owners(conn, settings, today) if o.overdue
    ]
    unowned = total - sum(o.overdue for o in lines)
    if unowned > 0:
        lines.append(OwnerCount(NO_OWNER, unowned, None))
    return lines


def overdue_by_team(owners: list[OwnerCount], teams: dict[str, list[str]]) -> list[OwnerCount]:
    """``[teams]``'s teams with overdue items, most first, from the owners' lines; the owners in
    no team last, as one "(no team)" line. Empty when no team is configured."""
    from tracker.people import team_of

    if not teams:
        return []
    counts: dict[str, int] = {}
    for line in owners:
        team = team_of(None if line.open is None else line.owner, teams) or NO_TEAM
        counts[team] = counts.get(team, 0) + line.overdue
    ranked = sorted(
        (OwnerCount(team, n, None) for team, n in counts.items() if team != NO_TEAM and n),
        key=lambda t: (-t.overdue, t.owner),
    )
    if counts.get(NO_TEAM):
        ranked.append(OwnerCount(NO_TEAM, counts[NO_TEAM], None))
    return ranked


def history_chart(points: list[WeekPoint], today: date) -> Markup:
    """The weekly report's "open and done" chart (``tracker.reports.charts``), same series
    and colours: a reader of both sees one picture."""
    labels = [f"{p.start.day} {p.start:%b}" for p in points]
    ongoing = bool(points) and points[-1].end >= today
    desc = "; ".join(
        f"week of {label}: {p.open} open, {p.closed} done" for label, p in zip(labels, points)
    )
    chart = Chart(
        "chart-open-closed",
        title=f"Open and done action items, last {len(points)} weeks",
        desc="For each week: the action items still open at its end and those done during it. "
        + desc
        + (" (the last week so far)" if ongoing else ""),
        categories=labels,
        series=[
            Series("Open at the end of the week", [p.open for p in points], PALETTE[1]),
            Series("Done during the week", [p.closed for p in points], PALETTE[0]),
        ],
        x_label="Week starting on Monday",
        y_label="Action items",
    )
    return Markup(column_chart(chart))


def causes_chart(report: CausesReport) -> Markup | None:
    """Each category's postmortems in the period against the period before (None: none)."""
    if not report.categories:
        return None
    p, prev = report.period, report.previous
    chart = Chart(
        "chart-causes",
        title=f"Postmortems by root cause, {p.days} days and the {prev.days} before",
        desc="; ".join(
            f"{c.title}: {c.count} from {p.since} to {p.until}, {c.previous_count} before"
            for c in report.categories
        ),
        categories=[c.title for c in report.categories],
        series=[
            Series(f"{p.since} to {p.until}", [c.count for c in report.categories], PALETTE[1]),
            Series(
                f"{prev.since} to {prev.until}",
                [c.previous_count for c in report.categories],
                PALETTE[0],
            ),
        ],
        x_label="Postmortems",
        y_label="Cause",
    )
    return Markup(bar_chart(chart))


# ---------------------------------------------------------------------------------------------
# A postmortem's page


def postmortem_page(store: Store, settings: Settings, key: str) -> str | None:
    """``pmt show``'s postmortem as a page: its facts, then each item with its owner, due
    date, state and ticket. None when the store has no postmortem ``key`` (a 404)."""
    from cli.context import today
    from tracker.queries import find_postmortem, postmortem_detail

    day = today(settings)
    with store.session(write=False) as session:
        detail = postmortem_detail(session, key, day)
        if detail is None:
            return None
        pm = detail.postmortem
        # The stored row for what ``pmt show`` leaves out: how long it lasted, its impact.
        row = find_postmortem(session, pm.key)
    return (
        environment()
        .get_template("postmortem.html")
        .render(
            title=pm.title or pm.key,
            today=day,
            pm=pm,
            duration=duration(row.duration_minutes if row else None),
            impact=row.impact if row else None,
            items=[Linked(i, _ticket_href(i.ticket_url, i.ticket, settings)) for i in detail.items],
            tracking=[(t, web_href(t.url)) for t in detail.tickets if t.role == "tracking"],
            overdue=sum(1 for i in detail.items if i.overdue),
        )
    )


# ---------------------------------------------------------------------------------------------
