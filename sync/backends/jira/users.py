"""Who a Jira ticket is assigned to: the owner written in the postmortem, through ``jira.owners``
(looked up by ``tracker.people.jira_user``: any case, "@" optional).

Data Center takes a user name as it is. On Cloud an owners value that is an accountId is used as
it is; an e-mail or a display name is searched once per run (``user/search``) and used when it
finds exactly one user. An owner with no user is reported once and the ticket left unassigned.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sync.backends.jira.client import Deployment
from tracker.config import JiraSettings
from tracker.people import jira_user

# Cloud account ids: 24 letters and digits, or "<digits>:<uuid>"; such an owners value is used as
# it is (no user search).
ACCOUNT_ID = re.compile(r"^([0-9A-Za-z]{24}|\d+:[0-9a-f-]{36})$")

# The backend's request: (method, path, *, what, params) -> JSON.
Request = Callable[..., Any]


class Assignees:
    def __init__(
        self,
        settings: JiraSettings,
        request: Request,
        deployment: Callable[[], Deployment],
        warnings: list[str],
    ) -> None:
        self._settings = settings
        self._request = request
        self._deployment = deployment
        self._warnings = warnings
        self._account_ids: dict[str, str | None] = {}

    def name(self, owner: str | None) -> str | None:
        """The owners value for ``owner`` (a user, an e-mail or an accountId), as configured."""
        return jira_user(owner, self._settings)

    def field(self, owner: str | None) -> dict[str, str] | None:
        """The ``assignee`` field for ``owner``; None leaves the ticket unassigned."""
        target = self.name(owner)
        if not owner:
            return None
        if not target:
            note = f"owner {owner!r} is not in jira.owners; the ticket is left unassigned"
            if note not in self._warnings:
                self._warnings.append(note)
            return None
        if self._deployment() != "cloud":
            return {"name": target}
        if ACCOUNT_ID.match(target):
            return {"accountId": target}
        if target not in self._account_ids:
            self._account_ids[target] = self._find_account(target)
        account = self._account_ids[target]
        return {"accountId": account} if account else None

    def _find_account(self, query: str) -> str | None:
        """The accountId of the one user ``query`` (an e-mail or a name) finds; once per run."""
        params = {
            "query": query,
            "includeActive": "True",
            "includeInactive": "False",
            "maxResults": 10,
        }
        users = self._request(
            "GET", "user/search", what=f"find the Jira user {query!r}", params=params
        )
        users = [u for u in users or [] if isinstance(u, dict)]
        exact = [
            u
            for u in users
            if query.casefold()
            in {str(u.get("emailAddress", "")).casefold(), str(u.get("displayName", "")).casefold()}
        ]
        chosen = exact if exact else users
        if len(chosen) == 1:
            return str(chosen[0]["accountId"])
        self._warnings.append(
            f"Jira user {query!r}: {'no match' if not chosen else f'{len(chosen)} matches'}; "
            "left unassigned (put the accountId in jira.owners)"
        )
        return None
