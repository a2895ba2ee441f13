"""The summary part of a postmortem: the preamble, the summary and impact sections, and the
"Key: value" lines in them ("Duration: 2h", "**Severity**: SEV-2", a two-column table)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from tracker.parsing.blocks import Block, ListBlock, Para, Table
from tracker.parsing.headings import normalise, plain, squeeze
from tracker.parsing.sections import Node

KEY_VALUE = re.compile(
    r"^(?:[-*+]\s+)?(?:\*\*|__)?(?P<k>[A-Za-z][\w /&().#'-]{0,40}?)\s*(?:\*\*|__)?\s*[:=]\s*(?:\*\*|__)?\s*(?P<v>\S.*)$"
)

_KEYS: list[tuple[str, re.Pattern[str]]] = [
    (
        "duration",
        re.compile(
            r"^(?:duration|outage duration|incident duration|length|total duration|downtime|outage length|time to (?:recover|recovery|resolve|resolution|restore|mitigate)|ttr|ttm|mttr)$"
        ),
    ),
    (
        "range",
        re.compile(
            r"^(?:time|times|when|window|time window|period|incident window|impact window|time frame|timeframe|incident time)$"
        ),
    ),
    (
        "start",
        re.compile(
            r"^(?:start(?:ed)?|start time|started at|begin|began|beginning|incident start|impact start|start of (?:incident|impact|outage)|outage start|onset)$"
        ),
    ),
    (
        "end",
        re.compile(
            r"^(?:end(?:ed)?|end time|ended at|resolved|resolved at|resolution time|recovered|recovered at|mitigated|mitigated at|incident end|impact end|end of (?:incident|impact|outage)|outage end|restored|fixed at)$"
        ),
    ),
    (
        "date",
        re.compile(r"^(?:date|incident date|day|date of incident|occurred|occurred on|reported)$"),
    ),
    ("timezone", re.compile(r"^(?:time ?zone|tz|zone)$")),
    (
        "severity",
        re.compile(r"^(?:severity|sev|incident severity|severity level|level|impact level)$"),
    ),
    (
        "impact",
        re.compile(
            r"^(?:impact|customer impact|user impact|impact summary|users affected|affected|who was affected|business impact)$"
        ),
    ),
    (
        "root_cause",
        re.compile(
            r"^(?:root ?causes?|cause|causes|rca|primary cause|underlying cause|root ?cause analysis)$"
        ),
    ),
    (
        "resolution",
        re.compile(r"^(?:resolution|fix|mitigation|resolved by|how it was fixed|remediation)$"),
    ),
    ("incident", re.compile(r"^(?:incident(?: id| number| ticket| #)?|ticket|jira|issue)$")),
    ("title", re.compile(r"^(?:title|incident title|name)$")),
]


def key_values(nodes: list[Node]) -> Iterator[tuple[str, str, int]]:
    """("duration", "From 10:00 AM to 12:00 PM (UTC-4)", line) for "Key: value" lines and tables."""
    for node in nodes:
        if node.key_values is None:
            node.key_values = list(_node_key_values(node))
        yield from node.key_values


# Keys that, as a heading, name the short value under it ("### Duration" over "2 hours").
HEADING_KEYS = frozenset(("date", "severity", "duration", "start", "end", "timezone", "incident"))


def _node_key_values(node: Node) -> Iterator[tuple[str, str, int]]:
    if node.heading is not None:
        heading = _kv(node.heading.text, node.heading.line)  # "### Duration: 17:30 - 01:00 PST"
        if heading is not None:
            yield heading
        elif node.blocks and isinstance(node.blocks[0], Para) and len(node.blocks[0].text) <= 80:
            name = key_name(node.title.rstrip(":"))
            if name in HEADING_KEYS:
                yield name, plain(node.blocks[0].text), node.blocks[0].line
    yield from _blocks_key_values(node.blocks)


def _blocks_key_values(blocks: list[Block]) -> Iterator[tuple[str, str, int]]:
    """ "Key: value" lines of paragraphs, list items (nested ones too: "- Duration:" over
    "- Start: ..." and "- End: ...") and two-column tables."""
    for block in blocks:
        if isinstance(block, Para):
            yield from _para_key_values(block)
        elif isinstance(block, ListBlock):
            for item in block.items:
                if item.text and (":" in item.text or "=" in item.text):
                    found = _kv(item.text.replace("\n", " "), item.line)
                    if (found is None or not found[1]) and item.text.rstrip("*_ ").endswith(":"):
                        # "- **Root Cause:**" over "  - The root cause was ...": the value below.
                        found = _kv(f"{item.text.rstrip()} {_first_text(item.children)}", item.line)
                    if found is not None:
                        yield found
                if item.children:
                    yield from _blocks_key_values(item.children)
        elif isinstance(block, Table):
            rows = [(block.header_line, block.header), *block.rows]
            for row_line, cells in rows:
                for i in range(0, len(cells) - 1, 2):
                    key, value = plain(cells[i]), plain(cells[i + 1])
                    name = key_name(key)
                    if name and value:
                        yield name, value, row_line


def _first_text(blocks: list[Block]) -> str:
    for block in blocks:
        if isinstance(block, Para):
            return block.text.replace("\n", " ")
        if isinstance(block, ListBlock) and block.items and block.items[0].text:
            return block.items[0].text.replace("\n", " ")
    return ""


def _para_key_values(block: Para) -> Iterator[tuple[str, str, int]]:
    """ "Key: value" lines of a paragraph. A value runs on over the lines that follow it (the
    text wrapped) up to the next "Key: value" line or the paragraph's end."""
    lines = block.text.split("\n")
    current: tuple[str, list[str], int] | None = None
    for offset, line in enumerate(lines):
        found = _kv(line, block.line + offset) if (":" in line or "=" in line) else None
        if found is None and _other_key(line):
            found = ("", "", 0)  # a key pmt does not read ends the value before it
        if found is not None:
            if current is not None and current[0]:
                yield current[0], plain(" ".join(current[1])), current[2]
            current = (found[0], [found[1]], found[2])
        elif current is not None:
            current[1].append(line)
    if current is not None and current[0]:
        yield current[0], plain(" ".join(current[1])), current[2]


