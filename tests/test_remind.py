"""``pmt remind``: one comment per overdue ticket per interval, the marker, dry runs, the digest."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from cli.app import app
from sync.remind import marker_dates, remind
from tests.fakes import FakeBackend
from tests.report_data import NOW, ZONE, fill
from tracker.config import Settings
from tracker.store.tables import TicketLinkRow


class CommentingFake(FakeBackend):
    """The engine's fake plus the comment history ``pmt remind`` reads (no times: all of them)."""

    def recent_comments(self, key: str, since: datetime) -> list[str]:
        with self._lock:
            self._read("recent_comments", key)
            return list(self._get(key).comments)


@pytest.fixture
def scene(store):
    """The report history plus tickets: a2 and c1 on GitHub, b4 on Jira; b3 has none."""
    ids = fill(store)
    github, jira = CommentingFake("github"), CommentingFake("jira")
    c1_key = github.add_existing("Monitor certificate expiry")
    b4_key = jira.add_existing("Cache negative answers")
    a2_key = github.add_existing("Alert on payment error rate")
    with store.session() as s:
        a2 = s.exec(select(TicketLinkRow).where(TicketLinkRow.key == "acme/ops#12")).one()
        a2.key = a2_key  # the fixture's a2 link, pointed at the fake's ticket
        s.add(
            TicketLinkRow(
                item_id=ids["c1"],
                postmortem_id=ids["C"],
                tracker="github",
                key=c1_key,
                url=github.url_for(c1_key),
                state="open",
            )
        )
        s.add(
            TicketLinkRow(
                item_id=ids["b4"],
                postmortem_id=ids["B"],
                tracker="jira",
                key=b4_key,
                url=jira.url_for(b4_key),
                state="open",
                assignee="Bob Jones",
            )
        )
    settings = Settings(timezone=ZONE)
    settings.github.owners = {"dave": "dave-gh"}
    return (
        store,
        settings,
        {"github": github, "jira": jira},
        {"a2": a2_key, "c1": c1_key, "b4": b4_key},
    )


def run(scene, *, now: datetime = NOW, **kw):
    store, settings, backends, _ = scene
    return remind(store, settings, backends.__getitem__, now=now, **kw)


def last_reminded(store) -> dict[str, datetime | None]:
    with store.session(write=False) as s:
        return {link.key: link.last_reminded_at for link in s.exec(select(TicketLinkRow)).all()}


def test_comments_mention_the_assignee_and_say_how_late(scene) -> None:
    store, _, backends, keys = scene
    report = run(scene)
    by_item = {o.item: o for o in report.outcomes}
    assert {o.status for o in report.outcomes} == {"sent", "no_ticket"}
    assert by_item["Document the resolver setup"].status == "no_ticket"  # b3: no ticket linked
    github, jira = backends["github"], backends["jira"]
    [a2_comment] = github.tickets[keys["a2"]].comments
    # The ticket's assignee (from the fixture's link) is mentioned as a GitHub login.
    assert a2_comment.startswith(
        "@bob-gh a reminder from pmt: this follow-up from the postmortem **Checkout outage** was "
        "due on **2026-11-28** and is now **3 days overdue**."
    )
    assert "> Alert on payment error rate" in a2_comment
    assert a2_comment.endswith("<!-- pmt:reminder 2026-12-01 -->")
    # No assignee on the ticket: the owner through github.owners.
    assert github.tickets[keys["c1"]].comments[0].startswith("@dave-gh a reminder from pmt")
    assert "80 days overdue" in github.tickets[keys["c1"]].comments[0]
    # Jira: plain text (the backend renders it), the assignee named, the marker readable.
    [b4_comment] = jira.tickets[keys["b4"]].comments
    assert b4_comment.startswith(
        'Reminder for Bob Jones: this follow-up from the postmortem "DNS resolution failures"'
    )
    assert b4_comment.endswith("(pmt:reminder 2026-12-01)")
    assert set(last_reminded(store).values()) >= {NOW}


