"""Jira Cloud and Data Center tickets through the ``jira`` library.

Deployment and API version
    Jira Cloud is spoken to through ``/rest/api/3`` (descriptions and comments in ADF) with basic
    auth (``PMT_JIRA_EMAIL`` + API token ``PMT_JIRA_TOKEN``); Data Center through
    ``/rest/api/2`` (wiki markup) with the personal access token as a bearer token. With
    ``jira.deployment = "auto"`` one ``GET /rest/api/2/serverInfo`` decides
    (``deploymentType`` "Cloud" versus "Server"/"DataCenter"); it is answered anonymously, so it
    is asked before credentials are chosen.

The marker
    Every ticket pmt creates carries, in the create request itself (so a crash cannot separate
    them from the ticket), two labels, ``pmt-<16 hex>`` (the item) and ``pmt-pm-<10 hex>`` (its
    postmortem), searchable with JQL (``labels = "pmt-pm-…"``), and an issue property
    ``pmt.marker`` = ``{"token", "postmortem", "item"}`` that Cloud's search returns with the
    issue, from which ``RemoteTicket.marker`` is read back. The description ends with the same
    marker as on GitHub (``<!-- pmt:marker … -->`` in a code block), read when the property is
    not returned (Data Center's search is not documented to return properties). A remote link
    to the postmortem has the global id ``pmt:<token>``: Jira updates a remote link with the same
    global id instead of adding one, so it is written once however often it is sent.

Links
    When the postmortem names its incident ticket (``incident: OPS-123``), each follow-up gets an
    issue link of ``jira.incident_link_type`` to it: added right after the create (a new ticket
    has no links to read), and checked on every update (the updated ticket is read back with its
    links anyway), so a link lost to a crash or an incident named later is added then.

Requests
    The client is built with ``get_server_info=False`` and ``max_retries=0``: the library's own
    retry loop re-sends any method, a POST included, after a 503 or a dropped connection, which
    is how a create becomes two tickets. Retries are done here instead: reads and idempotent
    writes (PUT, the remote-link upsert) on 429/5xx/network faults, honouring ``Retry-After``
    through the injected ``sleep``; every request after a 429 (Jira did not perform it); a create
    never after a 5xx or a network fault, whose outcome is unknown (``TransientError`` says so;
    the next sync finds the ticket by its marker if it was made).

    Some high-level helpers of the library cost requests pmt does not want or send shapes the API
    description refuses, so their single request is made through the client's own session and
    URL builder instead: ``create_issue`` (looks up the project and the issue type, then re-reads
    the issue), ``create_issue_link`` (re-reads every link type on each call, sends
    ``"comment": null``), ``add_remote_link`` (first asks ``/rest/applinks``, an admin-only
    endpoint outside the REST API), ``transition_issue`` (sends the transition id as a number),
    ``search_issues``/``enhanced_search_issues`` (fetch ``/field`` first; the enhanced one also
    needs the library's own server-info call).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import requests
from jira import JIRA
from jira.client import TokenAuth
from jira.exceptions import JIRAError
from jira.utils import json_loads

from sync import jira_text
from sync.base import (
    AuthError,
    NotFoundError,
    RateLimitedError,
    RemoteTicket,
    RequestError,
    SyncError,
    TicketDraft,
    TicketState,
    TransientError,
)
from sync.markers import Marker, read_marker
from tracker.config import JiraSettings
from tracker.errors import ConfigError

T = TypeVar("T")
Deployment = Literal["cloud", "datacenter"]
# read / idempotent: retried on 429, 5xx and network faults; once: only after a 429 (Jira did
# not perform it); create: like once, and a failure says the outcome is unknown.
Retry = Literal["read", "idempotent", "once", "create"]

MARKER_PROPERTY = "pmt.marker"
PAGE_SIZE = 100  # search page size, and keys per ``key in (…)`` batch
MAX_PAGES = 1000  # a server that never stops paging must not hang a run
SEARCH_FIELDS = (
    "summary",
    "status",
    "resolution",
    "resolutiondate",
    "assignee",
    "updated",
    "labels",
)
STATE_BY_CATEGORY: dict[str, TicketState] = {
    "new": "open",
    "indeterminate": "in_progress",
    "done": "closed",
}

_KEY = re.compile(r"^[A-Z][A-Z0-9_]+-[1-9][0-9]*$")
_KEY_IN_TEXT = re.compile(r"[A-Z][A-Z0-9_]+-[1-9][0-9]*")
_MD_LINK = re.compile(r"^\[[^\]]*\]\((?P<url>[^)\s]+)\)$")
# Cloud account ids: 24 letters and digits, or "<digits>:<uuid>"; such an owners value is used as
# it is (no user search).
_ACCOUNT_ID = re.compile(r"^([0-9A-Za-z]{24}|\d+:[0-9a-f-]{36})$")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class JiraBackend:
    name = "jira"

    def __init__(
        self,
        settings: JiraSettings,
        email: str | None,
        token: str | None,
        *,
        client: JIRA | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = _utcnow,
        max_retries: int = 3,
        max_wait: float = 60.0,
        timeout: float = 30.0,
    ) -> None:
        missing = [
            name
            for name, value in (
                ("jira.url (PMT_JIRA_URL)", settings.url),
                ("jira.project (PMT_JIRA_PROJECT)", settings.project),
            )
            if not value
        ]
        if missing:
            raise ConfigError(f"Jira is not configured: set {' and '.join(missing)}")
        assert settings.url and settings.project
        self.settings = settings
        self.base_url = settings.url.rstrip("/")
        self.project = settings.project
        self._email = email or None
        self._token = token or None
        self._client = client
        self._sleep = sleep
        self._clock = clock
        self._max_retries = max_retries
        self._max_wait = max_wait
        self._timeout = timeout
        self._deployment: Deployment | None = (
            None if settings.deployment == "auto" else settings.deployment
        )
        self._account_ids: dict[str, str | None] = {}
        # Things worth telling the user that do not stop the sync (an owner with no Jira user).
        self.warnings: list[str] = []

    # --- connection -----------------------------------------------------------------------------

    @property
    def deployment(self) -> Deployment:
        """ "cloud" or "datacenter"; asks the server once when the settings say "auto"."""
        if self._deployment is None:
            probe = self._client or self._new_client(auth=False, api="2")
            info = self._call(probe.server_info, what="read the server information", retry="read")
            kind = str((info or {}).get("deploymentType") or "")
            self._deployment = "cloud" if kind.lower() == "cloud" else "datacenter"
        return self._deployment

    @property
    def api(self) -> str:
        return "3" if self.deployment == "cloud" else "2"

    def _jira(self) -> JIRA:
        if self._client is None:
            self._client = self._new_client(auth=True, api=self.api)
        elif self._client._options.get("rest_api_version") != self.api:
            # An injected client follows the detected deployment, so that its helpers and the
            # URLs built here agree.
            self._client._options["rest_api_version"] = self.api
        return self._client

    def _new_client(self, *, auth: bool, api: str) -> JIRA:
        options: dict[str, Any] = {"rest_api_version": api, "check_update": False}
        kwargs: dict[str, Any] = {}
        if auth:
            if not self._token:
                raise AuthError(
                    "PMT_JIRA_TOKEN is not set: Jira needs an API token (Cloud) "
                    "or a personal access token (Data Center)"
                )
            if self.deployment == "cloud":
                if not self._email:
                    raise AuthError(
                        "Jira Cloud needs PMT_JIRA_EMAIL with PMT_JIRA_TOKEN "
                        "(basic auth: your Atlassian e-mail and an API token)"
                    )
                kwargs["basic_auth"] = (self._email, self._token)
            else:
                kwargs["token_auth"] = self._token
        client = JIRA(
            server=self.base_url,
            options=options,
            get_server_info=False,
            max_retries=0,
            timeout=self._timeout,
            logging=False,
            **kwargs,
        )
        if auth and self.deployment != "cloud":
            # token_auth sets this already; kept explicit because a Data Center PAT only works
            # as a bearer token, never in basic auth.
            client._session.auth = TokenAuth(self._token or "")
        return client

    # --- references -----------------------------------------------------------------------------

    def parse_ref(self, ref: str) -> str | None:
        ref = ref.strip()
        link = _MD_LINK.match(ref)
        if link:
            ref = link["url"]
        if _KEY.match(ref):
            return ref
        parts = urlsplit(ref)
        base = urlsplit(self.base_url)
        if not parts.scheme or parts.netloc.lower() != base.netloc.lower():
            return None
        path = parts.path
        prefix = base.path.rstrip("/")
        if prefix and not path.startswith(prefix + "/"):
            return None
        path = path[len(prefix) :]
        for pattern in (
            r"^/browse/(?P<key>[^/]+)/?$",
            r"^/projects/[^/]+/issues/(?P<key>[^/]+)/?$",
        ):
            match = re.match(pattern, path)
            if match and _KEY.match(match["key"]):
                return match["key"]
        selected = re.search(r"(?:^|&)selectedIssue=(?P<key>[^&]+)", parts.query)
        if selected and _KEY.match(selected["key"]):
            return selected["key"]
        return None

    def url_for(self, key: str) -> str:
        return f"{self.base_url}/browse/{key}"

    # --- reads ----------------------------------------------------------------------------------

    def list_postmortem(self, postmortem_key: str) -> dict[str, RemoteTicket]:
        from sync.markers import postmortem_token

        token = postmortem_token(postmortem_key)
        jql = f"labels = {jira_text.jql_quote(token)} ORDER BY key ASC"
        return {
            t.key: t
            for t in map(self._ticket, self._search(jql, what=f"list the tickets labelled {token}"))
        }

    def fetch(self, keys: Sequence[str]) -> dict[str, RemoteTicket]:
        wanted = list(dict.fromkeys(k.strip().upper() for k in keys if k and k.strip()))
        bad = [k for k in wanted if not _KEY.match(k)]
        if bad:
            raise RequestError(f"not Jira issue keys: {', '.join(bad)}")
        found: dict[str, RemoteTicket] = {}
        for start in range(0, len(wanted), PAGE_SIZE):
            batch = wanted[start : start + PAGE_SIZE]
            for raw in self._search_keys(batch):
                ticket = self._ticket(raw)
                found[ticket.key] = ticket
        return found

    def _search_keys(self, batch: list[str]) -> list[dict[str, Any]]:
        """``key in (…)``; keys Jira says do not exist (deleted, moved, or not visible to us) are
        dropped and the query asked again, once: fetch returns only what exists."""
        try:
            return self._search(
                f"key in {jira_text.jql_list(batch)}", what=f"read {len(batch)} tickets"
            )
        except RequestError as exc:
            missing = {k for k in _KEY_IN_TEXT.findall(str(exc)) if k in batch}
            rest = [k for k in batch if k not in missing]
            if not missing:
                raise
            if not rest:
                return []
            return self._search(
                f"key in {jira_text.jql_list(rest)}", what=f"read {len(rest)} tickets"
            )

    def _search(self, jql: str, *, what: str) -> list[dict[str, Any]]:
        client = self._jira()
        issues: list[dict[str, Any]] = []
        params: dict[str, Any] = {
            "jql": jql,
            "maxResults": PAGE_SIZE,
            "fields": ",".join(self._read_fields()),
            "properties": MARKER_PROPERTY,
        }
        if self.deployment == "cloud":
            # The old /search answers 410 Gone on Cloud; /search/jql pages with a token.
            for _ in range(MAX_PAGES):
                page = self._call(
                    lambda: client._get_json("search/jql", params=dict(params)),
                    what=what,
                    retry="read",
                )
                issues.extend(page.get("issues") or [])
                token = page.get("nextPageToken")
                if not token or page.get("isLast"):
                    break
                params["nextPageToken"] = token
        else:
            # "false" (not the library's "True") validates loosely: a key that does not exist is
            # a warning rather than a 400 on Data Center, and the word is in the API's enum.
            params["validateQuery"] = "false"
            params["startAt"] = 0
            for _ in range(MAX_PAGES):
                page = self._call(
                    lambda: client._get_json("search", params=dict(params)), what=what, retry="read"
                )
                got = page.get("issues") or []
                issues.extend(got)
                params["startAt"] += len(got)
                if not got or params["startAt"] >= int(page.get("total") or 0):
                    break
        return issues

    def _read_fields(self) -> tuple[str, ...]:
        # Data Center may not return issue properties in search results: the description holds
        # the marker as well, so it is read there (Cloud's /search/jql returns the property).
        return SEARCH_FIELDS if self.deployment == "cloud" else (*SEARCH_FIELDS, "description")

    def _get_issue(
        self, key: str, fields: Iterable[str] | None = None, *, also: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        client = self._jira()
        params = {"fields": ",".join([*(fields or self._read_fields()), *also])}
        if fields is None:
            params["properties"] = MARKER_PROPERTY
        return dict(
            self._call(
                lambda: client._get_json(f"issue/{key}", params=params),
                what=f"read {key}",
                retry="read",
            )
        )

    # --- writes ---------------------------------------------------------------------------------

    def create(self, draft: TicketDraft) -> RemoteTicket:
        fields = self._fields(draft)
        fields["project"] = {"key": self.project}
        fields["issuetype"] = {"name": self.settings.issue_type}
        if self.settings.components:
            fields["components"] = [{"name": c} for c in self.settings.components]
        payload = {
            "fields": fields,
            "properties": [{"key": MARKER_PROPERTY, "value": _marker_value(draft.marker)}],
        }
        created = self._send(
            "POST",
            "issue",
            payload,
            what=f"create the ticket for {draft.marker.token}",
            retry="create",
        )
        key = str(created["key"])
        self._remote_link(key, draft)
        incident = self._incident_key(draft)
        if incident:
            # A new ticket has no links yet: no need to read before adding this one.
            self._best_effort(
                lambda: self._post_link(incident, key), key, "the link to the incident"
            )
        return RemoteTicket(
            key=key,
            url=self.url_for(key),
            title=fields["summary"],
            state="open",
            marker=draft.marker,
            labels=tuple(fields["labels"]),
        )

    def update(self, key: str, draft: TicketDraft) -> RemoteTicket:
        fields = self._fields(draft)
        labels = fields.pop("labels")
        fields.setdefault("duedate", None)  # a due date taken out of the item is cleared
        payload = {
            "fields": fields,
            # "add" keeps labels people put on the ticket, which setting the field would drop.
            "update": {"labels": [{"add": name} for name in labels]},
        }
        self._send("PUT", f"issue/{key}", payload, what=f"update {key}", retry="idempotent")
        self._remote_link(key, draft)
        incident = self._incident_key(draft)
        raw = self._get_issue(key, also=("issuelinks",) if incident else ())
        if incident and incident not in self._linked(raw):
            # Added when the postmortem gained its incident, or lost when a create was cut short.
            self._best_effort(
                lambda: self._post_link(incident, key), key, "the link to the incident"
            )
        return self._ticket(raw)

    def mark_removed(self, key: str, note: str) -> None:
        # The label first: it is idempotent, so a failure between the two never doubles a comment.
        removed = jira_text.label(self.settings.removed_label)
        if removed:
            self._send(
                "PUT",
                f"issue/{key}",
                {"update": {"labels": [{"add": removed}]}},
                what=f"label {key} {removed}",
                retry="idempotent",
            )
        self.comment(key, note)

    def comment(self, key: str, body: str) -> None:
        blocks = jira_text.comment_blocks(body)
        rendered: Any = jira_text.to_adf(blocks) if self.api == "3" else jira_text.to_wiki(blocks)
        client = self._jira()
        self._call(
            lambda: client.add_comment(key, rendered), what=f"comment on {key}", retry="once"
        )

    def recent_comments(self, key: str, since: datetime) -> list[str]:
        """Plain text of the comments made since ``since`` (``pmt remind`` reads its dated
        marker back from them). One ``GET issue/{key}?fields=comment``."""
        fields = self._get_issue(key, ("comment",)).get("fields") or {}
        texts = []
        for comment in (fields.get("comment") or {}).get("comments") or []:
            created = _parse_time(comment.get("created"))
            if created is not None and created < since:
                continue
            body = comment.get("body")
            texts.append(jira_text.adf_text(body) if isinstance(body, dict) else str(body or ""))
        return texts

    def close(self, key: str) -> RemoteTicket:
        client = self._jira()
        wanted = self.settings.close_transition.casefold()
        transitions = self._call(
            lambda: client.transitions(key), what=f"read the transitions of {key}", retry="read"
        )
        chosen = next((t for t in transitions if str(t.get("name", "")).casefold() == wanted), None)
        if chosen is None:
            # A transition is usually named after its target status; accept that name too.
            chosen = next(
                (
                    t
                    for t in transitions
                    if str((t.get("to") or {}).get("name", "")).casefold() == wanted
                ),
                None,
            )
        if chosen is None:
            current = self._ticket(self._get_issue(key))
            if current.state == "closed":
                return current
            names = ", ".join(sorted(str(t.get("name")) for t in transitions)) or "none"
            raise RequestError(
                f"{key}: no transition named {self.settings.close_transition!r} "
                f"(available: {names}); set jira.close_transition"
            )
        # The API describes the id as a string; the library's transition_issue sends a number.
        self._send(
            "POST",
            f"issue/{key}/transitions",
            {"transition": {"id": str(chosen["id"])}},
            what=f"close {key}",
            retry="once",
        )
        return self._ticket(self._get_issue(key))

    def link_children(self, parent_key: str, child_keys: Sequence[str]) -> None:
        children = [k for k in dict.fromkeys(child_keys) if k != parent_key]
        if not children:
            return
        linked = self._linked(self._get_issue(parent_key, fields=("issuelinks",)))
        for child in children:
            if child not in linked:
                self._post_link(parent_key, child)

    def _linked(self, raw: dict[str, Any]) -> set[str]:
        """Keys linked to the issue ``raw`` by the configured link type, in either direction."""
        wanted = self.settings.incident_link_type.casefold()
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

    def _post_link(self, parent_key: str, child_key: str) -> None:
        # The parent is the inward issue: it shows the type's outward description
        # ("OPS-1 relates to OPS-7", "blocks", …). No "comment" key: null is not allowed.
        self._send(
            "POST",
            "issueLink",
            {
                "type": {"name": self.settings.incident_link_type},
                "inwardIssue": {"key": parent_key},
                "outwardIssue": {"key": child_key},
            },
            what=f"link {child_key} to {parent_key}",
            retry="once",
        )

    def _incident_key(self, draft: TicketDraft) -> str | None:
        """The incident ticket named by the postmortem, when it is a Jira key of this site."""
        if draft.role != "item" or not draft.incident_ticket:
            return None
        return self.parse_ref(draft.incident_ticket)

    def _best_effort(self, op: Callable[[], Any], key: str, what: str) -> None:
        """A link after the ticket exists: its failure, even a rate limit, must not make the
        engine believe the ticket was not made; the next update adds the link again."""
        try:
            op()
        except SyncError as exc:
            self.warnings.append(f"{key}: {what} was not added: {exc}")

    def _remote_link(self, key: str, draft: TicketDraft) -> None:
        if not draft.postmortem_url:
            return
        title = draft.postmortem_title or draft.postmortem_path or "Postmortem"
        payload = {
            "globalId": f"pmt:{draft.marker.token}",
            "application": {"type": "pmt", "name": "pmt"},
            "relationship": "postmortem",
            "object": {"url": draft.postmortem_url, "title": f"Postmortem: {title}"[:255]},
        }
        # Same global id = same link, updated in place: safe to send again.
        self._best_effort(
            lambda: self._send(
                "POST",
                f"issue/{key}/remotelink",
                payload,
                what=f"link {key} to its postmortem",
                retry="idempotent",
            ),
            key,
            "the link to the postmortem",
        )

    def _fields(self, draft: TicketDraft) -> dict[str, Any]:
        assignee = self._assignee(draft.owner)
        blocks = jira_text.description_blocks(draft, self._assignee_name(draft.owner))
        fields: dict[str, Any] = {
            "summary": jira_text.summary_for(draft),
            "description": jira_text.to_adf(blocks)
            if self.api == "3"
            else jira_text.to_wiki(blocks),
            "labels": jira_text.labels_for(draft, self.settings.labels),
        }
        if draft.due:
            fields["duedate"] = draft.due.isoformat()
        priority = self.settings.priorities.get(draft.priority or "")
        if priority:
            fields["priority"] = {"name": priority}
        if assignee:
            fields["assignee"] = assignee
        return fields

    def _assignee_name(self, owner: str | None) -> str | None:
        return self.settings.owners.get(owner or "") if owner else None

    def _assignee(self, owner: str | None) -> dict[str, str] | None:
        target = self._assignee_name(owner)
        if not owner:
            return None
        if not target:
            note = f"owner {owner!r} is not in jira.owners; the ticket is left unassigned"
            if note not in self.warnings:
                self.warnings.append(note)
            return None
        if self.deployment != "cloud":
            return {"name": target}
        if _ACCOUNT_ID.match(target):
            return {"accountId": target}
        if target not in self._account_ids:
            self._account_ids[target] = self._find_account(target)
        account = self._account_ids[target]
        return {"accountId": account} if account else None

    def _find_account(self, query: str) -> str | None:
        """The accountId of the one user ``query`` (an e-mail or a name) finds; once per run."""
        client = self._jira()
        users = self._call(
            lambda: client.search_users(query=query, maxResults=10),
            what=f"find the Jira user {query!r}",
            retry="read",
        )
        exact = [
            u
            for u in users
            if query.casefold()
            in {
                str(getattr(u, "emailAddress", "")).casefold(),
                str(getattr(u, "displayName", "")).casefold(),
            }
        ]
        chosen = exact if exact else list(users)
        if len(chosen) == 1:
            return str(chosen[0].accountId)
        self.warnings.append(
            f"Jira user {query!r}: {'no match' if not chosen else f'{len(chosen)} matches'}; "
            "left unassigned (put the accountId in jira.owners)"
        )
        return None

    # --- HTTP -----------------------------------------------------------------------------------

    def _send(
        self, method: str, path: str, payload: dict[str, Any], *, what: str, retry: Retry
    ) -> Any:
        client = self._jira()
        url = client._get_url(path)
        data = json.dumps(payload)
        return self._call(
            lambda: json_loads(client._session.request(method, url, data=data)),
            what=what,
            retry=retry,
        )

    def _call(self, op: Callable[[], T], *, what: str, retry: Retry) -> T:
        """Run one request with the retry policy of its kind; translate every failure."""
        attempt = 0
        while True:
            try:
                return op()
            except JIRAError as exc:
                status = exc.status_code
                wait = self._retry_after(exc.response)
                retryable = status == 429 or (
                    retry in ("read", "idempotent") and status in (500, 502, 503, 504)
                )
                if retryable and attempt < self._max_retries:
                    delay = wait if wait is not None else self._backoff(attempt)
                    if delay <= self._max_wait:
                        self._sleep(delay)
                        attempt += 1
                        continue
                raise self._translate(exc, what, wait, retry) from exc
            except requests.RequestException as exc:
                if retry in ("read", "idempotent") and attempt < self._max_retries:
                    self._sleep(self._backoff(attempt))
                    attempt += 1
                    continue
                raise self._network_error(exc, what, retry) from exc

    @staticmethod
    def _backoff(attempt: int) -> float:
        return float(min(2**attempt, 30))

    def _retry_after(self, response: requests.Response | None) -> float | None:
        if response is None:
            return None
        value = str(response.headers.get("Retry-After", "")).strip()
        if value:
            if value.isdigit():
                return float(value)
            try:
                return max(0.0, (parsedate_to_datetime(value) - self._clock()).total_seconds())
            except (TypeError, ValueError):
                return None
        reset = str(response.headers.get("X-RateLimit-Reset", "")).strip()
        if reset:
            try:
                return max(
                    0.0,
                    (datetime.fromisoformat(reset) - self._clock()).total_seconds(),
                )
            except ValueError:
                return None
        return None

    def _translate(self, exc: JIRAError, what: str, wait: float | None, retry: Retry) -> SyncError:
        status = exc.status_code
        detail = _detail(exc)
        where = f"Jira ({self.base_url})"
        if status == 401:
            who = (
                "PMT_JIRA_EMAIL and PMT_JIRA_TOKEN"
                if self._deployment == "cloud"
                else "PMT_JIRA_TOKEN"
            )
            return AuthError(f"{where} refused the credentials while trying to {what}: check {who}")
        if status == 403:
            return AuthError(f"{where} denied permission to {what}{detail}")
        if status == 404:
            return NotFoundError(f"{where}: not found while trying to {what}{detail}")
        if status == 410:
            return RequestError(
                f"{where} answered 410 Gone while trying to {what}: this endpoint was removed "
                "(Jira Cloud no longer serves /rest/api/2/search); "
                'set jira.deployment = "cloud" or "auto"'
            )
        if status == 429:
            reset = self._clock() + timedelta(seconds=wait) if wait is not None else None
            when = f"; try again after {reset:%H:%M:%S} UTC" if reset else ""
            return RateLimitedError(
                f"{where} rate limit reached while trying to {what}{when}", reset
            )
        if status is None or status >= 500:
            code = f"HTTP {status}" if status else "an unreadable answer"
            if retry == "create":
                return TransientError(
                    f"{where} answered {code} while trying to {what}: the outcome is unknown, so "
                    "it was not sent again; the next pmt sync finds the ticket by its marker "
                    "label if it was made, and creates it otherwise",
                    outcome_unknown=True,
                )
            return TransientError(f"{where} answered {code} while trying to {what}{detail}")
        return RequestError(f"{where} rejected the request to {what} (HTTP {status}){detail}")

    def _network_error(self, exc: requests.RequestException, what: str, retry: Retry) -> SyncError:
        name = type(exc).__name__
        if retry == "create":
            return TransientError(
                f"no answer from Jira ({self.base_url}) while trying to {what} ({name}): the "
                "outcome is unknown, so it was not sent again; the next pmt sync finds the "
                "ticket by its marker label if it was made",
                outcome_unknown=True,
            )
        return TransientError(f"cannot reach Jira at {self.base_url} to {what} ({name})")

    # --- Jira JSON -> RemoteTicket --------------------------------------------------------------

    def _ticket(self, raw: dict[str, Any]) -> RemoteTicket:
        key = str(raw["key"])
        fields = raw.get("fields") or {}
        category = (((fields.get("status") or {}).get("statusCategory")) or {}).get("key")
        state: TicketState = STATE_BY_CATEGORY.get(str(category), "open")
        resolution = fields.get("resolution") or {}
        assignee = fields.get("assignee") or {}
        labels = tuple(str(x) for x in fields.get("labels") or ())
        return RemoteTicket(
            key=key,
            url=self.url_for(key),
            title=str(fields.get("summary") or ""),
            state=state,
            state_reason=resolution.get("name") if resolution else None,
            assignee=(
                assignee.get("displayName")
                if self.deployment == "cloud"
                else assignee.get("name") or assignee.get("displayName")
            )
            if assignee
            else None,
            closed_at=_parse_time(fields.get("resolutiondate")) if state == "closed" else None,
            updated_at=_parse_time(fields.get("updated")),
            marker=_marker_of(raw, labels),
            labels=labels,
        )


def _marker_value(marker: Marker) -> dict[str, str]:
    return {"token": marker.token, "postmortem": marker.postmortem_key, "item": marker.item_uid}


def _marker_of(raw: dict[str, Any], labels: tuple[str, ...]) -> Marker | None:
    """The marker in the ``pmt.marker`` property, else in the description; ignored when tampered
    (token mismatch) or when the ticket no longer carries its label (removed on purpose)."""
    value = (raw.get("properties") or {}).get(MARKER_PROPERTY)
    marker: Marker | None = None
    if isinstance(value, dict) and "postmortem" in value and "item" in value:
        marker = Marker(str(value["postmortem"]), str(value["item"]))
        if value.get("token") != marker.token:
            marker = None
    else:
        description = (raw.get("fields") or {}).get("description")
        text = jira_text.adf_text(description) if isinstance(description, dict) else description
        marker = read_marker(text if isinstance(text, str) else None)
    if marker is None or marker.token not in labels:
        return None
    return marker


def _parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _detail(exc: JIRAError) -> str:
    """Jira's own words (errorMessages and field errors), never the request (it holds the token)."""
    messages: list[str] = []
    response = exc.response
    if response is not None:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            messages += [str(m) for m in body.get("errorMessages") or []]
            errors = body.get("errors") or {}
            if isinstance(errors, dict):
                messages += [f"{field}: {message}" for field, message in errors.items()]
    if not messages and exc.text and "<html" not in exc.text.lower():
        messages.append(str(exc.text))
    text = "; ".join(messages)
    if len(text) > 300:
        text = text[:297] + "…"
    return f": {text}" if text else ""
