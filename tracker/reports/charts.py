"""Charts drawn as inline SVG, so that an HTML report opens anywhere without scripts or network.

Every chart carries a ``<title>`` and a ``<desc>`` (read by screen readers and shown by
browsers as a tooltip), axis titles, a legend, and the value written next to each bar, so that
colour is never the only way to tell the series apart. The palette is Okabe and Ito's, which
stays distinguishable for the common forms of colour blindness.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Okabe-Ito: blue, vermillion, bluish green, reddish purple, sky blue.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9")
INK = "#1f2328"
GRID = "#d0d7de"
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\""


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int | float]
    colour: str


@dataclass(frozen=True)
class Chart:
    """What a chart shows: ``chart_id`` names its element in the page; ``desc`` says in words
    what it shows (for screen readers); one value per category in each series."""

    chart_id: str
    title: str
    desc: str
    categories: Sequence[str]
    series: Sequence[Series]
    x_label: str
    y_label: str
    width: int = 760


def nice_ticks(maximum: float, target: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``maximum`` (1, 2 or 5 times a power of ten)."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / target
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if step < 1 and maximum >= 1:
        step = 1.0
    top = math.ceil(maximum / step) * step
    count = round(top / step)
    return [round(i * step, 6) for i in range(count + 1)]


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _start(
    chart: Chart, height: int, left: int, length: float
) -> tuple[list[str], list[float], float]:
    """The chart's opening lines (title, description, background, the legend from ``left``),
    the ticks of its value axis and the scale of a value on an axis ``length`` long."""
    peak = max((v for s in chart.series for v in s.values), default=0)
    ticks = nice_ticks(float(peak))
    lines = _header(chart.chart_id, chart.width, height, chart.title, chart.desc)
    return lines + _legend(chart.series, left, 48), ticks, length / ticks[-1]


def _header(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" id="{chart_id}" class="chart" role="img" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" {FONT}>'
        ),
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        (
            f'<text x="{width / 2:.0f}" y="24" text-anchor="middle" font-size="17" '
            f'font-weight="600" fill="{INK}">{escape(title)}</text>'
        ),
    ]


def _legend(series: Sequence[Series], x: float, y: float) -> list[str]:
    out = ['<g class="legend">']
    for s in series:
        out.append(
            f'<rect x="{x:.1f}" y="{y - 11:.1f}" width="14" height="14" fill="{s.colour}" rx="2"/>'
        )
        out.append(
            f'<text x="{x + 20:.1f}" y="{y:.1f}" font-size="13" fill="{INK}">{escape(s.name)}</text>'
        )
        x += 28 + 7.2 * len(s.name)
    out.append("</g>")
    return out


def column_chart(chart: Chart, height: int = 360) -> str:
    """Vertical bars, one group per category (e.g. one per week), one bar per series."""
    categories, series, width = chart.categories, chart.series, chart.width
    left, right, top, bottom = 64, 16, 64, 70
    plot_w, plot_h = width - left - right, height - top - bottom
    out, ticks, scale = _start(chart, height, left, plot_h)
    out.append('<g class="y-axis">')
    for t in ticks:
        y = top + plot_h - t * scale
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        out.append(
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{_fmt(t)}</text>'
        )
    out.append("</g>")
    group_w = plot_w / max(len(categories), 1)
    bar_w = min(26.0, group_w * 0.8 / max(len(series), 1))
    out.append('<g class="bars">')
    for i, category in enumerate(categories):
        gx = left + i * group_w + (group_w - bar_w * len(series)) / 2
        for j, s in enumerate(series):
            value = s.values[i]
            h = value * scale
            x = gx + j * bar_w
            y = top + plot_h - h
            out.append(
                f'<rect class="bar" data-series="{escape(s.name)}" data-value="{_fmt(value)}" '
                f'x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                f'fill="{s.colour}"><title>{escape(category)}: {_fmt(value)} '
                f"{escape(s.name.lower())}</title></rect>"
            )
            if value:
                out.append(
                    f'<text x="{x + (bar_w - 2) / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                    f'font-size="10" fill="{INK}">{_fmt(value)}</text>'
                )
        out.append(
            f'<text x="{left + (i + 0.5) * group_w:.1f}" y="{top + plot_h + 18:.1f}" '
            f'text-anchor="middle" font-size="11" fill="{INK}">{escape(category)}</text>'
        )
    out.append("</g>")
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="{INK}"/>'
    )
    out.append(
        f'<text class="axis-title" x="{left + plot_w / 2:.0f}" y="{height - 14}" '
        f'text-anchor="middle" font-size="13" fill="{INK}">{escape(chart.x_label)}</text>'
    )
    mid = top + plot_h / 2
    out.append(
        f'<text class="axis-title" x="18" y="{mid:.0f}" text-anchor="middle" font-size="13" '
        f'fill="{INK}" transform="rotate(-90 18 {mid:.0f})">{escape(chart.y_label)}</text>'
    )
    out.append("</svg>")
    return "\n".join(out)


def bar_chart(chart: Chart) -> str:
    """Horizontal bars, one group per category: suits long labels such as cause names."""
    categories, series, width = chart.categories, chart.series, chart.width
    left, right, top, bottom = 210, 40, 64, 56
    row_h = 14 * len(series) + 14
    plot_h = max(len(categories), 1) * row_h
    height = top + plot_h + bottom
    plot_w = width - left - right
    out, ticks, scale = _start(chart, height, left, plot_w)
    out.append('<g class="x-axis">')
    for t in ticks:
        x = left + t * scale
        out.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="{GRID}"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="12" '
            f'fill="{INK}">{_fmt(t)}</text>'
        )
    out.append("</g>")
    out.append('<g class="bars">')
    for i, category in enumerate(categories):
        gy = top + i * row_h + 7
        out.append(
            f'<text x="{left - 8}" y="{gy + 7 * len(series) + 4:.1f}" text-anchor="end" '
            f'font-size="13" fill="{INK}">{escape(category)}</text>'
        )
        for j, s in enumerate(series):
            value = s.values[i]
            y = gy + j * 14
            w = value * scale
            out.append(
                f'<rect class="bar" data-series="{escape(s.name)}" data-value="{_fmt(value)}" '
                f'x="{left}" y="{y:.1f}" width="{w:.1f}" height="12" fill="{s.colour}">'
                f"<title>{escape(category)}, {escape(s.name.lower())}: {_fmt(value)}</title></rect>"
            )
            out.append(
                f'<text x="{left + w + 4:.1f}" y="{y + 10:.1f}" font-size="11" '
                f'fill="{INK}">{_fmt(value)}</text>'
            )
    out.append("</g>")
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{INK}"/>')
    out.append(
        f'<text class="axis-title" x="{left + plot_w / 2:.0f}" y="{height - 12}" '
        f'text-anchor="middle" font-size="13" fill="{INK}">{escape(chart.x_label)}</text>'
    )
    out.append(
        f'<text class="axis-title" x="{left - 8}" y="{top - 6}" text-anchor="end" '
        f'font-size="13" fill="{INK}">{escape(chart.y_label)}</text>'
    )
    out.append("</svg>")
    return "\n".join(out)
