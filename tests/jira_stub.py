"""A loopback stand-in for the Jira REST API, in the Cloud or the Data Center flavour.

It exists to record cassettes of the Jira backend's real traffic (and to run the engine
tests against a live server). It answers like Jira does, shaped by
``shared/contracts/jira-platform.openapi.json``:

- Cloud serves ``/rest/api/2`` and ``/rest/api/3``; v3 takes and returns descriptions and
  comments in ADF and refuses plain strings, v2 the reverse. ``/rest/api/{2,3}/search`` answers
  **410 Gone**; ``/search/jql`` pages with ``nextPageToken``. Basic auth (e-mail + API token).
- Data Center serves ``/rest/api/2`` (and ``latest``) only; ``/search`` pages with ``startAt``
  and ignores ``properties`` (whether DC returns issue properties in search is undocumented, so
  the stand-in assumes it does not); bearer auth (personal access token).
- ``serverInfo`` answers without credentials (wrong credentials are still refused); the removed
  Cloud ``/search`` answers 410 before looking at credentials.
- A small JQL parser (``labels``, ``key``, ``project`` with ``=``, ``!=``, ``in``, ``AND``,
  ``ORDER BY``) that refuses unquoted reserved words and unknown keys the way Jira does.
- A lagging search index on demand: keys in ``unindexed`` exist (``GET issue/{key}`` answers)
  but no JQL search returns them yet, as on a real Jira right after a create.
- Faults on demand (``inject``): any status with a ``Retry-After``, optionally *after* performing
  the request (a create that happened but answered 500), optionally with a body that repeats the
  request's headers (``echo``: a proxy's debugging error page, ``Authorization`` included).
- ``search_properties = False``: a Cloud search that does not return issue properties (as an
  independent emulator's does not); ``on_write(method, path)`` is called after each write the
  stub performed, before its answer is sent (the crash tests kill the client there).

Time is a fixed clock that advances one minute per write, so a re-recording is stable.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, Self
from urllib.parse import parse_qs, urlsplit

Deployment = Literal["cloud", "datacenter"]

PUBLIC_URLS: dict[str, str] = {
    "cloud": "https://example.atlassian.net",
    "datacenter": "https://jira.example.com",
}
STUB_EMAIL = "pmt-recorder@example.com"
STUB_TOKEN = "stub-token-7f3c9a1e"

_CATEGORIES = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {
        "id": 4,
        "key": "indeterminate",
        "colorName": "yellow",
        "name": "In Progress",
    },
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}
STATUSES = {
    "To Do": ("10000", "new"),
    "In Progress": ("3", "indeterminate"),
    "Done": ("10001", "done"),
}
# (id, name, from statuses, to status)
WORKFLOWS: dict[str, list[tuple[str, str, tuple[str, ...], str]]] = {
    # Cloud's simplified workflow: global transitions named after their status.
    "cloud": [
        ("11", "To Do", ("In Progress", "Done"), "To Do"),
        ("21", "In Progress", ("To Do", "Done"), "In Progress"),
        ("31", "Done", ("To Do", "In Progress"), "Done"),
    ],
    "datacenter": [
        ("4", "Start Progress", ("To Do",), "In Progress"),
        ("31", "Done", ("To Do", "In Progress"), "Done"),
        ("3", "Reopen Issue", ("Done",), "To Do"),
    ],
}
PRIORITIES = {"Highest": "1", "High": "2", "Medium": "3", "Low": "4", "Lowest": "5"}
LINK_TYPES = [
    {"id": "10000", "name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
    {"id": "10001", "name": "Cloners", "inward": "is cloned by", "outward": "clones"},
    {"id": "10002", "name": "Duplicate", "inward": "is duplicated by", "outward": "duplicates"},
    {"id": "10003", "name": "Relates", "inward": "relates to", "outward": "relates to"},
]
USERS = [
    {
        "accountId": "5b10ac8d82e05b22cc7d4ef5",
        "name": "alice",
        "key": "JIRAUSER10100",
        "displayName": "Alice Martin",
        "emailAddress": "alice@example.com",
    },
    {
        "accountId": "5b10a2844c20165700ede21g",
        "name": "bob",
        "key": "JIRAUSER10101",
        "displayName": "Bob Chen",
        "emailAddress": "bob@example.com",
    },
    {
        "accountId": "5b109f2e9729b51b54dc274d",
        "name": "sam.lee",
        "key": "JIRAUSER10102",
        "displayName": "Sam Lee",
        "emailAddress": "sam.lee@example.com",
    },
    {
        "accountId": "5b10a0effa615349cb016cd8",
        "name": "sam.ortiz",
        "key": "JIRAUSER10103",
        "displayName": "Sam Ortiz",
        "emailAddress": "sam.ortiz@example.com",
    },
]
RESERVED = {
    "a",
    "an",
    "and",
    "as",
    "at",
    "be",
    "but",
    "by",
    "empty",
    "for",
    "if",
    "in",
    "into",
    "is",
    "it",
    "no",
    "not",
    "null",
    "of",
    "on",
    "or",
    "order",
    "such",
    "that",
    "the",
    "their",
    "then",
    "there",
    "these",
    "they",
    "this",
    "to",
    "was",
    "will",
    "with",
}


class JqlError(Exception):
    pass


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    status: int
    headers: dict[str, str]
    body: Any
    times: int
    apply: bool
    echo: bool = False


@dataclass
class StubIssue:
    id: int
    key: str
    summary: str
    description: Any
    issuetype: str = "Task"
    status: str = "To Do"
    resolution: str | None = None
    resolutiondate: str | None = None
    created: str = ""
    updated: str = ""
    duedate: str | None = None
    priority: str | None = "Medium"
    assignee: dict[str, str] | None = None
    labels: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    remote_links: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class StubLink:
    id: int
    type: dict[str, str]
    inward: str  # the issue that shows the outward description ("OPS-1 blocks OPS-2")
    outward: str


class JiraStub:
    def __init__(
        self,
        deployment: Deployment,
        *,
        public_url: str | None = None,
        project: str = "OPS",
        components: tuple[str, ...] = ("Platform", "Database"),
        email: str = STUB_EMAIL,
        token: str = STUB_TOKEN,
    ) -> None:
        self.deployment = deployment
        self.project = project
        self.components = components
        self.email = email
        self.token = token
        self.issues: dict[str, StubIssue] = {}
        self.links: list[StubLink] = []
        self.faults: list[Fault] = []
        self.unindexed: set[str] = set()  # keys the search index does not know yet
        self.search_properties = True  # Cloud's search returns the properties asked for
        self.on_write: Callable[[str, str], None] | None = None
        self.log: list[tuple[str, str]] = []  # (method, path?query) of every request
        self.lock = threading.RLock()
        self._next_id = 10000
        self._next_number = 0
        self._next_link = 10100
        self._now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        self._server = _QuietServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self.public_url = (public_url or self.url).rstrip("/")

    # --- lifecycle ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> JiraStub:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- test helpers ---------------------------------------------------------------------------

    def inject(
        self,
        method: str,
        path: str,
        status: int,
        *,
        retry_after: int | None = None,
        times: int = 1,
        apply: bool = False,
        body: Any = None,
        headers: dict[str, str] | None = None,
        echo: bool = False,
    ) -> None:
        """The next ``times`` requests matching ``method`` and the ``path`` regex (searched in the
        path after ``/rest/api/N/``) answer ``status``. ``apply``: perform the request first;
        ``echo``: the body repeats the request's headers."""
        all_headers = dict(headers or {})
        if retry_after is not None:
            all_headers["Retry-After"] = str(retry_after)
        if body is None:
            body = {"errorMessages": [_REASONS.get(status, f"HTTP {status}")], "errors": {}}
        self.faults.append(
            Fault(method.upper(), re.compile(path), status, all_headers, body, times, apply, echo)
        )

    def add_issue(
        self,
        summary: str,
        *,
        status: str = "To Do",
        labels: list[str] | None = None,
        assignee: str | None = None,
        properties: dict[str, Any] | None = None,
        project: str | None = None,
    ) -> StubIssue:
        with self.lock:
            issue = self._new_issue(project or self.project, summary, summary)
            issue.labels = list(labels or [])
            issue.properties = dict(properties or {})
            if assignee:
                issue.assignee = self.user(assignee)
            if status != "To Do":
                self._move(issue, status)
            return issue

    def user(self, name: str) -> dict[str, str]:
        return next(u for u in USERS if name in (u["name"], u["accountId"], u["emailAddress"]))

    def links_of(self, key: str) -> list[StubLink]:
        return [link for link in self.links if key in (link.inward, link.outward)]

    def writes(self) -> list[tuple[str, str]]:
        return [(m, p) for m, p in self.log if m in ("POST", "PUT", "DELETE")]

    # --- state ----------------------------------------------------------------------------------

    def _stamp(self) -> str:
        self._now += timedelta(minutes=1)
        return _fmt(self._now)

    def _new_issue(self, project: str, summary: str, description: Any) -> StubIssue:
        self._next_id += 1
        self._next_number += 1
        stamp = self._stamp()
        issue = StubIssue(
            self._next_id,
            f"{project}-{self._next_number}",
            summary,
            description,
            created=stamp,
            updated=stamp,
        )
        self.issues[issue.key] = issue
        return issue

    def _move(self, issue: StubIssue, status: str) -> None:
        issue.status = status
        issue.updated = self._stamp()
        if STATUSES[status][1] == "done":
            issue.resolution = "Done"
            issue.resolutiondate = issue.updated
        else:
            issue.resolution = None
            issue.resolutiondate = None

    # --- JSON shapes ----------------------------------------------------------------------------

    def api_url(self, version: str, path: str) -> str:
        return f"{self.public_url}/rest/api/{version}/{path}"

    def user_json(self, user: dict[str, str], version: str) -> dict[str, Any]:
        if self.deployment == "cloud":
            return {
                "self": self.api_url(version, f"user?accountId={user['accountId']}"),
                "accountId": user["accountId"],
                "accountType": "atlassian",
                "emailAddress": user["emailAddress"],
                "displayName": user["displayName"],
                "active": True,
                "timeZone": "Europe/Paris",
            }
        return {
            "self": self.api_url(version, f"user?username={user['name']}"),
            "name": user["name"],
            "key": user["key"],
            "emailAddress": user["emailAddress"],
            "displayName": user["displayName"],
            "active": True,
            "timeZone": "Europe/Paris",
        }

    def status_json(self, name: str, version: str) -> dict[str, Any]:
        status_id, category = STATUSES[name]
        cat = _CATEGORIES[category]
        return {
            "self": self.api_url(version, f"status/{status_id}"),
            "description": "",
            "iconUrl": f"{self.public_url}/images/icons/statuses/generic.png",
            "name": name,
            "id": status_id,
            "statusCategory": {"self": self.api_url(version, f"statuscategory/{cat['id']}"), **cat},
        }

    def issue_json(
        self, issue: StubIssue, version: str, wanted: set[str] | None, properties: list[str]
    ) -> dict[str, Any]:
        every: dict[str, Callable[[], Any]] = {
            "summary": lambda: issue.summary,
            "description": lambda: _description_as(issue.description, version),
            "issuetype": lambda: {
                "self": self.api_url(version, "issuetype/10002"),
                "id": "10002",
                "description": "A small, distinct piece of work.",
                "name": issue.issuetype,
                "subtask": False,
            },
            "project": lambda: {
                "self": self.api_url(version, "project/10000"),
                "id": "10000",
                "key": issue.key.split("-")[0],
                "name": "Operations",
            },
            "status": lambda: self.status_json(issue.status, version),
            "resolution": lambda: (
                None
                if not issue.resolution
                else {
                    "self": self.api_url(version, "resolution/10000"),
                    "id": "10000",
                    "description": "Work has been completed on this issue.",
                    "name": issue.resolution,
                }
            ),
            "resolutiondate": lambda: issue.resolutiondate,
            "created": lambda: issue.created,
            "updated": lambda: issue.updated,
            "duedate": lambda: issue.duedate,
            "priority": lambda: (
                None
                if not issue.priority
                else {
                    "self": self.api_url(version, f"priority/{PRIORITIES[issue.priority]}"),
                    "iconUrl": f"{self.public_url}/images/icons/priorities/{issue.priority.lower()}.svg",
                    "name": issue.priority,
                    "id": PRIORITIES[issue.priority],
                }
            ),
            "assignee": lambda: self.user_json(issue.assignee, version) if issue.assignee else None,
            "labels": lambda: list(issue.labels),
            "components": lambda: [
                {
                    "self": self.api_url(version, f"component/{10200 + i}"),
                    "id": str(10200 + i),
                    "name": name,
                }
                for i, name in enumerate(issue.components)
            ],
            "issuelinks": lambda: [
                self.link_json(link, issue.key, version) for link in self.links_of(issue.key)
            ],
        }
        if wanted is None:
            chosen = list(every)
        else:
            chosen = [name for name in every if name in wanted]
        body: dict[str, Any] = {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
            "id": str(issue.id),
            "self": self.api_url(version, f"issue/{issue.id}"),
            "key": issue.key,
        }
        if chosen or wanted is None:
            body["fields"] = {name: every[name]() for name in chosen}
        if properties:
            body["properties"] = {
                k: issue.properties[k] for k in properties if k in issue.properties
            }
        return body

    def link_json(self, link: StubLink, seen_from: str, version: str) -> dict[str, Any]:
        other_key = link.outward if seen_from == link.inward else link.inward
        other = self.issues[other_key]
        side = "outwardIssue" if seen_from == link.inward else "inwardIssue"
        return {
            "id": str(link.id),
            "self": self.api_url(version, f"issueLink/{link.id}"),
            "type": {
                **link.type,
                "self": self.api_url(version, f"issueLinkType/{link.type['id']}"),
            },
            side: {
                "id": str(other.id),
                "key": other.key,
                "self": self.api_url(version, f"issue/{other.id}"),
                "fields": {
                    "summary": other.summary,
                    "status": self.status_json(other.status, version),
                },
            },
        }

    # --- request handling -----------------------------------------------------------------------

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(raw_path)
        query = {k: v for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        with self.lock:
            self.log.append((method, raw_path))
            match = re.match(r"^/rest/api/(2|3|latest)/(.*)$", parts.path)
            if not match:
                return 404, {"errorMessages": [f"null for uri: {self.public_url}{parts.path}"]}, {}
            version = "3" if match[1] == "3" else "2"
            rest = match[2]
            if self.deployment == "datacenter" and version == "3":
                return 404, {"errorMessages": [f"null for uri: {self.public_url}{parts.path}"]}, {}
            if rest == "search" and self.deployment == "cloud":
                # Removed at Atlassian's edge: the 410 comes whatever the credentials.
                return self._route(method, version, rest, query, body)
            anonymous_ok = rest == "serverInfo"
            auth = self._authenticate(headers.get("authorization"))
            if auth is False or (auth is None and not anonymous_ok):
                return (
                    401,
                    {
                        "errorMessages": [
                            "You are not authenticated. Authentication required to perform this operation."
                        ],
                        "errors": {},
                    },
                    {},
                )
            fault = next(
                (
                    f
                    for f in self.faults
                    if f.times > 0 and f.method == method and f.path.search(rest)
                ),
                None,
            )
            if fault is not None:
                fault.times -= 1
                if fault.apply:
                    self._route(method, version, rest, query, body)
                if fault.echo:
                    # Authorization first, as a debugging proxy shows the credentials it saw.
                    shown = sorted(headers.items(), key=lambda kv: kv[0] != "authorization")
                    seen = "; ".join(f"{k}: {v}" for k, v in shown)
                    return (
                        fault.status,
                        f"Error {fault.status}: {seen}; for {method} {raw_path}\n",
                        fault.headers,
                    )
                return fault.status, fault.body, fault.headers
            return self._route(method, version, rest, query, body)

    def _authenticate(self, header: str | None) -> bool | None:
        """True: good credentials; None: none sent; False: wrong ones (or the wrong scheme)."""
        if not header:
            return None
        scheme, _, value = header.partition(" ")
        if self.deployment == "cloud":
            expected = base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
            return scheme.lower() == "basic" and value == expected
        return scheme.lower() == "bearer" and value == self.token

    def _route(
        self, method: str, version: str, rest: str, query: dict[str, list[str]], body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            return (
                400,
                {"errorMessages": ["Unexpected character in the request body."], "errors": {}},
                {},
            )
        issue_path = re.match(r"^issue/([^/]+)(?:/(transitions|comment|remotelink))?$", rest)
        if method == "GET" and rest == "serverInfo":
            return 200, self._server_info(), {}
        if method == "GET" and rest == "myself":
            return 200, self.user_json(USERS[0], version), {}
        if method == "GET" and rest == "user/search":
            return self._user_search(version, query)
        if method == "GET" and rest == "issueLinkType":
            return (
                200,
                {
                    "issueLinkTypes": [
                        {**t, "self": self.api_url(version, f"issueLinkType/{t['id']}")}
                        for t in LINK_TYPES
                    ]
                },
                {},
            )
        if rest == "search":
            if self.deployment == "cloud":
                return (
                    410,
                    {
                        "errorMessages": [
                            (
                                "The requested API has been removed. Please migrate to the /rest/api/3/search/jql "
                                "API. A full migration guideline is available at "
                                "https://developer.atlassian.com/changelog/#CHANGE-2046"
                            )
                        ],
                        "errors": {},
                    },
                    {},
                )
            if method == "GET":
                return self._search_dc(version, query)
        if rest == "search/jql" and method == "GET" and self.deployment == "cloud":
            return self._search_cloud(version, query)
        if method == "POST" and rest == "issue":
            return self._create(version, payload)
        if method == "POST" and rest == "issueLink":
            return self._link(payload)
        if issue_path:
            issue = self._find(issue_path[1])
            if issue is None:
                return (
                    404,
                    {
                        "errorMessages": [
                            "Issue does not exist or you do not have permission to see it."
                        ],
                        "errors": {},
                    },
                    {},
                )
            sub = issue_path[2]
            if sub is None and method == "GET":
                wanted = _fields_param(query, default=None)
                props = _list_param(query, "properties")
                return 200, self.issue_json(issue, version, wanted, props), {}
            if sub is None and method == "PUT":
                return self._edit(issue, version, payload)
            if sub == "transitions" and method == "GET":
                return (
                    200,
                    {
                        "expand": "transitions",
                        "transitions": [
                            self._transition_json(t, version) for t in self._available(issue)
                        ],
                    },
                    {},
                )
            if sub == "transitions" and method == "POST":
                return self._transition(issue, payload)
            if sub == "comment" and method == "POST":
                return self._comment(issue, version, payload)
            if sub == "remotelink" and method == "POST":
                return self._remote_link(issue, version, payload)
            if sub == "remotelink" and method == "GET":
                return 200, issue.remote_links, {}
        return (
            404,
            {"errorMessages": [f"null for uri: {self.public_url}/rest/api/{version}/{rest}"]},
            {},
        )

    def _find(self, key_or_id: str) -> StubIssue | None:
        if key_or_id.isdigit():
            return next((i for i in self.issues.values() if i.id == int(key_or_id)), None)
        return self.issues.get(key_or_id.upper())

    def _server_info(self) -> dict[str, Any]:
        now = _fmt(self._now)
        if self.deployment == "cloud":
            return {
                "baseUrl": self.public_url,
                "displayUrl": self.public_url,
                "version": "1001.0.0-SNAPSHOT",
                "versionNumbers": [1001, 0, 0],
                "deploymentType": "Cloud",
                "buildNumber": 100287,
                "buildDate": "2026-02-27T00:00:00.000+0000",
                "serverTime": now,
                "scmInfo": "32b43b28d3f0c3ee7f2535b395e90b205ac3bc6f",
                "serverTitle": "Jira",
                "defaultLocale": {"locale": "en_US"},
            }
        return {
            "baseUrl": self.public_url,
            "version": "9.12.2",
            "versionNumbers": [9, 12, 2],
            "deploymentType": "Server",
            "buildNumber": 9120002,
            "buildDate": "2024-01-18T00:00:00.000+0000",
            "serverTime": now,
            "scmInfo": "d3b8e4b7a44cc1a5b9d07cd5f1d7ae3f1ff1c6e2",
            "serverTitle": "Jira",
        }

    def _user_search(
        self, version: str, query: dict[str, list[str]]
    ) -> tuple[int, Any, dict[str, str]]:
        if self.deployment == "cloud":
            term = (query.get("query") or [""])[0]
            if (query.get("username") or [""])[0]:
                return (
                    400,
                    {
                        "errorMessages": [
                            "The query parameter 'username' is not supported in GDPR strict mode."
                        ],
                        "errors": {},
                    },
                    {},
                )
        else:
            term = (query.get("username") or [""])[0]
        if not term:
            return (
                400,
                {"errorMessages": ["The username query parameter was not provided"], "errors": {}},
                {},
            )
        limit = int((query.get("maxResults") or ["50"])[0])
        term = term.casefold()
        found = [
            u
            for u in USERS
            if any(
                str(u[k]).casefold().startswith(term)
                for k in ("name", "displayName", "emailAddress")
            )
            or any(w.startswith(term) for w in u["displayName"].casefold().split())
        ]
        return 200, [self.user_json(u, version) for u in found[:limit]], {}

    # --- search ---------------------------------------------------------------------------------

    def _run_jql(self, jql: str, strict: bool) -> tuple[list[StubIssue], list[str]]:
        clauses, order = parse_jql(jql)
        warnings: list[str] = []
        for name, op, values in clauses:
            if name in ("key", "issuekey"):
                for value in values:
                    if value.upper() not in self.issues:
                        message = f"An issue with key '{value}' does not exist for field 'key'."
                        if strict:
                            raise JqlError(message)
                        warnings.append(message)
        result = [
            i
            for i in self.issues.values()
            if i.key not in self.unindexed and all(_matches(i, c) for c in clauses)
        ]
        for name, descending in reversed(order):

            def sort_key(issue: StubIssue, name: str = name) -> Any:
                if name in ("key", "issuekey"):
                    return (issue.key.split("-")[0], int(issue.key.split("-")[1]))
                return getattr(issue, name, "") or ""

            result.sort(key=sort_key, reverse=descending)
        return result, warnings

    def _search_cloud(
        self, version: str, query: dict[str, list[str]]
    ) -> tuple[int, Any, dict[str, str]]:
        jql = (query.get("jql") or [""])[0]
        try:
            found, _ = self._run_jql(jql, strict=True)
        except JqlError as exc:
            return 400, {"errorMessages": [str(exc)], "errors": {}}, {}
        limit = min(int((query.get("maxResults") or ["50"])[0]), 100)
        token = (query.get("nextPageToken") or [""])[0]
        start = int(base64.b64decode(token).decode().split(":")[1]) if token else 0
        page = found[start : start + limit]
        wanted = _fields_param(query, default={"id"})
        props = _list_param(query, "properties") if self.search_properties else []
        body: dict[str, Any] = {
            "issues": [self.issue_json(i, version, wanted, props) for i in page]
        }
        if start + limit < len(found):
            body["nextPageToken"] = base64.b64encode(f"offset:{start + limit}".encode()).decode()
            body["isLast"] = False
        else:
            body["isLast"] = True
        return 200, body, {}

    def _search_dc(
        self, version: str, query: dict[str, list[str]]
    ) -> tuple[int, Any, dict[str, str]]:
        jql = (query.get("jql") or [""])[0]
        validate = (query.get("validateQuery") or ["true"])[0].lower()
        try:
            found, warnings = self._run_jql(jql, strict=validate in ("true", "strict"))
        except JqlError as exc:
            return 400, {"errorMessages": [str(exc)], "errors": {}}, {}
        start = int((query.get("startAt") or ["0"])[0])
        limit = min(int((query.get("maxResults") or ["50"])[0]), 1000)
        wanted = _fields_param(query, default=None)
        # Whether Data Center's search returns issue properties is not documented: this stand-in
        # assumes the worst (it ignores the parameter), so pmt must read its marker elsewhere.
        props: list[str] = []
        body: dict[str, Any] = {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": limit,
            "total": len(found),
            "issues": [
                self.issue_json(i, version, wanted, props) for i in found[start : start + limit]
            ],
        }
        if warnings:
            body["warningMessages"] = warnings
        return 200, body, {}

    # --- writes ---------------------------------------------------------------------------------

    def _check_fields(self, fields: dict[str, Any], version: str, creating: bool) -> dict[str, str]:
        errors: dict[str, str] = {}
        known = {
            "project",
            "issuetype",
            "summary",
            "description",
            "duedate",
            "priority",
            "assignee",
            "labels",
            "components",
        }
        for name in fields:
            if name not in known:
                errors[name] = (
                    f"Field '{name}' cannot be set. It is not on the appropriate screen, "
                    "or unknown."
                )
        if creating:
            project = fields.get("project") or {}
            if project.get("key") != self.project and project.get("id") != "10000":
                errors["project"] = "Specify a valid project ID or key"
            if (fields.get("issuetype") or {}).get("name") not in ("Task", "Bug", "Story"):
                errors["issuetype"] = "Specify an issue type"
            if not fields.get("summary"):
                errors["summary"] = "You must specify a summary of the issue."
        if "summary" in fields:
            summary = str(fields["summary"] or "")
            if len(summary.encode("utf-16-le")) // 2 > 255:
                errors["summary"] = "Summary must be less than 255 characters."
            elif "\n" in summary or "\r" in summary:
                errors["summary"] = "Field 'summary' cannot contain newline characters."
        if "description" in fields and fields["description"] is not None:
            value = fields["description"]
            if version == "3" and not _is_adf(value):
                errors["description"] = (
                    "Operation value must be an Atlassian Document "
                    "(see the Atlassian Document Format)"
                )
            if version == "2" and not isinstance(value, str):
                errors["description"] = "Operation value must be a string"
        if fields.get("duedate") is not None and not re.match(
            r"^\d{4}-\d{2}-\d{2}$", str(fields["duedate"])
        ):
            errors["duedate"] = f"Error parsing date string: {fields['duedate']}"
        if (
            fields.get("priority") is not None
            and (fields["priority"] or {}).get("name") not in PRIORITIES
        ):
            errors["priority"] = "Specify the Priority (id or name) in the string format"
        if fields.get("assignee") is not None:
            ident = "accountId" if self.deployment == "cloud" else "name"
            value = (fields["assignee"] or {}).get(ident)
            if not any(u[ident] == value for u in USERS):
                errors["assignee"] = f"User '{value}' does not exist."
        for name in fields.get("labels") or []:
            if not isinstance(name, str) or re.search(r"\s", name) or not name:
                errors["labels"] = f"The label '{name}' contains spaces which is invalid."
        for comp in fields.get("components") or []:
            if (comp or {}).get("name") not in self.components:
                errors["components"] = f"Component name '{(comp or {}).get('name')}' is not valid"
        return errors

    def _create(self, version: str, payload: Any) -> tuple[int, Any, dict[str, str]]:
        fields = (payload or {}).get("fields") or {}
        errors = self._check_fields(fields, version, creating=True)
        properties = (payload or {}).get("properties") or []
        if any(not isinstance(p, dict) or "key" not in p for p in properties):
            errors["properties"] = "Property key must be specified"
        if errors:
            return 400, {"errorMessages": [], "errors": errors}, {}
        issue = self._new_issue(
            fields["project"].get("key", self.project), fields["summary"], fields.get("description")
        )
        issue.issuetype = fields["issuetype"]["name"]
        self._apply(issue, fields)
        issue.components = [c["name"] for c in fields.get("components") or []]
        for prop in properties:
            issue.properties[prop["key"]] = prop.get("value")
        return (
            201,
            {
                "id": str(issue.id),
                "key": issue.key,
                "self": self.api_url(version, f"issue/{issue.id}"),
            },
            {},
        )

    def _apply(self, issue: StubIssue, fields: dict[str, Any]) -> None:
        if "summary" in fields:
            issue.summary = fields["summary"]
        if "description" in fields:
            issue.description = fields["description"]
        if "duedate" in fields:
            issue.duedate = fields["duedate"]
        if "priority" in fields:
            issue.priority = (fields["priority"] or {}).get("name")
        if "assignee" in fields:
            value = fields["assignee"]
            issue.assignee = (
                self.user(value.get("accountId") or value.get("name")) if value else None
            )
        if "labels" in fields:
            issue.labels = list(fields["labels"] or [])

    def _edit(
        self, issue: StubIssue, version: str, payload: Any
    ) -> tuple[int, Any, dict[str, str]]:
        fields = (payload or {}).get("fields") or {}
        update = (payload or {}).get("update") or {}
        errors = self._check_fields(fields, version, creating=False)
        for name in update:
            if name in fields:
                errors[name] = f"Field '{name}' cannot be in both 'fields' and 'update'."
            elif name not in ("labels", "components"):
                errors[name] = (
                    f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
                )
        for op in update.get("labels") or []:
            for verb, value in op.items():
                if verb not in ("add", "remove", "set") or (
                    verb != "set" and re.search(r"\s", str(value))
                ):
                    errors["labels"] = f"The label '{value}' contains spaces which is invalid."
        if errors:
            return 400, {"errorMessages": [], "errors": errors}, {}
        self._apply(issue, fields)
        for op in update.get("labels") or []:
            for verb, value in op.items():
                if verb == "add" and value not in issue.labels:
                    issue.labels.append(value)
                elif verb == "remove" and value in issue.labels:
                    issue.labels.remove(value)
                elif verb == "set":
                    issue.labels = list(value)
        issue.updated = self._stamp()
        return 204, None, {}

    def _available(self, issue: StubIssue) -> list[tuple[str, str, tuple[str, ...], str]]:
        return [t for t in WORKFLOWS[self.deployment] if issue.status in t[2]]

    def _transition_json(
        self, t: tuple[str, str, tuple[str, ...], str], version: str
    ) -> dict[str, Any]:
        return {
            "id": t[0],
            "name": t[1],
            "to": self.status_json(t[3], version),
            "hasScreen": False,
            "isGlobal": self.deployment == "cloud",
            "isInitial": False,
            "isAvailable": True,
            "isConditional": False,
            "isLooped": False,
        }

    def _transition(self, issue: StubIssue, payload: Any) -> tuple[int, Any, dict[str, str]]:
        wanted = str(((payload or {}).get("transition") or {}).get("id", ""))
        chosen = next((t for t in self._available(issue) if t[0] == wanted), None)
        if chosen is None:
            return (
                400,
                {
                    "errorMessages": [f"Transition id '{wanted}' is not valid for this issue."],
                    "errors": {},
                },
                {},
            )
        self._move(issue, chosen[3])
        return 204, None, {}

    def _comment(
        self, issue: StubIssue, version: str, payload: Any
    ) -> tuple[int, Any, dict[str, str]]:
        body = (payload or {}).get("body")
        if version == "3" and not _is_adf(body):
            return (
                400,
                {"errorMessages": [], "errors": {"comment": "Comment body is not valid!"}},
                {},
            )
        if version == "2" and (not isinstance(body, str) or not body.strip()):
            return (
                400,
                {"errorMessages": [], "errors": {"comment": "Comment body can not be empty!"}},
                {},
            )
        stamp = self._stamp()
        comment_id = str(
            10500 + len(issue.comments) + sum(len(i.comments) for i in self.issues.values())
        )
        author = self.user_json(USERS[0], version)
        comment = {
            "self": self.api_url(version, f"issue/{issue.id}/comment/{comment_id}"),
            "id": comment_id,
            "author": author,
            "body": body,
            "updateAuthor": author,
            "created": stamp,
            "updated": stamp,
        }
        if self.deployment == "cloud":
            comment["jsdPublic"] = True
        issue.comments.append(comment)
        issue.updated = stamp
        return 201, comment, {}

    def _remote_link(
        self, issue: StubIssue, version: str, payload: Any
    ) -> tuple[int, Any, dict[str, str]]:
        obj = (payload or {}).get("object") or {}
        if not obj.get("url") or not obj.get("title"):
            return (
                400,
                {
                    "errorMessages": [],
                    "errors": {"title": "'title' is required.", "url": "'url' is required."},
                },
                {},
            )
        global_id = payload.get("globalId")
        existing = next(
            (l for l in issue.remote_links if global_id and l.get("globalId") == global_id), None
        )
        if existing is not None:
            existing.update({k: v for k, v in payload.items() if k != "id"})
            return 200, {"id": existing["id"], "self": existing["self"]}, {}
        link_id = 10600 + sum(len(i.remote_links) for i in self.issues.values())
        link = {
            "id": link_id,
            "self": self.api_url(version, f"issue/{issue.key}/remotelink/{link_id}"),
            **payload,
        }
        issue.remote_links.append(link)
        return 201, {"id": link_id, "self": link["self"]}, {}

    def _link(self, payload: Any) -> tuple[int, Any, dict[str, str]]:
        name = (((payload or {}).get("type")) or {}).get("name")
        link_type = next((t for t in LINK_TYPES if t["name"] == name), None)
        if link_type is None:
            return (
                404,
                {"errorMessages": [f"No issue link type with name '{name}' found."], "errors": {}},
                {},
            )
        inward = ((payload.get("inwardIssue")) or {}).get("key")
        outward = ((payload.get("outwardIssue")) or {}).get("key")
        if inward not in self.issues or outward not in self.issues:
            return 404, {"errorMessages": ["Issue Does Not Exist"], "errors": {}}, {}
        self._next_link += 1
        self.links.append(StubLink(self._next_link, dict(link_type), inward, outward))
        return 201, None, {}


# --- JQL ------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r'\s*(?:(?P<q>"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\')|(?P<op>!=|=|\(|\)|,)|(?P<w>[^\s=!(),"\']+))'
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\", " ": " "}


def _tokens(jql: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    jql = jql.rstrip()
    while pos < len(jql):
        match = _TOKEN.match(jql, pos)
        if not match or match.end() == pos:
            raise JqlError(
                f"Error in the JQL Query: The character '{jql[pos]}' is a reserved JQL character."
            )
        pos = match.end()
        if match["q"]:
            inner = match["q"][1:-1]
            text, i = [], 0
            while i < len(inner):
                if inner[i] == "\\":
                    nxt = inner[i + 1]
                    if nxt not in _ESCAPES:
                        raise JqlError(
                            f"Error in the JQL Query: '\\{nxt}' is an illegal JQL escape sequence."
                        )
                    text.append(_ESCAPES[nxt])
                    i += 2
                else:
                    text.append(inner[i])
                    i += 1
            out.append(("str", "".join(text)))
        elif match["op"]:
            out.append(("op", match["op"]))
        else:
            out.append(("word", match["w"]))
    return out


def parse_jql(jql: str) -> tuple[list[tuple[str, str, list[str]]], list[tuple[str, bool]]]:
    """The clauses (field, operator, values) and ORDER BY of the small JQL subset pmt uses."""
    tokens = _tokens(jql)
    pos = 0

    def peek() -> tuple[str, str] | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal pos
        if pos >= len(tokens):
            raise JqlError("Error in the JQL Query: Expecting more input at the end of the query.")
        pos += 1
        return tokens[pos - 1]

    def value() -> str:
        kind, text = take()
        if kind == "str":
            return text
        if kind == "word":
            if text.lower() in RESERVED:
                raise JqlError(
                    f"Error in the JQL Query: '{text}' is a reserved JQL word. You must "
                    "surround it in quotation marks to use it in a query."
                )
            return text
        raise JqlError(
            f"Error in the JQL Query: Expecting either a value, list or function but got '{text}'."
        )

    clauses: list[tuple[str, str, list[str]]] = []
    order: list[tuple[str, bool]] = []
    while peek() is not None:
        kind, text = take()
        if kind == "word" and text.lower() == "order":
            if take()[1].lower() != "by":
                raise JqlError("Error in the JQL Query: Expecting 'by' after 'order'.")
            while True:
                name = take()[1].lower()
                descending = False
                nxt = peek()
                if nxt and nxt[0] == "word" and nxt[1].lower() in ("asc", "desc"):
                    descending = take()[1].lower() == "desc"
                order.append((name, descending))
                if peek() == ("op", ","):
                    take()
                    continue
                break
            if peek() is not None:
                raise JqlError("Error in the JQL Query: Expecting end of the query after ORDER BY.")
            break
        if kind != "word" or text.lower() not in ("labels", "key", "issuekey", "project"):
            raise JqlError(
                f"Field '{text}' does not exist or you do not have permission to view it."
            )
        name = text.lower()
        op_kind, op = take()
        if op_kind == "word" and op.lower() == "not":
            if take()[1].lower() != "in":
                raise JqlError("Error in the JQL Query: Expecting 'in' after 'not'.")
            op = "not in"
        elif op_kind == "word" and op.lower() == "in":
            op = "in"
        elif op_kind != "op" or op not in ("=", "!="):
            raise JqlError(f"Error in the JQL Query: Expecting operator but got '{op}'.")
        if op in ("in", "not in"):
            if take() != ("op", "("):
                raise JqlError("Error in the JQL Query: Expecting '(' after IN.")
            values = [value()]
            while peek() == ("op", ","):
                take()
                values.append(value())
            if take() != ("op", ")"):
                raise JqlError("Error in the JQL Query: Expecting ')' to close the list.")
        else:
            values = [value()]
        clauses.append((name, op, values))
        nxt = peek()
        if nxt is None:
            break
        if nxt[0] == "word" and nxt[1].lower() == "and":
            take()
            continue
        if nxt[0] == "word" and nxt[1].lower() == "order":
            continue
        raise JqlError(f"Error in the JQL Query: Expecting AND or ORDER BY but got '{nxt[1]}'.")
    if not clauses:
        raise JqlError("Error in the JQL Query: the query is unbounded.")
    return clauses, order


def _matches(issue: StubIssue, clause: tuple[str, str, list[str]]) -> bool:
    name, op, values = clause
    if name == "labels":
        # JQL compares labels without regard to case.
        hit = any(v.casefold() in {l.casefold() for l in issue.labels} for v in values)
    elif name in ("key", "issuekey"):
        hit = issue.key in {v.upper() for v in values}
    else:
        hit = issue.key.split("-")[0] in {v.upper() for v in values}
    return hit if op in ("=", "in") else not hit


# --- helpers --------------------------------------------------------------------------------------

_REASONS = {
    400: "Bad request.",
    401: "You are not authenticated. Authentication required to perform this operation.",
    404: "Issue does not exist or you do not have permission to see it.",
    429: "Rate limit exceeded.",
    500: "Internal server error.",
    503: "Service unavailable: please retry later.",
}


def _fmt(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _is_adf(value: Any) -> bool:
    """An ADF document whose text nodes are all non-empty (Jira refuses an empty one)."""
    if not isinstance(value, dict) or value.get("type") != "doc" or value.get("version") != 1:
        return False

    def ok(node: Any) -> bool:
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            return False
        if node["type"] == "text":
            return isinstance(node.get("text"), str) and node["text"] != ""
        return all(ok(child) for child in node.get("content", []))

    return all(ok(child) for child in value.get("content", []))


def _description_as(value: Any, version: str) -> Any:
    """Jira converts between the two encodings on read; this stand-in keeps the text."""
    if value is None:
        return None
    if version == "3":
        if isinstance(value, dict):
            return value
        return {
            "type": "doc",
            "version": 1,
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": str(value)}]}],
        }
    if isinstance(value, dict):
        from sync.backends.jira.text import adf_text

        return adf_text(value)
    return value


def _list_param(query: dict[str, list[str]], name: str) -> list[str]:
    return [part for value in query.get(name, []) for part in value.split(",") if part]


def _fields_param(query: dict[str, list[str]], default: set[str] | None) -> set[str] | None:
    names = _list_param(query, "fields")
    if not names:
        return default
    if "*all" in names or "*navigable" in names:
        return None
    return set(names)


class _QuietServer(ThreadingHTTPServer):
    """A client that went away (killed by a crash test, timed out) is not an error here."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def _handler(stub: JiraStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, payload, extra = stub.handle(self.command, self.path, headers, body)
            if stub.on_write is not None and self.command != "GET" and status < 400:
                stub.on_write(self.command, self.path)
            text = isinstance(payload, str)
            data = (
                b""
                if payload is None
                else (payload.encode() if text else json.dumps(payload).encode())
            )
            self.send_response(status)
            if data:
                kind = "text/plain;charset=UTF-8" if text else "application/json;charset=UTF-8"
                self.send_header("Content-Type", kind)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
