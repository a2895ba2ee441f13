"""The HTML report: one self-contained file, and what a browser actually shows of it.

The browser test opens the file in headless Chromium (Debian's ``chromium`` package, which
``.ci/run`` installs), reads back the DOM and a screenshot, and checks that the charts were
drawn: the expected number of bars in the DOM, and the charts' colours in the pixels. It takes
screenshots at a desktop's 1280 px and a phone's 390 px, and checks that the page fits a phone
(wide tables scroll in their own box). In CI (``.ci/run`` sets ``PMT_TEST_REQUIRE_CHROMIUM``)
a missing Chromium fails these tests instead of skipping them. ``PMT_TEST_ARTIFACTS=DIR`` keeps
the screenshots there.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests import png
from tests.report_data import NOW, ZONE, fill, sqlite_store_fixture  # noqa: F401 (fixture)
from tracker.config import Settings
from tracker.reports.period import iso_week
from tracker.reports.render_html import render_html
from tracker.reports.weekly import RepeatEntry, RepeatItem, WeeklyReport, build_weekly_report

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
# Read at import: the autouse fixture of tests/conftest.py clears PMT_* before each test.
REQUIRE_CHROMIUM = bool(os.environ.get("PMT_TEST_REQUIRE_CHROMIUM"))
ARTIFACTS = os.environ.get("PMT_TEST_ARTIFACTS")
VERMILLION = (0xD5, 0x5E, 0x00)  # "open at the end of the week", "last 90 days"
BLUE = (0x00, 0x72, 0xB2)  # "done during the week", "the 90 days before"


def _repeats(session, settings, period, as_of) -> list[RepeatEntry]:
    return [
        RepeatEntry(
            "2026-11-20-resolver.md",
            "Resolver timeouts",
            None,
            "2026-10-02-dns.md",
            "DNS resolution failures",
            None,
            "network_dns",
            0.71,
            "follow_up_never_done",
            [
                RepeatItem("Cache negative answers", "bob", "overdue"),
                RepeatItem("Second DNS provider", "bob", "done"),
            ],
        ),
    ]


@pytest.fixture
def report(sqlite_store) -> WeeklyReport:
    fill(sqlite_store)
    with sqlite_store.session(write=False) as session:
        return build_weekly_report(
            session,
            Settings(timezone=ZONE),
            iso_week("2026-W48", ZONE),
            now=NOW,
            find_repeats=_repeats,
        )


_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}


class _Dom(HTMLParser):
    """Counts elements per enclosing chart and collects the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.bars: dict[str, list[dict[str, str | None]]] = {}
        self.svg_titles: dict[str, str] = {}
        self.text: list[str] = []
        self.tags: list[str] = []
        self.attrs_seen: list[tuple[str, str, str | None]] = []

    def _chart(self) -> str | None:
        return next((a.get("id") for t, a in reversed(self.stack) if t == "svg"), None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        data = dict(attrs)
        self.tags.append(tag)
        self.attrs_seen += [(tag, k, v) for k, v in attrs]
        chart = self._chart()
        if tag == "rect" and chart and "bar" in (data.get("class") or "").split():
            self.bars.setdefault(chart, []).append(data)
        if tag not in _VOID:
            self.stack.append((tag, data))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <rect .../>: counted like an opening tag, but nothing is left open.
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            top, _ = self.stack.pop()
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        inside = [t for t, _ in self.stack]
        if "style" in inside or "head" in inside and "title" not in inside:
            return
        if inside and inside[-1] == "title" and self._chart():
            self.svg_titles.setdefault(self._chart() or "", data)
        self.text.append(data)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def parse(html: str) -> _Dom:
    dom = _Dom()
    dom.feed(html)
    return dom


def test_html_is_self_contained(report: WeeklyReport) -> None:
    html = render_html(report)
    dom = parse(html)
    assert "script" not in dom.tags and "link" not in dom.tags and "img" not in dom.tags
    # No attribute loads anything: the only URLs are the ticket links people may click.
    for tag, name, value in dom.attrs_seen:
        if name in ("src", "srcset", "xlink:href") or (name == "href" and tag != "a"):
            pytest.fail(f"<{tag} {name}={value!r}> would load something")
    assert {v for t, n, v in dom.attrs_seen if t == "a" and n == "href"} == {
        "https://github.com/acme/ops/issues/12"
    }
    assert "@import" not in html and "url(" not in html


def test_html_reads_plainly_and_draws_both_charts(report: WeeklyReport) -> None:
    dom = parse(render_html(report))
    words = dom.words
    # The summary comes first, in sentences.
    assert words.index("At a glance") < words.index("New postmortems")
    assert "2 new postmortems this week." in words
    assert "4 items are overdue as of Tuesday 1 December 2026. The most are with bob (2)." in words
    assert "Deadlines: 1 of 3 items due this week done on time (33%)." in words
    # Twelve weeks, two bars each; three causes, two windows each.
    assert len(dom.bars["chart-open-closed"]) == 24
    assert [b["data-value"] for b in dom.bars["chart-open-closed"][-2:]] == ["5", "3"]
    assert len(dom.bars["chart-causes"]) == 6
    assert dom.svg_titles["chart-open-closed"] == "Open and done action items, last 12 weeks"
    assert dom.svg_titles["chart-causes"].startswith("Incidents by cause")
    assert "Week starting on Monday" in words and "Action items" in words
    # Repeats are told apart in plain words.
    assert "The earlier follow-up was never done (1)" in words
    assert "The fix did not hold (0)" in words
    assert "Resolver timeouts repeats DNS resolution failures (similarity 0.71)" in words


def test_text_is_escaped(report: WeeklyReport) -> None:
    from dataclasses import replace

    evil = replace(report, title="<script>alert(1)</script> & co")
    html = render_html(evil)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html


# --- in a real browser ---------------------------------------------------------------------------


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[list[str]]:
    if CHROMIUM is None:
        if REQUIRE_CHROMIUM:
            pytest.fail(
                "chromium is not installed, and CI requires the browser test (.ci/run installs it)"
            )
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run installs it)")
    profile = tmp_path / "chromium-profile"
    yield [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ]


