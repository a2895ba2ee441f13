"""Recurring causes in the weekly report: repeats found by root-cause analysis, told apart.

The repeat search is ``tracker.causes.repeats``; this checks what the report makes of it on a
real store: repeats of the postmortems added in the week, split into "the earlier follow-up was
never done" and "the fix did not hold", with the earlier items and their state.
"""

from __future__ import annotations

from datetime import date

from tests.report_data import NOW, ZONE, at, fill
from tracker.config import Settings
from tracker.reports.period import iso_week
from tracker.reports.recurrence import find_repeats, prepare_repeats
from tracker.reports.weekly import build_weekly_report
from tracker.store.tables import ItemRow, PostmortemRow

TLS_BEFORE = (
    "The TLS certificate for checkout.example.com expired because renewal was a manual step "
    "and no alert warned before the expiry date."
)
TLS_AGAIN = (
    "The TLS certificate of the API gateway expired: renewal was still manual and no alert "
    "warned before it expired."
)
PUSH_BEFORE = (
    "A bad configuration file was pushed to every region at the same time, with no canary."
)
PUSH_AGAIN = "A bad configuration was pushed to all regions at once without a canary stage."


def _scene(store) -> None:
    ids = fill(store)
    with store.session() as s:
        tls = s.get(PostmortemRow, ids["C"])  # Aug: its follow-up c1 is still open
        assert tls is not None
        tls.root_cause = TLS_BEFORE
        s.add(tls)
        push = PostmortemRow(
            key="2026-07-01-config-push.md",
            path="postmortems/2026-07-01-config-push.md",
            title="Config pushed everywhere",
            incident_date=date(2026, 7, 1),
            root_cause=PUSH_BEFORE,
            cause_category="config_change",
            created_at=at("2026-07-02 09:00"),
        )
        s.add(push)
        s.flush()
        s.add(
            ItemRow(
                postmortem_id=push.id or 0,
                uid="p1",
                text="Add a canary stage to config pushes",
                owner="erin",
                priority="P1",
                due=date(2026, 8, 1),
                status="done",
                done=True,
                created_at=at("2026-07-02 09:00"),
                closed_at=at("2026-07-20 09:00"),
            )
        )
        # Two postmortems added in W48 that repeat them.
        s.add(
            PostmortemRow(
                key="2026-11-26-gateway-tls.md",
                path="postmortems/2026-11-26-gateway-tls.md",
                title="Gateway certificate expired",
                incident_date=date(2026, 11, 26),
                root_cause=TLS_AGAIN,
                cause_category="cert_credential",
                created_at=at("2026-11-27 12:00"),
            )
        )
        s.add(
            PostmortemRow(
                key="2026-11-25-push-again.md",
                path="postmortems/2026-11-25-push-again.md",
                title="Config pushed everywhere, again",
                incident_date=date(2026, 11, 25),
                root_cause=PUSH_AGAIN,
                cause_category="config_change",
                created_at=at("2026-11-26 12:00"),
            )
        )
        # Added in W47: not a repeat "found in the period" of W48.
        s.add(
            PostmortemRow(
                key="2026-11-18-tls-old.md",
                path="postmortems/2026-11-18-tls-old.md",
                title="Old TLS repeat",
                incident_date=date(2026, 11, 18),
                root_cause=TLS_AGAIN,
                cause_category="cert_credential",
                created_at=at("2026-11-19 12:00"),
            )
        )


def test_repeats_of_the_week_are_split_by_what_happened_to_the_earlier_fix(store) -> None:
    _scene(store)
    settings = Settings(timezone=ZONE)
    week = iso_week("2026-W48", ZONE)
    # What pmt report does first: the postmortems added in the week were never analysed.
    prepare_repeats(store, settings, week)
    with store.session(write=False) as session:
        report = build_weekly_report(session, settings, week, now=NOW, find_repeats=find_repeats)
    never = [(r.postmortem_title, r.earlier_title) for r in report.never_done]
    held_not = [(r.postmortem_title, r.earlier_title) for r in report.did_not_hold]
    assert ("Gateway certificate expired", "Expired TLS certificate") in never
    assert held_not == [("Config pushed everywhere, again", "Config pushed everywhere")]
    tls = next(r for r in report.never_done if r.earlier_title == "Expired TLS certificate")
    assert [(i.text, i.owner, i.status) for i in tls.earlier_items] == [
        ("Monitor certificate expiry", "dave", "overdue")
    ]
    assert tls.open_items == 1 and 0.35 <= tls.score <= 1
    push = report.did_not_hold[0]
    assert [(i.text, i.status) for i in push.earlier_items] == [
        ("Add a canary stage to config pushes", "done")
    ]
    # Only postmortems added during W48 are looked at: the W47 one is not reported.
    assert all(r.postmortem_key != "2026-11-18-tls-old.md" for r in report.repeats)


def test_no_postmortem_added_means_no_repeat_search(store) -> None:
    _scene(store)
    with store.session(write=False) as session:
        assert (
            find_repeats(
                session, Settings(timezone=ZONE), iso_week("2026-W45", ZONE), date(2026, 12, 1)
            )
            == []
        )
