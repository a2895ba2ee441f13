"""Jira Cloud and Data Center tickets, the ``jira`` TicketBackend.

Deployment and API version
    Jira Cloud is spoken to through ``/rest/api/3`` (descriptions and comments in ADF) with basic
    auth (``PMT_JIRA_EMAIL`` + API token ``PMT_JIRA_TOKEN``); Data Center through
    ``/rest/api/2`` (wiki markup) with the personal access token as a bearer token. With
    ``jira.deployment = "auto"`` one anonymous ``GET /rest/api/2/serverInfo`` decides
    (``deploymentType`` "Cloud" versus "Server"/"DataCenter").

The marker
    See ``sync.backends.jira.tickets``: labels, issue property and description line, all sent in
    the create request itself. A remote link to the postmortem has the global id
    ``pmt:<token>``: Jira updates a remote link with the same global id instead of adding one.

Links (``links``)
    When the postmortem names its incident ticket (``incident: OPS-123``), each follow-up gets an
    issue link of ``jira.incident_link_type`` to it: added right after the create (a new ticket
    has no links to read), and checked on every update (the updated ticket is read back with its
    links anyway), so a link lost to a crash or an incident named later is added then.

Requests
    One session, one retry policy (``sync.transport``, mounted by ``client.JiraClient``): reads
    and PUTs are retried on 5xx and lost answers; any request after a 429 (Jira did not perform
    it); a POST never after a 5xx or a lost answer. A create's intent is recorded right before
    its request leaves (``sync.base.CreateIntent``). Faults: ``faults``.

Assignees
    ``jira.owners`` maps an owner to a user: ``users``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import requests

from sync import endpoints
from sync.backends.jira import faults, references, search
from sync.backends.jira import text as jira_text
from sync.backends.jira.client import Deployment, JiraClient
from sync.backends.jira.links import Links
from sync.backends.jira.tickets import MARKER_PROPERTY, SEARCH_FIELDS, marker_value, parse_time
from sync.backends.jira.tickets import ticket as _ticket
from sync.backends.jira.users import Assignees
from sync.base import CreateIntent, RemoteTicket, RequestError, TicketDraft
from sync.markers import postmortem_token
from sync.redact import redact_logs, secret_forms
from tracker.config import JiraSettings
from tracker.errors import ConfigError


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
        session: requests.Session | None = None,
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
        assert settings.project
        self.settings = settings
        self.base_url = endpoints.api_url(settings.url, "[jira] url (PMT_JIRA_URL)")
        self.project = settings.project
        self._email = email or None
        self._token = token or None
        self._clock = clock
        self._secrets = secret_forms([token], users=[email])
        redact_logs(self._secrets)
        self._http = JiraClient(
            self.base_url,
            sleep=sleep,
            clock=lambda: clock().timestamp(),
            max_retries=max_retries,
            max_wait=max_wait,
            session=session,
            timeout=timeout,
        )
        self._authenticated = False
        self._deployment: Deployment | None = (
            None if settings.deployment == "auto" else settings.deployment
        )
        # Things worth telling the user that do not stop the sync (an owner with no Jira user).
        self.warnings: list[str] = []
        self.assignees = Assignees(settings, self._request, lambda: self.deployment, self.warnings)
        self._links = Links(settings, self._request, self.parse_ref, self.warnings)

    # --- connection -----------------------------------------------------------------------------

    @property
    def deployment(self) -> Deployment:
        """ "cloud" or "datacenter"; asks the server once when the settings say "auto"."""
        if self._deployment is None:
            info = self._request(
                "GET", "serverInfo", what="read the server information", api="2", anonymous=True
            )
            kind = str((info or {}).get("deploymentType") or "")
            self._deployment = "cloud" if kind.lower() == "cloud" else "datacenter"
        return self._deployment

    @property
    def api(self) -> str:
        return "3" if self.deployment == "cloud" else "2"

    # --- references -----------------------------------------------------------------------------

    def parse_ref(self, ref: str) -> str | None:
        return references.parse_ref(ref, self.base_url)

    def url_for(self, key: str) -> str:
        return f"{self.base_url}/browse/{key}"

    # --- reads ----------------------------------------------------------------------------------

    def list_postmortem(self, postmortem_key: str) -> dict[str, RemoteTicket]:
        token = postmortem_token(postmortem_key)
        jql = f"labels = {jira_text.jql_quote(token)} ORDER BY key ASC"
        found = self._search(jql, what=f"list the tickets labelled {token}")
        return {t.key: t for t in map(self._ticket, found)}

    def fetch(self, keys: Sequence[str]) -> dict[str, RemoteTicket]:
        wanted = list(dict.fromkeys(k.strip().upper() for k in keys if k and k.strip()))
        bad = [k for k in wanted if not references.KEY.match(k)]
        if bad:
            raise RequestError(f"not Jira issue keys: {', '.join(bad)}")
        found: dict[str, RemoteTicket] = {}
        for start in range(0, len(wanted), search.PAGE_SIZE):
            batch = wanted[start : start + search.PAGE_SIZE]
            for raw in search.search_keys(self._get, self.deployment == "cloud", batch):
                ticket = self._ticket(raw)
                found[ticket.key] = ticket
        return found

    def _search(self, jql: str, *, what: str) -> list[dict[str, Any]]:
        return search.search(self._get, self.deployment == "cloud", jql, what=what)

    def _get(self, path: str, *, what: str, params: dict[str, Any]) -> Any:
        return self._request("GET", path, what=what, params=params)

    def _get_issue(
        self, key: str, fields: Iterable[str] | None = None, *, also: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        params = {"fields": ",".join([*(fields or SEARCH_FIELDS), *also])}
        if fields is None:
            params["properties"] = MARKER_PROPERTY
        return dict(self._request("GET", f"issue/{key}", what=f"read {key}", params=params) or {})

    # --- writes ---------------------------------------------------------------------------------

    def create(self, draft: TicketDraft, intent: CreateIntent | None = None) -> RemoteTicket:
        fields = self._fields(draft)
        fields["project"] = {"key": self.project}
        fields["issuetype"] = {"name": self.settings.issue_type}
        if self.settings.components:
            fields["components"] = [{"name": c} for c in self.settings.components]
        payload = {
            "fields": fields,
            "properties": [{"key": MARKER_PROPERTY, "value": marker_value(draft.marker)}],
        }
        created = self._request(
            "POST",
            "issue",
            what=f"create the ticket for {draft.marker.token}",
            payload=payload,
            creating=True,
            intent=intent,
        )
        key = str((created or {})["key"])
        self._links.remote_link(key, draft)
        incident = self._links.incident_key(draft)
        if incident:
            # A new ticket has no links yet: no need to read before adding this one.
            self._links.link_incident(key, incident)
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
        self._request("PUT", f"issue/{key}", what=f"update {key}", payload=payload)
        self._links.remote_link(key, draft)
        incident = self._links.incident_key(draft)
        raw = self._get_issue(key, also=("issuelinks",) if incident else ())
        if incident and incident not in self._links.linked(raw):
            # Added when the postmortem gained its incident, or lost when a create was cut short.
            self._links.link_incident(key, incident)
        return self._ticket(raw)

    def mark_removed(self, key: str, note: str) -> None:
        # The label first: it is idempotent, so a failure between the two never doubles a comment.
        removed = jira_text.label(self.settings.removed_label)
        if removed:
            self._request(
                "PUT",
                f"issue/{key}",
                what=f"label {key} {removed}",
                payload={"update": {"labels": [{"add": removed}]}},
            )
        self.comment(key, note)

    def comment(self, key: str, body: str) -> None:
        blocks = jira_text.comment_blocks(body)
        rendered: Any = jira_text.to_adf(blocks) if self.api == "3" else jira_text.to_wiki(blocks)
        self._request(
            "POST", f"issue/{key}/comment", what=f"comment on {key}", payload={"body": rendered}
        )

    def recent_comments(self, key: str, since: datetime) -> list[str]:
        """Plain text of the comments made since ``since`` (``pmt remind`` reads its dated
        marker back from them). One ``GET issue/{key}?fields=comment``."""
        fields = self._get_issue(key, ("comment",)).get("fields") or {}
        texts = []
        for comment in (fields.get("comment") or {}).get("comments") or []:
            created = parse_time(comment.get("created"))
            if created is not None and created < since:
                continue
            body = comment.get("body")
            texts.append(jira_text.adf_text(body) if isinstance(body, dict) else str(body or ""))
        return texts

    def close(self, key: str) -> RemoteTicket:
        wanted = self.settings.close_transition.casefold()
        answer = self._request(
            "GET", f"issue/{key}/transitions", what=f"read the transitions of {key}"
        )
        transitions: list[dict[str, Any]] = list((answer or {}).get("transitions") or [])
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
        # The API describes the id as a string.
        self._request(
            "POST",
            f"issue/{key}/transitions",
            what=f"close {key}",
            payload={"transition": {"id": str(chosen["id"])}},
        )
        return self._ticket(self._get_issue(key))

    def link_children(self, parent_key: str, child_keys: Sequence[str]) -> None:
        children = [k for k in dict.fromkeys(child_keys) if k != parent_key]
        if not children:
            return
        linked = self._links.linked(self._get_issue(parent_key, fields=("issuelinks",)))
        for child in children:
            if child not in linked:
                self._links.post(parent_key, child)

    def _fields(self, draft: TicketDraft) -> dict[str, Any]:
        assignee = self.assignees.field(draft.owner)
        blocks = jira_text.description_blocks(draft, self.assignees.name(draft.owner))
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

    # --- HTTP -----------------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: dict[str, Any] | None = None,
        payload: Any = None,
        api: str | None = None,
        anonymous: bool = False,
        creating: bool = False,
        intent: CreateIntent | None = None,
    ) -> Any:
        """One request (retries below, in the transport); its JSON, or a translated error."""
        if not anonymous and not self._authenticated:
            self._http.authenticate(self.deployment, self._email, self._token)
            self._authenticated = True
        url = self._http.url(api or self.api, path)
        try:
            response = self._http.request(
                method, url, params=params, payload=payload, anonymous=anonymous, intent=intent
            )
        except requests.RequestException as exc:
            raise faults.network_error(
                exc, what, base_url=self.base_url, creating=creating, secrets=self._secrets
            ) from exc
        if not response.ok:
            raise faults.http_error(
                response,
                what,
                base_url=self.base_url,
                now=self._clock(),
                cloud=self._deployment == "cloud",
                creating=creating,
                secrets=self._secrets,
            )
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise faults.unreadable(what, self.base_url, creating) from exc

    def _ticket(self, raw: dict[str, Any]) -> RemoteTicket:
        return _ticket(raw, self.url_for(str(raw["key"])), self.deployment == "cloud")