def test_chromium_renders_the_report(
    report: WeeklyReport, chromium: list[str], tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    url = page.as_uri()

    dom = subprocess.run(
        [*chromium, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=False
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    seen = parse(dom.stdout)
    assert "Postmortem follow-ups: week 2026-W48" in seen.words
    assert "2 new postmortems this week." in seen.words
    assert "Monitor certificate expiry" in seen.words
    assert len(seen.bars["chart-open-closed"]) == 24
    assert len(seen.bars["chart-causes"]) == 6
    # The browser laid the bars out: the tallest weekly bar (5 items) is 5/3 of the 3-item one.
    last_two = seen.bars["chart-open-closed"][-2:]
    heights = [float(b["height"] or 0) for b in last_two]
    assert heights[0] == pytest.approx(heights[1] * 5 / 3, rel=0.01)

    shot = tmp_path / "report.png"
    result = subprocess.run(
        [*chromium, f"--screenshot={shot}", "--window-size=1200,2000", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    data = shot.read_bytes()
    assert png.size(data) == (1200, 2000)
    image = png.read(data)
    colours = image.colours(step=2)
    # A blank or failed page has a handful of colours; text, tables and charts have hundreds.
    assert len(colours) > 200, len(colours)
    # Both series of the 12-week chart (near the top of the page) were painted.
    assert VERMILLION in colours and BLUE in colours
    # The page is not all background: plenty of dark text pixels.
    dark = sum(
        1
        for y in range(0, image.height, 4)
        for x in range(0, image.width, 4)
        if max(image.pixel(x, y)) < 80
    )
    assert dark > 500, dark


def test_chromium_dump_has_no_network_errors(
    report: WeeklyReport, chromium: list[str], tmp_path: Path
) -> None:
    """Chromium logs every failed load; a self-contained page causes none."""
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    result = subprocess.run(
        [*chromium, "--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0
    failures = [
        line
        for line in result.stderr.splitlines()
        if re.search(r"net::ERR_|Failed to load resource", line)
    ]
    assert failures == []


def _screenshot(chromium: list[str], url: str, width: int, target: Path) -> png.Image:
    result = subprocess.run(
        [
            *chromium,
            f"--screenshot={target}",
            f"--window-size={width},2400",
            "--hide-scrollbars",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0 and target.exists(), result.stderr[-2000:]
    data = target.read_bytes()
    assert png.size(data) == (width, 2400)
    if ARTIFACTS:
        Path(ARTIFACTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(target, Path(ARTIFACTS) / target.name)
    return png.read(data)


@pytest.mark.parametrize("width", [1280, 390])
def test_chromium_screenshots_at_desktop_and_phone_widths(
    report: WeeklyReport, chromium: list[str], tmp_path: Path, width: int
) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    image = _screenshot(chromium, page.as_uri(), width, tmp_path / f"report-{width}px.png")
    colours = image.colours(step=2)
    assert len(colours) > 200, len(colours)
    # The 12-week chart was painted in both series' colours within the first 2400 px.
    assert VERMILLION in colours and BLUE in colours
    # Text down the whole width used: the left margin is not the whole page.
    dark = [
        x
        for y in range(0, image.height, 4)
        for x in range(0, image.width, 4)
        if max(image.pixel(x, y)) < 80
    ]
    assert len(dark) > 500 and max(dark) > width // 2


@pytest.mark.parametrize("width", [1280, 390])
def test_the_page_fits_the_screen_without_sideways_scrolling(
    report: WeeklyReport, chromium: list[str], tmp_path: Path, width: int
) -> None:
    """Measured in the browser: the page is put in a frame as wide as the screen (headless
    windows are at least 500 px wide), and a script in a copy of it reports its width."""
    scroll_width, inner_width = page_width(chromium, render_html(report), width, tmp_path)
    assert inner_width == width
    assert scroll_width <= inner_width, (
        f"the page is {scroll_width} px wide on a {inner_width} px screen"
    )


def page_width(
    chromium: list[str], html: str, width: int, tmp_path: Path, flags: tuple[str, ...] = ()
) -> tuple[int, int]:
    """(the page's width, the screen's) as the browser lays ``html`` out on a screen ``width``
    px wide: a copy of the page with a script that reports its width, in a frame that wide
    (headless windows are at least 500 px wide)."""
    probe = html.replace(
        "</body>",
        "<script>parent.postMessage(document.documentElement.scrollWidth + '/' + window.innerWidth, '*')"
        "</script></body>",
    )
    (tmp_path / "probe.html").write_text(probe, encoding="utf-8")
    host = tmp_path / "host.html"
    host.write_text(
        '<!DOCTYPE html><html><body style="margin:0">'
        f'<iframe src="probe.html" style="width:{width}px;height:1200px;border:0"></iframe>'
        '<script>addEventListener("message", e => document.body.setAttribute("data-measured", e.data))</script>'
        "</body></html>",
        encoding="utf-8",
    )
    result = subprocess.run(
        [*chromium, *flags, f"--window-size={max(width, 800)},1200"]
        + ["--virtual-time-budget=5000", "--dump-dom", host.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    measured = re.search(r'data-measured="(\d+)/(\d+)"', result.stdout)
    assert measured, result.stdout[-2000:]
    scroll_width, inner_width = map(int, measured.groups())
    return scroll_width, inner_width
