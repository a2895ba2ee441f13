"""GitHub Issues as a ticket tracker (PyGithub), the ``github`` TicketBackend.

Request economy, because every request counts against a rate limit:

- The client is lazy: ``get_repo`` and ``get_issue`` build objects from URLs without a GET, and
  attributes are read from the response already at hand (``_raw``), never through PyGithub's
  lazy completion, which costs one GET per object touched.
- ``list_postmortem`` is one paginated listing by the per-postmortem marker label, 100 a page.
  It is GitHub's issue listing, not search: search lags behind creates, the listing does not,
  which is what crash recovery needs.
- Repository labels and milestones are listed once per backend, and only when a write needs
  them; issues seen in a listing, a fetch or a create are remembered, so that updates and
  sub-issue links need no extra read.

Writes are paced (GitHub asks for a second between content-creating requests) through the
injected ``sleep`` and ``clock``. Faults: see ``sync.github_faults``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import github
import requests
import urllib3
from github.GithubException import GithubException

from sync import github_render as render
from sync.base import (
    NotFoundError,
    RateLimitedError,
    RemoteTicket,
    RequestError,
    TicketDraft,
    TicketState,
)
from sync.github_faults import idempotent_retry, rate_limit_wait, translate
from sync.markers import postmortem_token, read_marker
from tracker.config import GitHubSettings
from tracker.errors import ConfigError

T = TypeVar("T")

# GitHub attaches at most this many sub-issues to one parent.
SUB_ISSUE_LIMIT = 100
_REPO = r"(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?P<repo>[A-Za-z0-9._-]{1,100})"
_KEY = re.compile(rf"^{_REPO}#(?P<number>\d+)$")
_SHORT = re.compile(r"^#(?P<number>\d+)$")
_MD_LINK = re.compile(r"^\[[^\]]*\]\((?P<url>[^)\s]+)\)$")


class GitHubBackend:
    """Tickets are issues of ``settings.repo``; keys are ``owner/repo#number``."""

    name = "github"
    # GitHub asks for at least a second between content-creating requests.
    WRITE_INTERVAL = 1.0

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
        self.settings = settings
        self.repo_name: str = settings.repo
        # Unmapped owners, assignees GitHub refused, children left unattached: reported, not fatal.
        self.warnings: list[str] = []
        self._sleep = sleep
        self._clock = clock
        self._write_interval = self.WRITE_INTERVAL if write_interval is None else write_interval
        self._max_wait = max_wait
        self._last_write: float | None = None
        self._client = client or github.Github(
            auth=github.Auth.Token(token) if token else None,
            base_url=settings.api_url.rstrip("/"),
            per_page=100,
            timeout=timeout,
            retry=idempotent_retry(sleep, max_wait),
            lazy=True,
            # Pacing is done here, through the injected sleep and clock.
            seconds_between_requests=None,
            seconds_between_writes=None,
        )
        self._repo = self._client.get_repo(self.repo_name)
        # Where people see issues; derived from the API address unless given (tests, proxies).
        self._web = (web_url or _web_base(settings.api_url)).rstrip("/")
        self._api_path = urlsplit(settings.api_url).path.rstrip("/")
        # Lower-cased label name -> name, listed once, when a write first needs labels.
        self._labels: dict[str, str] | None = None
        self._milestones: list[tuple[date, Any]] | None = None
        # key -> the issue JSON last seen (from a listing, fetch, create or update).
        self._seen: dict[str, dict[str, Any]] = {}
        # Issues created by this backend: a new parent has no sub-issues yet.
        self._created: set[str] = set()
        self._warned_owners: set[str] = set()

    # -- references -------------------------------------------------------------------------

    def parse_ref(self, ref: str) -> str | None:
        ref = ref.strip()
        link = _MD_LINK.match(ref)
        if link:
            ref = link["url"]
        short = _SHORT.match(ref)
        if short:
            return f"{self.repo_name}#{int(short['number'])}"
        key = _KEY.match(ref)
        if key:
            return self._key(f"{key['owner']}/{key['repo']}", int(key["number"]))
        parts = urlsplit(ref)
        if parts.scheme in ("http", "https") and parts.netloc.lower() == urlsplit(self._web).netloc:
            match = re.fullmatch(rf"/{_REPO}/issues/(?P<number>\d+)/?", parts.path)
            if match:
                return self._key(f"{match['owner']}/{match['repo']}", int(match["number"]))
        return None

    def url_for(self, key: str) -> str:
        full, number = _split_key(key)
        return f"{self._web}/{full}/issues/{number}"

    # -- reads ------------------------------------------------------------------------------

    def list_postmortem(self, postmortem_key: str) -> dict[str, RemoteTicket]:
        label = postmortem_token(postmortem_key)
        issues = self._call(
            f"listing the issues of postmortem {postmortem_key} (label {label}) in {self.repo_name}",
            lambda: list(self._repo.get_issues(labels=[label], state="all")),
        )
        found: dict[str, RemoteTicket] = {}
        for issue in issues:
            raw = _raw(issue)
            if "pull_request" in raw:
                continue
            ticket = self._remember(self.repo_name, raw)
            found[ticket.key] = ticket
        return found

    def fetch(self, keys: Sequence[str]) -> dict[str, RemoteTicket]:
        """Current state of each ticket; a ticket GitHub no longer has is left out."""
        found: dict[str, RemoteTicket] = {}
        for key in dict.fromkeys(keys):
            full, number = _split_key(key)
            try:
                raw = self._get_raw(full, number)
            except NotFoundError:
                continue
            ticket = self._remember(full, raw)
            found[key] = ticket
        return found

    # -- writes -----------------------------------------------------------------------------

    def create(self, draft: TicketDraft) -> RemoteTicket:
        labels = render.labels_for(draft, self.settings.labels, self.settings.priority_label)
        self._ensure_labels(labels, draft.marker.postmortem_key)
        assignee = self._assignee(draft)
        milestone = self._milestone(draft.due)
        title = render.title_for(draft)
        what = f"creating the issue for {_describe(draft)} in {self.repo_name}"

        def create(assignees: list[str]) -> Any:
            kwargs: dict[str, Any] = {"labels": labels, "assignees": assignees}
            if milestone is not None:
                kwargs["milestone"] = milestone
            return self._repo.create_issue(
                title=title, body=render.body_for(draft, assignees[0] if assignees else None),
                **kwargs,
            )

        assignees = [assignee] if assignee else []
        try:
            issue = self._call(what, lambda: create(assignees), write=True, creating=True)
        except RequestError:
            # A login GitHub refuses (not a collaborator) must not cost the item its ticket:
            # a 422 is a definite refusal, so creating again without assignee is safe.
            if not assignees:
                raise
            self.warnings.append(
                f"GitHub refused assignee {assignee!r} (owner {draft.owner!r}); "
                f"{_describe(draft)} was created unassigned"
            )
            issue = self._call(what, lambda: create([]), write=True, creating=True)
        ticket = self._remember(self.repo_name, _raw(issue))
        self._created.add(ticket.key)
        return ticket

    def update(self, key: str, draft: TicketDraft) -> RemoteTicket:
        full, number = _split_key(key)
        current = self._seen.get(key) or self._get_raw(full, number)
        wanted = render.labels_for(draft, self.settings.labels, self.settings.priority_label)
        # Keep labels people added; drop pmt's own labels that no longer apply (old priority,
        # "removed" on an item that came back).
        managed = render.managed_labels(self.settings.priority_label, self.settings.removed_label)
        wanted_lower = {w.lower() for w in wanted}
        kept = [
            name for name in _label_names(current)
            if name.lower() not in managed or name.lower() in wanted_lower
        ]
        labels = render._unique([*kept, *wanted])
        self._ensure_labels(labels, draft.marker.postmortem_key)
        assignee = self._assignee(draft)
        milestone = self._milestone(draft.due)
        fields: dict[str, Any] = {
            "title": render.title_for(draft),
            "body": render.body_for(draft, assignee),
            "labels": labels,
        }
        # An unmapped owner leaves the assignees as people set them.
        if assignee:
            fields["assignees"] = [assignee]
        if milestone is not None:
            fields["milestone"] = _raw(milestone)["number"]
        return self._remember(full, self._edit(f"updating {key}", full, number, fields))

    def mark_removed(self, key: str, note: str) -> None:
        full, number = _split_key(key)
        label = self.settings.removed_label
        issue = self._issue(full, number)
        self._call(f"commenting on {key}", lambda: issue.create_comment(note), write=True)
        if label:
            self._ensure_labels([label], None)
            self._call(f"labelling {key} {label!r}", lambda: issue.add_to_labels(label), write=True)
            seen = self._seen.get(key)
            if seen is not None:
                seen["labels"] = [*seen.get("labels", []), {"name": label}]

    def close(self, key: str) -> RemoteTicket:
        full, number = _split_key(key)
        fields = {"state": "closed", "state_reason": "completed"}
        return self._remember(full, self._edit(f"closing {key}", full, number, fields))

    def comment(self, key: str, body: str) -> None:
        full, number = _split_key(key)
        issue = self._issue(full, number)
        self._call(f"commenting on {key}", lambda: issue.create_comment(body), write=True)

    def recent_comments(self, key: str, since: datetime) -> list[str]:
        """Bodies of the comments made or edited since ``since`` (``pmt remind`` reads its
        dated marker back from them when the store has no record). One paginated listing."""
        full, number = _split_key(key)
        issue = self._issue(full, number)
        return self._call(
            f"reading the comments of {key}",
            lambda: [str(_raw(c).get("body") or "") for c in issue.get_comments(since=since)],
        )

    def link_children(self, parent_key: str, child_keys: Sequence[str]) -> None:
        """Attach each child as a sub-issue of the parent, skipping those already attached.

        Whether a child is attached is read from its ``parent_issue_url`` in the issue JSON
        already seen; only when GitHub did not say is the parent's sub-issue list read.
        """
        parent_full, parent_number = _split_key(parent_key)
        parent_path = f"/repos/{parent_full}/issues/{parent_number}".lower()
        children = [c for c in dict.fromkeys(child_keys) if c != parent_key]
        todo: list[tuple[str, int]] = []
        unknown_parent = False
        for child in children:
            raw = self._seen.get(child)
            if raw is None:
                full, number = _split_key(child)
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
        parent = self._issue(parent_full, parent_number)
        attached = 0
        if parent_key not in self._created:
            if unknown_parent:
                existing = self._call(
                    f"listing the sub-issues of {parent_key}",
                    lambda: [_raw(s)["id"] for s in parent.get_sub_issues()],
                )
                todo = [(c, i) for c, i in todo if i not in set(existing)]
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
            self._call(
                f"attaching {child} as a sub-issue of {parent_key}",
                lambda child_id=child_id: parent.add_sub_issue(child_id),  # type: ignore[misc]
                write=True,
            )
            if child in self._seen:
                self._seen[child]["parent_issue_url"] = parent_api

    # -- helpers ----------------------------------------------------------------------------

    def _call(self, what: str, fn: Callable[[], T], *, write: bool = False,
              creating: bool = False) -> T:
        """Run one logical request: pace writes, wait out short rate limits, translate faults.

        A request refused by a rate limit was not performed, so sending it again is safe even
        for a create; any other failure of a create is not retried here.
        """
        self._check_primary_limit(what)
        waited = False
        while True:
            if write:
                self._pace()
            try:
                return fn()
            except GithubException as exc:
                wait = rate_limit_wait(exc, self._clock())
                if wait is not None and not waited and wait <= self._max_wait:
                    waited = True
                    self._sleep(wait)
                    continue
                raise translate(exc, what, now=self._clock(), creating=creating) from exc
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                # The network: refused connections, timeouts, resets, retries given up.
                raise translate(exc, what, now=self._clock(), creating=creating) from exc
            finally:
                if write:
                    self._last_write = self._clock()

    def _pace(self) -> None:
        if self._write_interval and self._last_write is not None:
            wait = self._last_write + self._write_interval - self._clock()
            if wait > 0:
                self._sleep(wait)

    def _check_primary_limit(self, what: str) -> None:
        # The last response said no request is left: fail now instead of sending a request
        # that is sure to be refused.
        requester = self._client.requester
        remaining, _limit = requester.rate_limiting
        reset = requester.rate_limiting_resettime
        if remaining == 0 and reset:
            wait = reset - self._clock() + 1
            if wait > self._max_wait:
                reset_at = datetime.fromtimestamp(reset, UTC)
                raise RateLimitedError(
                    f"GitHub rate limit used up before {what}; "
                    f"try again after {reset_at:%Y-%m-%d %H:%M:%S} UTC",
                    reset_at,
                )
            if wait > 0:
                self._sleep(wait)

    def _issue(self, full: str, number: int) -> Any:
        repo = self._repo if full.lower() == self.repo_name.lower() else self._client.get_repo(full)
        return repo.get_issue(number)

    def _edit(self, what: str, full: str, number: int, fields: dict[str, Any]) -> dict[str, Any]:
        # PyGithub's Issue.edit() drops the JSON GitHub answers with; the requester keeps it.
        requester = self._client.requester
        _headers, data = self._call(
            what,
            lambda: requester.requestJsonAndCheck(
                "PATCH", f"/repos/{full}/issues/{number}", input=fields
            ),
            write=True,
        )
        return dict(data)

    def _get_raw(self, full: str, number: int) -> dict[str, Any]:
        issue = self._issue(full, number)
        self._call(f"reading {full}#{number}", issue.complete)
        return _raw(issue)

    def _remember(self, full: str, raw: dict[str, Any]) -> RemoteTicket:
        key = self._key(full, int(raw["number"]))
        previous = self._seen.get(key, {})
        # A PATCH reply may omit what a listing said (parent_issue_url): keep what we knew.
        self._seen[key] = {**previous, **raw}
        return _ticket(key, self._seen[key])

    def _key(self, full: str, number: int) -> str:
        if full.lower() == self.repo_name.lower():
            full = self.repo_name
        return f"{full}#{number}"

    def _ensure_labels(self, names: Iterable[str], postmortem_key: str | None) -> None:
        if self._labels is None:
            listed = self._call(
                f"listing the labels of {self.repo_name}",
                lambda: [_raw(label)["name"] for label in self._repo.get_labels()],
            )
            self._labels = {name.lower(): name for name in listed}
        for name in names:
            if name.lower() in self._labels:
                continue
            colour, description = render.label_style(
                name, postmortem_key, self.settings.priority_label, self.settings.removed_label
            )
            try:
                self._call(
                    f"creating the label {name!r} in {self.repo_name}",
                    lambda name=name, colour=colour, description=description: (  # type: ignore[misc]
                        self._repo.create_label(name, colour, description)
                    ),
                    write=True,
                )
            except RequestError:
                # 422 "already_exists": another run made it since we listed. Fine.
                pass
            self._labels[name.lower()] = name

    def _assignee(self, draft: TicketDraft) -> str | None:
        if draft.role != "item" or not draft.owner:
            return None
        owners = {k.lower(): v for k, v in self.settings.owners.items()}
        login = owners.get(draft.owner.lower()) or owners.get(draft.owner.lower().lstrip("@"))
        if login:
            return login.lstrip("@")
        if draft.owner.lower() not in self._warned_owners:
            self._warned_owners.add(draft.owner.lower())
            self.warnings.append(
                f"owner {draft.owner!r} has no GitHub login in [github] owners; "
                "their issues are left unassigned"
            )
        return None

    def _milestone(self, due: date | None) -> Any:
        if not self.settings.milestones or due is None:
            return None
        if self._milestones is None:
            listed = self._call(
                f"listing the open milestones of {self.repo_name}",
                lambda: list(self._repo.get_milestones(state="open", sort="due_on", direction="asc")),
            )
            dated = []
            for milestone in listed:
                due_on = _raw(milestone).get("due_on")
                if due_on:
                    dated.append((_parse_time(due_on).date(), milestone))  # type: ignore[union-attr]
            self._milestones = sorted(dated, key=lambda pair: pair[0])
        for due_on, milestone in self._milestones:
            if due_on >= due:
                return milestone
        return None


