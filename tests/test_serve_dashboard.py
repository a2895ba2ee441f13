"""The dashboard of ``pmt serve`` (``cli.serve.dashboard``): what its pages say, and what a
browser makes of them.

The store is the weekly report's (``tests/report_data.py``: New York, Tuesday 1 December 2026)
plus one hostile postmortem whose key holds a ``/``, a space and a ``#``, whose texts hold
markup, and whose ticket address is ``javascript:``. The figures are checked against the
commands' own functions (``completion_history`` against the weekly report's history).

The browser tests open the rendered pages as files in headless Chromium, with the fixture and
the skip / ``PMT_TEST_REQUIRE_CHROMIUM`` logic of ``tests/test_report_html.py``. Chromium's
NetLog tells a request a page made (its initiator is the page) from the browser's own
background requests; every request is sent to a closed port on 127.0.0.1 (a proxy nobody
serves), so nothing leaves the machine even when a page would leak.
"""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cli.serve import dashboard
from cli.serve.dashboard import home_page, postmortem_href, postmortem_page
from tests.report_data import ZONE, at, fill, sqlite_store_fixture  # noqa: F401 (fixture)
from tests.test_report_html import (  # noqa: F401 (fixture)
    _screenshot,
    chromium,
    page_width,
    parse,
)
from tracker.config import Settings
from tracker.reports.history import completion_history
from tracker.reports.period import iso_week, local_midnight
from tracker.reports.weekly import build_weekly_report
from tracker.store import Store
from tracker.store.tables import ItemRow, PostmortemRow, TicketLinkRow

TODAY = date(2026, 12, 1)  # Tuesday of 2026-W49, as in tests/report_data.py
SETTINGS = Settings(timezone=ZONE)
EVIL_KEY = "ops/2026-11-30 evil#1.md"
EVIL_HREF = "/postmortems/ops%2F2026-11-30%20evil%231.md"
EVIL_TEXT = "<script>alert(1)</script> & fix"


def add_hostile(store: Store) -> None:
    """A postmortem written to break the page: markup in its texts, a ``javascript:`` ticket."""
    with store.session() as s:
        pm = PostmortemRow(
            key=EVIL_KEY,
            path="postmortems/ops/evil.md",
            title='<b>Evil</b> & "co"',
            incident_date=date(2026, 11, 30),
            root_cause="<script>alert('root')</script> in the config",
            cause_category="config_change",
            created_at=at("2026-11-30 12:00"),
        )
        s.add(pm)
        s.flush()
        item = ItemRow(
            postmortem_id=pm.id or 0,
            uid="e1",
            text=EVIL_TEXT,
            owner="mallory",
            due=date(2026, 11, 29),
            position=0,
            created_at=at("2026-11-30 12:00"),
        )
        s.add(item)
        s.flush()
        s.add(
            TicketLinkRow(
                item_id=item.id,
                postmortem_id=pm.id or 0,
                tracker="jira",
                key="OPS-9",
                url="javascript:alert(2)",
                state="open",
            )
        )


@pytest.fixture
def filled(store: Store) -> Store:
    fill(store)
    add_hostile(store)
    return store


