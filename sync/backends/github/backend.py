"""GitHub Issues as a ticket tracker (PyGithub), the ``github`` TicketBackend.

Request economy, because every request counts against a rate limit:

- Requests go through PyGithub's public ``Requester.requestJsonAndCheck`` and the backend reads
  the JSON GitHub answered, never PyGithub's lazy objects (reading one of those completes it:
  one GET per object touched).
- ``list_postmortem`` is one paginated listing by the per-postmortem marker label, 100 a page.
  It is GitHub's issue listing, not search: search lags behind creates, the listing does not,
  which is what crash recovery needs.
- Repository labels and milestones are listed once per backend, and only when a write needs
  them; issues seen in a listing, a fetch or a create are remembered, so that updates and
  sub-issue links need no extra read.

Requests, write pacing and create intents: ``client``; faults and retries: ``faults``; issue
JSON, keys and references: ``issues``; what an issue says: ``render``; labels and milestones:
``catalogue``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import github

from sync import endpoints
from sync.backends.github import render
from sync.backends.github.catalogue import RepositoryCatalogue
from sync.backends.github.client import WRITE_INTERVAL as PACING
from sync.backends.github.client import GitHubClient
from sync.backends.github.issues import REPO as _REPO
from sync.backends.github.issues import canonical_key, parse_ref, split_key, web_base
from sync.backends.github.issues import describe as _describe
from sync.backends.github.issues import label_names as _label_names
from sync.backends.github.issues import ticket as _ticket
from sync.base import CreateIntent, NotFoundError, RemoteTicket, RequestError, TicketDraft
from sync.markers import postmortem_token
from tracker.config import GitHubSettings
from tracker.errors import ConfigError
from tracker.people import github_login

# GitHub attaches at most this many sub-issues to one parent.
SUB_ISSUE_LIMIT = 100


class GitHubBackend:
    """Tickets are issues of ``settings.repo``; keys are ``owner/repo#number``."""

    name = "github"
    # Tests set it to 0: pacing changes the time, not what is written.
    WRITE_INTERVAL = PACING

    def __init__(
        self,
        settings: GitHubSettings,
        token: str | None,
        *,
        client: github.Github | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        write_interval: float | None = None,
        max_wait: float = 60.0,
        timeout: int = 15,
        web_url: str | None = None,
    ) -> None:
        if not settings.repo or not re.fullmatch(_REPO, settings.repo):
            raise ConfigError(
                f"github.repo must be 'owner/name' (got {settings.repo!r}); "
                "set it in pmt.toml or PMT_GITHUB_REPO"
            )
        api_url = endpoints.api_url(settings.api_url, "[github] api_url (PMT_GITHUB_API_URL)")
        self.settings = settings
        self.repo_name: str = settings.repo
        # Unmapped owners, assignees GitHub refused, children left unattached: reported, not fatal.
        self.warnings: list[str] = []
        self._http = GitHubClient(
            api_url,
            token,
            client=client,
            sleep=sleep,
            clock=clock,
            write_interval=self.WRITE_INTERVAL if write_interval is None else write_interval,
            max_wait=max_wait,
            timeout=timeout,
        )
        self._client = self._http.github
        # Where people see issues; derived from the API address unless given (tests, proxies).
        self._web = (web_url or web_base(api_url)).rstrip("/")
        self._api_path = urlsplit(api_url).path.rstrip("/")
        self._catalogue = RepositoryCatalogue(self._http, self.repo_name, settings)
        # key -> the issue JSON last seen (from a listing, fetch, create or update).
        self._seen: dict[str, dict[str, Any]] = {}
        # Issues created by this backend: a new parent has no sub-issues yet.
        self._created: set[str] = set()
        self._warned_owners: set[str] = set()

    # -- references -------------------------------------------------------------------------

    def parse_ref(self, ref: str) -> str | None:
        return parse_ref(ref, self.repo_name, self._web)

    def url_for(self, key: str) -> str:
        full, number = split_key(key)
        return f"{self._web}/{full}/issues/{number}"

    # -- reads ------------------------------------------------------------------------------

    def list_postmortem(self, postmortem_key: str) -> dict[str, RemoteTicket]:
        label = postmortem_token(postmortem_key)
        issues = self._http.pages(
            f"/repos/{self.repo_name}/issues",
            f"listing the issues of postmortem {postmortem_key} (label {label}) in {self.repo_name}",
            {"labels": label, "state": "all"},
        )
        found: dict[str, RemoteTicket] = {}
        for raw in issues:
            if "pull_request" in raw:
                continue
            ticket = self._remember(self.repo_name, raw)
            found[ticket.key] = ticket
        return found

    def fetch(self, keys: Sequence[str]) -> dict[str, RemoteTicket]:
        """Current state of each ticket; a ticket GitHub no longer has is left out."""
        found: dict[str, RemoteTicket] = {}
        for key in dict.fromkeys(keys):
            full, number = split_key(key)
            try:
                raw = self._get_raw(full, number)
            except NotFoundError:
                continue
            found[key] = self._remember(full, raw)
        return found

    # -- writes -----------------------------------------------------------------------------

    def create(self, draft: TicketDraft, intent: CreateIntent | None = None) -> RemoteTicket:
        labels = render.labels_for(draft, self.settings.labels, self.settings.priority_label)
        self._catalogue.ensure_labels(labels, draft.marker.postmortem_key)
        assignee = self._assignee(draft)
        milestone = self._milestone(draft.due)
        title = render.title_for(draft)
        what = f"creating the issue for {_describe(draft)} in {self.repo_name}"

        def create(assignees: list[str]) -> dict[str, Any]:
            fields: dict[str, Any] = {
                "title": title,
                "body": render.body_for(draft, assignees[0] if assignees else None),
                "labels": labels,
                "assignees": assignees,
            }
            if milestone is not None:
                fields["milestone"] = milestone
            _headers, data = self._http.json(
                "POST",
                f"/repos/{self.repo_name}/issues",
                what,
                body=fields,
                write=True,
                creating=True,
                intent=intent,
            )
            return dict(data)

        assignees = [assignee] if assignee else []
        try:
            raw = create(assignees)
        except RequestError:
            # A login GitHub refuses (not a collaborator) must not cost the item its ticket:
            # a 422 is a definite refusal, so creating again without assignee is safe.
            if not assignees:
                raise
            self.warnings.append(
                f"GitHub refused assignee {assignee!r} (owner {draft.owner!r}); "
                f"{_describe(draft)} was created unassigned"
            )
            raw = create([])
        ticket = self._remember(self.repo_name, raw)
        self._created.add(ticket.key)
        return ticket

    def update(self, key: str, draft: TicketDraft) -> RemoteTicket:
        full, number = split_key(key)
        current = self._seen.get(key) or self._get_raw(full, number)
        wanted = render.labels_for(draft, self.settings.labels, self.settings.priority_label)
        # Keep labels people added; drop pmt's own labels that no longer apply (old priority,
        # "removed" on an item that came back).
        managed = render.managed_labels(self.settings.priority_label, self.settings.removed_label)
        wanted_lower = {w.lower() for w in wanted}
        kept = [
            name
            for name in _label_names(current)
            if name.lower() not in managed or name.lower() in wanted_lower
        ]
        labels = render.unique([*kept, *wanted])
        self._catalogue.ensure_labels(labels, draft.marker.postmortem_key)
        assignee = self._assignee(draft)
        milestone = self._milestone(draft.due)
        fields: dict[str, Any] = {
            "title": render.title_for(draft),
            "body": render.body_for(draft, assignee),
            "labels": labels,
        }
        if milestone is not None:
            fields["milestone"] = milestone
        # An unmapped owner leaves the assignees as people set them.
        if not assignee:
            return self._remember(full, self._edit(f"updating {key}", full, number, fields))
        try:
            raw = self._edit(f"updating {key}", full, number, {**fields, "assignees": [assignee]})
        except RequestError:
            # As for a create: a login GitHub refuses must not cost the ticket its update (an
            # edit is idempotent, so sending it again without the assignee is safe).
            self.warnings.append(
                f"GitHub refused assignee {assignee!r} (owner {draft.owner!r}); "
                f"{key} was updated with its assignees unchanged"
            )
            raw = self._edit(f"updating {key}", full, number, fields)
        return self._remember(full, raw)

    def mark_removed(self, key: str, note: str) -> None:
        full, number = split_key(key)
        label = self.settings.removed_label
        issue = f"/repos/{full}/issues/{number}"
        self._http.json(
            "POST", f"{issue}/comments", f"commenting on {key}", body={"body": note}, write=True
        )
        if label:
            self._catalogue.ensure_labels([label], None)
            self._http.json(
                "POST", f"{issue}/labels", f"labelling {key} {label!r}", body=[label], write=True
            )
            seen = self._seen.get(key)
            if seen is not None:
                seen["labels"] = [*seen.get("labels", []), {"name": label}]

    def close(self, key: str) -> RemoteTicket:
        full, number = split_key(key)
        fields = {"state": "closed", "state_reason": "completed"}
        return self._remember(full, self._edit(f"closing {key}", full, number, fields))

    def comment(self, key: str, body: str) -> None:
        full, number = split_key(key)
        path = f"/repos/{full}/issues/{number}/comments"
        self._http.json("POST", path, f"commenting on {key}", body={"body": body}, write=True)

    def recent_comments(self, key: str, since: datetime) -> list[str]:
        """Bodies of the comments made or edited since ``since`` (``pmt remind`` reads its
        dated marker back from them when the store has no record). One paginated listing."""
        full, number = split_key(key)
        moment = since.astimezone(UTC) if since.tzinfo else since
        comments = self._http.pages(
            f"/repos/{full}/issues/{number}/comments",
            f"reading the comments of {key}",
            {"since": moment.strftime("%Y-%m-%dT%H:%M:%SZ")},
        )
        return [str(c.get("body") or "") for c in comments]

    def link_children(self, parent_key: str, child_keys: Sequence[str]) -> None:
        """Attach each child as a sub-issue of the parent, skipping those already attached.

        Whether a child is attached is read from its ``parent_issue_url`` in the issue JSON
        already seen; only when GitHub did not say is the parent's sub-issue list read.
        """
        parent_full, parent_number = split_key(parent_key)
        parent_path = f"/repos/{parent_full}/issues/{parent_number}".lower()
        children = [c for c in dict.fromkeys(child_keys) if c != parent_key]
        todo: list[tuple[str, int]] = []
        unknown_parent = False
        for child in children:
            raw = self._seen.get(child)
            if raw is None:
                full, number = split_key(child)
                raw = self._get_raw(full, number)
                self._remember(full, raw)
            if "parent_issue_url" not in raw:
                unknown_parent = True
            else:
                current = raw["parent_issue_url"]
                if current and urlsplit(current).path.lower().endswith(parent_path):
                    continue
                if current:
                    self.warnings.append(
                        f"{child} is already a sub-issue of another issue; left there "
                        f"rather than moved under {parent_key}"
                    )
                    continue
            todo.append((child, int(raw["id"])))
        if not todo:
            return
        sub_issues = f"/repos/{parent_full}/issues/{parent_number}/sub_issues"
        attached = 0
        if parent_key not in self._created:
            if unknown_parent:
                existing = {
                    int(s["id"])
                    for s in self._http.pages(
                        sub_issues, f"listing the sub-issues of {parent_key}", {}
                    )
                }
                todo = [(c, i) for c, i in todo if i not in existing]
                attached = len(existing)
            else:
                # The parent's count decides how many more GitHub will take.
                seen = self._seen.get(parent_key)
                if seen is None:
                    self._remember(parent_full, self._get_raw(parent_full, parent_number))
                    seen = self._seen[parent_key]
                attached = int((seen.get("sub_issues_summary") or {}).get("total", 0))
        room = max(SUB_ISSUE_LIMIT - attached, 0)
        if len(todo) > room:
            left = [c for c, _ in todo[room:]]
            self.warnings.append(
                f"GitHub allows {SUB_ISSUE_LIMIT} sub-issues per issue: {len(left)} item(s) "
                f"not attached to {parent_key} ({', '.join(left[:5])}{', …' if len(left) > 5 else ''})"
            )
            todo = todo[:room]
        parent_api = self._seen.get(parent_key, {}).get("url") or f"{self._api_path}{parent_path}"
        for child, child_id in todo:
            self._http.json(
                "POST",
                sub_issues,
                f"attaching {child} as a sub-issue of {parent_key}",
                body={"sub_issue_id": child_id},
                write=True,
            )
            if child in self._seen:
                self._seen[child]["parent_issue_url"] = parent_api

    # -- requests ---------------------------------------------------------------------------

    def _edit(self, what: str, full: str, number: int, fields: dict[str, Any]) -> dict[str, Any]:
        _headers, data = self._http.json(
            "PATCH", f"/repos/{full}/issues/{number}", what, body=fields, write=True
        )
        return dict(data)

    def _get_raw(self, full: str, number: int) -> dict[str, Any]:
        _headers, data = self._http.json(
            "GET", f"/repos/{full}/issues/{number}", f"reading {full}#{number}"
        )
        return dict(data)

    def _remember(self, full: str, raw: dict[str, Any]) -> RemoteTicket:
        key = self._key(full, int(raw["number"]))
        previous = self._seen.get(key, {})
        # A PATCH reply may omit what a listing said (parent_issue_url): keep what we knew.
        self._seen[key] = {**previous, **raw}
        return _ticket(key, self._seen[key])

    def _key(self, full: str, number: int) -> str:
        return canonical_key(full, number, self.repo_name)

    def _milestone(self, due: date | None) -> int | None:
        return self._catalogue.milestone(due)

    def _assignee(self, draft: TicketDraft) -> str | None:
        if draft.role != "item" or not draft.owner:
            return None
        login = github_login(draft.owner, self.settings, handle=draft.owner_handle)
        if login:
            return login
        if draft.owner.lower() not in self._warned_owners:
            self._warned_owners.add(draft.owner.lower())
            self.warnings.append(
                f"owner {draft.owner!r} has no GitHub login in [github] owners; "
                "their issues are left unassigned"
            )
        return None
