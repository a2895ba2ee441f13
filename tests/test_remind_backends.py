"""``pmt remind`` on the real backends: comments, and the dated marker read back from the ticket.

GitHub: recorded PyGithub traffic (``tests/cassettes/github/<test name>.yaml``, through the GitHub
tests' ``gh`` fixture), so the contract test checks these interactions as well. Jira: how
``recent_comments`` reads the ``comment`` field Jira returns (ADF on Cloud, wiki text on Data
Center); the request itself is the backend's ordinary issue read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from sync.remind import remind
from tests.github.conftest import GitHubRig, draft, gh  # noqa: F401 (fixture)
from tests.report_data import NOW, ZONE, fill, sqlite_store_fixture  # noqa: F401 (fixture)
from tracker.config import JiraSettings, Settings
from tracker.store.tables import TicketLinkRow


def test_remind_comments_once_and_finds_its_marker_on_github(gh: GitHubRig, sqlite_store) -> None:  # noqa: F811 (the gh fixture)
    backend = gh.backend()
    ticket = backend.create(draft("a2", "Alert on payment error rate", owner="Bob"))
    fill(sqlite_store)
    with sqlite_store.session() as s:
        link = s.exec(select(TicketLinkRow).where(TicketLinkRow.key == "acme/ops#12")).one()
        link.key, link.url = ticket.key, ticket.url
        # Only a2 is on GitHub in this test: drop the closed b1 link's noise, keep a2's.
        s.add(link)
    settings = Settings(timezone=ZONE, github={"repo": gh.repo, "owners": {"bob": "bob-gh"}})

    first = remind(sqlite_store, settings, lambda name: backend, now=NOW, tracker="github")
    assert [o.status for o in first.outcomes] == ["sent"]
    assert gh.writes()[-1] == f"POST /repos/{gh.repo}/issues/1/comments"

    # The store is lost: the next run reads the ticket's comments and finds the marker.
    with sqlite_store.session() as s:
        for row in s.exec(select(TicketLinkRow)).all():
            row.last_reminded_at = None
            s.add(row)
    second = remind(
        sqlite_store, settings, lambda name: backend, now=NOW + timedelta(days=2), tracker="github"
    )
    assert [(o.status, str(o.last_reminded)) for o in second.outcomes] == [("recent", "2026-12-01")]
    assert gh.traffic()[-1] == f"GET /repos/{gh.repo}/issues/1/comments"
    assert gh.writes().count(f"POST /repos/{gh.repo}/issues/1/comments") == 1
    stub = gh.stub
    if stub is not None:
        [comment] = stub.comments[1]
        assert comment["body"].startswith("@bob-gh a reminder from pmt")
        assert comment["body"].endswith("<!-- pmt:reminder 2026-12-01 -->")


def _jira_with(payload: dict[str, Any], deployment: str):
    from sync.backends.jira.backend import JiraBackend

    class Canned(JiraBackend):
        asked: tuple[str, tuple[str, ...]] | None = None

        def _get_issue(self, key: str, fields: Any = ()) -> dict[str, Any]:
            self.asked = (key, tuple(fields))
            return payload

    settings = JiraSettings(url="https://acme.atlassian.net", project="OPS", deployment=deployment)
    return Canned(settings, "sre@acme.example", "token")


def test_jira_recent_comments_reads_adf_and_wiki_bodies() -> None:
    since = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    adf = {
        "type": "doc",
        "version": 1,
        "content": [
            {
                "type": "paragraph",
                "content": [{"type": "text", "text": "Reminder for Bob Jones: late."}],
            },
            {
                "type": "paragraph",
                "content": [{"type": "text", "text": "(pmt:reminder 2026-11-30)"}],
            },
        ],
    }
    payload = {
        "key": "OPS-7",
        "fields": {
            "comment": {
                "startAt": 0,
                "maxResults": 50,
                "total": 3,
                "comments": [
                    {
                        "id": "1",
                        "created": "2026-11-01T10:00:00.000+0000",
                        "body": "(pmt:reminder 2026-11-01)",
                    },
                    {"id": "2", "created": "2026-11-30T10:00:00.000+0000", "body": adf},
                    {
                        "id": "3",
                        "created": "2026-11-30T11:00:00.000+0000",
                        "body": "Reminder: x\n\n(pmt:reminder 2026-11-30)\n",
                    },
                ],
            }
        },
    }
    backend = _jira_with(payload, "cloud")
    texts = backend.recent_comments("OPS-7", since)
    assert backend.asked == ("OPS-7", ("comment",))
    # The comment older than ``since`` is left out; ADF is read as text.
    assert texts == [
        "Reminder for Bob Jones: late.\n(pmt:reminder 2026-11-30)\n",
        "Reminder: x\n\n(pmt:reminder 2026-11-30)\n",
    ]
    from sync.remind import marker_dates

    assert {str(d) for d in marker_dates(texts)} == {"2026-11-30"}
    assert (
        _jira_with({"key": "OPS-8", "fields": {}}, "datacenter").recent_comments("OPS-8", since)
        == []
    )
