"""Building blocks of the HTML report: escaped text, tables, links and sections.

Text is escaped wherever it goes in; markup made here (a link) is wrapped in ``Raw`` so that
``table`` puts it in a cell as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def esc(value: object) -> str:
    """``value`` as text in HTML (None: nothing)."""
    return "" if value is None else escape(str(value))


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    numeric: Sequence[int] = (),
    caption: str | None = None,
    classes: Sequence[str] = (),
) -> str:
    """Cells are escaped unless they are ``Raw`` (links built here). A wide table scrolls
    sideways in its own box on a phone instead of widening the page."""
    out = ['<div class="scroll"><table>']
    if caption:
        out.append(f"<caption>{esc(caption)}</caption>")
    num = ' class="num"'
    out.append(
        "<thead><tr>"
        + "".join(
            f'<th scope="col"{num if i in numeric else ""}>{esc(h)}</th>'
            for i, h in enumerate(headers)
        )
        + "</tr></thead><tbody>"
    )
    for r, row in enumerate(rows):
        cls = f' class="{classes[r]}"' if r < len(classes) and classes[r] else ""
        cells = (f"<td{num if i in numeric else ''}>{as_html(c)}</td>" for i, c in enumerate(row))
        out.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


class Raw:
    """Markup made here, put in a page as it is."""

    def __init__(self, html: str) -> None:
        self.html = html


def link(text: object, url: str | None) -> object:
    """A link when there is a web address, else the text (escaped by ``table``)."""
    if url and url.startswith(("https://", "http://")):
        return Raw(f'<a href="{esc(url)}">{esc(text)}</a>')
    return text


def as_html(value: object) -> str:
    """A cell's content as HTML: ``Raw`` as it is, anything else escaped."""
    return value.html if isinstance(value, Raw) else esc(value)


def section(section_id: str, title: str, explain: str, body: str) -> str:
    return (
        f'<section id="{section_id}" aria-labelledby="{section_id}-h">\n'
        f'<h2 id="{section_id}-h">{esc(title)}</h2>\n'
        f'<p class="explain">{esc(explain)}</p>\n{body}\n</section>'
    )
