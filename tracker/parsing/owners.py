"""Who owns an item, as written in its text: "@alice", "Owner: Bob", "owned by the SRE team",
"Alice: do X", "**Alice:** do X", "Alice to do X", a trailing "- @bob"; and whether a few
words name a person or a team at all."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tracker.parsing.vocabulary import (
    ACTION_VERBS,
    DONE_WORDS,
    KEY_START,
    KIND_WORDS,
    NOT_OWNER_WORDS,
    OWNER_KEYS,
    PRIORITY_RE,
    PRIORITY_WORDS,
)

if TYPE_CHECKING:
    from tracker.parsing.fields import Fields


_MENTION = re.compile(r"(?<![\w.`/@])@([A-Za-z0-9](?:[\w.-]*[\w])?(?:/[\w.-]+)?)")

# The pieces of a name: two or more owners are joined by "," "&" "+" "/" or "and"; a word of a
# keyed value is any word, a name standing alone starts with a capital; a handle with "@".
_AND = r"\s*(?:,|&|\+|/|\band\b)\s*"
_WORD = r"[\w][\w.'-]*"
_CAP = r"[A-Z][\w.'’-]*"
_NAME = rf"@?{_CAP}(?:\s+{_CAP})?"
_HANDLE = r"@[\w.-]+"
_OWNER_VALUE = rf"@?{_WORD}(?:{_AND}@?{_WORD}){{0,4}}(?:\s+{_WORD}){{0,2}}?"
_OWNER_END = r"(?:\*\*|__|\*|_)?(?=\s*(?:$|[,;|)\]]|\s[-–—]\s|\.(?:\s|$)|\s+(?:due|by|priority|p[0-4]|status|ticket)\b))"

# "Owner: bob" (a key and a colon), or "owned by Alice" / "assigned to @bob" (a name follows).
KEYED_OWNER = re.compile(
    rf"{KEY_START}"
    rf"(?:(?:{OWNER_KEYS}|who|responsible)(?:\*\*|__)?\s*(?:[:=]|\s-\s)\s*(?:\*\*|__)?\s*"
    rf"(?P<v>{_OWNER_VALUE})"
    r"|(?:owned\s+by|assigned\s+to)\s+(?P<v2>(?-i:@[\w.-]+|[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)?)(?:\s*(?:,|&|\+|\band\b)\s*(?-i:@[\w.-]+|[A-Z][\w.'-]*))*(?:\s+(?:team|squad))?))"
    rf"{_OWNER_END}",
    re.IGNORECASE,
)
OWNER_LIST = re.compile(
    rf"^(?:{OWNER_KEYS}|owned\s+by)\s*[:=]\s*(@?{_WORD}(?:\s+{_WORD})?(?:{_AND}@?{_WORD}(?:\s+{_WORD})?)*)$",
    re.IGNORECASE,
)
_PREFIX_OWNER = re.compile(
    rf"^(?P<v>(?:@?{_CAP}|{_HANDLE})(?:\s+{_CAP})?(?:{_AND}{_NAME}){{0,3}}(?:\s+team)?)"
    r"\s*(?::|\s[-–—])\s+(?=\S)"
)
_BOLD_PREFIX = re.compile(r"^(\*\*|__)(?P<v>@?[^*_:\n]{1,40}?)(?::\1|\1\s*:)\s+(?=\S)")
_OWNER_TO = re.compile(
    rf"^(?P<v>(?:[Tt]he\s+)?{_NAME}(?:{_AND}@?{_CAP}){{0,3}}"
    r"(?:\s+(?:team|squad|on-?call))?)\s+(?:to|will|should|must|shall)\s+(?P<verb>[a-z][a-z-]+)\b"
)
_NAMEISH = re.compile(
    rf"^{_NAME}(?:{_AND}{_NAME}){{0,3}}"
    rf"(?:\s+(?:team|squad|on-?call|oncall))?$|^{_HANDLE}(?:{_AND}{_HANDLE})*$|"
    r"^(?:the\s+)?[\w-]+\s+(?:team|squad)$",
)
_LEADING_MENTIONS = re.compile(r"^@[\w.-]+(?:\s*[,&+]\s*@[\w.-]+)*\s*[:\-–—]\s*")

PART_MENTION = re.compile(r"@[\w.-]+(?:/[\w.-]+)?")

_OWNER_WORD_SPLIT = re.compile(r"[\s,&+/]+|\band\b")

_OWNER_SPLIT = re.compile(_AND)


def read_owner_prefix(s: str, f: Fields) -> str:
    if not s:
        return s
    first = s[0]
    if first == "*" or first == "_":
        # "**Alice:** do X" / "**Hypha**: do X": an owner prefix in bold.
        m = _BOLD_PREFIX.match(s)
        if m and _owner_like(m.group("v")) and _NAMEISH.match(m.group("v").lstrip("@")):
            set_owner(f, m.group("v"))
            return s[m.end() :]
        return s
    if first == "@" or first.isupper():
        head = s[:80]
        m = (
            _PREFIX_OWNER.match(s)
            if (":" in head or " -" in head or " –" in head or " —" in head)
            else None
        )
        if m and _owner_like(m.group("v")):
            set_owner(f, m.group("v"))
            return s[m.end() :]
        if " to " in s or " will " in s or " should " in s or " must " in s or " shall " in s:
            m = _OWNER_TO.match(s)
            owner = re.sub(r"^[Tt]he\s+", "", m.group("v")) if m else ""
            if m and _owner_like(owner) and m.group("verb") not in ("be", "have", "the"):
                set_owner(f, owner)
                return capitalise(s[m.start("verb") :])
    return s


def capitalise(text: str) -> str:
    """Upper-case the first letter when that round-trips ("ß" and "ı" do not)."""
    first = text[:1].upper()
    if len(first) == 1 and first.lower() == text[:1]:
        return first + text[1:]
    return text


# Word endings of common nouns: "Configuration Audit:", "Automated Testing:" lead a title, not
# a person (with "team" after them, "Networking team" is a team all the same).
_NOUNISH = re.compile(r"(?:tion|sion|ment|ity|ance|ence|ness|ogy|ism|ure|ics|ing)$", re.IGNORECASE)

_NOUNISH_ALONE = re.compile(r"(?:tion|sion|ment|ity|ance|ence|ness|ogy|ism)$", re.IGNORECASE)

_TEAM_WORDS = frozenset(("team", "squad", "crew", "group", "oncall", "on-call", "guild"))


def owner_like(value: str) -> bool:
    """A person's or a team's name, written alone ("Lighthouse", "Alice", "SRE team")."""
    return _owner_like(value) and bool(_NAMEISH.match(value))


def _owner_like(value: str) -> bool:
    words = [w for w in _OWNER_WORD_SPLIT.split(value) if w]
    if not words or len(words) > 6:
        return False
    if words[-1].lower() not in _TEAM_WORDS:
        nounish = _NOUNISH if len(words) > 1 else _NOUNISH_ALONE
        if any(nounish.search(w) for w in words):
            return False
    first = words[0].lstrip("@").lower()
    if first in NOT_OWNER_WORDS or first in ACTION_VERBS or first.rstrip("s") in ACTION_VERBS:
        return False
    if first.endswith("ing") and len(first) > 5:
        return False
    for w in words:
        lw = w.lstrip("@").lower()
        if lw in ("team", "squad", "oncall", "on-call"):
            continue
        if lw in KIND_WORDS or lw in DONE_WORDS or lw in PRIORITY_WORDS or PRIORITY_RE.match(lw):
            return False
        if any(ch.isdigit() for ch in w) and not w.startswith("@"):
            return False
    return True


def set_owner(f: Fields, value: str) -> bool:
    value = value.strip().strip(".,;:")
    if not value or value.lower() in (
        "tbd",
        "tbc",
        "n/a",
        "na",
        "none",
        "nobody",
        "?",
        "-",
        "unassigned",
    ):
        return True  # an explicit "no owner" is still metadata to remove
    owners = [p.strip().lstrip("@") for p in _OWNER_SPLIT.split(value) if p.strip()]
    joiner = " + " if "+" in value else ", "
    owner = joiner.join(owners) if len(owners) > 1 else (owners[0] if owners else None)
    if owner and f.owner is None:
        f.owner = owner
        f.owner_handle = written_as_handles(value)
    return True


def written_as_handles(value: str) -> bool:
    """Whether every owner in ``value`` was written as a handle: "@lena-k", "@lena-k, @sam"."""
    owners = [p.strip() for p in _OWNER_SPLIT.split(value) if p.strip()]
    return bool(owners) and all(o.startswith("@") for o in owners)


def read_mentions(s: str, f: Fields) -> str:
    mentions = _MENTION.findall(s)
    if not mentions:
        return s
    if f.owner is None:
        f.owner = ", ".join(mentions)
        f.owner_handle = True
    # Drop mentions that stand apart from the sentence (at the end, after a dash, "cc"),
    # keep those that are part of it ("ask @bob to review").
    s = _strip_trailing_mentions(s)
    if s[:1] == "@":
        s = _LEADING_MENTIONS.sub("", s)
    return s


def _strip_trailing_mentions(s: str) -> str:
    """Drop mentions standing at the end: "... - @alice", "... cc @bob @carol", "... by @dana"."""
    while True:
        t = s.rstrip(" .")
        cut = t.rfind(" ")
        last = t[cut + 1 :]
        if not last.startswith("@") or not PART_MENTION.fullmatch(last):
            return s
        head = t[: cut + 1].rstrip()
        low = head.lower()
        for joiner in ("-", "–", "—", ",", ";", "|", " cc:", " cc", " owner:", " owner", " by"):
            if low.endswith(joiner):
                head = head[: -len(joiner)].rstrip()
                break
        s = head
