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
from tracker.parsing.vocabulary import (
    ACTION_VERBS,
    DONE_EMOJI,
    DONE_WORDS,
    KIND_WORDS,
    MARKER_ENDS,
    MARKER_STARTS,
    NOT_OWNER_WORDS,
    OPEN_EMOJI,
    PRIORITY_RE,
    PRIORITY_WORDS,
)


@dataclass(slots=True)
class Fields:
    text: str
    owner: str | None = None
    due: date | None = None
    priority: str | None = None
    kind: str | None = None
    done: bool | None = None
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

_CHECKBOX = re.compile(r"^\[([ xX])\]\s+")
_STATUS_WORDS = (
    r"done|complete|completed|finished|fixed|resolved|closed|shipped|merged|todo|to-?do|"
    r"open|in[ -]progress|wip|planned|pending|not started|ongoing|blocked|outstanding|not done"
)
_STATUS_PREFIX = re.compile(
    rf"^(?:\*\*|__|\[|\()?(?P<s>DONE|TODO|DOING|WIP|FIXED|CLOSED|OPEN|COMPLETED?|{_STATUS_WORDS})"
    rf"(?:\*\*|__|\]|\))?\s*(?:[:\-–—]\s*|(?<=[\])*_])\s+)",
    re.IGNORECASE,
)
_STATUS_BARE_PREFIX = re.compile(r"^(?P<s>DONE|TODO|DOING|WIP|FIXED|CLOSED|OPEN)\s+(?=[A-Za-z])")
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
ENUMERATOR = re.compile(
    r"^(?:\*\*|__)?(?:task|action(?:\s+item)?|item|ai|step|follow[- ]?up|todo)\s*#?\d*(?:\*\*|__)?"
    r"\s*[:.)\-–—](?:\*\*|__)?\s+",
    re.IGNORECASE,
)
_KIND_PREFIX = re.compile(
    r"^(?:\*\*|__)?(?:type|kind|category)\s*:\s*(?P<v>[A-Za-z-]+)(?:\*\*|__)?\s*(?:[-–—:|]\s*|\s+(?=\S))",
    re.IGNORECASE,
)
_INLINE_LINK = re.compile(
    r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^()\s>]+(?:\([^()\s]*\))?)>?(?:\s+[\"'(][^\"')]*[\"')])?\s*\)"
)
_REF_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])+)\]\[([^\[\]]*)\]")
# markdown-it has taken every link definition out: "[#12]: text" left in an item is a link.
_SHORTCUT_LINK = re.compile(r"(?<![\]\\])\[([^\[\]]+)\](?![\[(])")
_BARE_URL = re.compile(r"<?(https?://[^\s<>()]+(?:\([^\s()]*\))?[^\s<>()\].,;:!?'\"*_])>?")
_TICKET_URL = re.compile(
    r"https?://[^\s/]+/(?:[^\s]*/)?(?:issues?|pulls?|merge_requests|tickets?|bugs?|browse|"
    r"show_bug\.cgi\?id=|issue)(?:/|=)?[A-Za-z0-9]*[-]?\d+(?:[/#?][^\s]*)?$",
    re.IGNORECASE,
)
_TICKET_REF = re.compile(
    r"(?<![\w/.&#-])(?:(?P<repo>[\w.-]+/[\w.-]+)?#(?P<num>\d+)\b|(?P<key>[A-Z][A-Z0-9]{1,9}-\d+)(?![\w-]))"
)
_NOT_TICKET_KEYS = frozenset(
    [
        "UTF",
        "SHA",
        "ISO",
        "RFC",
        "CVE",
        "TLS",
        "SSL",
        "HTTP",
        "HTTPS",
        "IPV",
        "COVID",
        "GPT",
        "AES",
        "RSA",
        "MD",
        "ECDSA",
        "PEP",
        "GMT",
        "UTC",
        "SEV",
        "P",
        "A",
        "RAID",
        "DDR",
        "IEC",
        "EN",
        "DIN",
        "TCP",
        "UDP",
        "PCI",
        "SOC",
        "HIPAA",
        "GDPR",
        "S3",
        "EC2",
        "V",
        "K8S",
    ]
)
_GENERIC_LINK_TEXT = re.compile(
    r"^(?:(?:github|gitlab|jira|linear)\s+)?(?:issue|ticket|bug|pr|pull\s+request|mr|merge\s+request|"
    r"link|here|tracking(?:\s+issue)?|jira|github|story|task|epic|change|fix|patch)s?(?:\s*#?\d+)?$|"
    r"^#\d+$|^[A-Z][A-Z0-9]{1,9}-\d+$|^[\w.-]+/[\w.-]+#\d+$|^https?://\S+$",
    re.IGNORECASE,
)
_MENTION = re.compile(r"(?<![\w.`/@])@([A-Za-z0-9](?:[\w.-]*[\w])?(?:/[\w.-]+)?)")
_OWNER_VALUE = (
    r"@?[\w][\w.'-]*(?:\s*(?:,|&|\+|/|\band\b)\s*@?[\w][\w.'-]*){0,4}(?:\s+[\w][\w.'-]*){0,2}?"
)
_OWNER_END = r"(?:\*\*|__|\*|_)?(?=\s*(?:$|[,;|)\]]|\s[-–—]\s|\.(?:\s|$)|\s+(?:due|by|priority|p[0-4]|status|ticket)\b))"
# "Owner: bob" (a key and a colon), or "owned by Alice" / "assigned to @bob" (a name follows).
_KEYED_OWNER = re.compile(
    r"(?:^|(?<=[\s(\[,;|]))(?:\*\*|__|\*|_)?"
    r"(?:(?:owners?|assignees?|assigned(?:\s+to)?|dri|who|responsible)(?:\*\*|__)?\s*(?:[:=]|\s-\s)\s*(?:\*\*|__)?\s*"
    rf"(?P<v>{_OWNER_VALUE})"
    r"|(?:owned\s+by|assigned\s+to)\s+(?P<v2>(?-i:@[\w.-]+|[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)?)(?:\s*(?:,|&|\+|\band\b)\s*(?-i:@[\w.-]+|[A-Z][\w.'-]*))*(?:\s+(?:team|squad))?))"
    rf"{_OWNER_END}",
    re.IGNORECASE,
)
_KEYED_DUE = re.compile(
    r"(?:^|(?<=[\s(\[,;|]))(?:\*\*|__|\*|_)?(?:due(?:\s+date)?|deadline|eta|target(?:\s+date)?|by\s+when|"
    r"by|before|no\s+later\s+than|until)(?:\*\*|__)?\s*:?\s*(?:\*\*|__)?\s*(?:on\s+|the\s+)?"
    rf"(?P<v>{dates.DATE_RE}|(?:(?:the\s+)?end\s+of\s+)?(?:\d{{4}}[\s-]?)?Q[1-4](?:[\s,]+\d{{4}})?|"
    r"(?:the\s+)?end\s+of\s+(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
    r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?:,?\s+\d{4})?)(?:\*\*|__|\*|_)?",
    re.IGNORECASE,
)
_KEYED_PRIORITY = re.compile(
    r"(?:^|(?<=[\s(\[,;|]))(?:\*\*|__|\*|_)?(?:priority|prio|pri)(?:\*\*|__)?\s*[:=\-]?\s*(?:\*\*|__)?\s*"
    r"(?P<v>p[0-4]|[0-4]|critical|urgent|blocker|highest|high|medium|normal|moderate|low|lowest|minor|major|trivial)\b(?:\*\*|__|\*|_)?"
    r"|\b(?P<w>critical|urgent|highest|high|medium|low|lowest)[- ]priority\b",
    re.IGNORECASE,
)
_PRIORITY_TOKEN = re.compile(r"(?<![\w-])(?:\*\*|__)?P(?P<v>[0-4])(?:\*\*|__)?(?![\w-])")
_KEYED_KIND = re.compile(r"\b(?:type|kind|category)\s*[:=]\s*(?P<v>[A-Za-z-]+)", re.IGNORECASE)
_KEYED_TICKET = re.compile(
    r"(?:^|(?<=[\s(\[,;|]))(?:tickets?|issues?|bugs?|jira|tracking|tracked\s+in|pr|mr)\s*[:#]?\s*(?=[A-Z#\w/.-]*(?:#\d|[A-Z]-\d))",
    re.IGNORECASE,
)
_OWNER_LIST = re.compile(
    r"^(?:owners?|assignees?|assigned(?:\s+to)?|dri|owned\s+by)\s*[:=]\s*(@?[\w][\w.'-]*(?:\s+[\w][\w.'-]*)?(?:\s*(?:,|&|\+|/|\band\b)\s*@?[\w][\w.'-]*(?:\s+[\w][\w.'-]*)?)*)$",
    re.IGNORECASE,
)
_BRACKET_GROUP = re.compile(r"\(([^()]{1,120})\)|\[([^\[\]]{1,80})\](?![(\[:])")
_SEPARATOR_TAIL = re.compile(r"\s+(?P<sep>--|[-–—|])\s+(?P<v>[^-–—|]{1,80})$")
_PREFIX_OWNER = re.compile(
    r"^(?P<v>(?:@?[A-Z][\w.'’-]*|@[\w.-]+)(?:\s+[A-Z][\w.'’-]*)?(?:\s*(?:\+|&|/|,|\band\b)\s*@?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)?){0,3}(?:\s+team)?)"
    r"\s*(?::|\s[-–—])\s+(?=\S)"
)
_BOLD_PREFIX = re.compile(r"^(\*\*|__)(?P<v>@?[^*_:\n]{1,40}?)(?::\1|\1\s*:)\s+(?=\S)")
_PREFIX_BRACKET = re.compile(r"^\[(?P<v>[^\[\]]{1,40})\]\s*(?::\s*)?(?=\S)")
_OWNER_TO = re.compile(
    r"^(?P<v>(?:[Tt]he\s+)?@?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)?(?:\s*(?:,|&|\+|/|\band\b)\s*@?[A-Z][\w.'’-]*){0,3}"
    r"(?:\s+(?:team|squad|on-?call))?)\s+(?:to|will|should|must|shall)\s+(?P<verb>[a-z][a-z-]+)\b"
)
_NAMEISH = re.compile(
    r"^@?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)?(?:\s*(?:,|&|\+|/|\band\b)\s*@?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)?){0,3}"
    r"(?:\s+(?:team|squad|on-?call|oncall))?$|^@[\w.-]+(?:\s*(?:,|&|\+|/|\band\b)\s*@[\w.-]+)*$|"
    r"^(?:the\s+)?[\w-]+\s+(?:team|squad)$",
)
_PAST_PASSIVE = re.compile(
    r"^(?P<subject>(?:[\w\"'`’/.-]+\s+){1,8}?)(?:was|were|has\s+been|have\s+been|had\s+been|got)\s+"
    r"(?:(?:now|also|then|already|\w+ly)\s+)?[a-z]+(?:ed|en|wn|ne|lt|nt|ught|ut|de)\b",
    re.IGNORECASE,
)
_WE_DID = re.compile(
    r"^(?:we|i|they|our team|the team)\s+(?:have\s+|'ve\s+|’ve\s+|had\s+|already\s+|also\s+|then\s+)*(?!been\b)"
    r"([a-z]+(?<!e)ed|built|wrote|made|ran|took|sent|set up|put|began|found|split|shut|cut|rewrote|upgraded)\b",
    re.IGNORECASE,
)
_NOT_DONE_PAST = frozenset(
    [
        "planned",
        "needed",
        "wanted",
        "intended",
        "hoped",
        "expected",
        "started",
        "continued",
        "agreed",
        "decided",
        "proposed",
        "considered",
        "discussed",
        "noticed",
        "believed",
        "assumed",
        "suspected",
        "learned",
        "learnt",
        "realized",
        "realised",
        "observed",
        "saw",
        "tried",
        "attempted",
        "failed",
        "missed",
        "used",
        "relied",
        "lacked",
    ]
)
_MODAL = re.compile(
    r"\b(?:will|should|must|would|could|need|needs|plan|planned|not|never|if|when|once|until)\b",
    re.IGNORECASE,
)
_PAST_OPENERS = frozenset(
    [
        "added",
        "fixed",
        "created",
        "updated",
        "deployed",
        "migrated",
        "removed",
        "wrote",
        "rewrote",
        "moved",
        "replaced",
        "reverted",
        "implemented",
        "introduced",
        "configured",
        "patched",
        "upgraded",
        "enabled",
        "disabled",
        "increased",
        "decreased",
        "reduced",
        "rolled",
        "raised",
        "lowered",
        "documented",
        "published",
        "released",
        "merged",
        "shipped",
        "installed",
        "restarted",
        "rotated",
        "renamed",
        "deleted",
        "refactored",
        "resolved",
        "completed",
        "finished",
        "identified",
        "built",
        "set",
    ]
)
_SPACES = re.compile(r"\s{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;])")
_REMOVED_IN_GROUP = re.compile(r"\s*(?:\(\s*(?:see\s+)?\x00(?:\s*,\s*\x00)*\s*\)|\[\s*\x00\s*\])")
_REMOVED_WITH_LABEL = re.compile(
    r"\s*(?:\b(?:see|tracked\s+in|ticket|issue|pr|pull\s+request|bug|jira|link)s?\s*:?\s*)?\x00",
    re.IGNORECASE,
)
_LEADING_MENTIONS = re.compile(r"^@[\w.-]+(?:\s*[,&+]\s*@[\w.-]+)*\s*[:\-–—]\s*")
# Each alternative starts at a word's start: without that, "...$" patterns retry every position.
_REF = r"(?<![\w.-])(?:[\w.-]+/[\w.-]+)?#\d+|(?<![\w.-])[A-Z][A-Z0-9]{1,9}-\d+"
_REF_IN_GROUP = re.compile(rf"\s*(?:\(|\[)\s*(?:{_REF})(?:\s*[,/]\s*(?:{_REF}))*\s*(?:\)|\])")
_REF_AT_START = re.compile(rf"^(?:{_REF})\s*[:\-–—]\s*")
_PART_SPLIT = re.compile(r"\s*[,;|]\s*")
_PRIORITY_KEY = re.compile(r"^(?:priority|prio)\s*[:=]?\s*")
_PART_DUE = re.compile(
    r"^(?:due(?:\s+date)?|deadline|eta|target|by|before)\s*:?\s*(?:on\s+)?(.+)$", re.IGNORECASE
)
_NO_DUE = re.compile(
    r"^(?:due(?:\s+date)?|eta|deadline|target)\s*:?\s*(?:tbd|tbc|n/?a|unknown|none|-|\?+)$",
    re.IGNORECASE,
)
_PART_DATE = re.compile(r"^\d|^[A-Za-z]{3,9}\.?\s+\d")
_PART_TICKET = re.compile(
    rf"^(?:tickets?|issues?|bugs?|jira|pr)\s*[:#]?\s*({_REF})$", re.IGNORECASE
)
_PART_OWNER = re.compile(
    r"^(?:owners?|assignees?|assigned(?:\s+to)?|dri|who|owned\s+by|responsible)\s*[:=-]?\s*(.+)$",
    re.IGNORECASE,
)
_PART_MENTION = re.compile(r"@[\w.-]+(?:/[\w.-]+)?")
_OWNER_WORD_SPLIT = re.compile(r"[\s,&+/]+|\band\b")
_OWNER_SPLIT = re.compile(r"\s*(?:,|&|\+|/|\band\b)\s*")
_KEY_DIGIT = re.compile(r"[A-Z0-9]-\d")
_DIGIT = re.compile(r"\d")
_EDGE_JUNK = " \t-–—,;:|/·•"
_EMPTY_GROUPS = re.compile(r"\(\s*[,;]?\s*\)|\[\s*\](?![(\[])|\*\*\s*\*\*|__\s*__")
_WORD = re.compile(r"[A-Za-z][\w'’-]*")


