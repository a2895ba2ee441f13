"""An item's done state as written: a checkbox, a done or open emoji, a status word ("DONE:",
"**WIP**", "[closed]", "Status: done"), a sentence ("this has been fixed") or a status cell."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tracker.parsing.vocabulary import (
    DONE_EMOJI,
    DONE_WORDS,
    MARKER_ENDS,
    MARKER_STARTS,
    OPEN_EMOJI,
)

if TYPE_CHECKING:
    from tracker.parsing.fields import Fields


CHECKBOX = re.compile(r"^\[([ xX])\]\s+")

_STATUS_WORDS = (
    r"done|complete|completed|finished|fixed|resolved|closed|shipped|merged|todo|to-?do|"
    r"open|in[ -]progress|wip|planned|pending|not started|ongoing|blocked|outstanding|not done"
)

STATUS_PREFIX = re.compile(
    rf"^(?:\*\*|__|\[|\()?(?P<s>DONE|TODO|DOING|WIP|FIXED|CLOSED|OPEN|COMPLETED?|{_STATUS_WORDS})"
    rf"(?:\*\*|__|\]|\))?\s*(?:[:\-–—]\s*|(?<=[\])*_])\s+)",
    re.IGNORECASE,
)

STATUS_BARE_PREFIX = re.compile(r"^(?P<s>DONE|TODO|DOING|WIP|FIXED|CLOSED|OPEN)\s+(?=[A-Za-z])")

_STATUS_MARKED = re.compile(
    rf"\s*(?:\*\*|__)(?P<s>{_STATUS_WORDS})(?:\*\*|__)\s*|\s*\[(?P<s2>{_STATUS_WORDS})\]\s*",
    re.IGNORECASE,
)

_STATUS_KEYED = re.compile(rf"\b(?:status|state)\s*[:=]\s*(?P<s>{_STATUS_WORDS})\b", re.IGNORECASE)

_STATUS_TRAILING = re.compile(
    r"\s*(?:[-–—:]\s*|\.\s+)?(?:\*\*|__)?(?P<s>done|DONE|Done|completed|Completed)(?:\*\*|__)?[.!]?$"
)

_DONE_SENTENCE = re.compile(
    r"\s*\(?\b(?:this|it)\s+(?:has\s+been|is|was)\s+(?:now\s+)?(?:done|completed|fixed|implemented|resolved)\b[.!]?\)?",
    re.IGNORECASE,
)


def done_word(word: str) -> bool | None:
    return DONE_WORDS.get(word.lower().replace("-", " ").replace("to do", "todo").strip())


def strip_emoji(s: str, f: Fields) -> str:
    if not s or (s[0] not in MARKER_STARTS and s[-1] not in MARKER_ENDS):
        return s
    for mark in DONE_EMOJI:
        if s.startswith(mark) or s.endswith(mark):
            f.done = True
            s = s[len(mark) :] if s.startswith(mark) else s[: -len(mark)]
            return s.strip().lstrip("\ufe0f").strip()
    for mark in OPEN_EMOJI:
        if s.startswith(mark) or s.endswith(mark):
            f.done = False
            s = s[len(mark) :] if s.startswith(mark) else s[: -len(mark)]
            return s.strip().lstrip("\ufe0f").strip()
    return s


def read_done_marks(s: str, f: Fields) -> str:
    """Status words and sentences inside the text: "**done**", "[WIP]", "Status: done", a
    trailing "- Done", "(this has been fixed)"."""
    lower = s.lower()
    if "*" in s or "_" in s or "[" in s or "status" in lower or "state" in lower:
        s = _read_statuses(s, f)
    if (
        "done" in lower
        or "complete" in lower
        or "fixed" in lower
        or "implemented" in lower
        or "resolved" in lower
    ) and ("this " in lower or "it " in lower):
        m = _DONE_SENTENCE.search(s)
        if m:
            f.done = True
            s = s[: m.start()] + s[m.end() :]
    return s


def _read_statuses(s: str, f: Fields) -> str:
    def marked(m: re.Match[str]) -> str:
        done = done_word(m.group("s") or m.group("s2"))
        if done is not None:
            f.done = done
        return " "

    if "**" in s or "__" in s or "[" in s:
        s = _STATUS_MARKED.sub(marked, s)
    lower = s.lower()
    if "status" in lower or "state" in lower:
        s = _STATUS_KEYED.sub(lambda m: " " if set_done(f, m.group("s")) else m.group(0), s)
    tail = s.rstrip(" .!*_").lower()
    m = _STATUS_TRAILING.search(s) if tail.endswith(("done", "completed")) else None
    if m and m.start() > 0:
        f.done = True
        s = s[: m.start()]
    return s


def set_done(f: Fields, value: str) -> bool:
    done = done_word(value)
    if done is None:
        return False
    f.done = done
    return True


def done_of(value: str) -> bool | None:
    """A status cell ("Done", "In progress", "✅", "closed") as done / not done / unknown."""
    v = value.strip().strip("*_").strip()
    if v[:1] == "[" and v[-1:] == "]" and len(v) == 3:
        return v[1] != " "  # a checkbox in a status column
    found = done_word(v)
    if found is None:
        m = _STATUS_KEYED.search(v) or STATUS_PREFIX.match(v + " ")
        found = done_word(m.group("s")) if m else None
    if found is None and v:
        for mark in DONE_EMOJI:
            if mark in v:
                return True
        for mark in OPEN_EMOJI:
            if mark in v:
                return False
    return found
