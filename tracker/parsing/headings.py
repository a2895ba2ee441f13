"""Section headings by meaning: plain text of inline Markdown, a heading normalised (emoji,
numbering, emphasis, punctuation and case removed) and matched against a small vocabulary, and
the hint a group label gives the items under it (a kind, a done state, tasks or takeaways)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tracker.parsing.vocabulary import KIND_WORDS

NUMBERING = re.compile(
    r"^\s*(?:(?:section|part|step|chapter)\s+)?(?:\d+(?:\.\d+)*|[ivx]{1,4}|[a-h])[.):]\s+|^\s*\d+(?:\.\d+)+\s+|^\s*\d+\s+(?=[a-z])",
    re.IGNORECASE,
)

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\[[^\]]*\]")

_NON_WORD = re.compile(r"[^a-z0-9&/']+")

_MARKS = re.compile(r"(\*\*|__|~~|`)")

_SINGLE_MARKS = re.compile(r"(?<![\w*])[*_](?=\S)|(?<=\S)[*_](?![\w*])")

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")

_INLINE_TAG = re.compile(
    r"</?(?:span|font|b|i|u|em|strong|mark|small|sup|sub|code|kbd|br|a)\b[^<>]*>", re.IGNORECASE
)

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "actions",
        re.compile(
            r"\b(?:action ?items?|actions?(?! taken)|action plan|follow ?-?ups?|remediations?|"
            r"next steps?|corrective|prevent(?:at)?ive|prevention|to ?dos?|tasks?|"
            r"what we ?(?:ll|will|are going to) do|what (?:we are|were|we re|are we|will we) doing|doing differently|"
            r"what (?:are|will) we (?:do|change)|doing about (?:it|this)|how (?:we ?ll|we will|we are going to|to) prevent|"
            r"prevent(?:ing)? (?:this|it|recurrence|future|similar)|recurrence|"
            r"what (?:we are|were|we re) changing|changes (?:we are|were|we re) making|"
            r"work items?|countermeasures?|repair items?|open items?|"
            r"(?:short|medium|long)[ -]?term (?:fix(?:es)?|actions?|improvements?|work|plans?))\b"
        ),
    ),
    (
        "timeline",
        re.compile(
            r"\b(?:time ?line|chronology|sequence of events|timeline of events|events timeline|event log|incident log|history of events)\b"
        ),
    ),
    (
        "root_cause",
        re.compile(
            r"\b(?:root ?causes?|rca|causes?|caused|contributing factors?|why did (?:this|it) happen|"
            r"failure analysis|technical analysis|incident analysis|analysis|5 whys|five whys)\b"
        ),
    ),
    (
        "takeaways",
        re.compile(
            r"\b(?:takeaways?|what needs to change|what should (?:change|improve)|what must change|"
            r"areas? (?:for|of) improvement|improvement areas?)\b"
        ),
    ),
    (
        "lessons",
        re.compile(
            r"\b(?:lessons?|learnings?|learned|learnt|what went (?:well|wrong|badly|right)|"
            r"got lucky|where we got lucky|could have gone better|insights?|retrospective|reflections?|"
            r"went well|went wrong|things that went)\b"
        ),
    ),
    (
        "impact",
        re.compile(
            r"\b(?:impact|impacts|who was affected|affected (?:users|services|customers)|blast radius)\b"
        ),
    ),
    (
        "resolution",
        re.compile(
            r"\b(?:resolution|resolved|recovery|mitigations?|actions taken|steps taken|"
            r"how (?:it was|we) (?:fixed|resolved|recovered)|fix applied|workaround|incident response)\b"
        ),
    ),
    (
        "summary",
        re.compile(
            r"\b(?:summary|overview|tl ?;? ?dr|abstract|description|what happened|synopsis|"
            r"background|introduction|details|incident report)\b"
        ),
    ),
]

# Headings whose section holds action items only when no stronger action section exists;
# beside a real action section they are broad takeaways.
_WEAK_ACTIONS = re.compile(
    r"^(?:(?:\w+ )?improvements?|recommendations?|fixes|improvements? ?/ ?fixes)$"
)

# Headings about what comes next: the action section only when the document has no other.
_FUTURE = re.compile(
    r"^(?:whats? next|what comes next|next up|future work|future improvements|looking ahead|"
    r"moving forward|going forward|the way forward|plans?|our plans?|(?:short|long)[ -]?term)$"
)

_FIX = re.compile(r"^(?:the )?fix(?:ed)?$|^how we fixed (?:it|this)$")

# Inside an action section: what a subsection or a group label says about its items.
_TASK_WORDS = re.compile(
    r"\b(?:tasks?|to ?dos?|action ?items?|actions?|next steps?|follow ?-?ups?|work items?|"
    r"concrete steps?|steps|tickets?)\b"
)

_STRONG_TAKEAWAY = re.compile(
    r"\b(?:takeaways?|what needs to change|what should (?:change|improve)|what must change|"
    r"lessons?|learnings?|learned|learnt|insights?|went well|went wrong|themes?|principles?)\b"
)

_WEAK_TAKEAWAY = re.compile(
    r"\b(?:improvements?|fixes|recommendations?|goals?|objectives?|ideas?|areas?)\b"
)

_DONE_TRUE = re.compile(
    r"\b(?:completed?|done|finished|implemented|resolved|shipped|closed|already)\b"
)

_DONE_FALSE = re.compile(
    r"\b(?:planned|in ?-?progress|open|pending|outstanding|remaining|upcoming|future|long ?-?term|"
    r"not (?:yet )?(?:started|done)|ongoing|proposed|backlog)\b"
)


def plain(text: str) -> str:
    """Inline Markdown as plain text: emphasis, code marks, inline HTML tags and link targets
    removed."""
    if "<" in text:
        text = _INLINE_TAG.sub("", text)
    if "[" in text:
        text = _LINK.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)
    if "*" in text or "_" in text or "`" in text or "~" in text:
        if "**" in text or "__" in text or "~~" in text or "`" in text:
            text = _MARKS.sub("", text)
        if "*" in text or "_" in text:  # often all gone with the double marks
            text = _SINGLE_MARKS.sub("", text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    return squeeze(text)


def squeeze(text: str) -> str:
    """``" ".join(text.split())``: runs of whitespace as one space, none at the ends.

    Most text already reads so, and is returned as it is without being split and joined again:
    every whitespace character but the space is unprintable, so printable text with no double
    space and no space at an end has nothing to squeeze."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


