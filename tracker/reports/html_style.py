"""The HTML report's style sheet, inline in the page (no network): readable on a desktop, a
phone (wide tables scroll in their own box) and paper."""

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f8fa; color: #1f2328;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 48px; background: #ffffff; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 36px 0 6px; padding-bottom: 4px; border-bottom: 2px solid #d0d7de; }
h3 { font-size: 17px; margin: 20px 0 6px; }
h4 { font-size: 16px; margin: 14px 0 4px; }
p.period, p.explain, footer { color: #424a53; }
p.explain { margin: 0 0 12px; font-size: 15px; }
.glance { background: #eef5fb; border: 1px solid #b6d3ea; border-radius: 8px; padding: 4px 20px 12px; }
.glance h2 { border: 0; margin-top: 12px; }
.glance ul { margin: 8px 0 0; padding-left: 22px; font-size: 17px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 8px; }
.card { flex: 1 1 180px; background: #ffffff; border: 1px solid #d0d7de; border-left: 6px solid #0072B2;
  border-radius: 6px; padding: 10px 14px; }
.card.alert { border-left-color: #D55E00; }
.card .num { display: block; font-size: 32px; font-weight: 700; line-height: 1.1; }
.card .what { display: block; font-size: 14px; color: #424a53; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 4px; font-size: 14px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid #d0d7de; padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #f0f3f6; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafbfc; }
tr.total td { font-weight: 700; background: #eef5fb; }
.late { color: #a0340b; font-weight: 600; }
.chart { display: block; width: 100%; max-width: 980px; height: auto; margin: 8px 0; }
.note { font-size: 14px; color: #424a53; }
ul.repeats li { margin-bottom: 6px; }
a { color: #0b5cad; }
.scroll { overflow-x: auto; max-width: 100%; }
footer { margin-top: 40px; font-size: 13px; border-top: 1px solid #d0d7de; padding-top: 8px; }
@media (max-width: 600px) { main { padding: 12px 10px 32px; } h1 { font-size: 22px; }
  .card .num { font-size: 26px; } table { font-size: 13px; } }
@media print { body { background: #ffffff; } main { padding: 0; } .glance { break-inside: avoid; } }
"""