def _other_key(line: str) -> bool:
    """A "Key: value" line naming some other key: a short capitalised or bold key, no digits."""
    m = KEY_VALUE.match(line.strip())
    if m is None:
        return False
    key = m.group("k")
    return (
        (key[0].isupper() or line.lstrip().startswith(("**", "__")))
        and len(key.split()) <= 4
        and not any(ch.isdigit() for ch in key)
    )


def _kv(line: str, number: int) -> tuple[str, str, int] | None:
    """A "Key: value" line (or "Key = value") naming a known key, read. Emphasis and inline
    HTML around the key are no part of it ("*Root Cause:*", "**Root** **cause**:")."""
    m = KEY_VALUE.match(line.strip())
    if m is None and ("*" in line or "_" in line or "<" in line):
        m = KEY_VALUE.match(plain(line))
    if not m:
        return None
    name = key_name(m.group("k"))
    return (name, plain(m.group("v")), number) if name else None


# "Duration of the outage", "Start time of the incident": the key without what it is of.
_OF_INCIDENT = re.compile(
    r" (?:of|for) (?:the )?(?:outage|incident|issue|event|impact|downtime|disruption)$"
)


@lru_cache(maxsize=4096)
def key_name(key: str) -> str | None:
    norm = _OF_INCIDENT.sub("", normalise(key))
    for name, pattern in _KEYS:
        if pattern.match(norm):
            return name
    return None


def summary_nodes(root: Node) -> list[Node]:
    """The preamble (before the first classified section), the summary and impact sections,
    and sections named by a key of the incident's ("Duration:", "Date", "Severity")."""
    if root.summaries is not None:
        return root.summaries
    out = [root]
    preamble = True
    for node in root.walk()[1:]:
        if node.kind != "other":
            preamble = False
        if (
            node.kind in ("summary", "impact")
            or (preamble and node.kind == "other")
            or (node.kind == "other" and key_name(node.title.rstrip(":")) in HEADING_KEYS)
        ):
            out.append(node)
    root.summaries = out
    return out


SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(\[*_`])")


def sentences(text: str) -> list[str]:
    return list(_sentences(text))


@lru_cache(maxsize=256)
def _sentences(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in SENTENCE.split(squeeze(text)) if s.strip())


def section_text(node: Node) -> str:
    """A section's prose as plain text: paragraphs and list items, one per line."""
    parts: list[str] = []
    for n in node.walk():
        for block in n.blocks:
            if isinstance(block, Para):
                parts.append(plain(block.text))
            elif isinstance(block, ListBlock):
                parts.extend(plain(item.text) for item in block.items if item.text)
    return "\n".join(p for p in parts if p)
