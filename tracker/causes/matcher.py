"""Many regular expressions over one text in a single pass, with RE2 (``google-re2``), through
public APIs only.

RE2 matches a *set* of patterns at once, in time linear in the text, and tells which of them
match at all; most lexicon patterns do not match most texts, so the rest never run. For a
pattern that does match, RE2 also finds its matches: RE2 follows Perl's leftmost-first rules,
as Python's ``re`` does, so the spans are the same.

That holds where the two engines agree on every character of the text. They differ on
non-ASCII letters, digits and spaces (RE2's ``\\w``, ``\\d``, ``\\s`` and ``\\b`` are ASCII) and on
a few ASCII control characters Python counts as spaces, so a text holding any of them is read
by Python's ``re`` alone; so is every text when RE2 is not installed. Which patterns RE2 reads
exactly is decided from the pattern's source and from whether RE2 compiles it, never from
Python's private parser: a pattern with look-arounds is checked by RE2 without them (a wider
pattern: when that does not match, neither does the pattern) and, when it may match, run by
Python; one with anchors other than ``\\b`` (whose meaning differs between the engines) always
runs in Python. An empty match, which the two ``finditer`` loops step over differently, sends
that pattern back to Python for that text. Tests compare the spans with ``re`` on thousands of
texts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

try:
    import re2  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - google-re2 is a dependency; without it pmt is slower
    re2 = None

Span = tuple[int, int]

# Characters on which RE2 and Python's re disagree: non-ASCII word characters and spaces, and
# the ASCII controls that Python's \s matches and RE2's does not.
_DISAGREE = re.compile(r"[^\W\x00-\x7f]|[^\S\x00-\x7f]|[\x0b\x1c-\x1f]")
# The same, for an ASCII text (``str.isascii`` is free): only the controls can disagree.
_DISAGREE_ASCII = re.compile(r"[\x0b\x1c-\x1f]")
_LOOKAROUND = re.compile(r"\(\?<?[=!]")
# Anchors whose meaning differs between the engines (``$`` before a final newline, ``\Z``...):
# ``^`` or ``$`` outside a character class, or an escaped anchor letter.
_ANCHOR = re.compile(r"\\[AZzG]|(?<!\\)\$|(?<![\\\[])\^")
_ALLOWED_FLAGS = re.IGNORECASE | re.UNICODE


def agrees(text: str) -> bool:
    """True when RE2 reads every character of ``text`` as Python's re does."""
    if text.isascii():
        return _DISAGREE_ASCII.search(text) is None
    return _DISAGREE.search(text) is None


def without_lookarounds(source: str) -> str:
    """``source`` with its look-ahead and look-behind groups cut out (a wider pattern)."""
    out: list[str] = []
    i = 0
    while i < len(source):
        m = _LOOKAROUND.match(source, i)
        if m is None:
            step = 2 if source[i] == "\\" else 1
            out.append(source[i : i + step])
            i += step
            continue
        depth, i = 1, m.end()
        in_class = False
        while i < len(source) and depth:
            c = source[i]
            if c == "\\":
                i += 2
                continue
            if in_class:
                in_class = c != "]"
            elif c == "[":
                in_class = True
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            i += 1
    return "".join(out)


def _options(flags: int) -> Any:
    options = re2.Options()
    options.case_sensitive = not flags & re.IGNORECASE
    options.log_errors = False
    options.max_mem = 64 << 20
    return options


class PatternSet:
    """Patterns compiled into RE2 sets, with each pattern's own RE2 program."""

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        self.patterns = list(patterns)
        self.available = re2 is not None
        # Pattern number -> its RE2 program (None: Python runs it once RE2 says it may match).
        self._programs: dict[int, Any] = {}
        # Patterns RE2 cannot check at all: they always run in Python.
        self.unchecked: list[int] = []
        # The patterns of each set (case-insensitive or not), by their number in the set.
        self._members: dict[bool, list[int]] = {True: [], False: []}
        if re2 is None:
            return
        self._sets = {
            True: re2.Set.SearchSet(_options(re.IGNORECASE)),
            False: re2.Set.SearchSet(_options(0)),
        }
        for k, pattern in enumerate(self.patterns):
            source = pattern.pattern
            if pattern.flags & ~_ALLOWED_FLAGS or _ANCHOR.search(source):
                self.unchecked.append(k)
                continue
            exact = _LOOKAROUND.search(source) is None
            checked = source if exact else without_lookarounds(source)
            insensitive = bool(pattern.flags & re.IGNORECASE)
            try:
                program = re2.compile(checked, _options(pattern.flags))
                self._sets[insensitive].Add(checked)
            except re2.error:
                self.unchecked.append(k)
                continue
            self._programs[k] = program if exact else None
            self._members[insensitive].append(k)
        for compiled in self._sets.values():
            compiled.Compile()

    def _may_match(self, subject: str | bytes) -> list[int]:
        found: list[int] = list(self.unchecked)
        for insensitive, members in self._members.items():
            if members:
                hits = self._sets[insensitive].Match(subject)
                found += [members[i] for i in hits or ()]
        return sorted(found)

    def may_match(self, text: str) -> list[int] | None:
        """The patterns (ascending) that may match ``text``: those that do, and those RE2 could
        only check wider or not at all. None when RE2 cannot tell (not installed, or
        ``not agrees(text)``)."""
        if not self.available or not agrees(text):
            return None
        return self._may_match(text.encode("ascii") if text.isascii() else text)

    def spans(self, text: str) -> dict[int, list[Span]]:
        """Every pattern that matches ``text`` (ascending), with the spans of its matches as
        ``finditer`` gives them."""
        candidates = self.may_match(text)
        if candidates is None:
            return self._python_spans(text, range(len(self.patterns)))
        # An ASCII text goes in as bytes: its byte offsets are its character offsets.
        subject: str | bytes = text.encode("ascii") if text.isascii() else text
        out: dict[int, list[Span]] = {}
        for k in candidates:
            program = self._programs.get(k)
            spans = [m.span() for m in program.finditer(subject)] if program is not None else None
            if spans is None or any(start == end for start, end in spans):
                spans = [m.span() for m in self.patterns[k].finditer(text)]
            if spans:
                out[k] = spans
        return out

    def _python_spans(self, text: str, ks: Sequence[int]) -> dict[int, list[Span]]:
        out: dict[int, list[Span]] = {}
        for k in ks:
            spans = [m.span() for m in self.patterns[k].finditer(text)]
            if spans:
                out[k] = spans
        return out