def read_fields(raw: str, ctx: Context) -> Fields:
    """Read ``raw`` (one item's inline Markdown) into its text and metadata."""
    s = raw.replace("\n", " ").strip() if "\n" in raw else raw.strip()
    f = Fields(text="")

    # Markers at the start: checkbox, done/open emoji, status words, enumerators, in any order.
    opening = s
    for _ in range(4):
        before = s
        if s[:1] == "[":
            m = _CHECKBOX.match(s)
            if m:
                f.done = m.group(1) != " "
                s = s[m.end() :]
        s = _strip_emoji(s, f)
        if s[:1] in "*_[(" or _first_word(s) in _PREFIX_WORDS:
            m = _STATUS_PREFIX.match(s) or _STATUS_BARE_PREFIX.match(s)
            if m:
                f.done = _status(m.group("s"))
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
        s = _read_links(s, f, ctx)

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

    # Owner written first: "[SRE] ...", "Alice: ...", "Alice to ...".
    s = _read_owner_prefix(s, f)

    if "(" in s or "[" in s:
        s = _read_groups(s, f, ctx)

    s = _read_keyed(s, f, ctx)
    if "P0" in s or "P1" in s or "P2" in s or "P3" in s or "P4" in s:
        s = _read_priority_tokens(s, f)
    if "@" in s:
        s = _read_mentions(s, f)
    if "#" in s or ("-" in s and _KEY_DIGIT.search(s)):
        s = _read_ticket_refs(s, f)
    if " - " in s or "—" in s or "–" in s or " | " in s:
        s = _read_separator_tail(s, f, ctx)

    text = _tidy(s)
    if (
        text[:1].islower()
        and not opening.startswith(text[:12])
        and not opening[4:].startswith(text[:12])
    ):
        # "Type: process - move ..." / "TODO: add ..." lose their prefix: the item starts here.
        text = _capitalise(text)
    f.text = text
    return f


