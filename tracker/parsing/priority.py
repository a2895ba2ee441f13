"""An item's priority as written: "P1", "(high priority)", "Priority: low", "prio 2", a cell."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tracker.parsing.vocabulary import KEY_START, PRIORITY_RE, PRIORITY_WORDS

if TYPE_CHECKING:
    from tracker.parsing.fields import Fields


KEYED_PRIORITY = re.compile(
    rf"{KEY_START}(?:priority|prio|pri)(?:\*\*|__)?\s*[:=\-]?\s*(?:\*\*|__)?\s*"
    r"(?P<v>p[0-4]|[0-4]|critical|urgent|blocker|highest|high|medium|normal|moderate|low|lowest|minor|major|trivial)\b(?:\*\*|__|\*|_)?"
    r"|\b(?P<w>critical|urgent|highest|high|medium|low|lowest)[- ]priority\b",
    re.IGNORECASE,
)

_PRIORITY_TOKEN = re.compile(r"(?<![\w-])(?:\*\*|__)?P(?P<v>[0-4])(?:\*\*|__)?(?![\w-])")

_PRIORITY_KEY = re.compile(r"^(?:priority|prio)\s*[:=]?\s*")


def set_priority(f: Fields, value: str) -> bool:
    prio = _priority(value)
    if prio is None:
        return False
    if f.priority is None:
        f.priority = prio
    return True


def _priority(value: str) -> str | None:
    v = value.strip().strip("*_").lower().replace(" priority", "").replace("priority ", "").strip()
    m = PRIORITY_RE.match(v)
    if m:
        return f"P{m.group(1)}"
    if v.isdigit() and len(v) == 1 and v in "01234":
        return f"P{v}"
    return PRIORITY_WORDS.get(v)


def read_priority_tokens(s: str, f: Fields) -> str:
    def repl(m: re.Match[str]) -> str:
        if f.priority is None:
            f.priority = f"P{m.group('v')}"
        return " "

    return _PRIORITY_TOKEN.sub(repl, s)


def priority_of(value: str) -> str | None:
    """A priority cell or tag ("P1", "high", "Priority: low", "1") as P0..P4."""
    prio = _priority(value)
    if prio is None and value.lower().startswith(("priority", "prio")):
        prio = _priority(_PRIORITY_KEY.sub("", value.lower()))
    return prio
