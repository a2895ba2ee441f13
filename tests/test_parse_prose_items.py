"""Action items written as bare lines or sentences, with no list marker (documents written for
these tests): to-dos in the passive, and a block of short task lines whatever their capitals."""

from __future__ import annotations

from tracker.parsing import parse_text

PASSIVE = """# Orders database overloaded

## Root cause

A schema change was applied without review.

## Preventive measures

A staging database to be created for every schema change before it reaches production.

Slow-query alerts to be added to the on-call dashboard.

The overload appears to be caused by the same index rebuild as last year.
"""

BARE_LINES = """# Deploy broke the login page

## Next steps

Read the deploy logs of the failed release
check every service for the deprecated client
Locate the configuration files that still name it
rerun the login smoke test after each fix
"""


def test_to_dos_in_the_passive_are_items_and_what_something_appears_to_be_is_not() -> None:
    pm = parse_text(PASSIVE)
    assert [i.text for i in pm.action_items] == [
        "A staging database to be created for every schema change before it reaches production.",
        "Slow-query alerts to be added to the on-call dashboard.",
    ]


def test_short_task_lines_are_one_item_each_whatever_their_capitals() -> None:
    pm = parse_text(BARE_LINES)
    assert [(i.line, i.text) for i in pm.action_items] == [
        (5, "Read the deploy logs of the failed release"),
        (6, "check every service for the deprecated client"),
        (7, "Locate the configuration files that still name it"),
        (8, "rerun the login smoke test after each fix"),
    ]


def test_a_line_that_titles_its_task_before_saying_it() -> None:
    pm = parse_text(
        "# Site down\n\n## Prevention\n\nTo prevent this, keep in mind:\n"
        "Status monitoring. Enable an uptime check that pages on-call.\n"
        "Weekend deploys. Nobody liked the Friday deploy.\n"
    )
    assert [i.text for i in pm.action_items] == [
        "Status monitoring. Enable an uptime check that pages on-call."
    ]
