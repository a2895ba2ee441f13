"""``pmt remind``: a comment on the ticket of each overdue action item, at most once per interval.

For each overdue item (``tracker.queries.overdue``, the same list as ``pmt overdue``) whose
ticket pmt has linked, the ticket gets a comment that names its assignee and says how late the
item is, unless it had one less than ``remind.interval_days`` ago.

Two memories keep a ticket from being nagged twice:
- the store: ``TicketLinkRow.last_reminded_at``, written right after each comment (its own
  commit, so a run that stops half-way keeps what it did);
- the ticket: every reminder ends with a marker carrying its date (``pmt:reminder 2026-12-01``,
  inside an HTML comment on GitHub). When the store has no record (a lost or new database), the
  ticket's recent comments are read for it before commenting, and a marker found is written
  back to the store.

The backends read comments through ``recent_comments`` (the ``CommentHistory`` Protocol below),
a small addition to each backend next to ``comment``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol
from zoneinfo import ZoneInfo

from sync.base import RateLimitedError, SyncError, TicketBackend, UnreachableError
from sync.registry import writes_markdown
from tracker.people import lookup

if TYPE_CHECKING:
    from tracker.config import Settings
    from tracker.queries import OverdueRow
    from tracker.store import Store
    from tracker.store.tables import TicketLinkRow

_MARKER = re.compile(r"pmt:reminder\s+(\d{4}-\d{2}-\d{2})")

Status = Literal["sent", "would_send", "recent", "no_ticket", "failed", "not_attempted"]


class CommentHistory(Protocol):
    # Bodies (as plain text) of the comments on a ticket made since ``since``; a tracker that
    # cannot filter by time may return older ones too.
    def recent_comments(self, key: str, since: datetime) -> list[str]: ...


class RemindBackend(TicketBackend, CommentHistory, Protocol):
    """A ticket backend that can also read a ticket's comments."""


def reminder_marker(day: date, tracker: str) -> str:
    token = f"pmt:reminder {day.isoformat()}"
    return f"<!-- {token} -->" if writes_markdown(tracker) else f"({token})"


def marker_dates(bodies: Sequence[str]) -> list[date]:
    found = []
    for body in bodies:
        for match in _MARKER.finditer(body or ""):
            try:
                found.append(date.fromisoformat(match[1]))
            except ValueError:
                continue
    return found


@dataclass(frozen=True)
class Outcome:
    owner: str | None
    item: str
    postmortem: str
    postmortem_title: str | None
    due: date
    days_overdue: int
    tracker: str | None
    ticket: str | None
    url: str | None
    mention: str | None
    status: Status
    # The last reminder before this run (from the store or a marker on the ticket).
    last_reminded: date | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["due"] = self.due.isoformat()
        data["last_reminded"] = self.last_reminded.isoformat() if self.last_reminded else None
        return data


@dataclass
class RemindReport:
    as_of: date
    dry_run: bool
    interval_days: int
    outcomes: list[Outcome] = field(default_factory=list)
    stopped: str | None = None  # why the run stopped early (a rate limit)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "dry_run": self.dry_run,
            "interval_days": self.interval_days,
            "stopped": self.stopped,
            "reminders": [o.to_dict() for o in self.outcomes],
        }


def mention_for(
    row: OverdueRow, link: TicketLinkRow, settings: Settings, *, handle: bool = False
) -> str | None:
    """Who the comment names: the ticket's assignee, else the owner through the owner map,
    else (where the tracker writes @-mentions) the owner written as a handle (``handle``:
    ``@lena-k`` in the postmortem, stored as ``lena-k``), unless the tracker's ``handles``
    setting is off."""
    tracker = link.tracker
    section = getattr(settings, tracker, None)
    owners: dict[str, str] = getattr(section, "owners", None) or {}
    who = link.assignee or lookup(owners, row.owner)
    if writes_markdown(tracker):
        if who:
            return "@" + who.lstrip("@")
        written_as_handle = handle or bool(row.owner and row.owner.startswith("@"))
        if row.owner and written_as_handle and getattr(section, "handles", True):
            return "@" + row.owner.lstrip("@")
        return None
    return who or row.owner


