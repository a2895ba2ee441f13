"""Read one action item's own text: owner, due date, priority, kind, done state and ticket.

The input is the item's inline Markdown (a list item's paragraph, a table cell, a bare line);
the output is the same text cleaned of what was read out of it, with the rest of its inline
Markdown kept. Everything is read from the item's own text only, so regular expressions are
fine here; the document's structure comes from markdown-it.

Cheap substring checks guard every pattern: most items carry little metadata, and the parser
has a speed budget relative to bare tokenisation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from tracker.models import Problem
from tracker.parsing import dates
from tracker.parsing.cleanup import tidy
from tracker.parsing.owners import (
    KEYED_OWNER,
    OWNER_LIST,
    PART_MENTION,
    capitalise,
    owner_like,
    read_mentions,
    read_owner_prefix,
    set_owner,
)
from tracker.parsing.priority import KEYED_PRIORITY, priority_of, read_priority_tokens, set_priority
from tracker.parsing.status import (
    CHECKBOX,
    STATUS_BARE_PREFIX,
    STATUS_PREFIX,
    done_word,
    read_done_marks,
    set_done,
    strip_emoji,
)
from tracker.parsing.tickets import (
    PART_TICKET,
    TICKET_REF,
    is_ticket,
    may_hold_ref,
    read_links,
    read_ticket_refs,
)
from tracker.parsing.vocabulary import (
    DONE_WORDS,
    KEY_START,
    KIND_WORDS,
    OWNER_KEYS,
    words,
)


@dataclass(slots=True)
class Fields:
    text: str
    owner: str | None = None
    due: date | None = None
    priority: str | None = None
    kind: str | None = None
    done: bool | None = None
    owner_handle: bool = False  # the owner was written "@lena-k" (``owner`` keeps no "@")
    tickets: list[str] = field(default_factory=list)
    # References the text mentions without making them its ticket ("see OPS-1420").
    related: list[str] = field(default_factory=list)
    # ("error" | "warning", message) about what was read, e.g. a due date that does not exist.
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ticket(self) -> str | None:
        return ", ".join(self.tickets) if self.tickets else None


@dataclass(frozen=True, slots=True)
class Context:
    """What the reader needs from the document: link definitions, date order, incident year."""

    references: Mapping[str, str]
    date_order: str = "mdy"
    year: int | None = None
    # What readers found wrong, for the postmortem's ``problems`` (the list is filled in place).
    problems: list[Problem] = field(default_factory=list)


# --- patterns -------------------------------------------------------------------------------

ENUMERATOR = re.compile(
    r"^(?:\*\*|__)?(?:task|action(?:\s+item)?|item|ai|step|follow[- ]?up|todo)\s*#?\d*(?:\*\*|__)?"
    r"\s*[:.)\-–—](?:\*\*|__)?\s+",
    re.IGNORECASE,
)
_KIND_PREFIX = re.compile(
    r"^(?:\*\*|__)?(?:type|kind|category)\s*:\s*(?P<v>[A-Za-z-]+)(?:\*\*|__)?\s*(?:[-–—:|]\s*|\s+(?=\S))",
    re.IGNORECASE,
)
_KEYED_DUE = re.compile(
    rf"{KEY_START}(?:due(?:\s+date)?|deadline|eta|target(?:\s+date)?|by\s+when|"
    r"by|before|no\s+later\s+than|until)(?:\*\*|__)?\s*:?\s*(?:\*\*|__)?\s*(?:on\s+|the\s+)?"
    rf"(?P<v>{dates.DATE_RE}|(?:(?:the\s+)?end\s+of\s+)?(?:\d{{4}}[\s-]?)?Q[1-4](?:[\s,]+\d{{4}})?|"
    rf"(?:the\s+)?end\s+of\s+{dates.MONTH_NAME}(?:,?\s+\d{{4}})?)(?:\*\*|__|\*|_)?",
    re.IGNORECASE,
)
_KEYED_KIND = re.compile(r"\b(?:type|kind|category)\s*[:=]\s*(?P<v>[A-Za-z-]+)", re.IGNORECASE)
_BRACKET_GROUP = re.compile(r"\(([^()]{1,120})\)|\[([^\[\]]{1,80})\](?![(\[:])")
_SEPARATOR_TAIL = re.compile(r"\s+(?P<sep>--|[-–—|])\s+(?P<v>[^-–—|]{1,80})$")
_PREFIX_BRACKET = re.compile(r"^\[(?P<v>[^\[\]]{1,40})\]\s*(?::\s*)?(?=\S)")
_PART_SPLIT = re.compile(r"\s*[,;|]\s*")
_PART_DUE = re.compile(
    r"^(?:due(?:\s+date)?|deadline|eta|target|by|before)\s*:?\s*(?:on\s+)?(.+)$", re.IGNORECASE
)
_NO_DUE = re.compile(
    r"^(?:due(?:\s+date)?|eta|deadline|target)\s*:?\s*(?:tbd|tbc|n/?a|unknown|none|-|\?+)$",
    re.IGNORECASE,
)
_PART_DATE = re.compile(r"^\d|^[A-Za-z]{3,9}\.?\s+\d")
_PART_OWNER = re.compile(
    rf"^(?:{OWNER_KEYS}|who|owned\s+by|responsible)\s*[:=-]?\s*(.+)$",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")


def read_fields(raw: str, ctx: Context) -> Fields:
    """Read ``raw`` (one item's inline Markdown) into its text and metadata."""
    s = raw.replace("\n", " ").strip() if "\n" in raw else raw.strip()
    f = Fields(text="")

    # Markers at the start: checkbox, done/open emoji, status words, enumerators, in any order.
    opening = s
    for _ in range(4):
        before = s
        if s[:1] == "[":
            m = CHECKBOX.match(s)
            if m:
                f.done = m.group(1) != " "
                s = s[m.end() :]
        s = strip_emoji(s, f)
        if s[:1] in "*_[(" or _first_word(s) in _PREFIX_WORDS:
            m = STATUS_PREFIX.match(s) or STATUS_BARE_PREFIX.match(s)
            if m:
                f.done = done_word(m.group("s"))
                s = s[m.end() :]
            m = ENUMERATOR.match(s)
            if m:
                s = s[m.end() :]
            m = _KIND_PREFIX.match(s)
            if m and _set_kind(f, m.group("v")):
                s = s[m.end() :]
        if s == before:
            break

    if s.startswith("~~") and s.find("~~", 2) > 2:
        end = s.find("~~", 2)
        if end >= len(s) * 0.5:
            f.done = True
            s = s[2:end] + s[end + 2 :]

    if "](" in s or "][" in s or "http" in s or (ctx.references and "[" in s):
        s = read_links(s, f, ctx)

    s = read_done_marks(s, f)

    # Owner written first: "[SRE] ...", "Alice: ...", "Alice to ...".
    s = _read_bracket_prefix(s, f) if s[:1] == "[" else read_owner_prefix(s, f)

    if "(" in s or "[" in s:
        s = _read_groups(s, f, ctx)

    s = _read_keyed(s, f, ctx)
    if "P0" in s or "P1" in s or "P2" in s or "P3" in s or "P4" in s:
        s = read_priority_tokens(s, f)
    if "@" in s:
        s = read_mentions(s, f)
    if may_hold_ref(s):
        s = read_ticket_refs(s, f)
    if " - " in s or "—" in s or "–" in s or " | " in s:
        s = _read_separator_tail(s, f, ctx)

    text = tidy(s)
    if (
        text[:1].islower()
        and not opening.startswith(text[:12])
        and not opening[4:].startswith(text[:12])
    ):
        # "Type: process - move ..." / "TODO: add ..." lose their prefix: the item starts here.
        text = capitalise(text)
    f.text = text
    return f


# --- pieces ---------------------------------------------------------------------------------

# First words that may open a status, an enumerator or a kind prefix ("DONE:", "Task 2:", "Type:").
_PREFIX_WORDS = words(
    """
    done todo to-do to doing wip fixed closed open complete completed finished resolved shipped
    merged in planned pending not ongoing blocked outstanding task action item ai step follow
    follow-up followup type kind category
    """
)


def _first_word(s: str) -> str:
    return _FIRST_WORD.match(s).group().lower()  # type: ignore[union-attr]  # matches "" at worst


_FIRST_WORD = re.compile(r"[^\W_]*(?:-[^\W_]+)*")


def _set_due(f: Fields, value: str, ctx: Context) -> bool:
    due = dates.parse_due(value, ctx.date_order, ctx.year)
    problem = (
        dates.date_problem(value, ctx.date_order)
        if due is None or "/" in value or "-" in value
        else None
    )
    if problem is not None:
        f.problems.append((problem[0], f"due date {problem[1]}"))  # the caller adds the line
    if due is None:
        return problem is not None  # a date that does not exist is still a due date to strip
    if f.due is None:
        f.due = due
    return True


def _set_kind(f: Fields, value: str) -> bool:
    kind = KIND_WORDS.get(value.strip().strip("*_").lower())
    if kind is None:
        return False
    if f.kind is None:
        f.kind = kind
    return True


def _read_keyed(s: str, f: Fields, ctx: Context) -> str:
    """ "owner: bob", "due March 3", "priority: high", "(high priority)", "type: detect"."""
    s = _apply(KEYED_OWNER, s, lambda v: set_owner(f, v))
    s = _apply(_KEYED_DUE, s, lambda v: _set_due(f, v, ctx))
    s = _apply(KEYED_PRIORITY, s, lambda v: set_priority(f, v))
    return _apply(_KEYED_KIND, s, lambda v: _set_kind(f, v))


def _apply(pattern: re.Pattern[str], s: str, setter: object) -> str:
    """Remove each match of ``pattern`` that ``setter`` accepts (it returns True)."""

    def repl(m: re.Match[str]) -> str:
        value = next((g for g in m.groups() if g), "")
        if value and setter(value):  # type: ignore[operator]
            return " "
        return m.group(0)

    return pattern.sub(repl, s)


def _read_groups(s: str, f: Fields, ctx: Context) -> str:
    """Parenthesised or bracketed metadata: "(P1, @alice, due 2026-03-01)", "[SRE]", "(detect)"."""
    end = len(s.rstrip(" .;"))

    def repl(m: re.Match[str]) -> str:
        inner = m.group(1) if m.group(1) is not None else m.group(2)
        at_end = m.end() >= end
        trial = Fields(text="")
        keyed = OWNER_LIST.match(inner.strip())
        if keyed:
            set_owner(trial, keyed.group(1))
            _merge(f, trial)
            return " "
        parts = [p.strip() for p in _PART_SPLIT.split(inner) if p.strip()]
        if not parts or len(parts) > 6:
            return m.group(0)
        for part in parts:
            if not _classify_part(
                part, trial, ctx, owner_ok=at_end or m.group(2) is not None, apply=True
            ):
                return m.group(0)
        _merge(f, trial)
        return " "

    return _BRACKET_GROUP.sub(repl, s)


def _read_bracket_prefix(s: str, f: Fields) -> str:
    """ "[SRE] ...", "[P1] ...": metadata in brackets before the text."""
    m = _PREFIX_BRACKET.match(s)
    if m and _classify_part(m.group("v"), f, None, owner_ok=True, apply=True):
        return s[m.end() :]
    return s


def _merge(f: Fields, other: Fields) -> None:
    f.problems.extend(other.problems)
    if f.owner is None and other.owner:
        f.owner, f.owner_handle = other.owner, other.owner_handle
    f.due = f.due or other.due
    f.priority = f.priority or other.priority
    f.kind = f.kind or other.kind
    if other.done is not None:
        f.done = other.done
    f.tickets.extend(other.tickets)


def _classify_part(
    part: str, f: Fields, ctx: Context | None, *, owner_ok: bool, apply: bool
) -> bool:
    """Read one piece of metadata ("P1", "@alice", "due March 3", "done", "ABC-12")."""
    p = part.strip().strip("*_").strip()
    if not p:
        return False
    first = p[0]
    # The common pieces first, told apart by their first character.
    if first == "@":
        return bool(PART_MENTION.fullmatch(p)) and set_owner(f, p)
    if first == "#":
        if TICKET_REF.fullmatch(p):
            f.tickets.append(p)
            return True
        return False
    if (first == "P" or first == "p") and len(p) == 2 and p[1] in "01234":
        return set_priority(f, f"P{p[1]}")
    low = p.lower()
    if low in DONE_WORDS and len(low) > 1:
        return set_done(f, low)
    if low.startswith(("status:", "status ", "state:")):
        return set_done(f, p.split(":", 1)[-1].split(" ", 1)[-1])
    prio = priority_of(p)
    if prio is not None:
        return set_priority(f, prio)
    if low in KIND_WORDS:
        return _set_kind(f, low)
    if low.startswith(("type:", "kind:", "category:")):
        return _set_kind(f, p.split(":", 1)[1])
    if _NO_DUE.match(p):
        return True  # "due: TBD" says nothing, but is metadata all the same
    if ctx is not None:
        m = _PART_DUE.match(p)
        if m and _set_due(f, m.group(1), ctx):
            return True
        if _PART_DATE.match(p) and _set_due(f, p, ctx):
            return True
    m = TICKET_REF.fullmatch(p) if ("#" in p or "-" in p) else None
    if m and is_ticket(m):
        f.tickets.append(p)
        return True
    m = PART_TICKET.match(p)
    if m:
        f.tickets.append(m.group(1))
        return True
    m = _PART_OWNER.match(p)
    if m:
        return set_owner(f, m.group(1))
    if p.startswith("@") and PART_MENTION.fullmatch(p):
        return set_owner(f, p)
    if owner_ok and owner_like(p):
        return set_owner(f, p)
    return False


def _read_separator_tail(s: str, f: Fields, ctx: Context) -> str:
    """A tail after a dash or pipe made only of metadata: "... — Alice, P1, 2026-03-01"."""
    m = _SEPARATOR_TAIL.search(s.rstrip(" ."))
    if not m:
        return s
    parts = [p.strip() for p in _PART_SPLIT.split(m.group("v")) if p.strip()]
    if not parts:
        return s
    # After a plain hyphen a lone word is as often the thing itself ("Add caching - Redis") as
    # its owner; a dash, a pipe, a full name or a team is an owner.
    dash = m.group("sep") != "-"
    trial = Fields(text="")
    for part in parts:
        owner_ok = dash or " " in part.strip() or part.lower().endswith((" team", " squad"))
        if not _classify_part(part, trial, ctx, owner_ok=owner_ok, apply=True):
            return s
    _merge(f, trial)
    return s[: m.start()]