# --- pieces ---------------------------------------------------------------------------------


# First words that may open a status, an enumerator or a kind prefix ("DONE:", "Task 2:", "Type:").
_PREFIX_WORDS = frozenset(
    [
        "done",
        "todo",
        "to-do",
        "to",
        "doing",
        "wip",
        "fixed",
        "closed",
        "open",
        "complete",
        "completed",
        "finished",
        "resolved",
        "shipped",
        "merged",
        "in",
        "planned",
        "pending",
        "not",
        "ongoing",
        "blocked",
        "outstanding",
        "task",
        "action",
        "item",
        "ai",
        "step",
        "follow",
        "follow-up",
        "followup",
        "type",
        "kind",
        "category",
    ]
)


def _first_word(s: str) -> str:
    return _FIRST_WORD.match(s).group().lower()  # type: ignore[union-attr]  # matches "" at worst


_FIRST_WORD = re.compile(r"[^\W_]*(?:-[^\W_]+)*")


def _status(word: str) -> bool | None:
    return DONE_WORDS.get(word.lower().replace("-", " ").replace("to do", "todo").strip())


def _strip_emoji(s: str, f: Fields) -> str:
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


def _read_statuses(s: str, f: Fields) -> str:
    def marked(m: re.Match[str]) -> str:
        done = _status(m.group("s") or m.group("s2"))
        if done is not None:
            f.done = done
        return " "

    if "**" in s or "__" in s or "[" in s:
        s = _STATUS_MARKED.sub(marked, s)
    lower = s.lower()
    if "status" in lower or "state" in lower:
        s = _apply(_STATUS_KEYED, s, lambda v: _set_done(f, v))
    tail = s.rstrip(" .!*_").lower()
    m = _STATUS_TRAILING.search(s) if tail.endswith(("done", "completed")) else None
    if m and m.start() > 0:
        f.done = True
        s = s[: m.start()]
    return s