def reminder_body(row: OverdueRow, mention: str | None, tracker: str, today: date) -> str:
    """The comment: who, what, how late, what to do; Markdown with an @-mention where the
    tracker writes Markdown (GitHub), plain text elsewhere (Jira)."""
    late = f"{row.days_overdue} day{'s' if row.days_overdue != 1 else ''} overdue"
    title = row.postmortem_title or row.postmortem
    due = row.due.isoformat() + (" (set by the deadline policy)" if row.due_implicit else "")
    if writes_markdown(tracker):
        who = f"{mention} " if mention else ""
        lines = [
            (
                f"{who}a reminder from pmt: this follow-up from the postmortem **{title}** was due "
                f"on **{due}** and is now **{late}**."
            ),
            "",
            f"> {' '.join(row.item.split())}",
            "",
            (
                "When it is done, close this issue (or check its box in the postmortem). If the "
                "date no longer holds, agree a new one and change it in the postmortem."
            ),
        ]
    else:
        who = f"Reminder for {mention}: " if mention else "Reminder: "
        lines = [
            f'{who}this follow-up from the postmortem "{title}" was due on {due} and is now {late}.',
            "",
            " ".join(row.item.split()),
            "",
            (
                "When it is done, resolve this ticket (or check its box in the postmortem). If the "
                "date no longer holds, agree a new one and change it in the postmortem."
            ),
        ]
    lines += ["", reminder_marker(today, tracker)]
    return "\n".join(lines)


def remind(
    store: Store,
    settings: Settings,
    backend_for: Callable[[str], RemindBackend],
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    owner: str | None = None,
    tracker: str | None = None,
) -> RemindReport:
    """Comment on the ticket of every overdue item that was not reminded within the interval."""
    from tracker.store.sync_state import overdue_links, record_reminder

    now = (now or datetime.now(UTC)).astimezone(UTC)
    zone = ZoneInfo(settings.timezone)
    today = now.astimezone(zone).date()
    interval = settings.remind.interval_days
    report = RemindReport(as_of=today, dry_run=dry_run, interval_days=interval)
    backends: dict[str, RemindBackend] = {}

    work = overdue_links(store, today, owner=owner, tracker=tracker)

    for row, link, handle in work:
        base = Outcome(
            owner=row.owner,
            item=row.item,
            postmortem=row.postmortem,
            postmortem_title=row.postmortem_title,
            due=row.due,
            days_overdue=row.days_overdue,
            tracker=row.tracker,
            ticket=row.ticket,
            url=row.ticket_url,
            mention=None,
            status="no_ticket",
        )
        if link is None or link.id is None:
            report.outcomes.append(
                replace(base, note="no linked ticket: run `pmt sync` to file one")
            )
            continue
        mention = mention_for(row, link, settings, handle=handle)
        base = replace(base, tracker=link.tracker, ticket=link.key, url=link.url, mention=mention)
        if report.stopped:
            report.outcomes.append(replace(base, status="not_attempted", note=report.stopped))
            continue
        last = link.last_reminded_at.astimezone(zone).date() if link.last_reminded_at else None
        base = replace(base, last_reminded=last)
        if last is not None and (today - last).days < interval:
            report.outcomes.append(replace(base, status="recent"))
            continue
        try:
            backend = backends.get(link.tracker) or backends.setdefault(
                link.tracker, backend_for(link.tracker)
            )
            if last is None:
                # No record here: the ticket itself may say it was reminded (a lost store).
                since = now - timedelta(days=interval)
                dates = [
                    d
                    for d in marker_dates(backend.recent_comments(link.key, since))
                    if (today - d).days < interval
                ]
                if dates:
                    found = max(dates)
                    if not dry_run:
                        record_reminder(
                            store, link.id, datetime.combine(found, datetime.min.time(), zone)
                        )
                    report.outcomes.append(
                        replace(
                            base,
                            status="recent",
                            last_reminded=found,
                            note="reminder found on the ticket",
                        )
                    )
                    continue
            if dry_run:
                report.outcomes.append(replace(base, status="would_send"))
                continue
            backend.comment(link.key, reminder_body(row, mention, link.tracker, today))
            record_reminder(store, link.id, now)
            report.outcomes.append(replace(base, status="sent"))
        except (RateLimitedError, UnreachableError) as exc:
            # Stop at the first: a rate limit outlasts this run; an unreachable tracker makes
            # every other request fail the same way (and nothing was sent).
            report.stopped = str(exc)
            report.outcomes.append(replace(base, status="failed", note=str(exc)))
        except SyncError as exc:
            report.outcomes.append(replace(base, status="failed", note=str(exc)))
    return report


STATUS_WORDS: dict[str, str] = {
    "sent": "reminded now",
    "would_send": "would be reminded",
    "recent": "reminded recently",
    "no_ticket": "no ticket",
    "failed": "failed",
    "not_attempted": "not attempted",
}
