"""Markdown postmortems in, ``tracker.models.Postmortem`` out.

    parse_text(text, path="<text>", settings=None) -> Postmortem   never raises on any text
    parse_file(path, settings=None) -> Postmortem                   InputError / ParseError

The document is tokenised once by markdown-it-py (CommonMark + tables, block phase only), walked
once into blocks with line numbers (``blocks``), arranged into sections classified by meaning
(``sections``), and read: action items and takeaways (``items`` with ``fields``), the timeline
(``timeline``) and the incident's metadata (``metadata``). markdown-it is imported on first
use, not when this package is imported (``pmt --help`` never loads it).

Module map. Structure: ``frontmatter``, ``blocks`` (``html``), ``sections`` (``headings``,
``plain_headings``). Action items: ``items`` over ``item_walk``, ``item_lists``,
``item_tables``, ``item_prose``; one item's text: ``fields`` over ``status``, ``owners``,
``priority``, ``tickets`` (the one ticket-reference grammar), ``tense``, ``cleanup``. The
incident: ``metadata`` over ``summary``, ``incident_times``, ``root_cause``, and ``timeline``.
Shared grammar: ``dates``, ``zones``, ``vocabulary``.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.errors import InputError, ParseError
from tracker.models import Postmortem, Section
from tracker.parsing import frontmatter, items, metadata, sections, timeline
from tracker.parsing.blocks import tokenize as blocks_of
from tracker.parsing.fields import Context
from tracker.parsing.vocabulary import words

if TYPE_CHECKING:
    from tracker.config import ParsingSettings
    from tracker.parsing.dates import Moment

__all__ = ["parse_file", "parse_text"]

_DEFAULT_MAX_BYTES = 5_000_000


def parse_text(
    text: str, path: str = "<text>", settings: ParsingSettings | None = None
) -> Postmortem:
    """Everything pmt understands of ``text``. Lines are 1-based lines of ``text`` as given."""
    date_order = settings.date_order if settings is not None else "mdy"
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")

    front, body, problems = frontmatter.split(text)
    blocks, refs = blocks_of(body)
    root = sections.build(blocks)
    nodes = root.walk()

    pm = Postmortem(path=path, front_matter=front, problems=problems)
    pm.sections = [
        Section(
            heading=n.title,
            kind=n.kind if n.kind in _KINDS else "other",
            line=n.heading.line,
            level=n.level,
        )
        for n in nodes[1:]
        if n.heading is not None
    ]

    # The timeline first: metadata falls back on it for start and end.
    tl_nodes = [
        n
        for n in nodes
        if n.kind == "timeline" and (n.parent is None or n.parent.kind != "timeline")
    ]
    zone_text = next((z for z in (timeline.zone_hint(n) for n in tl_nodes) if z), None)
    meta = metadata.prepare(pm, root, front, date_order)
    tz = metadata.zone_of(zone_text)
    reads: list[tuple[datetime | None, Moment | None]] = []
    for node in tl_nodes:
        entries, times = timeline.read(node, date_order, meta.year, meta.day or meta.guess_day, tz)
        pm.timeline.extend(entries)
        reads.extend(times)
    read_entries = [(e, at, m) for e, (at, m) in zip(pm.timeline, reads)]
    metadata.complete(meta, root, front, date_order, read_entries, zone_text, text)
    pm.id = str(front["id"]) if front.get("id") is not None else None
    pm.date = meta.day or (pm.started.date() if pm.started else meta.guess_day)

    ctx = Context(
        references=refs, date_order=date_order, year=pm.date.year if pm.date else meta.year
    )
    action_nodes = [
        n for n in nodes if n.kind == "actions" and (n.parent is None or n.parent.kind != "actions")
    ]
    pm.action_items, pm.takeaways = items.extract(action_nodes, ctx)
    for node in nodes:
        if node.kind == "takeaways" and (
            node.parent is None or node.parent.kind not in ("actions", "takeaways")
        ):
            pm.takeaways.extend(items.takeaway_texts(node, ctx))
    pm.problems.extend(ctx.problems)
    pm.problems.sort(key=lambda p: p.line)
    return pm


_KINDS = words(
    """
    summary impact timeline root_cause resolution actions takeaways lessons other
    """
)


def parse_file(
    path: str | Path, settings: ParsingSettings | None = None, data: bytes | None = None
) -> Postmortem:
    """Read and parse one file; an unusable file raises ``InputError`` naming it.

    ``data``: the file's bytes when the caller has already read them (ingest hashes them
    first), so that the file is not opened twice."""
    name = str(path)
    limit = settings.max_file_bytes if settings is not None else _DEFAULT_MAX_BYTES
    if data is None:
        data = _read(Path(path), name, limit)
    if len(data) > limit:
        raise InputError(
            name,
            f"too large ({len(data):,} bytes; the limit is {limit:,}, see [parsing] max_file_bytes)",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise InputError(name, "is empty")
    if b"\x00" in data:
        raise InputError(name, "is a binary file, not Markdown text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            name, f"is not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8", line=line
        ) from None
    pm = parse_text(text, name, settings)
    if not _reads_as_postmortem(pm, text):
        raise ParseError(
            name,
            "no postmortem sections found (expected headings such as Summary, Timeline, Root Cause, Action Items)",
            line=1,
        )
    return pm


# Words that name a document about an incident, in its first lines.
_INCIDENT_WORDS = re.compile(
    r"\b(?:post-?mortem|postmortem|outage|incident|retrospective|downtime|rca)\b", re.IGNORECASE
)


def _reads_as_postmortem(pm: Postmortem, text: str) -> bool:
    """What tells a postmortem from any other Markdown file (a README, notes): a section pmt
    knows, an action item, a timeline or a start time, or an incident named at the top."""
    if (
        pm.action_items
        or pm.timeline
        or pm.started_text
        or any(s.kind != "other" for s in pm.sections)
    ):
        return True
    head = "\n".join(text.lstrip().split("\n", 5)[:5])
    return bool(_INCIDENT_WORDS.search(head))


def _read(p: Path, name: str, limit: int) -> bytes:
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise InputError(name, "is a directory, not a file")
        if size > limit:
            raise InputError(
                name,
                f"too large ({size:,} bytes; the limit is {limit:,}, see [parsing] max_file_bytes)",
            )
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(name, "no such file") from None
    except PermissionError:
        raise InputError(name, "permission denied") from None
    except IsADirectoryError:
        raise InputError(name, "is a directory, not a file") from None
    except OSError as exc:
        raise InputError(name, f"cannot be read ({exc.strerror or exc})") from None
