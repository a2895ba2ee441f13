"""Run many regular expressions over a text, trying each only where one of its matches can start.

Python's ``re`` tries a pattern at every position of a text, and the lexicon has over a
hundred patterns: on a 1,000-character root-cause section that was the whole cost of
classifying it. But nearly every lexicon pattern starts at a word: ``\\b(?:certs?|tls|...)``.
This module reads each pattern's syntax tree for the literal strings one of which every match
starts with (``cert``, ``tls``, ...), finds the places in the text where those strings begin a
word, once for all patterns, and runs a pattern only there, with ``Pattern.match(text, pos)``.

The result is exactly ``pattern.finditer(text)``: the same matches, in the same order. A match
at a position does not depend on where the search started (``\\b`` and look-behinds see the
characters before ``pos``), positions that cannot start a match are skipped, and after a match
the scan resumes at its end, as ``finditer`` does. When the derivation cannot prove where
matches start, or a text holds a character that case-insensitive matching folds onto an ASCII
letter (the Kelvin sign, the long s, ...), the pattern runs with ``finditer`` as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]
from typing import Any

from tracker.causes import prefilter
from tracker.causes.linear import LinearSet, agrees
from tracker.causes.prefilter import FOLDS_TO_ASCII

# A charset at the start of a pattern (``[- ]``) is expanded up to this many characters.
MAX_CHARSET = 8

_WORD_START = re.compile(r"\b\w")
_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}

# What a match starts with: a literal, whether a word boundary stands right before it, and,
# for the two wildcards below, literals one of which the match must hold further on.
Head = tuple[str, bool, "frozenset[str] | None"]
# Wildcard literals: any word (``\\b\\w+'s``), a word that starts with a digit (``\\b\\d+x``).
ANY_WORD = ""
DIGIT = "\x00"


def _need(items: Any) -> frozenset[str] | None:
    """Literals (lower case, ASCII) one of which every match of ``items`` holds (see prefilter)."""
    found: frozenset[str] | None = prefilter.sequence_need(items)
    return found if found and all(s.isascii() for s in found) else None


def _heads(items: Any, anchored: bool = False) -> set[Head] | None:
    """What every match of the sequence ``items`` starts with, or None when unknown."""
    items = list(items)
    for k, (op, av) in enumerate(items):
        if op is C.AT:
            if av is not C.AT_BOUNDARY:
                return None
            anchored = True
            continue
        if op in (C.ASSERT, C.ASSERT_NOT):
            continue  # a look-ahead or look-behind consumes nothing
        found = _item_heads(items, k, anchored)
        if found is None or all(literal not in (ANY_WORD, DIGIT) or need for literal, _, need in found):
            return found
        # A wildcard start: remember what else the match must hold, to skip texts without it.
        need = _need(items[k:])
        return {(lit, a, n if n or lit not in (ANY_WORD, DIGIT) else need) for lit, a, n in found}
    return None


def _item_heads(items: list[Any], k: int, anchored: bool) -> set[Head] | None:
    op, av = items[k]
    if op is C.LITERAL:
        run = ""
        for op2, av2 in items[k:]:
            if op2 is not C.LITERAL or av2 > 0x7F:
                break
            run += chr(av2)
        return {(run.lower(), anchored, None)} if run else None
    if op is C.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return None if add_flags or del_flags else _heads(sub, anchored)
    if op is C.BRANCH:
        found: set[Head] = set()
        for branch in av[1]:
            heads = _heads(branch, anchored)
            if heads is None:
                return None
            found |= heads
        return found
    if op in (C.MAX_REPEAT, C.MIN_REPEAT):
        low, _high, sub = av
        once = _heads(sub, anchored)
        if low >= 1 or once is None:
            return once
        # Optional ("(?:the )?wrong"): a match starts with it or with what follows it.
        rest = _heads(items[k + 1 :], anchored)
        return None if rest is None else once | rest
    if op is C.IN:
        return _charset_heads(av, anchored)
    return None


def _charset_heads(members: Any, anchored: bool) -> set[Head] | None:
    """``[- ]`` starts with one of its characters; ``\\b[\\w-]`` at any word start or a "-"."""
    found: set[Head] = set()
    for op, av in members:
        if op is C.LITERAL and av <= 0x7F:
            found.add((chr(av).lower(), anchored, None))
        elif op is C.CATEGORY and av == C.CATEGORY_WORD and anchored:
            found.add((ANY_WORD, True, None))
        elif op is C.CATEGORY and av == C.CATEGORY_DIGIT and anchored:
            found.add((DIGIT, True, None))
        else:
            return None
    return found if len(found) <= MAX_CHARSET else None


def heads(pattern: re.Pattern[str]) -> set[Head] | None:
    """What every match of ``pattern`` starts with: literals (lower case, ASCII) or wildcards,
    each with whether a word boundary must stand before it; None when that cannot be proven."""
    try:
        tree = P.parse(pattern.pattern, pattern.flags)
    except re.error:  # pragma: no cover - the pattern compiled, so it parses
        return None
    found = _heads(tree.data)
    if found is None:
        return None
    # A boundary before a non-word character is no word start: look for it everywhere.
    return {
        (s, anchored and (s in (ANY_WORD, DIGIT) or s[0].isalnum() or s[0] == "_"), need)
        for s, anchored, need in found
    }


# Literals are filed under their first KEY characters (or all of them, when shorter).
KEY = 4


class View:
    """A text as the scanner reads it: lower-cased (ASCII letters only, so every position
    stays where it was) and the places where its words start, by their first ``KEY`` letters."""

    __slots__ = ("text", "lowered", "exact", "_starts")

    def __init__(self, text: str) -> None:
        self.text = text
        if text.isascii():
            self.lowered, self.exact = text.lower(), True
        else:
            self.lowered, self.exact = text.translate(_ASCII_LOWER), FOLDS_TO_ASCII.isdisjoint(text)
        self._starts: dict[str, list[int]] | None = None

    def word_starts(self) -> dict[str, list[int]]:
        """Positions where a word starts, by the word's first ``KEY`` characters."""
        if self._starts is None:
            starts: dict[str, list[int]] = {}
            lowered = self.lowered
            for m in _WORD_START.finditer(lowered):
                p = m.start()
                starts.setdefault(lowered[p : p + KEY], []).append(p)
            self._starts = starts
        return self._starts


