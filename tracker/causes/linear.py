"""Many regular expressions over one text in a single pass, with RE2 (``google-re2``).

RE2 matches a *set* of patterns at once, in time linear in the text, and tells which of them
match at all; most lexicon patterns do not match most texts, so the rest never run. For a
pattern that does match, RE2 also finds its matches: RE2 follows Perl's leftmost-first rules,
as Python's ``re`` does, so the spans are the same.

That holds where the two engines agree on every character of the text. They differ on
non-ASCII letters, digits and spaces (RE2's ``\\w``, ``\\d``, ``\\s`` and ``\\b`` are ASCII) and on
a few ASCII control characters Python counts as spaces, so a text holding any of them goes
to the scanner (``tracker.causes.scan``) instead; so does every text when RE2 is not installed.
A pattern RE2 cannot compile as it is (look-arounds) is checked by RE2 without its
look-arounds (a wider pattern: when that does not match, neither does the pattern) and, when it
may match, run by Python. Tests compare the spans with ``re`` on thousands of texts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]
from typing import Any

try:
    import re2  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - google-re2 is a dependency; without it pmt is slower
    re2 = None
# RE2's matcher under the wrapper, when this version of google-re2 exposes it as 1.1 does.
_UNANCHORED = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)

Span = tuple[int, int]

# Characters on which RE2 and Python's re disagree: non-ASCII word characters and spaces, and
# the ASCII controls that Python's \s matches and RE2's does not.
_DISAGREE = re.compile(r"[^\W\x00-\x7f]|[^\S\x00-\x7f]|[\x0b\x1c-\x1f]")
# The same, for an ASCII text (``str.isascii`` is free): only the controls can disagree, and one
# character class scans several times faster than the alternation.
_DISAGREE_ASCII = re.compile(r"[\x0b\x1c-\x1f]")
_ALLOWED_AT = {C.AT_BOUNDARY, C.AT_NON_BOUNDARY}
_LOOKAROUND = re.compile(r"\(\?<?[=!]")


def agrees(text: str) -> bool:
    """True when RE2 reads every character of ``text`` as Python's re does."""
    if text.isascii():
        return _DISAGREE_ASCII.search(text) is None
    return _DISAGREE.search(text) is None


def _support(items: Any) -> str | None:
    """"exact" when RE2 matches the parsed pattern as Python does, "wider" when only with its
    look-arounds removed, None when not at all (anchors, back-references, ...)."""
    found = "exact"
    for op, av in items:
        if op is C.AT and av not in _ALLOWED_AT:
            return None
        if op in (C.GROUPREF, C.GROUPREF_EXISTS, getattr(C, "ATOMIC_GROUP", None), getattr(C, "POSSESSIVE_REPEAT", None)):
            return None
        if op in (C.ASSERT, C.ASSERT_NOT):
            found = "wider"
            continue
        subs: list[Any] = []
        if op is C.SUBPATTERN:
            subs = [av[-1]]
        elif op is C.BRANCH:
            subs = list(av[1])
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            subs = [av[2]]
        for sub in subs:
            inner = _support(sub)
            if inner is None:
                return None
            if inner == "wider":
                found = "wider"
    return found


def _without_lookarounds(source: str) -> str:
    """``source`` with its look-ahead and look-behind groups cut out (a wider pattern)."""
    out: list[str] = []
    i = 0
    while i < len(source):
        m = _LOOKAROUND.match(source, i)
        if m is None:
            if source[i] == "\\":
                out.append(source[i : i + 2])
                i += 2
            else:
                out.append(source[i])
                i += 1
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


class LinearSet:
    """Patterns compiled into one RE2 set, with each pattern's own RE2 program."""

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        self.patterns = list(patterns)
        self.available = re2 is not None
        # Pattern number -> its RE2 program (None: Python runs it once RE2 says it may match).
        self._programs: dict[int, Any] = {}
        # Patterns RE2 cannot check at all: they always run in Python.
        self.unchecked: list[int] = []
        # The patterns of each set (case-insensitive or not), by their number in the set.
        self._members: dict[bool, list[int]] = {True: [], False: []}
        self._raw = False
        if re2 is None:
            return
        self._set = re2.Set.SearchSet(self._options(re.IGNORECASE))
        self._set_sensitive = re2.Set.SearchSet(self._options(0))
        sets = {True: self._set, False: self._set_sensitive}
        for k, pattern in enumerate(self.patterns):
            if pattern.flags & ~(re.IGNORECASE | re.UNICODE):
                self.unchecked.append(k)
                continue
            tree = P.parse(pattern.pattern, pattern.flags)
            support = _support(tree.data)
            if support is None or tree.getwidth()[0] == 0:
                # (An empty match would be followed differently by RE2's finditer.)
                self.unchecked.append(k)
                continue
            source = pattern.pattern if support == "exact" else _without_lookarounds(pattern.pattern)
            insensitive = bool(pattern.flags & re.IGNORECASE)
            try:
                program = re2.compile(source, self._options(pattern.flags))
                sets[insensitive].Add(source)
            except re2.error:
                self.unchecked.append(k)
                continue
            self._programs[k] = program if support == "exact" else None
            self._members[insensitive].append(k)
        self._set.Compile()
        self._set_sensitive.Compile()
        self._raw = _UNANCHORED is not None and all(
            hasattr(p, "_regexp") for p in self._programs.values() if p is not None
        )

    @staticmethod
    def _options(flags: int) -> Any:
        options = re2.Options()
        options.case_sensitive = not flags & re.IGNORECASE
        options.log_errors = False
        options.max_mem = 64 << 20
        return options

    def _may_match(self, subject: str | bytes) -> list[int]:
        found: list[int] = list(self.unchecked)
        for insensitive, members in self._members.items():
            if members:
                hits = (self._set if insensitive else self._set_sensitive).Match(subject)
                found += [members[i] for i in hits or ()]
        return sorted(found)

    def may_match(self, text: str) -> list[int] | None:
        """The patterns (ascending) that may match ``text``: those that do, and those RE2 could
        only check wider. None when RE2 cannot tell (not installed, or ``not agrees(text)``)."""
        if not self.available or not agrees(text):
            return None
        return self._may_match(text.encode("ascii") if text.isascii() else text)

    def spans(self, text: str) -> dict[int, list[Span]]:
        """Every pattern that matches ``text`` (ascending), with the spans of its matches, as
        ``finditer`` gives them. Call only when ``agrees(text)``."""
        # An ASCII text goes in as bytes: its byte offsets are its character offsets, and RE2's
        # wrapper then has no offsets to translate.
        subject: str | bytes = text.encode("ascii") if text.isascii() else text
        out: dict[int, list[Span]] = {}
        for k in self._may_match(subject):
            program = self._programs.get(k)
            if program is None:
                spans = [m.span() for m in self.patterns[k].finditer(text)]
            elif isinstance(subject, bytes) and self._raw:
                spans = _raw_spans(program._regexp, subject)
            else:
                spans = [m.span() for m in program.finditer(subject)]
            if spans:
                out[k] = spans
        return out


def _raw_spans(program: Any, subject: bytes) -> list[Span]:
    """``finditer``'s spans straight from RE2's own matcher (the wrapper builds a match object
    per match; none of the patterns sent here matches the empty string)."""
    spans: list[Span] = []
    pos, end = 0, len(subject)
    while pos <= end:
        found = program.Match(_UNANCHORED, subject, pos, end)[0]
        if found[0] < 0:
            break
        spans.append(found)
        pos = found[1] if found[1] > found[0] else found[1] + 1
    return spans
