"""Where real postmortems state their root cause (documents written for these tests): a bold
"Root cause:" bullet whose text is the bullet below it, a "Root cause analysis:" line, and a
sentence saying what caused the incident when nothing is called a root cause."""

from __future__ import annotations

from tracker.parsing import parse_text


def test_a_bold_root_cause_bullet_takes_the_text_below_it() -> None:
    pm = parse_text(
        "# Checkout errors\n\n## Summary\n\n- **Impact:**\n  - Half of the checkouts failed.\n\n"
        "- **Root Cause:**\n  - A retry storm exhausted the payment gateway's connection pool.\n"
    )
    assert pm.root_cause == "A retry storm exhausted the payment gateway's connection pool."


def test_a_root_cause_analysis_line_is_the_root_cause() -> None:
    pm = parse_text(
        "# Store outage\n\nActivities:\n\nRoot Cause Analysis: the outage came from a cron job "
        "that deleted the sessions table.\n"
    )
    assert pm.root_cause == "the outage came from a cron job that deleted the sessions table."


def test_with_no_root_cause_named_the_sentence_saying_what_caused_it() -> None:
    pm = parse_text(
        "# Blog down\n\n## What happened\n\nThe blog returned errors for an hour.\n\n"
        "## The moral of the story\n\nIn the end the outage was caused by a typo in a file name. "
        "We laughed.\n"
    )
    assert pm.root_cause == "In the end the outage was caused by a typo in a file name."


def test_a_cause_in_the_action_section_is_not_the_root_cause() -> None:
    pm = parse_text(
        "# Blog down\n\n## What happened\n\nThe blog returned errors for an hour.\n\n"
        "## Action items\n\n- Find out whether the errors were caused by the new theme.\n"
    )
    assert pm.root_cause is None
