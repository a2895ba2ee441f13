"""The lint rules: small functions over a ``LintDocument``, each registered under a stable name.

A rule yields ``(line, message)`` pairs; the runner turns them into ``Finding`` objects with the
rule's name and severity. Severities follow one idea: an **error** is something the postmortem
cannot do without to be tracked and learned from (a section, the impact, the root cause, action
items, an owner for each, a date that makes sense, no template blanks); a **warning** is
something a reader can live with or pmt can make up for (a missing due date gets an implicit one
from ``[deadlines]``; a vague item is a judgement call).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from tracker.lint.document import LintDocument
from tracker.lint.findings import Severity
from tracker.lint.vague import vagueness
from tracker.models import ActionItem

Hit = tuple[int | None, str]
Check = Callable[[LintDocument], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    name: str
    severity: Severity
    # One line for `pmt lint --list-rules` and the table in docs/parse-lint-new.md.
    summary: str
    check: Check


RULES: dict[str, Rule] = {}


def rule(name: str, severity: Severity, summary: str) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        RULES[name] = Rule(name, severity, summary, check)
        return check

    return register


# Owners that name nobody.
_NO_OWNER = frozenset(
    {"", "tbd", "tba", "tbc", "?", "??", "???", "none", "n/a", "na", "nobody", "unassigned",
     "unknown", "todo", "-", "--", "—", "–", "owner", "someone", "anyone", "everyone"}
)  # fmt: skip

# A clock time: 14:05, 2:05 PM, 9am.
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b|\b\d{1,2}\s*[ap]\.?m\b", re.IGNORECASE)
# A time zone as people write it next to a time or in "All times are UTC".
_ZONE = re.compile(
    r"""
      \b(?:UTC|GMT|Zulu)\b
    | \d(?::\d\d)?Z\b                                   # 14:05Z, 2026-03-01T14:05:00Z
    | \d\d:?\d\d\s*[+\u2212-]\d\d(?::?\d\d)?\b          # 14:05+01:00, 14:05 -0400
    | \b(?:[ECMP][SD]?T|AK[SD]T|HST|BST|IST|CES?T|EES?T|WES?T|MSK|JST|KST|SGT|HKT
         |AE[SD]T|AC[SD]T|AWST|NZ[SD]T|SAST|BRT|ART|WIB)\b
    | \b(?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)/[A-Za-z_+-]+
    | \b[EPCM](?:astern|acific|entral|ountain)(?:\s+(?:[Ss]tandard|[Dd]aylight))?\s+[Tt]ime\b
    | \b(?:[Aa]ll\s+)?[Tt]imes?\s+(?:are\s+)?(?:in\s+)?[EPCM](?:astern|acific|entral|ountain)\b
    """,
    re.VERBOSE,
)


def has_zone(text: str) -> bool:
    return bool(_ZONE.search(text))


def _incident_date(doc: LintDocument) -> date | None:
    pm = doc.pm
    if pm.date is not None:
        return pm.date
    return pm.started.date() if pm.started is not None else None


def _open(items: Iterable[ActionItem]) -> Iterator[ActionItem]:
    """Items still to do: a finished item's owner or wording no longer matters."""
    return (i for i in items if not i.done)


