"""A store with a known history around ISO week 2026-W48 (Mon 23 Nov to Sun 29 Nov 2026).

Used by the report, CLI, HTML and publishing tests. The team works in New York
(America/New_York, UTC-5 in November) and the report is made on Tuesday 1 December 2026 at
10:00 local time. Each row says why it is there; the tests derive their expectations from the
same facts, written out in the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tracker.store import Store
from tracker.store.tables import ItemRow, PostmortemRow, TicketLinkRow

ZONE = "America/New_York"
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # Tue 1 Dec 2026, 10:00 in New York


def at(text: str) -> datetime:
    """``"2026-11-25 14:00"`` as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def fill(store: Store) -> dict[str, int]:
    """Write the history into ``store`` (empty); returns the row ids by the names used below."""
    ids: dict[str, int] = {}
    with store.session() as s:
        pms = {
            # New in W48: written on Wednesday about Tuesday's outage.
            "A": PostmortemRow(
                key="2026-11-24-checkout.md",
                path="postmortems/2026-11-24-checkout.md",
                title="Checkout outage",
                incident_date=date(2026, 11, 24),
                started=at("2026-11-24 13:00"),
                ended=at("2026-11-24 14:35"),
                duration_minutes=95,
                impact="Checkout failed for 30% of users",
                severity="SEV1",
                root_cause="A feature flag change disabled the payment provider",
                cause_category="config_change",
                created_at=at("2026-11-25 14:00"),
            ),
            # Older: the October DNS outage, whose follow-ups are partly done.
            "B": PostmortemRow(
                key="2026-10-02-dns.md",
                path="postmortems/2026-10-02-dns.md",
                title="DNS resolution failures",
                incident_date=date(2026, 10, 2),
                started=at("2026-10-02 08:00"),
                duration_minutes=40,
                cause_category="network_dns",
                created_at=at("2026-10-03 09:00"),
            ),
            # In the 90 days before the last 90 days.
            "C": PostmortemRow(
                key="2026-08-15-tls.md",
                path="postmortems/2026-08-15-tls.md",
                title="Expired TLS certificate",
                incident_date=date(2026, 8, 15),
                started=at("2026-08-15 06:00"),
                cause_category="cert_credential",
                created_at=at("2026-08-16 09:00"),
            ),
            # New in W48 (recorded on Friday), about an incident of the week before.
            "E": PostmortemRow(
                key="2026-11-20-resolver.md",
                path="postmortems/2026-11-20-resolver.md",
                title="Resolver timeouts",
                incident_date=date(2026, 11, 20),
                duration_minutes=25,
                impact="Slow logins",
                cause_category="network_dns",
                created_at=at("2026-11-27 10:00"),
            ),
        }
        for name, pm in pms.items():
            s.add(pm)
            s.flush()
            ids[name] = pm.id or 0
        items = {
            # Done on Thursday, a day before its due date.
            "a1": ItemRow(
                postmortem_id=ids["A"],
                uid="a1",
                text="Add a guard to the flag service",
                owner="alice",
                priority="P1",
                due=date(2026, 11, 27),
                position=0,
                status="done",
                created_at=at("2026-11-25 14:00"),
                closed_at=at("2026-11-26 15:00"),
            ),
            # Due Saturday, still open: overdue by 3 days on Tuesday.
            "a2": ItemRow(
                postmortem_id=ids["A"],
                uid="a2",
                text="Alert on payment error rate",
                owner="bob",
                priority="P1",
                due=date(2026, 11, 28),
                position=1,
                created_at=at("2026-11-25 14:00"),
            ),
            # Due in three weeks.
            "a3": ItemRow(
                postmortem_id=ids["A"],
                uid="a3",
                text="Write a runbook for flags",
                owner="alice",
                priority="P2",
                due=date(2026, 12, 20),
                position=2,
                created_at=at("2026-11-25 14:00"),
            ),
            # Removed from the document on Thursday: counts nowhere.
            "a4": ItemRow(
                postmortem_id=ids["A"],
                uid="a4",
                text="Dropped idea",
                owner="bob",
                priority="P2",
                due=date(2026, 11, 27),
                position=3,
                status="removed",
                created_at=at("2026-11-25 14:00"),
                removed_at=at("2026-11-26 10:00"),
            ),
            # Open in the document, but its ticket was closed on Tuesday of W48 (late).
            "b1": ItemRow(
                postmortem_id=ids["B"],
                uid="b1",
                text="Second DNS provider",
                owner="bob",
                priority="P0",
                due=date(2026, 10, 9),
                position=0,
                created_at=at("2026-10-03 09:00"),
            ),
            # Done at 23:30 on Sunday 29 Nov in New York (04:30 UTC on Monday): in W48 there,
            # two days after its (implicit) due date.
            "b2": ItemRow(
                postmortem_id=ids["B"],
                uid="b2",
                text="Lower DNS TTLs",
                owner="carol",
                priority="P2",
                due=date(2026, 11, 27),
                due_implicit=True,
                position=1,
                status="done",
                created_at=at("2026-10-03 09:00"),
                closed_at=at("2026-11-30 04:30"),
            ),
            # No owner, no priority, overdue for 30 days.
            "b3": ItemRow(
                postmortem_id=ids["B"],
                uid="b3",
                text="Document the resolver setup",
                due=date(2026, 11, 1),
                position=2,
                created_at=at("2026-10-03 09:00"),
            ),
            # Bob's second overdue item (16 days).
            "b4": ItemRow(
                postmortem_id=ids["B"],
                uid="b4",
                text="Cache negative answers",
                owner="bob",
                priority="P3",
                due=date(2026, 11, 15),
                position=3,
                created_at=at("2026-10-03 09:00"),
            ),
            # The oldest open item, overdue since September (80 days).
            "c1": ItemRow(
                postmortem_id=ids["C"],
                uid="c1",
                text="Monitor certificate expiry",
                owner="dave",
                priority="P1",
                due=date(2026, 9, 12),
                position=0,
                created_at=at("2026-08-16 09:00"),
            ),
        }
        for name, item in items.items():
            s.add(item)
            s.flush()
            ids[name] = item.id or 0
        s.add(
            TicketLinkRow(
                item_id=ids["b1"],
                postmortem_id=ids["B"],
                tracker="github",
                key="acme/ops#7",
                url="https://github.com/acme/ops/issues/7",
                state="closed",
                closed_at=at("2026-11-24 12:00"),
            )
        )
        s.add(
            TicketLinkRow(
                item_id=ids["a2"],
                postmortem_id=ids["A"],
                tracker="github",
                key="acme/ops#12",
                url="https://github.com/acme/ops/issues/12",
                state="open",
                assignee="bob-gh",
            )
        )
    return ids


@pytest.fixture(name="sqlite_store")
def sqlite_store_fixture(tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty SQLite store (for tests that need no PostgreSQL variant)."""
    store = Store(f"sqlite:///{tmp_path / 'pmt.db'}")
    yield store
    store.dispose()