class _Tables(HTMLParser):
    """Each table's rows (by the table's id) as lists of cell texts, and every link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.links: list[tuple[str, str]] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        data = dict(attrs)
        if tag == "table":
            self._table = data.get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag == "td" and self._table is not None:
            self._cell = []
        elif tag == "a":
            self._href, self._text = data.get("href") or "", []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag == "td" and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._text).split()), self._href))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._href is not None:
            self._text.append(data)

    def rows(self, table: str) -> list[list[str]]:
        return [r for r in self.tables[table] if r]  # the header row has no <td>


def tables(html: str) -> _Tables:
    found = _Tables()
    found.feed(html)
    return found


# --- the pages' content ----------------------------------------------------------------------


def test_overdue_by_owner_most_first_with_links(filled: Store) -> None:
    page = tables(home_page(filled, SETTINGS, TODAY))
    # bob: a2 (3 days) and b4 (16); dave: c1 (80); mallory: e1 (2); b3 has no owner (30).
    # b1 is past due but its ticket is closed. Open counts: bob a2, b1, b4.
    assert page.rows("owners") == [
        ["bob", "2", "3"],
        ["dave", "1", "1"],
        ["mallory", "1", "1"],
        ["(no owner)", "1", ""],
    ]
    items = page.rows("overdue-items")  # by owner, then the oldest due date
    assert [(r[0], r[1], r[3]) for r in items] == [
        ("Cache negative answers", "bob", "16"),
        ("Alert on payment error rate", "bob", "3"),
        ("Monitor certificate expiry", "dave", "80"),
        (EVIL_TEXT, "mallory", "2"),
        ("Document the resolver setup", "(no owner)", "30"),
    ]
    assert items[1][2] == "2026-11-28" and items[1][5] == "acme/ops#12 (open)"
    links = dict(page.links)
    assert links["acme/ops#12"] == "https://github.com/acme/ops/issues/12"
    assert links["Checkout outage"] == "/postmortems/2026-11-24-checkout.md"
    assert links['<b>Evil</b> & "co"'] == EVIL_HREF
    # The javascript: address is shown as text, never linked.
    assert "OPS-9" not in links and "OPS-9 (open)" in items[3][5]


def test_overdue_by_team_when_teams_are_configured(filled: Store) -> None:
    assert "teams" not in tables(home_page(filled, SETTINGS, TODAY)).tables  # none configured
    teams = SETTINGS.model_copy(update={"teams": {"payments": ["@Bob"], "infra": ["dave"]}})
    page = tables(home_page(filled, teams, TODAY))
    # bob's 2 (written "@Bob" in [teams]), dave's 1; mallory and the unowned item in no team.
    assert page.rows("teams") == [["payments", "2"], ["infra", "1"], ["(no team)", "2"]]


def test_completion_history_is_the_weekly_reports(filled: Store) -> None:
    add_history_edges(filled)
    zone = ZoneInfo(ZONE)
    for today in (TODAY, date(2026, 11, 29), date(2027, 2, 14)):
        week = iso_week("{}-W{:02d}".format(*today.isocalendar()[:2]), ZONE)
        end_of_today = local_midnight(today + timedelta(days=1), zone) - timedelta(microseconds=1)
        with filled.session(write=False) as session:
            expected = build_weekly_report(session, SETTINGS, week, now=end_of_today).history
        with filled.reading() as conn:
            assert completion_history(conn, SETTINGS.timezone, today) == expected, today
    assert [w.week for w in expected][-1] == "2027-W06"


def add_history_edges(store: Store) -> None:
    """What the history must count as the report does: a removed postmortem's items, an item
    already done when first read, one done before its incident, one closed by its ticket."""
    with store.session() as s:
        gone = PostmortemRow(
            key="gone.md",
            path="postmortems/gone.md",
            incident_date=date(2026, 10, 20),
            created_at=at("2026-10-21 09:00"),
            removed_at=at("2026-11-10 09:00"),
        )
        early = PostmortemRow(
            key="early.md", path="postmortems/early.md", created_at=at("2026-09-01 09:00")
        )
        s.add_all([gone, early])
        s.flush()
        rows = [
            ItemRow(postmortem_id=gone.id or 0, uid="g1", text="g1", position=0, created_at=at("2026-10-21 09:00")),
            ItemRow(postmortem_id=early.id or 0, uid="u1", text="u1", position=0, status="done", created_at=at("2026-09-01 09:00")),
            ItemRow(postmortem_id=early.id or 0, uid="d1", text="d1", position=1, status="done", created_at=at("2026-11-01 09:00"), closed_at=at("2026-10-25 09:00")),
            ItemRow(postmortem_id=early.id or 0, uid="t1", text="t1", position=2, created_at=at("2026-09-01 09:00")),
            ItemRow(postmortem_id=early.id or 0, uid="r1", text="r1", position=3, status="removed", created_at=at("2026-09-01 09:00"), removed_at=at("2026-11-18 09:00")),
        ]  # fmt: skip
        s.add_all(rows)
        s.flush()
        s.add(
            TicketLinkRow(
                item_id=rows[3].id,
                postmortem_id=early.id or 0,
                tracker="github",
                key="acme/ops#99",
                state="closed",
                refreshed_at=at("2026-11-17 10:00"),
            )
        )


def test_completion_chart_draws_the_twelve_weeks(filled: Store) -> None:
    html = home_page(filled, SETTINGS, TODAY)
    dom = parse(html)
    with filled.reading() as conn:
        weeks = completion_history(conn, SETTINGS.timezone, TODAY)
    bars = dom.bars["chart-open-closed"]
    assert len(bars) == 24
    assert [b["data-value"] for b in bars[-2:]] == [str(weeks[-1].open), str(weeks[-1].closed)]
    assert dom.svg_titles["chart-open-closed"] == "Open and done action items, last 12 weeks"
    week_rows = tables(html).rows("weeks")
    assert week_rows[-1] == ["2026-W49", "2026-11-30", str(weeks[-1].open), str(weeks[-1].closed)]


def test_recurring_causes_as_pmt_causes_counts_them(filled: Store) -> None:
    from tracker.causes.report import causes_report, default_period

    html = home_page(filled, SETTINGS, TODAY)
    report = causes_report(filled, SETTINGS, default_period(TODAY, None, None), TODAY)
    assert report.categories, "the fixture has postmortems in the last 90 days"
    rows = tables(html).rows("categories")
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (c.title, str(c.count), str(c.previous_count)) for c in report.categories
    ]
    assert len(parse(html).bars["chart-causes"]) == 2 * len(report.categories)
    words = parse(html).words
    assert f"Incidents that repeated an earlier cause ({report.repeats_found})" in words
    for pair in report.pairs:
        assert postmortem_href(pair.key) in html and postmortem_href(pair.earlier_key) in html


def test_recent_postmortems_newest_first(filled: Store) -> None:
    page = tables(home_page(filled, SETTINGS, TODAY))
    assert [(r[0], r[1], r[3], r[4], r[5]) for r in page.rows("recent")] == [
        ('<b>Evil</b> & "co"', "2026-11-30", "1", "1", "1"),
        ("Checkout outage", "2026-11-24", "3", "2", "1"),
        ("Resolver timeouts", "2026-11-20", "0", "0", "0"),
        ("DNS resolution failures", "2026-10-02", "4", "3", "2"),
        ("Expired TLS certificate", "2026-08-15", "1", "1", "1"),
    ]
    assert ("Resolver timeouts", "/postmortems/2026-11-20-resolver.md") in page.links


def test_text_from_documents_is_escaped(filled: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cli.context.today", lambda settings: TODAY)
    for html in (home_page(filled, SETTINGS, TODAY), postmortem_page(filled, SETTINGS, EVIL_KEY)):
        assert html is not None
        assert "<script" not in html and "<b>Evil" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; fix" in html
        assert "&lt;b&gt;Evil&lt;/b&gt; &amp; &#34;co&#34;" in html
        assert "javascript:" not in html


def test_postmortem_page_lists_items_with_tickets(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cli.context.today", lambda settings: TODAY)
    html = postmortem_page(filled, SETTINGS, "2026-11-24-checkout.md")
    assert html is not None
    page = tables(html)
    words = parse(html).words
    for fact in (
        "Checkout outage",
        "Incident of Tuesday 24 November 2026, SEV1.",
        "Duration 1 h 35 min",
        "Impact Checkout failed for 30% of users",
        "Category Configuration change",
        "Root cause A feature flag change disabled the payment provider",
    ):
        assert fact in words
    # Removed items last (pmt show's order).
    assert [r[:4] for r in page.rows("item-table")] == [
        ["Add a guard to the flag service", "alice", "2026-11-27", "done"],
        ["Alert on payment error rate", "bob", "2026-11-28", "overdue (3 days)"],
        ["Write a runbook for flags", "alice", "2026-12-20", "open"],
        ["Dropped idea", "bob", "2026-11-27", "removed"],
    ]
    assert ("acme/ops#12", "https://github.com/acme/ops/issues/12") in page.links
    assert ("← All postmortems", "/") in page.links


def test_a_key_with_a_slash_opens_and_an_unknown_key_is_none(filled: Store) -> None:
    html = postmortem_page(filled, SETTINGS, EVIL_KEY)
    assert html is not None and "OPS-9 (open)" in parse(html).words
    assert postmortem_page(filled, SETTINGS, "no-such-postmortem.md") is None
    assert postmortem_page(filled, SETTINGS, "ops") is None


@pytest.mark.parametrize(
    ("key", "href"),
    [
        ("2026-11-24-checkout.md", "/postmortems/2026-11-24-checkout.md"),
        (EVIL_KEY, EVIL_HREF),
        ("../up.md", "/postmortems/..%2Fup.md"),  # never a dot segment a browser would fold
        ("INC-7?x=1", "/postmortems/INC-7%3Fx%3D1"),
    ],
)
def test_postmortem_href_quotes_the_key(key: str, href: str) -> None:
    assert postmortem_href(key) == href


def test_an_empty_store_gets_a_friendly_page(store: Store) -> None:
    html = home_page(store, SETTINGS, TODAY)
    words = parse(html).words
    assert "Nothing here yet" in words and "pmt ingest postmortems/" in words
    assert "As of Tuesday 1 December 2026." in words
    assert "<table" not in html and "Traceback" not in html


def test_templates_are_loaded_once_and_autoescape() -> None:
    env = dashboard.environment()
    assert env is dashboard.environment()
    assert env.from_string("{{ x }}").render(x="<i>") == "&lt;i&gt;"


# --- in a real browser ---------------------------------------------------------------------------

# Every request the browser makes goes to this proxy: a closed port on this machine.
NOWHERE = ["--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]


@pytest.fixture
def browser(chromium: list[str]) -> list[str]:  # noqa: F811 (the fixture imported above)
    """tests/test_report_html.py's Chromium command line (skipped, or failed in CI, without it)."""
    return chromium