class Scanner:
    """Many patterns, scanned together: which of them can match where, then their matches."""

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        self.patterns = list(patterns)
        # Patterns whose starts are unknown: they run with finditer over the whole text.
        self.always: list[int] = []
        by_literal: dict[tuple[str, bool], list[int]] = {}
        # Patterns that may start at any word, or at a word that starts with a digit.
        self._wildcards: list[tuple[str, int, frozenset[str] | None]] = []
        for k, pattern in enumerate(self.patterns):
            found = heads(pattern)
            if found is None:
                self.always.append(k)
                continue
            for literal, anchored, need in sorted(found, key=lambda h: (h[0], h[1])):
                if literal in (ANY_WORD, DIGIT):
                    self._wildcards.append((literal, k, need))
                else:
                    by_literal.setdefault((literal, anchored), []).append(k)
        # Word-start literals under their first KEY characters; the others are searched for.
        self._at_words: dict[str, list[tuple[str, list[int]]]] = {}
        self._anywhere: list[tuple[str, list[int]]] = []
        self._by_word: dict[str, list[tuple[str, list[int]]]] = {}
        self._linear = LinearSet(self.patterns)
        for (literal, anchored), ks in sorted(by_literal.items()):
            if anchored:
                self._at_words.setdefault(literal[:KEY], []).append((literal, ks))
            else:
                self._anywhere.append((literal, ks))

    def _entries(self, word: str) -> list[tuple[str, list[int]]]:
        """The literals that may start a word whose first characters are ``word`` (memoised:
        texts share their words' beginnings)."""
        entries = [entry for size in range(1, len(word) + 1) for entry in self._at_words.get(word[:size], ())]
        if len(self._by_word) < 100_000:
            self._by_word[word] = entries
        return entries

    def starts(self, view: View) -> dict[int, list[int] | None]:
        """The patterns that may match ``view``, ascending, each with the sorted positions where
        a match may start (None: unknown, the pattern runs everywhere)."""
        if not view.exact:
            return dict.fromkeys(range(len(self.patterns)))
        found: dict[int, list[int]] = {}
        lowered = view.lowered
        for word, positions in view.word_starts().items():
            entries = self._by_word.get(word)
            if entries is None:
                entries = self._entries(word)
            for literal, ks in entries:
                for p in positions:
                    if len(literal) < KEY or lowered.startswith(literal, p):
                        for k in ks:
                            found.setdefault(k, []).append(p)
        for wildcard, k, need in self._wildcards:
            if need is not None and not any(literal in lowered for literal in need):
                continue
            found.setdefault(k, []).extend(
                p
                for word, positions in view.word_starts().items()
                if wildcard == ANY_WORD or word[0].isdecimal()
                for p in positions
            )
        for literal, ks in self._anywhere:
            p = lowered.find(literal)
            while p >= 0:
                for k in ks:
                    found.setdefault(k, []).append(p)
                p = lowered.find(literal, p + 1)
        out: dict[int, list[int] | None] = dict.fromkeys(self.always)
        for k, ps in found.items():
            ps.sort()
            out[k] = ps
        return {k: out[k] for k in sorted(out)}

    def spans(self, view: View) -> dict[int, list[tuple[int, int]]]:
        """Every pattern that matches ``view``'s text (ascending), with the spans of its matches
        as ``finditer`` gives them: by RE2 in one pass when it reads the text as Python does
        (see linear), else by trying each pattern where its matches can start."""
        if self._linear.available and view.exact and agrees(view.text):
            return self._linear.spans(view.text)
        out = {}
        for k, positions in self.starts(view).items():
            spans = [m.span() for m in self.finditer(k, view, positions)]
            if spans:
                out[k] = spans
        return out

    def finditer(self, k: int, view: View, positions: list[int] | None) -> Iterator[re.Match[str]]:
        """``self.patterns[k].finditer(view.text)``, trying only ``positions`` when they are known."""
        pattern = self.patterns[k]
        if positions is None:
            yield from pattern.finditer(view.text)
            return
        text, end, last = view.text, 0, -1
        for p in positions:
            if p >= end and p != last:
                last = p
                m = pattern.match(text, p)
                if m is not None:
                    yield m
                    # Every match holds its first literal, so it is never empty.
                    end = m.end()