@pytest.mark.parametrize("handles", [True, False])
def test_an_owner_written_as_a_handle_is_mentioned(scene, handles: bool) -> None:
    """c1's ticket has no assignee; its owner was written "@lena-k" (stored without the "@",
    ``owner_handle`` set) and is not in github.owners: the handle itself is mentioned, unless
    [github] handles is off."""
    from tracker.store.tables import ItemRow

    store, settings, backends, keys = scene
    settings.github.handles = handles
    with store.session() as s:
        c1 = s.exec(select(ItemRow).where(ItemRow.uid == "c1")).one()
        c1.owner, c1.owner_handle = "lena-k", True
        s.add(c1)
    run(scene)
    [comment] = backends["github"].tickets[keys["c1"]].comments
    if handles:
        assert comment.startswith("@lena-k a reminder from pmt")
    else:
        assert not comment.startswith("@") and "@lena-k" not in comment


def test_at_most_once_per_interval(scene) -> None:
    _, _, backends, keys = scene
    run(scene)
    again = run(scene, now=NOW + timedelta(hours=2))
    assert [o.status for o in again.outcomes if o.ticket] == ["recent"] * 3
    six_days = run(scene, now=NOW + timedelta(days=6))
    assert {o.status for o in six_days.outcomes if o.ticket} == {"recent"}
    assert six_days.outcomes[0].last_reminded is not None
    seven_days = run(scene, now=NOW + timedelta(days=7))
    assert {o.status for o in seven_days.outcomes if o.ticket} == {"sent"}
    assert len(backends["github"].tickets[keys["a2"]].comments) == 2
    assert (
        backends["github"]
        .tickets[keys["a2"]]
        .comments[1]
        .endswith("<!-- pmt:reminder 2026-12-08 -->")
    )


def test_a_lost_store_does_not_mean_double_reminders(scene) -> None:
    store, _, backends, keys = scene
    run(scene)
    with store.session() as s:  # the store forgets (a new database, a restore)
        for link in s.exec(select(TicketLinkRow)).all():
            link.last_reminded_at = None
            s.add(link)
    later = run(scene, now=NOW + timedelta(days=3))
    ticketed = [o for o in later.outcomes if o.ticket]
    assert {o.status for o in ticketed} == {"recent"}
    assert {o.note for o in ticketed} == {"reminder found on the ticket"}
    assert {str(o.last_reminded) for o in ticketed} == {"2026-12-01"}
    assert len(backends["github"].tickets[keys["a2"]].comments) == 1
    # The marker found was written back: the next run needs no read of the ticket.
    assert all(v is not None for k, v in last_reminded(store).items() if k in keys.values())
    backends["github"].reset_counts()
    run(scene, now=NOW + timedelta(days=4))
    assert backends["github"].calls == []
    # Once the interval has passed since the marker's date, the reminder goes out again.
    with store.session() as s:
        for link in s.exec(select(TicketLinkRow)).all():
            link.last_reminded_at = None
            s.add(link)
    week_later = run(scene, now=NOW + timedelta(days=7))
    assert {o.status for o in week_later.outcomes if o.ticket} == {"sent"}


def test_dry_run_writes_nothing(scene) -> None:
    store, _, backends, keys = scene
    report = run(scene, dry_run=True)
    assert sorted(o.status for o in report.outcomes) == [
        "no_ticket",
        "would_send",
        "would_send",
        "would_send",
    ]
    assert all(not t.comments for b in backends.values() for t in b.tickets.values())
    assert backends["github"].writes == 0 and backends["jira"].writes == 0
    assert all(v is None for k, v in last_reminded(store).items() if k in keys.values())


def test_owner_and_tracker_filters(scene) -> None:
    bob = run(scene, owner="@Bob", dry_run=True)
    assert sorted(o.item for o in bob.outcomes) == [
        "Alert on payment error rate",
        "Cache negative answers",
    ]
    jira_only = run(scene, tracker="jira", dry_run=True)
    assert [o.ticket for o in jira_only.outcomes] == [scene[3]["b4"]]


def test_a_failed_comment_does_not_stop_the_others(scene) -> None:
    _, _, backends, keys = scene
    del backends["github"].tickets[keys["c1"]]  # deleted on the tracker
    report = run(scene)
    by_item = {o.item: o for o in report.outcomes}
    assert by_item["Monitor certificate expiry"].status == "failed"
    assert "not found" in (by_item["Monitor certificate expiry"].note or "")
    assert by_item["Alert on payment error rate"].status == "sent"
    assert by_item["Cache negative answers"].status == "sent"