@pytest.fixture
def pages(sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The home page, a postmortem's page and an empty store's page, written as files."""
    monkeypatch.setattr("cli.context.today", lambda settings: TODAY)
    empty = home_page(sqlite_store, SETTINGS, TODAY)
    fill(sqlite_store)
    add_hostile(sqlite_store)
    rendered = {
        "home": home_page(sqlite_store, SETTINGS, TODAY),
        "postmortem": postmortem_page(sqlite_store, SETTINGS, "2026-11-24-checkout.md"),
        "empty": empty,
    }
    paths = {}
    for name, html in rendered.items():
        assert html is not None
        paths[name] = tmp_path / f"dashboard-{name}.html"
        paths[name].write_text(html, encoding="utf-8")
    return paths


def browse(
    browser: list[str], url: str, tmp_path: Path, *, loopback: bool = False
) -> tuple[str, list[str], list[str]]:
    """Open ``url`` and dump its DOM: the DOM, the requests pages made (from the NetLog: a
    request whose initiator is a page, not the browser's own "not an origin"), and what the
    pages wrote to the console (errors and uncaught exceptions included). ``loopback``: this
    machine's servers are reachable (a page served by a test's server); nothing else is."""
    netlog = tmp_path / "netlog.json"
    nowhere = NOWHERE[:1] if loopback else NOWHERE
    result = subprocess.run(
        [*browser, *nowhere, f"--log-net-log={netlog}", "--enable-logging=stderr", "--v=0"]
        + ["--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    requested = [
        e["params"]["url"]
        for e in log["events"]
        if e["type"] == start_job
        and "url" in e.get("params", {})
        and e["params"].get("initiator") != "not an origin"
    ]
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return result.stdout, requested, console


@pytest.mark.parametrize("name", ["home", "postmortem", "empty"])
def test_chromium_loads_nothing_and_logs_nothing(
    pages: dict[str, Path], browser: list[str], tmp_path: Path, name: str
) -> None:
    dom, requested, console = browse(browser, pages[name].as_uri(), tmp_path)
    assert requested == []
    assert console == []
    assert "Postmortem follow-ups" in dom or "Checkout outage" in dom


def test_the_browser_checks_would_see_a_leak(browser: list[str], tmp_path: Path) -> None:
    """The checks above are not vacuous: a page that loads an image and throws is caught."""
    page = tmp_path / "leaky.html"
    page.write_text(
        '<!DOCTYPE html><img src="http://example.invalid/pixel.png">'
        "<script>console.error('boom'); missing();</script>",
        encoding="utf-8",
    )
    _, requested, console = browse(browser, page.as_uri(), tmp_path)
    assert requested == ["http://example.invalid/pixel.png"]
    assert any('"boom"' in line for line in console)
    assert any("Uncaught ReferenceError" in line for line in console)


def test_chromium_shows_the_dashboard(
    pages: dict[str, Path], browser: list[str], tmp_path: Path
) -> None:
    dom, _, _ = browse(browser, pages["home"].as_uri(), tmp_path)
    seen = parse(dom)
    for text in ("Overdue by owner (5)", "Monitor certificate expiry", EVIL_TEXT, "mallory"):
        assert text in seen.words
    assert len(seen.bars["chart-open-closed"]) == 24
    assert seen.bars["chart-causes"]
    assert tables(dom).rows("owners")[0] == ["bob", "2", "3"]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("name", ["home", "postmortem"])
def test_chromium_screenshots_at_desktop_and_phone_widths(
    pages: dict[str, Path], browser: list[str], tmp_path: Path, name: str, width: int
) -> None:
    target = tmp_path / f"dashboard-{name}-{width}px.png"
    image = _screenshot(browser, pages[name].as_uri(), width, target)
    # A blank or failed page has a handful of colours; text, tables and charts have hundreds.
    assert len(image.colours(step=2)) > 100
    dark = [
        x
        for y in range(0, image.height, 4)
        for x in range(0, image.width, 4)
        if max(image.pixel(x, y)) < 80
    ]
    # Text down the whole width used: the left margin is not the whole page.
    assert len(dark) > 300 and max(dark) > width // 2


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("name", ["home", "postmortem", "empty"])
def test_the_page_fits_the_screen_without_sideways_scrolling(
    pages: dict[str, Path], browser: list[str], tmp_path: Path, name: str, width: int
) -> None:
    """As tests/test_report_html.py measures it (``page_width``)."""
    html = pages[name].read_text(encoding="utf-8")
    scroll_width, inner_width = page_width(browser, html, width, tmp_path, tuple(NOWHERE))
    assert inner_width == width
    assert scroll_width <= inner_width, f"{scroll_width} px wide on a {inner_width} px screen"


def test_chromium_opens_the_dashboard_from_pmt_serve(
    sqlite_store: Store, browser: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages as people get them: over HTTP from a uvicorn server, nothing else loaded (on
    SQLite: the pages' queries run on both stores above)."""
    from cli.serve.app import build_app
    from tests.serve_server import running
    from tracker.config import Secrets

    filled = sqlite_store
    fill(filled)
    add_hostile(filled)
    monkeypatch.setattr("cli.serve.app.today", lambda settings: TODAY)
    monkeypatch.setattr("cli.context.today", lambda settings: TODAY)
    with running(build_app(filled, SETTINGS, Secrets())) as base:
        home, requested, console = browse(browser, f"{base}/", tmp_path, loopback=True)
        # The navigation itself is the browser's; the page asks for nothing more.
        assert requested == [] and console == []
        assert "Postmortem follow-ups" in home or "Overdue" in home
        href = postmortem_href("2026-11-24-checkout.md")
        page, requested, console = browse(browser, f"{base}{href}", tmp_path, loopback=True)
        assert requested == [] and console == []
        assert "Checkout outage" in page
