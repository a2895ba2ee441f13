"""Action items in an action section with no list or table: its bare lines or sentences that
read as to-dos (an imperative, a commitment) or as finished work."""

from __future__ import annotations

import re

from tracker.parsing.fields import ENUMERATOR
from tracker.parsing.headings import GroupHint, plain
from tracker.parsing.item_walk import Candidate, Group, Walk, label_of, open_label
from tracker.parsing.tense import looks_done, starts_with_verb
from tracker.parsing.vocabulary import STATUS_MARK

_COMMITMENT = re.compile(
    r"\b(?:will|'ll|are going to|is going to|plan(?:s)? to|intend(?:s)? to|need(?:s)? to|must|should|"
    r"going forward|committed to|commit to)\b",
    re.IGNORECASE,
)

# A to-do in the passive: "A test branch to be created", "Alerts to be added for ...", but not
# what something seemed or turned out to be.
_PASSIVE_TODO = re.compile(
    r"(?<!\bseems )(?<!\bseem )(?<!\bseemed )(?<!\bappears )(?<!\bappeared )(?<!\bproved )"
    r"(?<!\bout )(?<!\blikely )(?<!\bfound )\bto be (?:[a-z]+ed|done|made|built|written|set up|run|kept)\b",
    re.IGNORECASE,
)

_ASPIRATION = re.compile(
    r"\b(?:ideal(?:ly)?|aim(?:s|ing)?|goals?|would like|hope|strive|striving|most importantly|aspire|vision)\b",
    re.IGNORECASE,
)

_FIRST_ALNUM = re.compile(r"[^\W_]")

# A short title ending in a full stop or a colon, before the sentence that says the task.
_TITLE = re.compile(r"^[A-Z][\w'-]*(?: [\w'-]+){0,3}[.:]\s+(?=[A-Z])")

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(*_])")


def read_prose(walk: Walk) -> None:
    """An action section with no list or table: its bare lines or sentences."""
    base: Group | None = None
    current = Group(GroupHint())
    for text, line, group, section in walk.prose:
        if group is not base:
            base = current = group
        for offset, unit in _units(text):
            label = label_of(unit)
            if label is not None:
                # Labels are siblings under the section ("Improvements:" then "Tasks:"), and a
                # label goes on over the paragraphs after it.
                current = open_label(label, group, current)
                walk.groups.append(current)
                continue
            plain_unit = ENUMERATOR.sub(
                "", plain(unit), count=1
            )  # "Task 1: Add ..." as a bare line
            if plain_unit.rstrip().endswith((":", ":-")):
                continue  # "We can prevent this in the future by:" leads in to what follows
            if (
                starts_with_verb(plain_unit)
                or _COMMITMENT.search(plain_unit)
                or _PASSIVE_TODO.search(plain_unit)
                or STATUS_MARK.match(unit)
                or _titled_task(plain_unit)
            ):
                walk.candidates.append(Candidate(unit, line + offset, current, section))
            elif _ASPIRATION.search(plain_unit):
                walk.candidates.append(
                    Candidate(unit, line + offset, current, section, takeaway_only=True)
                )
            elif looks_done(plain_unit, first_person=False):
                walk.candidates.append(Candidate(unit, line + offset, current, section))


def _titled_task(text: str) -> bool:
    """A line that names its task in a few words, then says it: "Status monitoring. Enable an
    uptime check that pages on-call"."""
    title = _TITLE.match(text)
    return title is not None and starts_with_verb(text[title.end() :])


def _units(text: str) -> list[tuple[int, str]]:
    """Lines when each line is a sentence of its own, else sentences of the wrapped paragraph;
    a paragraph marked by its status ("**TODO**: ...") is one unit, its links included."""
    if STATUS_MARK.match(text):
        return [(0, text.replace("\n", " ").strip())]
    lines = text.split("\n")
    if len(lines) > 1 and (
        all(
            ln.rstrip().endswith((".", "!", "?", ":"))
            or (i + 1 < len(lines) and lines[i + 1][:1].isupper())
            for i, ln in enumerate(lines[:-1])
        )
        # Bare lines that are each a task ("Read the logs" / "fix the parser"), whatever
        # their capitals: most of them open on a verb.
        or 3 * sum(1 for ln in lines if starts_with_verb(plain(ln))) >= 2 * len(lines)
    ):
        return [(i, ln.strip()) for i, ln in enumerate(lines) if ln.strip()]
    out: list[tuple[int, str]] = []
    pos = 0
    for m in [*_SENTENCE_END.finditer(text), None]:
        end = m.start() if m is not None else len(text)
        sentence = text[pos:end].replace("\n", " ").strip()
        if sentence:
            # The sentence's line is the line of its first word.
            first = _FIRST_ALNUM.search(text, pos, end)
            out.append((text.count("\n", 0, first.start() if first else pos), sentence))
        pos = m.end() if m is not None else len(text)
    return out
