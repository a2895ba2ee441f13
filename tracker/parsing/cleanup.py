"""What is left of an item's text once its metadata is read out, tidied: doubled spaces, empty
brackets, a stray comma or emphasis mark at an edge."""

from __future__ import annotations

import re

_SPACES = re.compile(r"\s{2,}")

_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;])")

_EDGE_JUNK = " \t-–—,;:|/·•"

_EMPTY_GROUPS = re.compile(r"\(\s*[,;]?\s*\)|\[\s*\](?![(\[])|\*\*\s*\*\*|__\s*__")


def _unbalanced_edges(s: str) -> str:
    """Emphasis marks left alone at an edge once the metadata they wrapped is gone."""
    for mark in ("**", "__", "*", "_"):
        if s.count(mark) % 2 == 1:
            if s.endswith(mark):
                s = s[: -len(mark)].rstrip(_EDGE_JUNK)
            elif s.startswith(mark):
                s = s[len(mark) :].lstrip(_EDGE_JUNK)
    return s


def tidy(s: str) -> str:
    if "  " in s:
        s = _SPACES.sub(" ", s)
    if "()" in s or "( " in s or "[]" in s or "[ " in s or "** **" in s or "****" in s:
        s = _EMPTY_GROUPS.sub("", s)
        s = _SPACES.sub(" ", s)
    s = s.strip(_EDGE_JUNK)
    # Metadata removed from the middle leaves " ," or " ." behind.
    if " ," in s or " ." in s or " ;" in s:
        s = _SPACE_BEFORE_PUNCT.sub(r"\1", s)
    if s.endswith(("(", "[")):
        s = s[:-1].rstrip(_EDGE_JUNK)
    if s[-1:] in ("*", "_") or s[:1] in ("*", "_"):
        s = _unbalanced_edges(s)
    return s
