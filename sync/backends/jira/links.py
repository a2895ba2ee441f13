"""Links a Jira ticket carries besides its fields: the issue link to the postmortem's incident
ticket (``jira.incident_link_type``), issue links from a tracking ticket to its children, and
the remote link to the postmortem (global id ``pmt:<token>``: Jira updates a remote link with
the same global id in place, so it is written once however often it is sent).

A link made after the ticket exists is best effort: its failure, even a rate limit, must not
make the engine believe the ticket was not made; it becomes a warning, and the next update adds
the link again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sync.base import SyncError, TicketDraft
from tracker.config import JiraSettings

# The backend's request: (method, path, *, what, payload) -> JSON.
Request = Callable[..., Any]


class Links:
    def __init__(
        self,
        settings: JiraSettings,
        request: Request,
        parse_ref: Callable[[str], str | None],
        warnings: list[str],
    ) -> None:
        self._settings = settings
        self._request = request
        self._parse_ref = parse_ref
        self._warnings = warnings

    def linked(self, raw: dict[str, Any]) -> set[str]:
        """Keys linked to the issue ``raw`` by the configured link type, in either direction."""
        wanted = self._settings.incident_link_type.casefold()
        linked: set[str] = set()
        for link in (raw.get("fields") or {}).get("issuelinks") or []:
            type_ = link.get("type") or {}
            names = {str(type_.get(k, "")).casefold() for k in ("name", "inward", "outward")}
            if wanted not in names:
                continue
            for side in ("inwardIssue", "outwardIssue"):
                if link.get(side):
                    linked.add(str(link[side].get("key")))
        return linked

    def post(self, parent_key: str, child_key: str) -> None:
        # The parent is the inward issue: it shows the type's outward description
        # ("OPS-1 relates to OPS-7", "blocks", …). No "comment" key: null is not allowed.
        self._request(
            "POST",
            "issueLink",
            what=f"link {child_key} to {parent_key}",
            payload={
                "type": {"name": self._settings.incident_link_type},
                "inwardIssue": {"key": parent_key},
                "outwardIssue": {"key": child_key},
            },
        )

    def incident_key(self, draft: TicketDraft) -> str | None:
        """The incident ticket named by the postmortem, when it is a Jira key of this site."""
        if draft.role != "item" or not draft.incident_ticket:
            return None
        return self._parse_ref(draft.incident_ticket)

    def link_incident(self, key: str, incident: str) -> None:
        """The link from the incident ticket to ``key``, best effort."""
        self._best_effort(lambda: self.post(incident, key), key, "the link to the incident")

    def remote_link(self, key: str, draft: TicketDraft) -> None:
        """The link from ``key`` to its postmortem's address, best effort."""
        if not draft.postmortem_url:
            return
        title = draft.postmortem_title or draft.postmortem_path or "Postmortem"
        payload = {
            "globalId": f"pmt:{draft.marker.token}",
            "application": {"type": "pmt", "name": "pmt"},
            "relationship": "postmortem",
            "object": {"url": draft.postmortem_url, "title": f"Postmortem: {title}"[:255]},
        }
        self._best_effort(
            lambda: self._request(
                "POST",
                f"issue/{key}/remotelink",
                what=f"link {key} to its postmortem",
                payload=payload,
            ),
            key,
            "the link to the postmortem",
        )

    def _best_effort(self, op: Callable[[], Any], key: str, what: str) -> None:
        try:
            op()
        except SyncError as exc:
            self._warnings.append(f"{key}: {what} was not added: {exc}")