def _set_done(f: Fields, value: str) -> bool:
    done = _status(value)
    if done is None:
        return False
    f.done = done
    return True


def _is_ticket_url(url: str) -> bool:
    return bool(_TICKET_URL.match(url))


def _read_links(s: str, f: Fields, ctx: Context) -> str:
    def inline(m: re.Match[str]) -> str:
        text, url = m.group(1), m.group(2)
        if m.group(0).startswith("!"):
            return m.group(0)
        return _link(m.group(0), text, url, f)

    def reference(m: re.Match[str]) -> str:
        text, label = m.group(1), m.group(2) or m.group(1)
        url = ctx.references.get(_normalise_label(label))
        if url is None:
            return m.group(0)
        return _link(m.group(0), text, url, f)

    def shortcut(m: re.Match[str]) -> str:
        url = ctx.references.get(_normalise_label(m.group(1)))
        if url is None:
            return m.group(0)
        return _link(m.group(0), m.group(1), url, f)

    if "](" in s:
        s = _INLINE_LINK.sub(inline, s)
    if ctx.references and "[" in s:
        if "][" in s:
            s = _REF_LINK.sub(reference, s)
        s = _SHORTCUT_LINK.sub(shortcut, s)
    if "http" in s:

        def bare(m: re.Match[str]) -> str:
            url = m.group(1)
            if _is_ticket_url(url):
                f.tickets.append(url)
                return "\x00"
            return m.group(0)

        s = _BARE_URL.sub(bare, s)
    if "\x00" in s:
        # A removed ticket leaves its wrapping behind: "(\x00)", "PR: \x00", "- \x00".
        s = _REMOVED_IN_GROUP.sub("", s)
        s = _REMOVED_WITH_LABEL.sub("", s)
        s = s.replace("\x00", "")
    return s


