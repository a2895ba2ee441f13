"""A cheap test that tells when a regular expression cannot match, before running it.

The lexicon has over a hundred patterns and Python's ``re`` tries each at every position of a
text. Most patterns cannot match most texts: "leap second" needs the letters ``leap``. This
module reads a pattern's syntax tree and derives a set of literal strings at least one of which
every match must contain; if a (lower-cased) text contains none of them (``may_contain``), the
pattern is skipped.
The derivation is conservative: when it cannot prove a requirement, it returns None and the
pattern always runs. So the prefilter never changes a result, it only saves time.
"""

from __future__ import annotations

import re
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]
from typing import Any

# Shorter required strings are not worth checking (nearly every text contains "in").
MIN_LITERAL = 3

Need = frozenset[str] | None


def _better(a: Need, b: Need) -> Need:
    """The more selective of two requirements (longer shortest string, then fewer strings)."""
    if a is None:
        return b
    if b is None:
        return a
    ka = (min(len(s) for s in a), -len(a))
    kb = (min(len(s) for s in b), -len(b))
    return a if ka >= kb else b


def _sequence(items: Any) -> Need:
    best: Need = None
    run: list[str] = []

    def flush() -> None:
        nonlocal best
        if run:
            best = _better(best, frozenset(["".join(run)]))
            run.clear()

    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av).lower())
            continue
        flush()
        best = _better(best, _item(op, av))
    flush()
    return best


def _item(op: Any, av: Any) -> Need:
    if op is C.SUBPATTERN:
        return _sequence(av[-1])
    if op is C.BRANCH:
        found: set[str] = set()
        for branch in av[1]:
            need = _sequence(branch)
            if need is None:
                return None
            found |= need
        return frozenset(found)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
        low, _high, sub = av
        return _sequence(sub) if low >= 1 else None
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _sequence(av)
    return None


def sequence_need(items: Any) -> Need:
    """Strings (lower case) one of which every match of a parsed sequence holds, or None."""
    return _sequence(items)


def required_literals(pattern: str | re.Pattern[str], min_length: int = MIN_LITERAL) -> frozenset[str] | None:
    """Strings (lower case) one of which every match contains, or None when unknown (or when
    one of them is shorter than ``min_length``: found in nearly every text, it rules out little)."""
    source = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    flags = pattern.flags if isinstance(pattern, re.Pattern) else 0
    try:
        tree = P.parse(source, flags)
    except re.error:
        return None
    need = _sequence(tree)
    if need is None or min(len(s) for s in need) < min_length:
        return None
    return need


def may_contain(text: str, needed: frozenset[str] | None, lowered: str | None = None) -> bool:
    """False only when a case-insensitive pattern that needs one of ``needed`` (its
    ``required_literals``) cannot match ``text``. ``re.IGNORECASE`` matches a few non-ASCII
    letters to ASCII ones (the Kelvin sign to "k"): a text holding one may always match.
    ``lowered``: ``text.lower()``, when the caller has it."""
    if needed is None or not FOLDS_TO_ASCII.isdisjoint(text):
        return True
    lowered = text.lower() if lowered is None else lowered
    return any(literal in lowered for literal in needed)


# Non-ASCII characters that ``re.IGNORECASE`` matches to an ASCII letter ("\u212a", the Kelvin
# sign, matches "k"). The set is checked against every Unicode character by a test.
FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")