@lru_cache(maxsize=4096)
def normalise(heading: str) -> str:
    """ "## 3. 🛠️ **Action Items:**" -> "action items"."""
    s = plain(heading).lower()
    s = NUMBERING.sub("", s, count=1)
    s = s.replace("&", " and ").replace("’", "'")
    s = _NON_WORD.sub(" ", s)
    s = s.replace("'", "")
    return " ".join(s.split())


@lru_cache(maxsize=4096)
def classify(heading: str) -> str:
    """The section kind a heading names, read on its own."""
    norm = normalise(heading)
    if not norm:
        return "other"
    if "taken" in norm and "action" in norm:
        return "resolution"
    if _WEAK_ACTIONS.match(norm):
        return "weak_actions"
    if _FUTURE.match(norm):
        return "future_actions"
    if _FIX.match(norm):
        return "resolution"
    for kind, pattern in _PATTERNS:
        if pattern.search(norm):
            return kind
    return "other"


@dataclass(frozen=True, slots=True)
class GroupHint:
    """What an action subsection or group label says: its items' kind and done state, and
    whether it holds concrete tasks or broad takeaways."""

    kind: str | None = None
    done: bool | None = None
    tasks: bool = False
    takeaway: str | None = None  # "strong" | "weak" | None


@lru_cache(maxsize=4096)
def group_hint(label: str) -> GroupHint:
    norm = normalise(label)
    done: bool | None = None
    if _DONE_FALSE.search(norm):
        done = False
    elif _DONE_TRUE.search(norm):
        done = True
    kind = None
    for word in norm.split():
        if word in KIND_WORDS:
            found = KIND_WORDS[word]
            if kind is not None and kind != found:
                kind = None  # "corrective and preventative": no single kind
                break
            kind = found
    takeaway = (
        "strong"
        if _STRONG_TAKEAWAY.search(norm)
        else "weak"
        if _WEAK_TAKEAWAY.search(norm)
        else None
    )
    tasks = bool(_TASK_WORDS.search(norm)) and takeaway != "strong"
    return GroupHint(kind, done, tasks, takeaway)