def _link(whole: str, text: str, url: str, f: Fields) -> str:
    if not _is_ticket_url(url):
        return whole
    f.tickets.append(url)
    if _GENERIC_LINK_TEXT.match(text.strip().strip("*_`")):
        return "\x00"
    return text


def _normalise_label(label: str) -> str:
    return " ".join(label.split()).casefold().upper()


def _read_owner_prefix(s: str, f: Fields) -> str:
    if not s:
        return s
    first = s[0]
    if first == "[":
        m = _PREFIX_BRACKET.match(s)
        if m and _classify_part(m.group("v"), f, None, owner_ok=True, apply=True):
            return s[m.end() :]
        return s
    if first == "*" or first == "_":
        # "**Alice:** do X" / "**Hypha**: do X": an owner prefix in bold.
        m = _BOLD_PREFIX.match(s)
        if m and _owner_like(m.group("v")) and _NAMEISH.match(m.group("v").lstrip("@")):
            _set_owner(f, m.group("v"))
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
            _set_owner(f, m.group("v"))
            return s[m.end() :]
        if " to " in s or " will " in s or " should " in s or " must " in s or " shall " in s:
            m = _OWNER_TO.match(s)
            owner = re.sub(r"^[Tt]he\s+", "", m.group("v")) if m else ""
            if m and _owner_like(owner) and m.group("verb") not in ("be", "have", "the"):
                _set_owner(f, owner)
                return _capitalise(s[m.start("verb") :])
    return s


