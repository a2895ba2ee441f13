"""Each lint rule on hand-built documents: a complete postmortem lints clean, and breaking one
thing at a time yields exactly that rule's finding, at the right line."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.config import LintSettings
from tracker.errors import ConfigError
from tracker.lint import RULES, Finding, lint_postmortem
from tracker.models import ActionItem, Postmortem, Section, TimelineEntry

TEXT = """\
# Checkout outage

## Issue Summary

- **Duration:** 2026-03-01 14:05 to 15:10 UTC
- **Impact:** 30% of checkouts failed
- **Root cause:** an expired TLS certificate on edge-lb-01

## Timeline

- 14:05 UTC alert fired
- 14:20 UTC certificate found expired

## Root Cause and Resolution

The certificate was renewed by hand once a year and nobody owned it.

## Corrective and Preventative Measures

- [ ] Rotate the certificate on edge-lb-01 via cert-manager (owner: alice, due: 2026-03-15)
- [x] Add an alert when any certificate expires in < 14 days (owner: bob, due: 2026-03-08)
"""

T0 = datetime(2026, 3, 1, 14, 5, tzinfo=UTC)


def complete() -> Postmortem:
    return Postmortem(
        path="pm.md",
        title="Checkout outage",
        date=date(2026, 3, 1),
        started=T0,
        ended=T0 + timedelta(minutes=65),
        timezone="UTC",
        duration_minutes=65,
        impact="30% of checkouts failed",
        root_cause="an expired TLS certificate on edge-lb-01",
        root_cause_detail="The certificate was renewed by hand once a year and nobody owned it.",
        action_items=[
            ActionItem(
                "Rotate the certificate on edge-lb-01 via cert-manager",
                line=20,
                owner="alice",
                due=date(2026, 3, 15),
                done=False,
            ),
            ActionItem(
                "Add an alert when any certificate expires in < 14 days",
                line=21,
                owner="bob",
                due=date(2026, 3, 8),
                done=True,
            ),
        ],
        timeline=[
            TimelineEntry("14:05 UTC", "alert fired", line=11),
            TimelineEntry("14:20 UTC", "certificate found expired", line=12),
        ],
        sections=[
            Section("Issue Summary", "summary", line=3, level=2),
            Section("Timeline", "timeline", line=9, level=2),
            Section("Root Cause and Resolution", "root_cause", line=14, level=2),
            Section("Corrective and Preventative Measures", "actions", line=18, level=2),
        ],
    )


def found(pm: Postmortem, text: str = TEXT, **settings: object) -> list[tuple[str, int | None]]:
    return [(f.rule, f.line) for f in lint_postmortem(pm, text, settings=LintSettings(**settings))]


def test_a_complete_postmortem_lints_clean() -> None:
    assert found(complete()) == []


def _item(pm: Postmortem, **changes: object) -> None:
    for key, value in changes.items():
        setattr(pm.action_items[0], key, value)


def _drop_section(kind: str) -> Callable[[Postmortem], None]:
    def change(pm: Postmortem) -> None:
        pm.sections = [s for s in pm.sections if s.kind != kind]

    return change


CASES: list[tuple[str, Callable[[Postmortem], None], list[tuple[str, int | None]]]] = [
    ("no timeline section", _drop_section("timeline"), [("missing-section", 1)]),
    ("no summary section", _drop_section("summary"), [("missing-section", 1)]),
    (
        "no duration",
        lambda pm: setattr(pm, "duration_minutes", None),
        [("no-duration", 5)],
    ),
    ("no time zone", lambda pm: setattr(pm, "timezone", None), [("no-timezone", 5)]),
    ("no impact", lambda pm: setattr(pm, "impact", None), [("no-impact", 6)]),
    ("blank impact", lambda pm: setattr(pm, "impact", "  "), [("no-impact", 6)]),
    (
        "no root cause at all",
        lambda pm: (setattr(pm, "root_cause", None), setattr(pm, "root_cause_detail", None)),
        [("no-root-cause", 7)],
    ),
    (
        "root cause only in its section",
        lambda pm: setattr(pm, "root_cause", None),
        [],
    ),
    (
        "corrective section empty",
        lambda pm: setattr(pm, "action_items", []),
        [("actions-empty", 18)],
    ),
    (
        "corrective section holds only takeaways",
        lambda pm: (setattr(pm, "action_items", []), setattr(pm, "takeaways", ["Own certs"])),
        [("actions-only-takeaways", 18)],
    ),
    ("open item without owner", lambda pm: _item(pm, owner=None), [("action-no-owner", 20)]),
    ("owner TBD", lambda pm: _item(pm, owner="TBD"), [("action-no-owner", 20)]),
    ("done item without owner", lambda pm: setattr(pm.action_items[1], "owner", None), []),
    ("open item without due date", lambda pm: _item(pm, due=None), [("action-no-due", 20)]),
    (
        "item due before the incident",
        lambda pm: _item(pm, due=date(2025, 3, 15)),
        [("action-due-before-incident", 20)],
    ),
    (
        "done item due before the incident (still a typo)",
        lambda pm: setattr(pm.action_items[1], "due", date(2026, 2, 1)),
        [("action-due-before-incident", 21)],
    ),
    (
        "due before the incident judged from the start time when there is no date",
        lambda pm: (setattr(pm, "date", None), _item(pm, due=date(2026, 2, 28))),
        [("action-due-before-incident", 20)],
    ),
    ("vague open item", lambda pm: _item(pm, text="Improve monitoring"), [("action-vague", 20)]),
    (
        "vague done item",
        lambda pm: setattr(pm.action_items[1], "text", "Improve monitoring"),
        [],
    ),
    (
        "timeline times without a zone, but the text has them on the same lines",
        lambda pm: setattr(
            pm,
            "timeline",
            [TimelineEntry("14:05", "alert fired", 11), TimelineEntry("14:20", "found", 12)],
        ),
        [],
    ),
    (
        "timeline entries without a clock time need no zone",
        lambda pm: setattr(pm, "timeline", [TimelineEntry("Day 1", "alert fired", 11)]),
        [],
    ),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_rule_fires_alone(
    change: Callable[[Postmortem], None], expected: list[tuple[str, int | None]]
) -> None:
    pm = copy.deepcopy(complete())
    change(pm)
    assert found(pm) == expected


def test_every_rule_is_exercised_by_a_case() -> None:
    # The other two need their own text: see the tests below.
    exercised = {rule for case in CASES for rule, _ in case[2]}
    exercised |= {"placeholder", "timeline-no-timezone"}
    assert exercised == set(RULES)


def _text_without_timeline_zones() -> str:
    return TEXT.replace("14:05 UTC alert", "14:05 alert").replace("14:20 UTC cert", "14:20 cert")


def test_a_zone_stated_for_the_whole_timeline_covers_its_entries() -> None:
    pm = complete()
    pm.timeline = [TimelineEntry("14:05", "alert fired", 11), TimelineEntry("14:20", "x", 12)]
    text = _text_without_timeline_zones()
    assert found(pm, text) == [("timeline-no-timezone", 11)]
    noted = text.replace("## Timeline\n", "## Timeline\nAll times are Europe/Paris.\n")
    pm.timeline = [TimelineEntry("14:05", "alert fired", 12), TimelineEntry("14:20", "x", 13)]
    shifted = _shift(pm, after=9)
    assert found(shifted, noted) == []
    pm.sections[1].heading = "Timeline (PDT)"
    assert found(pm, text) == []


def _shift(pm: Postmortem, after: int) -> Postmortem:
    """The same document with one line inserted after line ``after``."""
    pm = copy.deepcopy(pm)
    for s in pm.sections:
        s.line += s.line > after
    for i in pm.action_items:
        i.line += i.line > after
    return pm


def test_missing_section_follows_required_sections() -> None:
    pm = complete()
    assert found(pm, required_sections=["summary", "impact", "resolution"]) == [
        ("missing-section", 1),
        ("missing-section", 1),
    ]
    messages = [
        f.message
        for f in lint_postmortem(pm, TEXT, settings=LintSettings(required_sections=["impact"]))
    ]
    assert messages == ["no impact section"]


def test_takeaways_alone_satisfy_the_section_but_not_the_rule() -> None:
    pm = complete()
    pm.sections[3] = Section("What needs to change", "takeaways", line=18, level=2)
    pm.action_items = []
    pm.takeaways = ["Certificates need an owner"]
    assert found(pm) == [("actions-only-takeaways", 18)]


def test_disabled_rules_are_silent() -> None:
    pm = complete()
    pm.duration_minutes = None
    _item(pm, owner=None, text="Improve monitoring")
    assert {r for r, _ in found(pm)} == {"no-duration", "action-no-owner", "action-vague"}
    assert found(pm, disable=["no-duration", "action-vague"]) == [("action-no-owner", 20)]


def test_unknown_rule_in_disable_is_a_config_error_naming_it() -> None:
    with pytest.raises(ConfigError, match="'no-such-rule'"):
        lint_postmortem(complete(), TEXT, settings=LintSettings(disable=["no-such-rule"]))


def test_unknown_required_section_is_a_config_error_naming_it() -> None:
    with pytest.raises(ConfigError, match="'postscript'"):
        lint_postmortem(complete(), TEXT, settings=LintSettings(required_sections=["postscript"]))


PLACEHOLDER_TEXT = TEXT.replace(
    "- [ ] Rotate the certificate on edge-lb-01 via cert-manager (owner: alice, due: 2026-03-15)",
    "- [ ] {{concrete task}} (owner: {{name}}, due: {{YYYY-MM-DD}})",
)


def test_a_blank_is_reported_once_and_silences_other_rules_on_its_line() -> None:
    pm = complete()
    _item(pm, text="{{concrete task}}", owner="{{name}}", due=None)
    findings = lint_postmortem(pm, PLACEHOLDER_TEXT)
    assert [(f.rule, f.line) for f in findings] == [("placeholder", 20)]
    assert findings[0].message == "fill in {{concrete task}}, {{name}}, {{YYYY-MM-DD}}"
    assert findings[0].severity == "error"


def test_with_placeholder_disabled_the_other_rules_speak() -> None:
    pm = complete()
    _item(pm, text="{{concrete task}}", owner=None, due=None)
    assert found(pm, PLACEHOLDER_TEXT, disable=["placeholder"]) == [
        ("action-no-due", 20),
        ("action-no-owner", 20),
        ("action-vague", 20),
    ]


def test_braces_in_code_are_not_blanks() -> None:
    text = TEXT + "\n```yaml\nimage: {{ .Values.image }}\n```\n\nSet `{{ .Release.Name }}` too.\n"
    assert found(complete(), text) == []


def test_findings_without_text_fall_back_to_section_lines() -> None:
    pm = complete()
    pm.impact = None
    pm.duration_minutes = None
    assert found(pm, text="") == [("no-duration", 3), ("no-impact", 3)]


def test_findings_carry_path_severity_and_message() -> None:
    pm = complete()
    _item(pm, owner=None)
    (finding,) = lint_postmortem(pm, TEXT, path="team/pm.md")
    assert finding == Finding(
        "team/pm.md",
        20,
        "action-no-owner",
        "error",
        'action item "Rotate the certificate on edge-lb-01 via cert-manager" has no owner',
    )
    assert finding.to_dict()["rule"] == "action-no-owner"


@pytest.mark.parametrize(
    ("text", "zoned"),
    [
        ("14:05 UTC", True),
        ("14:05Z", True),
        ("2026-03-01T14:05:00+01:00", True),
        ("14:05 -0400", True),
        ("10:00 AM (UTC-4)", True),
        ("10:00 AM PT", True),
        ("09:12 CEST", True),
        ("All times Europe/Paris.", True),
        ("All times are Pacific.", True),
        ("Times are in Eastern", True),
        ("14:05 Pacific Daylight Time", True),
        ("14:05", False),
        ("10:00 AM", False),
        ("OPS-1412 opened", False),
        ("Central database down", False),
        ("BEST effort", False),
    ],
)
def test_time_zones_as_people_write_them(text: str, zoned: bool) -> None:
    from tracker.lint.rules import has_zone

    assert has_zone(text) is zoned


_MARKDOWNISH = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "# Title", "## Summary", "## Timeline", "## Action items", "## Root cause",
                "- [ ] {{task}} (owner: {{name}})", "- 14:05 alert", "All times UTC.", "```",
                "| Action | Owner | Due |", "|---|---|---|", "| Fix x | bob | 2026-01-01 |",
                "**Impact:** everyone", "---", "id: x", "- Improve monitoring", "",
            ]
        ),
        st.text(max_size=40),
    ),
    max_size=30,
).map("\n".join)  # fmt: skip


@given(_MARKDOWNISH)
@settings(max_examples=150, deadline=None)
def test_linting_never_raises_and_points_inside_the_document(text: str) -> None:
    from tracker.parsing import parse_text

    findings = lint_postmortem(parse_text(text, "x.md"), text)
    lines = len(text.splitlines()) or 1
    for f in findings:
        assert f.line is None or 1 <= f.line <= lines, f
        assert f.severity in ("error", "warning")
