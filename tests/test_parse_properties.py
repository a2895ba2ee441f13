"""Properties of the parser over generated input (hypothesis).

1. ``parse_text`` never raises, on arbitrary text and on Markdown-ish text built from the
   fragments postmortems are made of.
2. Every extracted action item's ``line`` (1-based, in the text as given, front matter
   included) is a line holding the start of the item's text, once both are normalised to
   their words (case and Markdown punctuation aside; metadata read out of the item, such as a
   ticket link, may sit between its words on the line).
3. The parser's tokeniser runs markdown-it's block phase only; its tokens and link reference
   definitions are those of a full CommonMark + table + strikethrough parse, less the inline
   children nobody reads.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.config import ParsingSettings
from tracker.parsing import parse_text
from tracker.parsing.blocks import markdown

_WORDS = re.compile(r"[^\W_]+")

HEADINGS = [
    "# Incident: {w}", "## Summary", "## Timeline", "## Root Cause", "## Action Items", "### Detection",
    "### Completed", "## Follow-ups:", "## 3. Next Steps", "## 🛠️ Remediation", "**Corrective Measures:**",
    "**Improvements/Fixes:**", "**Tasks:**", "Action items\n------------", "## What needs to change",
    "## Lessons learned", "Prevention Measures", "## Impact", "#### Resolution", "## {w}",
]  # fmt: skip
ITEM_TEXTS = [
    "Add alerting on {w}", "{W} to investigate the {w} job", "[SRE] Rotate the {w} keys",
    "Hypha: make a proposal about {w}", "~~Remove the {w} flag~~", "**DONE** upgrade {w}",
    "Document {w} (owner: bob, due 2026-03-01, P1)", "Fix {w} #12", "Fix {w} ABC-123",
    "Track {w} [issue](https://github.com/o/r/issues/9)", "Review [{w}][ref]", "{w}", "✅ Ship {w}",
    "The {w} script was updated", "Patch {w}:", "Owner: {W} - write the {w} runbook",
    "Migrate {w} by March 3", "Cap {w} retries before 4/5/2026 (@{w})", "Task 2: {w} {w}",
    "Investigate {w}?", "{W} will review {w}", "P0: stop {w}", "",
]  # fmt: skip
MARKERS = ["- ", "* ", "+ ", "1. ", "2) ", "- [ ] ", "- [x] ", "  - ", "    - ", "   1. ", ""]
OTHER = [
    "", "\n", "| Action | Owner | Due | Ticket |\n|---|---|---|---|\n| {W} the {w} | {W} | 2026-01-0{d} | #{d} |",
    "| Time (UTC) | Event |\n|---|---|\n| 10:0{d} | {w} |", "10:0{d} UTC - {w} happened",
    "- 1{d}:30 PST: {w} starts", "Duration: From 10:00 AM to 12:00 PM (UTC-4) on May 15, 2024.",
    "From November 11, 4:02 PM UTC to November 14, 3:02 PM UTC {w} was slow.",
    "```\n- not an item {w}\n```", "> - quoted {w}", "<!-- {w} -->", "[ref]: https://github.com/o/r/issues/{d}",
    "---\nid: PM-{d}\ntitle: {w}\ndate: 2026-01-0{d}\n---", "---\n{w}: [\n---", "**Impact:** {d}0% of users",
    "The root cause was {w}.", "Going forward we will {w}.", "Ideally {w} would be faster.", "\t- {w}",
    "<details>\n{w}\n</details>", "* * *", "{w}\n===",
]  # fmt: skip

word = st.text(
    alphabet=st.characters(categories=("Ll", "Lu", "Nd", "Lo", "So")), min_size=1, max_size=10
)


@st.composite
def fragment(draw: st.DrawFn) -> str:
    w = draw(word)
    fill = {"w": w, "W": w.capitalize(), "d": str(draw(st.integers(1, 9)))}
    kind = draw(st.sampled_from(["heading", "item", "item", "item", "other", "raw"]))
    if kind == "heading":
        return draw(st.sampled_from(HEADINGS)).format(**fill)
    if kind == "item":
        return draw(st.sampled_from(MARKERS)) + draw(st.sampled_from(ITEM_TEXTS)).format(**fill)
    if kind == "other":
        return draw(st.sampled_from(OTHER)).format(**fill)
    return draw(st.text(max_size=40))


markdownish = st.lists(fragment(), max_size=30).flatmap(
    lambda parts: st.sampled_from(["\n", "\n\n", "\r\n"]).map(lambda sep: sep.join(parts))
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_parse_text_never_raises_on_arbitrary_text(text: str) -> None:
    parse_text(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish, st.sampled_from(["mdy", "dmy"]))
def test_parse_text_never_raises_on_markdownish_text(text: str, order: str) -> None:
    parse_text(text, settings=ParsingSettings(date_order=order))  # type: ignore[arg-type]


def _starts_on_line(item_text: str, line: str) -> bool:
    """The text's first words are on the line, in order (metadata read out of the text may sit
    between them on the line), or its first word is and the line ends there."""
    text_words = _WORDS.findall(item_text.lower())
    line_words = _WORDS.findall(line.lower())
    if not text_words:
        return True
    need = min(2, len(text_words))
    for start, w in enumerate(line_words):
        if w != text_words[0]:
            continue
        matched, pos = 1, start + 1
        while matched < need and pos < len(line_words):
            if line_words[pos] == text_words[matched]:
                matched += 1
            pos += 1
        if matched >= need or pos >= len(line_words):
            return True
    return False


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish)
def test_every_item_line_holds_the_start_of_its_text(text: str) -> None:
    pm = parse_text(text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for item in pm.action_items:
        assert 1 <= item.line <= len(lines), (item, len(lines))
        assert _starts_on_line(item.text, lines[item.line - 1]), (item.text, lines[item.line - 1])


def test_the_line_property_holds_on_a_known_document() -> None:
    text = (
        "---\ntitle: X\n---\n# X\n\n## Action items\n\n- Alice to add\n  an alert\n- [ ] Fix #12\n"
    )
    pm = parse_text(text)
    lines = text.split("\n")
    assert [(i.text, i.line) for i in pm.action_items] == [("Add an alert", 8), ("Fix #12", 10)]
    assert all(_starts_on_line(i.text, lines[i.line - 1]) for i in pm.action_items)


def _block_view(tokens: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (t.type, t.tag, t.map, t.nesting, t.level, t.content, t.markup, t.info, t.attrs)
        for t in tokens
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(markdownish, st.text(max_size=400)))
def test_the_block_only_tokeniser_sees_what_a_full_parse_sees(text: str) -> None:
    from markdown_it import MarkdownIt

    full = MarkdownIt("commonmark", {"maxNesting": 40}).enable(["table", "strikethrough"])
    full_env: dict[str, Any] = {}
    ours_env: dict[str, Any] = {}
    full_tokens = full.parse(text, full_env)
    ours = markdown().parse(text, ours_env)
    assert all(not t.children for t in ours)
    assert _block_view(ours) == _block_view(full_tokens)
    assert ours_env == full_env


# --- front matter: arbitrary YAML and TOML blocks above a document -------------------------

FM_VALUES = [
    "{w}", '"{w}"', "2026-0{d}-1{d}", "2026-02-3{d}", "[{w}, {w}]", "[{w}", "{{a: {w}}}", "&x {w}", "*x",
    "&a [{w}, {w}]", "[*a, *a, *a]", "|\n  {w}\n  {w}", "- {w}\n- {w}", "{d}", "null", "'unclosed", ": {w}",
    "!!python/object:os.system {w}", "!!binary aGVsbG8=", "2026-01-0{d} 10:0{d}:00",
]  # fmt: skip
FM_KEYS = [
    "id",
    "title",
    "date",
    "started",
    "ended",
    "severity",
    "tags",
    "{w}",
    "incident",
    "timezone",
]


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    toml = draw(st.booleans())
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        w = draw(word)
        fill = {"w": w, "d": str(draw(st.integers(1, 9)))}
        key = draw(st.sampled_from(FM_KEYS)).format(**fill)
        value = draw(st.sampled_from(FM_VALUES)).format(**fill)
        lines.append(f"{key} = {value}" if toml else f"{key}: {value}")
    fence = "+++" if toml else "---"
    return "\n".join([fence, *lines, fence, ""])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front_matter(), markdownish)
def test_any_front_matter_gives_a_postmortem_and_problems_with_lines(fm: str, body: str) -> None:
    import time
    import tracemalloc

    text = fm + body
    tracemalloc.start()
    started = time.monotonic()
    try:
        pm = parse_text(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 5
    assert peak < 64 * 1024 * 1024
    n_lines = text.count("\n") + 1
    assert all(1 <= p.line <= n_lines and p.severity in ("error", "warning") for p in pm.problems)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FM_VALUES), min_size=1, max_size=5), word)
def test_a_bad_key_never_costs_the_document_its_id(values: list[str], w: str) -> None:
    """Whatever else the YAML front matter holds, a plain ``id:`` line is kept."""
    extra = [
        f"k{i}: {v.format(w=w, d='2')}"
        for i, v in enumerate(values)
        if "*" not in v and "&" not in v
    ]
    text = "\n".join(["---", "id: pm-42", *extra, "---", "# Title", ""])
    assert parse_text(text).id == "pm-42"