def _capitalise(text: str) -> str:
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


def _set_owner(f: Fields, value: str) -> bool:
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
    return True


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


def _set_priority(f: Fields, value: str) -> bool:
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


def _set_kind(f: Fields, value: str) -> bool:
    kind = KIND_WORDS.get(value.strip().strip("*_").lower())
    if kind is None:
        return False
    if f.kind is None:
        f.kind = kind
    return True


def _read_keyed(s: str, f: Fields, ctx: Context) -> str:
    """ "owner: bob", "due March 3", "priority: high", "(high priority)", "type: detect"."""
    s = _apply(_KEYED_OWNER, s, lambda v: _set_owner(f, v))
    s = _apply(_KEYED_DUE, s, lambda v: _set_due(f, v, ctx))
    s = _apply(_KEYED_PRIORITY, s, lambda v: _set_priority(f, v))
    return _apply(_KEYED_KIND, s, lambda v: _set_kind(f, v))


def _apply(pattern: re.Pattern[str], s: str, setter: object) -> str:
    """Remove each match of ``pattern`` that ``setter`` accepts (it returns True)."""

    def repl(m: re.Match[str]) -> str:
        value = next((g for g in m.groups() if g), "")
        if value and setter(value):  # type: ignore[operator]
            return " "
        return m.group(0)

    return pattern.sub(repl, s)


def _read_priority_tokens(s: str, f: Fields) -> str:
    def repl(m: re.Match[str]) -> str:
        if f.priority is None:
            f.priority = f"P{m.group('v')}"
        return " "

    return _PRIORITY_TOKEN.sub(repl, s)


def _read_mentions(s: str, f: Fields) -> str:
    mentions = _MENTION.findall(s)
    if not mentions:
        return s
    if f.owner is None:
        f.owner = ", ".join(mentions)
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
        if not last.startswith("@") or not _PART_MENTION.fullmatch(last):
            return s
        head = t[: cut + 1].rstrip()
        low = head.lower()
        for joiner in ("-", "–", "—", ",", ";", "|", " cc:", " cc", " owner:", " owner", " by"):
            if low.endswith(joiner):
                head = head[: -len(joiner)].rstrip()
                break
        s = head


def _read_ticket_refs(s: str, f: Fields) -> str:
    """References that stand apart ("(#12)", "[ABC-1]", "Ticket: ABC-1", a leading "ABC-1:" or
    a tail "- #12") are the item's tickets and leave its text; a reference inside the sentence
    ("see OPS-1420 first") is only mentioned: it stays in the text and is a related reference."""
    refs = [
        m.group(0)
        for m in _TICKET_REF.finditer(s)
        if not (m.group("key") and m.group("key").split("-")[0] in _NOT_TICKET_KEYS)
    ]
    if not refs:
        return s
    lower = s.lower()
    keyed: list[str] = []
    if any(word in lower for word in _TICKET_WORDS):

        def key_and_ref(m: re.Match[str]) -> str:
            ref = _TICKET_REF.match(s, m.end())
            if ref is None:
                return " "
            keyed.append(ref.group(0))
            return " \x00"

        s = _KEYED_TICKET.sub(key_and_ref, s)
        for ref in keyed:  # "Ticket: ABC-1": the reference goes with its key
            s = s.replace("\x00" + ref, "", 1)
    before = s
    if "(" in s or "[" in s:
        s = _REF_IN_GROUP.sub(" ", s)
    s = _strip_trailing_refs(s)
    if s[:1] == "#" or s[:1].isupper() or s[:1].isdigit():
        s = _REF_AT_START.sub("", s)
    if len(s.split()) < 2:
        f.tickets.extend(refs)
        return before  # "Fix #12": the reference is the object of the sentence, and the item's
    left = {m.group(0) for m in _TICKET_REF.finditer(s)}
    for ref in refs:
        if ref in keyed:
            f.tickets.append(ref)
            continue
        (f.related if ref in left else f.tickets).append(ref)
    return s


