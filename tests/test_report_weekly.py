"""The weekly report's figures, computed on a real store (SQLite and PostgreSQL) with fixed dates.

The history is in ``tests/report_data.py``; each expectation below is worked out from the facts
written there, in the comment next to it.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest

from tests.report_data import NOW, ZONE, fill
from tracker.config import Settings
from tracker.reports.period import (
    Period,
    PeriodError,
    iso_week,
    last_full_week,
    resolve_period,
    weeks_ending,
)
from tracker.reports.weekly import RepeatEntry, RepeatItem, WeeklyReport, build_weekly_report


def report_for(store, *, zone: str = ZONE, week: str | None = None, **kw) -> WeeklyReport:
    settings = Settings(timezone=zone)
    period = resolve_period(timezone=zone, now=NOW, week=week)
    with store.session(write=False) as session:
        return build_weekly_report(session, settings, period, now=NOW, **kw)


# --- periods -----------------------------------------------------------------------------------


def test_default_period_is_the_last_full_iso_week_in_the_configured_zone() -> None:
    # Tuesday 1 December 2026: the last full week is Monday 23 to Sunday 29 November.
    period = last_full_week(NOW, ZONE)
    assert (period.start, period.end, period.week) == (
        date(2026, 11, 23),
        date(2026, 11, 29),
        "2026-W48",
    )
    # 03:00 UTC on Monday 30 November is still Sunday evening in New York: W48 is not over.
    sunday_evening = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    assert last_full_week(sunday_evening, ZONE).week == "2026-W47"
    assert last_full_week(sunday_evening, "UTC").week == "2026-W48"


def test_week_boundaries_are_local_midnights() -> None:
    ny = iso_week("2026-W48", "America/New_York")
    assert ny.start_at == datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # EST is UTC-5
    assert ny.end_at == datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
    tokyo = iso_week("2026-W48", "Asia/Tokyo")
    assert tokyo.start_at == datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
    # Daylight saving time ends on Sunday 1 Nov 2026 in New York: W44 lasts 169 hours.
    dst = iso_week("2026-W44", "America/New_York")
    assert (dst.end_at - dst.start_at).total_seconds() == 7 * 24 * 3600 + 3600


def test_iso_week_parsing_and_errors() -> None:
    assert iso_week("2026w53", "UTC").start == date(2026, 12, 28)  # 2026 has 53 ISO weeks
    assert iso_week("2021-W01", "UTC").start == date(2021, 1, 4)
    with pytest.raises(PeriodError, match="2025 has no week 53"):
        iso_week("2025-W53", "UTC")
    with pytest.raises(PeriodError, match="ISO week such as 2026-W48"):
        iso_week("last week", "UTC")


def test_since_until_period() -> None:
    period = resolve_period(timezone=ZONE, now=NOW, since="2026-11-01", until="2026-11-30")
    assert (period.days, period.week, period.label) == (30, None, "2026-11-01 to 2026-11-30")
    only_since = resolve_period(timezone=ZONE, now=NOW, since="2026-11-25")
    assert only_since.end == date(2026, 12, 1)  # until defaults to today
    with pytest.raises(PeriodError, match="before --since"):
        resolve_period(timezone=ZONE, now=NOW, since="2026-11-30", until="2026-11-01")
    with pytest.raises(PeriodError, match="cannot be combined"):
        resolve_period(timezone=ZONE, now=NOW, week="2026-W48", since="2026-11-01")
    with pytest.raises(PeriodError, match="--since 'yesterday'"):
        resolve_period(timezone=ZONE, now=NOW, since="yesterday")


def test_weeks_ending_counts_back_whole_weeks() -> None:
    weeks = weeks_ending(Period(date(2026, 11, 1), date(2026, 11, 30), "UTC"), 12)
    assert len(weeks) == 12
    assert weeks[-1].week == "2026-W49"  # 30 November is the Monday of W49
    assert weeks[0].week == "2026-W38"
    assert all(b.start - a.start == (b.end - a.end) for a, b in itertools.pairwise(weeks))


# --- figures on a store --------------------------------------------------------------------------


def test_new_postmortems_of_the_week(store) -> None:
    fill(store)
    report = report_for(store)
    # A (recorded Wed 25 Nov) and E (Fri 27 Nov); B and C were recorded long before.
    assert [p.title for p in report.postmortems] == ["Resolver timeouts", "Checkout outage"]
    checkout = report.postmortems[1]
    assert (
        checkout.duration_minutes,
        checkout.impact,
        checkout.cause_category,
        checkout.cause_label,
    ) == (
        95,
        "Checkout failed for 30% of users",
        "config_change",
        "Configuration change",
    )
    # a1, a2, a3 exist at the end of the week; a4 was removed on Thursday.
    assert checkout.items == 3


def test_item_totals(store) -> None:
    fill(store)
    t = report_for(store).totals
    assert t.added == 3  # a1, a2, a3 (a4 added and removed within the week)
    # a1 (checked Thu), b1 (ticket closed Tue), b2 (23:30 Sunday in New York).
    assert t.closed == 3
    assert t.open_now == 5  # a2, a3, b3, b4, c1
    assert t.overdue_now == 4  # a2 (due 28 Nov), b3, b4, c1; a3 is due 20 Dec
    # 8 items existed at the end of the week (a1-a3, b1-b4, c1); a1, b1, b2 were done.
    assert t.completion_rate == pytest.approx(3 / 8)
    # From the incident: a1 2 d 2 h; b1 53 d 4 h; b2 58 d 20 h 30 min -> median 53.17 days.
    assert t.median_days_to_close == 53.2
    # Due during the week: a1 (27th), a2 (28th), b2 (27th, implicit); only a1 was done in time.
    assert (t.due, t.met_deadline) == (3, 1)
    assert t.compliance == pytest.approx(1 / 3, abs=1e-4)
    assert t.closed_late == 2  # b1 (due 9 Oct) and b2 (done the 29th, due the 27th)


def test_figures_by_priority(store) -> None:
    fill(store)
    rows = {s.priority: s for s in report_for(store).by_priority}
    # No P4 item exists, so no P4 row.
    assert list(rows) == ["P0", "P1", "P2", "P3", "none"]
    p1 = rows["P1"]  # a1 (done), a2 (overdue), c1 (overdue)
    assert (p1.added, p1.closed, p1.open_now, p1.overdue_now) == (2, 1, 2, 2)
    assert p1.completion_rate == pytest.approx(1 / 3, abs=1e-4)
    assert p1.median_days_to_close == 2.1  # a1 alone: 2 days 2 hours
    assert (p1.due, p1.met_deadline, p1.compliance) == (2, 1, 0.5)
    p2 = rows["P2"]  # a3 (open, due in December), b2 (done late); a4 removed
    assert (p2.added, p2.closed, p2.open_now, p2.due, p2.met_deadline, p2.compliance) == (
        1,
        1,
        1,
        1,
        0,
        0.0,
    )
    assert rows["P0"].completion_rate == 1.0 and rows["P0"].closed_late == 1
    assert rows["none"].overdue_now == 1  # b3


def test_overdue_oldest_and_owners(store) -> None:
    fill(store)
    report = report_for(store)
    assert [(e.text, e.days_overdue) for e in report.overdue] == [
        ("Monitor certificate expiry", 80),  # due 12 Sep
        ("Document the resolver setup", 30),  # due 1 Nov
        ("Cache negative answers", 16),  # due 15 Nov
        ("Alert on payment error rate", 3),  # due 28 Nov
    ]
    assert report.overdue[-1].ticket == "acme/ops#12"
    oldest = report.oldest_open
    assert [e.text for e in oldest[:3]] == [
        "Monitor certificate expiry",  # incident 15 Aug
        "Document the resolver setup",  # incident 2 Oct, position 2
        "Cache negative answers",  # incident 2 Oct, position 3
    ]
    assert oldest[0].age_days == (date(2026, 12, 1) - date(2026, 8, 15)).days
    # bob has two overdue items; dave and the unowned item one each, dave's the later.
    assert [(o.owner, o.overdue, o.most_days_late) for o in report.owners] == [
        ("bob", 2, 16),
        ("dave", 1, 80),
        ("(no owner)", 1, 30),
    ]


def test_an_item_done_late_on_sunday_night_belongs_to_the_local_week(store) -> None:
    fill(store)
    # b2 was done at 04:30 UTC on Monday 30 Nov: Sunday evening in New York, Monday in UTC.
    assert report_for(store, zone=ZONE).totals.closed == 3
    utc = report_for(store, zone="UTC")
    assert utc.totals.closed == 2
    assert report_for(store, zone="UTC", week="2026-W49").totals.closed == 1


def test_cause_trend_over_two_windows_of_90_days(store) -> None:
    fill(store)
    causes = report_for(store).causes
    # The week ends 29 Nov: recent = 1 Sep..29 Nov, previous = 3 Jun..31 Aug.
    assert (causes.recent_start, causes.previous_start, causes.previous_end) == (
        date(2026, 9, 1),
        date(2026, 6, 3),
        date(2026, 8, 31),
    )
    assert [(c.category, c.recent, c.previous, c.change) for c in causes.categories] == [
        ("network_dns", 2, 0, 2),  # B (2 Oct) and E (20 Nov)
        ("config_change", 1, 0, 1),  # A (24 Nov)
        ("cert_credential", 0, 1, -1),  # C (15 Aug)
    ]


def test_history_of_the_last_12_weeks(store) -> None:
    fill(store)
    history = report_for(store).history
    assert [w.week for w in (history[0], history[-1])] == ["2026-W37", "2026-W48"]
    by_week = {w.week: (w.open, w.closed) for w in history}
    assert by_week["2026-W39"] == (1, 0)  # only c1 existed
    assert by_week["2026-W40"] == (5, 0)  # B's four items recorded on 3 Oct, plus c1
    assert by_week["2026-W47"] == (5, 0)
    assert by_week["2026-W48"] == (5, 3)  # a1, b1, b2 done; a2, a3 added


def test_repeats_are_split_by_kind(store) -> None:
    fill(store)

    def finder(session, settings, period, as_of):
        items = [RepeatItem("Monitor certificate expiry", "dave", "overdue")]
        return [
            RepeatEntry(
                "e",
                "Resolver timeouts",
                date(2026, 11, 20),
                "b",
                "DNS",
                date(2026, 10, 2),
                "network_dns",
                0.8,
                "fix_did_not_hold",
                [RepeatItem("x", "bob", "done")],
            ),
            RepeatEntry(
                "a",
                "Checkout",
                date(2026, 11, 24),
                "c",
                "TLS",
                date(2026, 8, 15),
                "cert_credential",
                0.7,
                "follow_up_never_done",
                items,
            ),
        ]

    report = report_for(store, find_repeats=finder)
    assert [r.postmortem_key for r in report.never_done] == ["a"]
    assert [r.postmortem_key for r in report.did_not_hold] == ["e"]
    assert report.never_done[0].open_items == 1


def test_an_empty_store_gives_an_empty_report(store) -> None:
    report = report_for(store)
    assert report.postmortems == [] and report.overdue == [] and report.by_priority == []
    assert report.totals.completion_rate is None and report.totals.median_days_to_close is None
    assert [w.open for w in report.history] == [0] * 12


def test_items_done_before_pmt_saw_them(store) -> None:
    """Ingest records no closing date for an item already checked at its first ingest."""
    from tests.report_data import at
    from tracker.store.tables import ItemRow

    ids = fill(store)
    with store.session() as s:
        # Checked when first ingested on Wed 25 Nov (due Fri): done on time, but not "done
        # this week" (when is unknown) and with no time to close.
        s.add(
            ItemRow(
                postmortem_id=ids["A"],
                uid="a5",
                text="Roll back the flag",
                owner="alice",
                priority="P1",
                due=date(2026, 11, 27),
                position=4,
                status="done",
                done=True,
                created_at=at("2026-11-25 14:00"),
            )
        )
        # Checked when first ingested on Wed 25 Nov, but due on Mon 23 Nov: timeliness unknown.
        s.add(
            ItemRow(
                postmortem_id=ids["A"],
                uid="a6",
                text="Page the payments team",
                owner="bob",
                priority="P1",
                due=date(2026, 11, 23),
                position=5,
                status="done",
                done=True,
                created_at=at("2026-11-25 14:00"),
            )
        )
    report = report_for(store)
    t = report.totals
    assert t.closed == 3  # unchanged: a1, b1, b2
    assert t.median_days_to_close == 53.2  # unchanged
    assert t.added == 5  # a1, a2, a3, a5, a6
    assert t.completion_rate == pytest.approx(5 / 10)  # a1, b1, b2, a5, a6 of ten
    assert (t.due, t.met_deadline) == (4, 2)  # a1, a2, b2 as before, plus a5 (met); a6 unknown
    assert report.history[-1].closed == 3 and report.history[-1].open == 5


def test_an_item_due_later_in_an_ongoing_period_is_not_yet_judged(store) -> None:
    fill(store)
    # 1 Dec to 31 Dec, seen on 1 Dec: a3 (due 20 Dec) is open and still has time.
    period = resolve_period(timezone=ZONE, now=NOW, since="2026-12-01", until="2026-12-31")
    with store.session(write=False) as session:
        totals = build_weekly_report(session, Settings(timezone=ZONE), period, now=NOW).totals
    assert (totals.due, totals.met_deadline, totals.compliance) == (0, 0, None)


def test_a_report_built_for_a_rendering_lists_its_most_overdue_and_counts_them_all(
    store,
) -> None:
    """The report made for HTML or Markdown makes entries only for the overdue items they show:
    the same first entries, the same counts, the same owners as the whole report's."""
    from tracker.reports.render_json import to_dict

    fill(store)
    whole, cut = report_for(store), report_for(store, overdue_limit=2)
    assert cut.overdue == whole.overdue[:2]
    assert cut.overdue_count == whole.overdue_count == len(whole.overdue) > 2
    assert cut.owners == whole.owners and cut.totals == whole.totals
    with pytest.raises(ValueError, match="every overdue item"):
        to_dict(cut)