def _quote(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return f'"{text if len(text) <= width else text[: width - 1] + "…"}"'


# A required section of kind "actions" is also there when the corrective section holds only
# takeaways: that case gets the more precise `actions-only-takeaways`.
_SATISFIES = {"actions": ("actions", "takeaways")}
_SECTION_NAMES = {
    "summary": "summary (Issue Summary)",
    "impact": "impact",
    "timeline": "timeline",
    "root_cause": "root cause",
    "resolution": "resolution",
    "actions": "corrective and preventative measures (action items)",
    "takeaways": "takeaways",
    "lessons": "lessons learned",
}


@rule("missing-section", "error", "A section named in `lint.required_sections` is missing.")
def missing_section(doc: LintDocument) -> Iterator[Hit]:
    present = {s.kind for s in doc.pm.sections}
    for kind in doc.required_sections:
        if not present.intersection(_SATISFIES.get(kind, (kind,))):
            yield 1, f"no {_SECTION_NAMES.get(kind, kind)} section"


@rule(
    "no-duration",
    "warning",
    "The incident's duration cannot be told (start and end, or a duration).",
)
def no_duration(doc: LintDocument) -> Iterator[Hit]:
    if doc.pm.duration_minutes is None:
        line = doc.where(("Duration", "Start", "Started", "When"), ("summary",))
        yield line, "the incident's duration is not stated: give its start and end, or its length"


@rule("no-timezone", "warning", "The incident's times carry no time zone.")
def no_timezone(doc: LintDocument) -> Iterator[Hit]:
    if not doc.pm.timezone:
        line = doc.where(("Duration", "Start", "Started", "When", "Date"), ("summary",))
        yield line, "no time zone for the incident's times (write e.g. 14:05 UTC or Europe/Paris)"


@rule("no-impact", "error", "The impact on users is not stated.")
def no_impact(doc: LintDocument) -> Iterator[Hit]:
    if not (doc.pm.impact or "").strip():
        line = doc.where(("Impact",), ("impact", "summary"))
        yield line, "the impact is not stated: who or what was affected, and how much"


@rule("no-root-cause", "error", "The root cause is not stated.")
def no_root_cause(doc: LintDocument) -> Iterator[Hit]:
    pm = doc.pm
    if not (pm.root_cause or "").strip() and not (pm.root_cause_detail or "").strip():
        line = doc.where(("Root cause",), ("root_cause", "summary"))
        yield line, "the root cause is not stated (a 'Root cause:' line or a root-cause section)"


@rule("actions-empty", "error", "The corrective / preventative section lists nothing.")
def actions_empty(doc: LintDocument) -> Iterator[Hit]:
    section = doc.section("actions", "takeaways")
    if section is not None and not doc.pm.action_items and not doc.pm.takeaways:
        yield section.line, f"the section {_quote(section.heading)} holds no action items"


@rule(
    "actions-only-takeaways",
    "error",
    "The corrective section holds only broad takeaways, no concrete next steps.",
)
def actions_only_takeaways(doc: LintDocument) -> Iterator[Hit]:
    if doc.pm.takeaways and not doc.pm.action_items:
        section = doc.section("actions", "takeaways")
        yield (
            section.line if section else None,
            (
                f"only broad takeaways ({len(doc.pm.takeaways)}), no concrete next step with an "
                "owner and a due date"
            ),
        )


@rule("action-no-owner", "error", "An open action item names no owner.")
def action_no_owner(doc: LintDocument) -> Iterator[Hit]:
    for item in _open(doc.pm.action_items):
        if (item.owner or "").strip().lower() in _NO_OWNER:
            yield item.line, f"action item {_quote(item.text)} has no owner"


@rule(
    "action-no-due",
    "warning",
    "An open action item has no due date (pmt then assumes one from `[deadlines]`).",
)
def action_no_due(doc: LintDocument) -> Iterator[Hit]:
    for item in _open(doc.pm.action_items):
        if item.due is None:
            yield (
                item.line,
                (
                    f"action item {_quote(item.text)} has no due date "
                    "(pmt assumes one from [deadlines] by priority)"
                ),
            )


@rule(
    "action-due-before-incident",
    "error",
    "An action item is due before the incident happened (usually a typo in the date).",
)
def action_due_before_incident(doc: LintDocument) -> Iterator[Hit]:
    incident = _incident_date(doc)
    if incident is None:
        return
    for item in doc.pm.action_items:
        if item.due is not None and item.due < incident:
            yield (
                item.line,
                (
                    f"action item {_quote(item.text)} is due {item.due.isoformat()}, before the "
                    f"incident on {incident.isoformat()} (a typo in the date?)"
                ),
            )


@rule("action-vague", "warning", "An open action item is too vague to act on (see below).")
def action_vague(doc: LintDocument) -> Iterator[Hit]:
    for item in _open(doc.pm.action_items):
        reason = vagueness(item.text)
        if reason:
            yield item.line, f"action item {_quote(item.text)} is too vague to act on: {reason}"


@rule(
    "timeline-no-timezone",
    "warning",
    "Timeline times carry no time zone, neither on the entries nor for the whole timeline.",
)
def timeline_no_timezone(doc: LintDocument) -> Iterator[Hit]:
    timed = [e for e in doc.pm.timeline if _CLOCK.search(e.at)]
    if not timed or _timeline_declares_zone(doc):
        return
    bare = [e for e in timed if not has_zone(e.at) and not has_zone(doc.prose(e.line))]
    if bare:
        first = bare[0]
        yield (
            first.line,
            (
                f"{len(bare)} timeline time(s) without a time zone, from {_quote(first.at, 20)}: "
                "add one to each or write 'All times UTC' under the heading"
            ),
        )


def _timeline_declares_zone(doc: LintDocument) -> bool:
    """A zone for the whole timeline: in its heading or a note among its lines."""
    section = doc.section("timeline")
    if section is None:
        return False
    if has_zone(section.heading):
        return True
    entry_lines = {e.line for e in doc.pm.timeline}
    return any(has_zone(doc.prose(n)) for n in doc.section_lines(section) if n not in entry_lines)


@rule("placeholder", "error", "A `{{blank}}` from `pmt new` is still unfilled.")
def placeholder(doc: LintDocument) -> Iterator[Hit]:
    for line, blanks in sorted(doc.placeholders.items()):
        shown = ", ".join(blanks[:3]) + (" ..." if len(blanks) > 3 else "")
        yield line, f"fill in {shown}"