_TICKET_WORDS = ("ticket", "issue", "bug", "jira", "tracking", "tracked", "pr", "mr")


def _strip_trailing_refs(s: str) -> str:
    """Drop references standing at the end: "... - #12", "..., see ABC-1", "... #3 #4."."""
    while True:
        t = s.rstrip(" .")
        cut = max(t.rfind(" "), t.rfind("\t"))
        last = t[cut + 1 :]
        if (
            not last
            or not _TICKET_REF.fullmatch(last)
            or (last[0].isupper() and last.split("-")[0] in _NOT_TICKET_KEYS)
        ):
            return s
        head = t[: cut + 1].rstrip()
        if head.endswith(("-", "–", "—", ",", ";", ":", "|")):
            head = head[:-1].rstrip()
        elif head.endswith((" see", " See")):
            return s  # "..., see ABC-1": a mention
        elif head.endswith((" in", " In")):
            head = head[:-3].rstrip()
        s = head


def _read_groups(s: str, f: Fields, ctx: Context) -> str:
    """Parenthesised or bracketed metadata: "(P1, @alice, due 2026-03-01)", "[SRE]", "(detect)"."""
    end = len(s.rstrip(" .;"))

    def repl(m: re.Match[str]) -> str:
        inner = m.group(1) if m.group(1) is not None else m.group(2)
        at_end = m.end() >= end
        trial = Fields(text="")
        keyed = _OWNER_LIST.match(inner.strip())
        if keyed:
            _set_owner(trial, keyed.group(1))
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


def _merge(f: Fields, other: Fields) -> None:
    f.problems.extend(other.problems)
    f.owner = f.owner or other.owner
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
        return bool(_PART_MENTION.fullmatch(p)) and _set_owner(f, p)
    if first == "#":
        if _TICKET_REF.fullmatch(p):
            f.tickets.append(p)
            return True
        return False
    if (first == "P" or first == "p") and len(p) == 2 and p[1] in "01234":
        return _set_priority(f, f"P{p[1]}")
    low = p.lower()
    if low in DONE_WORDS and len(low) > 1:
        return _set_done(f, low)
    if low.startswith(("status:", "status ", "state:")):
        return _set_done(f, p.split(":", 1)[-1].split(" ", 1)[-1])
    prio = _priority(p)
    if prio is None and low.startswith(("priority", "prio")):
        prio = _priority(_PRIORITY_KEY.sub("", low))
    if prio is not None:
        return _set_priority(f, prio)
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
    m = _TICKET_REF.fullmatch(p) if ("#" in p or "-" in p) else None
    if m and not (m.group("key") and m.group("key").split("-")[0] in _NOT_TICKET_KEYS):
        f.tickets.append(p)
        return True
    m = _PART_TICKET.match(p)
    if m:
        f.tickets.append(m.group(1))
        return True
    m = _PART_OWNER.match(p)
    if m:
        return _set_owner(f, m.group(1))
    if p.startswith("@") and _PART_MENTION.fullmatch(p):
        return _set_owner(f, p)
    if owner_ok and _NAMEISH.match(p) and _owner_like(p):
        return _set_owner(f, p)
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


def _unbalanced_edges(s: str) -> str:
    """Emphasis marks left alone at an edge once the metadata they wrapped is gone."""
    for mark in ("**", "__", "*", "_"):
        if s.count(mark) % 2 == 1:
            if s.endswith(mark):
                s = s[: -len(mark)].rstrip(_EDGE_JUNK)
            elif s.startswith(mark):
                s = s[len(mark) :].lstrip(_EDGE_JUNK)
    return s