def _raw(obj: Any) -> dict[str, Any]:
    """The JSON a PyGithub object was built from, read without lazy completion.

    ``raw_data`` would first complete the object: a GET per object for anything that came from
    a listing. The JSON at hand is all pmt needs.
    """
    data = obj._rawData
    return dict(data) if isinstance(data, dict) else {}


def _ticket(key: str, raw: dict[str, Any]) -> RemoteTicket:
    state: TicketState = "closed" if raw.get("state") == "closed" else "open"
    assignees = raw.get("assignees") or ([raw["assignee"]] if raw.get("assignee") else [])
    return RemoteTicket(
        key=key,
        url=str(raw.get("html_url") or ""),
        title=str(raw.get("title") or ""),
        state=state,
        state_reason=raw.get("state_reason"),
        assignee=assignees[0].get("login") if assignees else None,
        closed_at=_parse_time(raw.get("closed_at")),
        updated_at=_parse_time(raw.get("updated_at")),
        marker=read_marker(raw.get("body")),
        labels=tuple(_label_names(raw)),
    )


def _label_names(raw: dict[str, Any]) -> list[str]:
    return [
        label["name"] if isinstance(label, dict) else str(label)
        for label in raw.get("labels") or []
    ]


def _parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value)).astimezone(UTC)


def _split_key(key: str) -> tuple[str, int]:
    match = _KEY.match(key.strip())
    if not match:
        raise RequestError(f"not a GitHub issue key: {key!r} (expected owner/repo#number)")
    return f"{match['owner']}/{match['repo']}", int(match["number"])


def _web_base(api_url: str) -> str:
    """https://api.github.com -> https://github.com; https://ghe.example/api/v3 -> https://ghe.example."""
    parts = urlsplit(api_url.rstrip("/"))
    host = parts.netloc
    if host.lower().startswith("api."):
        host = host[4:]
    return f"{parts.scheme or 'https'}://{host}"


def _describe(draft: TicketDraft) -> str:
    if draft.role == "tracking":
        return f"the tracking issue of {draft.marker.postmortem_key}"
    text = " ".join(draft.text.split())
    where = f" ({draft.marker.postmortem_key})"
    return f"'{text[:60]}{'…' if len(text) > 60 else ''}'{where}"