def test_a_rate_limit_stops_the_run_and_keeps_what_was_done(scene) -> None:
    store, settings, backends, keys = scene
    # GitHub refuses every write; Jira's ticket (bob's oldest item, handled first) goes through.
    limited = CommentingFake("github", rate_limit_after_writes=0)
    for name in ("Monitor certificate expiry", "Alert on payment error rate"):
        limited.add_existing(name)
    report = remind(
        store, settings, {"github": limited, "jira": backends["jira"]}.__getitem__, now=NOW
    )
    by_item = {o.item: o.status for o in report.outcomes}
    assert by_item == {
        "Cache negative answers": "sent",  # jira, bob, due 15 Nov
        "Alert on payment error rate": "failed",  # github, bob: the rate limit
        "Monitor certificate expiry": "not_attempted",  # github, dave: after the stop
        "Document the resolver setup": "no_ticket",
    }
    assert report.stopped and "rate limit" in report.stopped
    assert last_reminded(store)[keys["b4"]] == NOW


def test_marker_dates_are_read_from_both_styles() -> None:
    bodies = [
        "hello <!-- pmt:reminder 2026-11-30 -->",
        "Reminder ...\n\n(pmt:reminder 2026-12-01)",
        "nothing",
    ]
    assert [str(d) for d in marker_dates(bodies)] == ["2026-11-30", "2026-12-01"]


def _due_long_ago(store) -> None:
    """The CLI runs on the real clock: make a2 (due 28 Nov 2026) overdue whenever this runs."""
    from datetime import date

    from tracker.store.tables import ItemRow

    with store.session() as s:
        item = s.exec(select(ItemRow).where(ItemRow.uid == "a2")).one()
        item.due = date(2026, 11, 20)
        s.add(item)


def test_cli_digest_per_owner(scene, monkeypatch: pytest.MonkeyPatch) -> None:
    from sync import registry

    store, _, backends, _ = scene
    _due_long_ago(store)
    monkeypatch.setenv("PMT_DATABASE_URL", store.url)
    monkeypatch.setenv("PMT_TIMEZONE", ZONE)
    monkeypatch.setenv("PMT_GITHUB_OWNERS", '{"dave": "dave-gh"}')
    for name, backend in backends.items():
        monkeypatch.setitem(registry.BACKENDS, name, lambda settings, secrets, b=backend: b)
    runner = CliRunner()
    dry = runner.invoke(app, ["remind", "--dry-run", "--format", "markdown"])
    assert dry.exit_code == 0, dry.output
    # One heading per owner, the owner's items under it.
    assert "### bob" in dry.stdout and "### dave" in dry.stdout and "### (no owner)" in dry.stdout
    assert "would be reminded" in dry.stdout and "no ticket" in dry.stdout
    assert "pmt: would remind 3 ticket(s)" in dry.stderr
    real = runner.invoke(app, ["remind", "--format", "json"])
    assert real.exit_code == 0, real.output
    data = json.loads(real.stdout)
    assert data["dry_run"] is False and data["interval_days"] == 7
    assert sorted(r["status"] for r in data["reminders"]) == ["no_ticket", "sent", "sent", "sent"]
    table = runner.invoke(app, ["remind"])
    assert table.exit_code == 0
    assert "reminded on" in table.stdout


def test_cli_exit_status_when_a_comment_fails(scene, monkeypatch: pytest.MonkeyPatch) -> None:
    from sync import registry

    store, _, backends, keys = scene
    monkeypatch.setenv("PMT_DATABASE_URL", store.url)
    monkeypatch.setenv("PMT_TIMEZONE", ZONE)
    del backends["jira"].tickets[keys["b4"]]
    for name, backend in backends.items():
        monkeypatch.setitem(registry.BACKENDS, name, lambda settings, secrets, b=backend: b)
    result = CliRunner().invoke(app, ["remind", "--tracker", "jira"])
    assert result.exit_code == 1
    assert "pmt: 1 reminder(s) failed" in result.stderr
    assert "Traceback" not in result.output