def _tidy(s: str) -> str:
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


def priority_of(value: str) -> str | None:
    """A priority cell or tag ("P1", "high", "Priority: low", "1") as P0..P4."""
    prio = _priority(value)
    if prio is None and value.lower().startswith(("priority", "prio")):
        prio = _priority(_PRIORITY_KEY.sub("", value.lower()))
    return prio


def done_of(value: str) -> bool | None:
    """A status cell ("Done", "In progress", "✅", "closed") as done / not done / unknown."""
    v = value.strip().strip("*_").strip()
    if v[:1] == "[" and v[-1:] == "]" and len(v) == 3:
        return v[1] != " "  # a checkbox in a status column
    found = _status(v)
    if found is None:
        m = _STATUS_KEYED.search(v) or _STATUS_PREFIX.match(v + " ")
        found = _status(m.group("s")) if m else None
    if found is None and v:
        for mark in DONE_EMOJI:
            if mark in v:
                return True
        for mark in OPEN_EMOJI:
            if mark in v:
                return False
    return found


def looks_done(text: str, first_person: bool = True) -> bool:
    """Written as finished work: "The script was updated to ...", "Added a metric for ...",
    and with ``first_person`` "We added ..." (a to-do list's item, not a story's sentence)."""
    lead = _LEAD_TITLE.match(text)
    if (
        lead is not None
        and len(lead.group(1).split()) <= 5
        and _looks_done(text[lead.end() :], first_person)
    ):
        return True  # "Customer notification: customers were informed ..."
    return _looks_done(text, first_person)


def _looks_done(text: str, first_person: bool) -> bool:
    first = text.split(" ", 1)[0].strip("*_`").lower()
    if first_person and first in _FIRST_PERSON:
        m = _WE_DID.match(text)
        if m and m.group(1).lower() not in _NOT_DONE_PAST:
            return True
    if first in ACTION_VERBS and first not in _PAST_OPENERS:
        return False  # an imperative: "Ensure the config was validated"
    if first not in _PAST_OPENERS and text[:1] not in "*_" and _past_of_action_verb(first):
        # "Expanded our monitoring ...", "Reconfigured the firewall.": finished work; "Improved
        # alerting" alone may name a future improvement.
        words = text.split()
        second = words[1].strip("*_`").lower() if len(words) > 1 else ""
        return second in _DETERMINERS
    if first in _PAST_OPENERS:
        # "Set up X" is also an imperative; only past when followed by a clear past marker.
        return first not in ("set", "built") or " was " in text
    if (
        " was " not in text
        and " were " not in text
        and " been " not in text
        and " got " not in text
    ):
        return False
    m = _PAST_PASSIVE.match(text.replace("*", "").replace("`", ""))
    return m is not None and not _MODAL.search(m.group("subject"))


_FIRST_PERSON = frozenset(("we", "i", "they", "our", "the"))
_LEAD_TITLE = re.compile(r"^(?:\*\*|__)?([^:.!?*_\n]{2,50}?)(?:\*\*|__)?\s*:(?:\*\*|__)?\s+(?=\S)")
_DETERMINERS = frozenset(
    ["our", "the", "a", "an", "all", "its", "their", "every", "new", "additional", "more", "extra"]
)


def _past_of_action_verb(word: str) -> bool:
    """ "expanded", "enforced", "applied", "stopped": the past form of a verb pmt knows."""
    if len(word) < 5 or not word.endswith("ed"):
        return False
    stem = word[:-2]
    return (
        stem in ACTION_VERBS
        or word[:-1] in ACTION_VERBS
        or (stem[-1:] == stem[-2:-1] and stem[:-1] in ACTION_VERBS)
        or (stem.endswith("i") and stem[:-1] + "y" in ACTION_VERBS)
    )


def starts_with_verb(text: str) -> bool:
    """An imperative or gerund opening: "Add ...", "Adding ...", "Re-enable ...", "Set up ..."."""
    m = _WORD.search(text.replace("*", "").replace("_", " "))
    if not m or m.start() > 4:
        return False
    word = m.group(0).lower()
    if word in ACTION_VERBS:
        return True
    if word.endswith("ing") and len(word) > 5:
        stem = word[:-3]
        return stem in ACTION_VERBS or stem + "e" in ACTION_VERBS or stem[:-1] in ACTION_VERBS
    return False
