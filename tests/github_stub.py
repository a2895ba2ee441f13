"""A loopback stand-in for the part of GitHub's REST API that pmt uses.

GitHub cannot be reached from where the cassettes are made, so the real PyGithub client is
recorded talking to this server instead. It follows GitHub's published description
(``shared/contracts/github-issues.openapi.json``): every response carries the properties the
schema requires (``user_view_type`` included), lists are paginated with ``Link`` headers that
point at ``/repositories/{id}/...`` as GitHub's do, replies are gzip-compressed when the client
accepts it, rate-limit headers count down, and labels named on an issue are created when
missing, as GitHub does. What GitHub does that pmt relies on and the description does not say
is noted where it is emulated (the 100 sub-issue limit, one parent per sub-issue).

Faults are injected per request: ``stub.fail("POST", "/issues$", status=500, apply=True)``
answers a 500 *after* creating the issue (the case that makes duplicates when a client
retries), ``echo=True`` makes its body repeat the request's headers (as some proxies' error
pages do, ``Authorization`` included), ``stub.rate_limit(...)`` answers a secondary or primary
rate limit, and a token not in ``stub.tokens`` gets a 401. Every request is logged in
``stub.requests`` for counting; ``stub.on_write`` is called after each write the stub performed,
before its answer is sent (the crash tests kill the client there).

Run it by hand with ``python -m tests.github_stub`` to poke at it with curl.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlencode, urlsplit

from tests import github_stub_pulls as pulls

# Fixed so that re-recording gives the same cassettes byte for byte.
EPOCH = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
RATE_LIMIT = 5000
SUB_ISSUE_LIMIT = 100
DOCS = "https://docs.github.com/rest"
# The labels GitHub puts in a new repository, with its colours and descriptions.
DEFAULT_LABELS = (
    ("bug", "d73a4a", "Something isn't working"),
    ("documentation", "0075ca", "Improvements or additions to documentation"),
    ("duplicate", "cfd3d7", "This issue or pull request already exists"),
    ("enhancement", "a2eeef", "New feature or request"),
    ("good first issue", "7057ff", "Good for newcomers"),
    ("help wanted", "008672", "Extra attention is needed"),
    ("invalid", "e4e669", "This doesn't seem right"),
    ("question", "d876e3", "Further information is requested"),
    ("wontfix", "ffffff", "This will not be worked on"),
)
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID "
    "0000:0000:0000000:0000000:00000000."
)


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    # Perform the request, then answer with the fault (a create that "failed" but happened).
    apply: bool = False
    # Seconds to stall before answering (a client timeout), after performing the request.
    delay: float = 0.0
    # The body repeats the request line and headers (a proxy's debugging error page).
    echo: bool = False


@dataclass
class Logged:
    method: str
    path: str
    status: int


class GitHubStub:
    """State of one fake repository plus the users and tokens around it."""

    def __init__(
        self,
        repo: str = "acme/ops",
        *,
        tokens: tuple[str, ...] = ("test-token",),
        web: str = "https://github.com",
        login: str = "pmt-bot",
        collaborators: tuple[str, ...] = ("alice-gh", "bob-gh", "carol-gh", "arjun"),
        clock_start: datetime = EPOCH,
        rate_remaining: int = RATE_LIMIT,
    ) -> None:
        self.owner, self.name = repo.split("/")
        self.repo_id = 812_000_001
        self.tokens = set(tokens)
        self.web = web
        self.login = login
        self.users = {
            login: 1001,
            **{c: 2001 + i for i, c in enumerate(collaborators)},
            self.owner: 3001,
        }
        self.now = clock_start
        self.rate_remaining = rate_remaining
        self.reset_at = int((clock_start + timedelta(hours=1)).timestamp())
        self.issues: dict[int, dict[str, Any]] = {}
        self.labels: dict[str, dict[str, Any]] = {}
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.milestones: dict[int, dict[str, Any]] = {}
        self.parent_of: dict[int, int] = {}
        self.children: dict[int, list[int]] = {}
        # Pull requests (tests/github_stub_pulls.py), and whether a head branch exists.
        self.pulls: dict[int, dict[str, Any]] = {}
        self.branch_exists: Any = lambda branch: True
        self.faults: list[Fault] = []
        self.requests: list[Logged] = []
        # Called as on_write(method, path) after each write performed, before its answer.
        self.on_write: Any = None
        # Some GitHub responses may not say whether an issue has a parent; let tests choose.
        self.omit_parent_url = False
        self._next_id = 4_000_000_001
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self.base = ""
        # A new repository: GitHub's default labels and nothing else.
        for name, colour, description in DEFAULT_LABELS:
            self.add_label(name, colour, description, default=True)

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> GitHubStub:
        stub = self

        class Handler(_Handler):
            pass

        Handler.stub = stub
        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        host, port = self._server.server_address[:2]
        self.base = f"http://{host}:{port}"
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- seeding and faults (no HTTP: nothing of this is recorded) ------------------------

    def fail(
        self,
        method: str,
        path: str,
        *,
        status: int = 500,
        times: int = 1,
        apply: bool = False,
        headers: dict[str, str] | None = None,
        message: str | None = None,
        echo: bool = False,
    ) -> None:
        body = {
            "message": message or _REASONS.get(status, "Server Error"),
            "documentation_url": DOCS,
            "status": str(status),
        }
        if status >= 500:
            body = {"message": message or "Server Error"}
        self.faults.append(
            Fault(method, re.compile(path), status, body, headers or {}, times, apply, echo=echo)
        )

    def stall(self, method: str, path: str, seconds: float, *, times: int = 1) -> None:
        """Perform the request, then answer only after ``seconds`` (the client times out)."""
        self.faults.append(
            Fault(method, re.compile(path), 0, {}, {}, times, apply=True, delay=seconds)
        )

    def rate_limit(
        self,
        method: str,
        path: str,
        *,
        retry_after: int | None = 60,
        primary: bool = False,
        status: int = 403,
        times: int = 1,
    ) -> None:
        headers: dict[str, str] = {}
        if primary:
            headers["x-ratelimit-remaining"] = "0"
            message = (
                "API rate limit exceeded for user ID 1001. If you reach out to GitHub "
                "Support for help, please include the request ID 0000:0000."
            )
        else:
            message = SECONDARY_MESSAGE
        if retry_after is not None:
            headers["retry-after"] = str(retry_after)
        body = {
            "message": message,
            "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
            "status": str(status),
        }
        self.faults.append(Fault(method, re.compile(path), status, body, headers, times))

    def add_label(
        self,
        name: str,
        color: str = "ededed",
        description: str | None = None,
        *,
        default: bool = False,
    ) -> dict[str, Any]:
        with self._lock:
            label = {
                "id": self._new_id(),
                "node_id": _node("LA", self._next_id),
                "name": name,
                "description": description,
                "color": color,
                "default": default,
            }
            self.labels[name.lower()] = label
            return label

    def label_json(self, label: dict[str, Any]) -> dict[str, Any]:
        # URLs are built when answering: the stub's address is known only once it listens.
        return {**label, "url": f"{self.api_repo}/labels/{_quote(label['name'])}"}

    def add_milestone(self, title: str, due_on: str | None, state: str = "open") -> dict[str, Any]:
        with self._lock:
            number = len(self.milestones) + 1
            milestone = {
                "id": self._new_id(),
                "node_id": _node("MI", self._next_id),
                "number": number,
                "state": state,
                "title": title,
                "description": None,
                "open_issues": 0,
                "closed_issues": 0,
                "created_at": _iso(self.now),
                "updated_at": _iso(self.now),
                "closed_at": None if state == "open" else _iso(self.now),
                "due_on": due_on,
            }
            self.milestones[number] = milestone
            return milestone

    def add_issue(
        self,
        title: str,
        body: str | None = None,
        labels: tuple[str, ...] = (),
        state: str = "open",
        assignees: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """An issue made by a person (not through the API under test)."""
        with self._lock:
            issue = self._create_issue(
                {
                    "title": title,
                    "body": body,
                    "labels": list(labels),
                    "assignees": list(assignees),
                },
                creator=self.owner,
            )
            if state == "closed":
                self._edit_issue(issue, {"state": "closed", "state_reason": "completed"})
            return issue

    # -- JSON builders ----------------------------------------------------------------------

    def milestone_json(self, milestone: dict[str, Any]) -> dict[str, Any]:
        number = milestone["number"]
        return {
            "url": f"{self.api_repo}/milestones/{number}",
            "html_url": f"{self.web_repo}/milestone/{number}",
            "labels_url": f"{self.api_repo}/milestones/{number}/labels",
            **milestone,
            "creator": self.user(self.owner),
            "open_issues": sum(
                1 for i in self.issues.values() if i["milestone"] == number and i["state"] == "open"
            ),
            "closed_issues": sum(
                1
                for i in self.issues.values()
                if i["milestone"] == number and i["state"] == "closed"
            ),
        }

    @property
    def api_repo(self) -> str:
        return f"{self.base}/repos/{self.owner}/{self.name}"

    @property
    def web_repo(self) -> str:
        return f"{self.web}/{self.owner}/{self.name}"

    def user(self, login: str) -> dict[str, Any]:
        uid = self.users.get(login, 9999)
        api = f"{self.base}/users/{login}"
        return {
            "login": login,
            "id": uid,
            "node_id": _node("U_", uid),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
            "gravatar_id": "",
            "url": api,
            "html_url": f"{self.web}/{login}",
            "followers_url": f"{api}/followers",
            "following_url": f"{api}/following{{/other_user}}",
            "gists_url": f"{api}/gists{{/gist_id}}",
            "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{api}/subscriptions",
            "organizations_url": f"{api}/orgs",
            "repos_url": f"{api}/repos",
            "events_url": f"{api}/events{{/privacy}}",
            "received_events_url": f"{api}/received_events",
            "type": "Organization" if login == self.owner else "User",
            "user_view_type": "public",
            "site_admin": False,
        }

    def private_user(self) -> dict[str, Any]:
        return {
            **self.user(self.login),
            "user_view_type": "private",
            "name": "pmt bot",
            "company": None,
            "blog": "",
            "location": None,
            "email": None,
            "hireable": None,
            "bio": None,
            "twitter_username": None,
            "notification_email": None,
            "public_repos": 0,
            "public_gists": 0,
            "followers": 0,
            "following": 0,
            "created_at": "2020-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
            "private_gists": 0,
            "total_private_repos": 1,
            "owned_private_repos": 0,
            "disk_usage": 0,
            "collaborators": 0,
            "two_factor_authentication": True,
        }

    def repository(self) -> dict[str, Any]:
        api, web = self.api_repo, self.web_repo
        return {
            "id": self.repo_id,
            "node_id": _node("R_", self.repo_id),
            "name": self.name,
            "full_name": f"{self.owner}/{self.name}",
            "private": True,
            "owner": self.user(self.owner),
            "html_url": web,
            "description": "Operations: postmortems and follow-ups",
            "fork": False,
            "url": api,
            "archive_url": f"{api}/{{archive_format}}{{/ref}}",
            "assignees_url": f"{api}/assignees{{/user}}",
            "blobs_url": f"{api}/git/blobs{{/sha}}",
            "branches_url": f"{api}/branches{{/branch}}",
            "collaborators_url": f"{api}/collaborators{{/collaborator}}",
            "comments_url": f"{api}/comments{{/number}}",
            "commits_url": f"{api}/commits{{/sha}}",
            "compare_url": f"{api}/compare/{{base}}...{{head}}",
            "contents_url": f"{api}/contents/{{+path}}",
            "contributors_url": f"{api}/contributors",
            "deployments_url": f"{api}/deployments",
            "downloads_url": f"{api}/downloads",
            "events_url": f"{api}/events",
            "forks_url": f"{api}/forks",
            "git_commits_url": f"{api}/git/commits{{/sha}}",
            "git_refs_url": f"{api}/git/refs{{/sha}}",
            "git_tags_url": f"{api}/git/tags{{/sha}}",
            "git_url": f"git://github.com/{self.owner}/{self.name}.git",
            "issue_comment_url": f"{api}/issues/comments{{/number}}",
            "issue_events_url": f"{api}/issues/events{{/number}}",
            "issues_url": f"{api}/issues{{/number}}",
            "keys_url": f"{api}/keys{{/key_id}}",
            "labels_url": f"{api}/labels{{/name}}",
            "languages_url": f"{api}/languages",
            "merges_url": f"{api}/merges",
            "milestones_url": f"{api}/milestones{{/number}}",
            "notifications_url": f"{api}/notifications{{?since,all,participating}}",
            "pulls_url": f"{api}/pulls{{/number}}",
            "releases_url": f"{api}/releases{{/id}}",
            "ssh_url": f"git@github.com:{self.owner}/{self.name}.git",
            "stargazers_url": f"{api}/stargazers",
            "statuses_url": f"{api}/statuses/{{sha}}",
            "subscribers_url": f"{api}/subscribers",
            "subscription_url": f"{api}/subscription",
            "tags_url": f"{api}/tags",
            "teams_url": f"{api}/teams",
            "trees_url": f"{api}/git/trees{{/sha}}",
            "clone_url": f"{web}.git",
            "mirror_url": None,
            "hooks_url": f"{api}/hooks",
            "svn_url": web,
            "homepage": None,
            "language": None,
            "forks_count": 0,
            "forks": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "watchers": 0,
            "size": 120,
            "default_branch": "main",
            "open_issues_count": sum(1 for i in self.issues.values() if i["state"] == "open"),
            "open_issues": sum(1 for i in self.issues.values() if i["state"] == "open"),
            "is_template": False,
            "topics": [],
            "has_issues": True,
            "has_projects": True,
            "has_wiki": False,
            "has_pages": False,
            "has_downloads": True,
            "has_discussions": False,
            "archived": False,
            "disabled": False,
            "visibility": "private",
            "pushed_at": "2026-03-01T12:00:00Z",
            "created_at": "2021-06-01T08:00:00Z",
            "updated_at": "2026-03-01T12:00:00Z",
            "permissions": {
                "admin": False,
                "maintain": False,
                "push": True,
                "triage": True,
                "pull": True,
            },
            "allow_rebase_merge": True,
            "allow_squash_merge": True,
            "allow_merge_commit": True,
            "subscribers_count": 4,
            "network_count": 0,
            "license": None,
        }

    def issue_json(self, issue: dict[str, Any]) -> dict[str, Any]:
        number = issue["number"]
        api = f"{self.api_repo}/issues/{number}"
        kids = self.children.get(number, [])
        done = sum(1 for k in kids if self.issues[k]["state"] == "closed")
        data: dict[str, Any] = {
            "id": issue["id"],
            "node_id": _node("I_", issue["id"]),
            "url": api,
            "repository_url": self.api_repo,
            "labels_url": f"{api}/labels{{/name}}",
            "comments_url": f"{api}/comments",
            "events_url": f"{api}/events",
            "html_url": f"{self.web_repo}/issues/{number}",
            "number": number,
            "state": issue["state"],
            "state_reason": issue["state_reason"],
            "title": issue["title"],
            "body": issue["body"],
            "user": self.user(issue["creator"]),
            "labels": [
                self.label_json(self.labels[n]) for n in issue["labels"] if n in self.labels
            ],
            "assignee": self.user(issue["assignees"][0]) if issue["assignees"] else None,
            "assignees": [self.user(a) for a in issue["assignees"]],
            "milestone": (
                self.milestone_json(self.milestones[issue["milestone"]])
                if issue["milestone"] in self.milestones
                else None
            ),
            "locked": False,
            "active_lock_reason": None,
            "comments": len(self.comments.get(number, [])),
            "closed_at": issue["closed_at"],
            "created_at": issue["created_at"],
            "updated_at": issue["updated_at"],
            "closed_by": self.user(issue["closed_by"]) if issue["closed_by"] else None,
            "author_association": "OWNER" if issue["creator"] == self.owner else "MEMBER",
            "reactions": _reactions(f"{api}/reactions"),
            "timeline_url": f"{api}/timeline",
            "performed_via_github_app": None,
            "sub_issues_summary": {
                "total": len(kids),
                "completed": done,
                "percent_completed": (100 * done // len(kids)) if kids else 0,
            },
            "issue_dependencies_summary": {
                "blocked_by": 0,
                "blocking": 0,
                "total_blocked_by": 0,
                "total_blocking": 0,
            },
        }
        if not self.omit_parent_url:
            parent = self.parent_of.get(number)
            data["parent_issue_url"] = f"{self.api_repo}/issues/{parent}" if parent else None
        return data

    def comment_json(self, number: int, comment: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": comment["id"],
            "node_id": _node("IC_", comment["id"]),
            "url": f"{self.api_repo}/issues/comments/{comment['id']}",
            "html_url": f"{self.web_repo}/issues/{number}#issuecomment-{comment['id']}",
            "body": comment["body"],
            "user": self.user(self.login),
            "created_at": comment["created_at"],
            "updated_at": comment["created_at"],
            "issue_url": f"{self.api_repo}/issues/{number}",
            "author_association": "MEMBER",
            "performed_via_github_app": None,
            "reactions": _reactions(f"{self.api_repo}/issues/comments/{comment['id']}/reactions"),
        }

    # -- state changes --------------------------------------------------------------------

    def _tick(self) -> str:
        self.now += timedelta(seconds=1)
        return _iso(self.now)

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _ensure_labels(self, names: list[str]) -> list[str]:
        keys = []
        for name in names:
            if name.lower() not in self.labels:
                # GitHub creates a label named on an issue that the repository lacks.
                self.add_label(name)
            keys.append(name.lower())
        return list(dict.fromkeys(keys))

    def _create_issue(self, data: dict[str, Any], creator: str) -> dict[str, Any]:
        stamp = self._tick()
        number = max([*self.issues, 0]) + 1
        issue = {
            "id": self._new_id(),
            "number": number,
            "title": str(data["title"]),
            "body": data.get("body"),
            "state": "open",
            "state_reason": None,
            "labels": self._ensure_labels(list(data.get("labels") or [])),
            "assignees": list(dict.fromkeys(data.get("assignees") or [])),
            "milestone": data.get("milestone"),
            "closed_at": None,
            "closed_by": None,
            "created_at": stamp,
            "updated_at": stamp,
            "creator": creator,
        }
        self.issues[number] = issue
        return issue

    def _edit_issue(self, issue: dict[str, Any], data: dict[str, Any]) -> None:
        stamp = self._tick()
        for key in ("title", "body"):
            if key in data and data[key] is not None:
                issue[key] = str(data[key])
        if "labels" in data and data["labels"] is not None:
            issue["labels"] = self._ensure_labels(list(data["labels"]))
        if "assignees" in data and data["assignees"] is not None:
            issue["assignees"] = list(dict.fromkeys(data["assignees"]))
        if "milestone" in data:
            issue["milestone"] = data["milestone"] or None
        state = data.get("state")
        if state and state != issue["state"]:
            issue["state"] = state
            if state == "closed":
                issue["closed_at"] = stamp
                issue["closed_by"] = self.login
                issue["state_reason"] = data.get("state_reason") or "completed"
            else:
                issue["closed_at"] = None
                issue["closed_by"] = None
                issue["state_reason"] = "reopened"
        issue["updated_at"] = stamp


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out closed its socket under a stalled answer: expected here.
        pass


class _Handler(BaseHTTPRequestHandler):
    stub: GitHubStub
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle's algorithm and the client's
    # delayed ACK cost 40 ms a request.
    disable_nagle_algorithm = True
    server_version = "GitHub.com"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def version_string(self) -> str:
        return "github.com"

    def date_time_string(self, timestamp: float | None = None) -> str:
        return format_datetime(self.stub.now, usegmt=True)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # -- plumbing -------------------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        stub = self.stub
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        path = re.sub(
            rf"^/repositories/{stub.repo_id}/", f"/repos/{stub.owner}/{stub.name}/", parts.path
        )
        with stub._lock:
            stub.rate_remaining = max(stub.rate_remaining - 1, 0)
            status, body, headers, delay = self._answer(method, path, query, raw)
            stub.requests.append(Logged(method, path, status))
        if stub.on_write is not None and method != "GET" and status < 400:
            stub.on_write(method, path)
        if delay:
            time.sleep(delay)
        self._send(status, body, headers)

    def _answer(
        self, method: str, path: str, query: dict[str, str], raw: bytes
    ) -> tuple[int, Any, dict[str, str], float]:
        stub = self.stub
        auth = self.headers.get("Authorization", "")
        token = auth.split(" ", 1)[1] if " " in auth else ""
        if token not in stub.tokens:
            return (
                401,
                {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"},
                {},
                0,
            )
        fault = next(
            (f for f in stub.faults if f.times > 0 and f.method == method and f.path.search(path)),
            None,
        )
        if fault is not None:
            fault.times -= 1
            if fault.delay:
                return (*self._route(method, path, query, raw), fault.delay)
            if fault.apply:
                self._route(method, path, query, raw)
            body = fault.body
            if fault.echo:
                seen = "; ".join(f"{k}: {v}" for k, v in self.headers.items())
                body = {
                    **body,
                    "message": f"{body['message']} while serving {method} {path} ({seen})",
                }
            return fault.status, body, dict(fault.headers), 0
        try:
            body_in = json.loads(raw) if raw else None
        except ValueError:
            return (
                400,
                {"message": "Problems parsing JSON", "documentation_url": DOCS, "status": "400"},
                {},
                0,
            )
        return (*self._route(method, path, query, body_in), 0)

    def _route(
        self, method: str, path: str, query: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        stub = self.stub
        if isinstance(body, bytes):
            body = json.loads(body) if body else None
        repo = f"/repos/{stub.owner}/{stub.name}"
        if path == "/user" and method == "GET":
            return 200, stub.private_user(), {}
        if path == "/rate_limit" and method == "GET":
            core = {
                "limit": RATE_LIMIT,
                "remaining": stub.rate_remaining,
                "reset": stub.reset_at,
                "used": RATE_LIMIT - stub.rate_remaining,
                "resource": "core",
            }
            search = {
                "limit": 30,
                "remaining": 30,
                "reset": stub.reset_at,
                "used": 0,
                "resource": "search",
            }
            return 200, {"resources": {"core": core, "search": search}, "rate": core}, {}
        if not path.lower().startswith(repo.lower()):
            return _not_found()
        rest = path[len(repo) :]
        routes: list[tuple[str, str, Any]] = [
            ("GET", r"", self._get_repo),
            ("GET", r"/issues", self._list_issues),
            ("POST", r"/issues", self._create_issue),
            ("GET", r"/issues/(\d+)", self._get_issue),
            ("PATCH", r"/issues/(\d+)", self._update_issue),
            ("GET", r"/labels", self._list_labels),
            ("POST", r"/labels", self._create_label),
            ("GET", r"/labels/([^/]+)", self._get_label),
            ("POST", r"/issues/(\d+)/labels", self._add_labels),
            ("GET", r"/issues/(\d+)/comments", self._list_comments),
            ("POST", r"/issues/(\d+)/comments", self._create_comment),
            ("GET", r"/issues/(\d+)/sub_issues", self._list_sub_issues),
            ("POST", r"/issues/(\d+)/sub_issues", self._add_sub_issue),
            ("DELETE", r"/issues/(\d+)/sub_issue", self._remove_sub_issue),
            ("GET", r"/issues/(\d+)/parent", self._get_parent),
            ("GET", r"/milestones", self._list_milestones),
            ("GET", r"/pulls", self._list_pulls),
            ("POST", r"/pulls", lambda q, b: pulls.create_pull(stub, b)),
            ("PATCH", r"/pulls/(\d+)", lambda q, b, n: pulls.update_pull(stub, b, n)),
        ]
        for verb, pattern, handler in routes:
            match = re.fullmatch(pattern + "/?", rest)
            if verb == method and match:
                return handler(query, body, *match.groups())  # type: ignore[no-any-return]
        return _not_found()

    def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
        stub = self.stub
        payload = b"" if body is None else json.dumps(body, indent=None).encode()
        gzipped = "gzip" in (self.headers.get("Accept-Encoding") or "") and payload
        if gzipped:
            payload = gzip.compress(payload, mtime=0)
        self.send_response(status, _REASONS.get(status))
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        base = {
            "X-GitHub-Api-Version-Selected": "2022-11-28",
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-RateLimit-Limit": str(RATE_LIMIT),
            "X-RateLimit-Remaining": str(stub.rate_remaining),
            "X-RateLimit-Reset": str(stub.reset_at),
            "X-RateLimit-Used": str(RATE_LIMIT - stub.rate_remaining),
            "X-RateLimit-Resource": "core",
        }
        lowered = {k.lower() for k in headers}
        for name, value in {
            **{k: v for k, v in base.items() if k.lower() not in lowered},
            **headers,
        }.items():
            self.send_header(name, value)
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _page(
        self, items: list[Any], query: dict[str, str], path: str
    ) -> tuple[int, Any, dict[str, str]]:
        stub = self.stub
        per_page = min(max(int(query.get("per_page") or 30), 1), 100)
        page = max(int(query.get("page") or 1), 1)
        last = max((len(items) + per_page - 1) // per_page, 1)
        chunk = items[(page - 1) * per_page : page * per_page]
        headers: dict[str, str] = {}
        if last > 1:

            def link(n: int, rel: str) -> str:
                params = {**query, "page": str(n)}
                return f'<{stub.base}/repositories/{stub.repo_id}{path}?{urlencode(params)}>; rel="{rel}"'

            rels = []
            if page > 1:
                rels += [link(page - 1, "prev")]
            if page < last:
                rels += [link(page + 1, "next"), link(last, "last")]
            if page > 1:
                rels += [link(1, "first")]
            headers["Link"] = ", ".join(rels)
        return 200, chunk, headers

    # -- operations -----------------------------------------------------------------------

    def _issue(self, number: str) -> dict[str, Any] | None:
        return self.stub.issues.get(int(number))

    def _list_pulls(self, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        return self._page(pulls.list_pulls(self.stub, query), query, "/pulls")

    def _get_repo(self, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        return 200, self.stub.repository(), {}

    def _list_issues(self, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        stub = self.stub
        state = query.get("state", "open")
        wanted = [n.strip().lower() for n in query.get("labels", "").split(",") if n.strip()]
        issues = [
            i
            for i in stub.issues.values()
            if (state == "all" or i["state"] == state) and all(w in i["labels"] for w in wanted)
        ]
        issues.sort(key=lambda i: i["number"], reverse=query.get("direction", "desc") == "desc")
        return self._page([stub.issue_json(i) for i in issues], query, "/issues")

    def _create_issue(self, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        stub = self.stub
        if not isinstance(body, dict) or not body.get("title"):
            return _invalid("Issue", "title", "missing_field")
        if len(str(body["title"])) > 256:
            return _invalid(
                "Issue", "title", "custom", "title is too long (maximum is 256 characters)"
            )
        for login in body.get("assignees") or []:
            if login not in stub.users:
                return _invalid("Issue", "assignees", "invalid", value=login)
        milestone = body.get("milestone")
        if milestone is not None and int(milestone) not in stub.milestones:
            return _invalid("Issue", "milestone", "invalid", value=milestone)
        issue = stub._create_issue(body, creator=stub.login)
        return (
            201,
            stub.issue_json(issue),
            {"Location": f"{stub.api_repo}/issues/{issue['number']}"},
        )

    def _get_issue(
        self, query: dict[str, str], body: Any, number: str
    ) -> tuple[int, Any, dict[str, str]]:
        issue = self._issue(number)
        return (200, self.stub.issue_json(issue), {}) if issue else _not_found()

    def _update_issue(
        self, query: dict[str, str], body: Any, number: str
    ) -> tuple[int, Any, dict[str, str]]:
        stub = self.stub
        issue = self._issue(number)
        if issue is None:
            return _not_found()
        body = body or {}
        for login in body.get("assignees") or []:
            if login not in stub.users:
                return _invalid("Issue", "assignees", "invalid", value=login)
        if body.get("state") not in (None, "open", "closed"):
            return _invalid("Issue", "state", "invalid", value=body["state"])
        stub._edit_issue(issue, body)
        return 200, stub.issue_json(issue), {}

    def _list_labels(self, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        return self._page(
            [self.stub.label_json(lb) for lb in self.stub.labels.values()], query, "/labels"
        )

    def _create_label(self, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        stub = self.stub
        name = (body or {}).get("name")
        if not name:
            return _invalid("Label", "name", "missing_field")
        if name.lower() in stub.labels:
            return _invalid("Label", "name", "already_exists", value=name)
        label = stub.label_json(
            stub.add_label(
                name, (body or {}).get("color") or "ededed", (body or {}).get("description")
            )
        )
        return 201, label, {"Location": label["url"]}

    def _get_label(
        self, query: dict[str, str], body: Any, name: str
    ) -> tuple[int, Any, dict[str, str]]:
        from urllib.parse import unquote

        label = self.stub.labels.get(unquote(name).lower())
        return (200, self.stub.label_json(label), {}) if label else _not_found()

    def _add_labels(
        self, query: dict[str, str], body: Any, number: str
    ) -> tuple[int, Any, dict[str, str]]:
        stub = self.stub
        issue = self._issue(number)
        if issue is None:
            return _not_found()
        names = body.get("labels") if isinstance(body, dict) else body
        names = [n["name"] if isinstance(n, dict) else n for n in names or []]
        issue["labels"] = list(dict.fromkeys([*issue["labels"], *stub._ensure_labels(names)]))
        issue["updated_at"] = stub._tick()
        return 200, [stub.label_json(stub.labels[n]) for n in issue["labels"]], {}

    def _list_comments(
        self, query: dict[str, str], body: Any, number: str
    ) -> tuple[int, Any, dict[str, str]]:
        stub = self.stub
        if self._issue(number) is None:
            return _not_found()
        comments = stub.comments.get(int(number), [])
        return self._page(
            [stub.comment_json(int(number), c) for c in comments],
            query,
            f"/issues/{number}/comments",
        )

    def _create_comment(
        self, query: dict[str, str], body: Any, number: str
    ) -> tuple[int, Any, dict[str, str]]:
        stub = self.stub
        issue = self._issue(number)
        if issue is None:
            return _not_found()
        if not isinstance(body, dict) or not body.get("body"):
            return _invalid("IssueComment", "body", "missing_field")
        comment = {"id": stub._new_id(), "body": body["body"], "created_at": stub._tick()}
        stub.comments.setdefault(int(number), []).append(comment)
        issue["updated_at"] = comment["created_at"]
        data = stub.comment_json(int(number), comment)
        return 201, data, {"Location": data["url"]}

    def _list_sub_issues(
        self, query: dict[str, str], body: Any, number: str
    ) -> tuple[int, Any, dict[str, str]]:
        stub = self.stub
        if self._issue(number) is None:
            return _not_found()
        kids = [stub.issue_json(stub.issues[k]) for k in stub.children.get(int(number), [])]
        return self._page(kids, query, f"/issues/{number}/sub_issues")

    def _add_sub_issue(
        self, query: dict[str, str], body: Any, number: str
    ) -> tuple[int, Any, dict[str, str]]:
        stub = self.stub
        parent = self._issue(number)
        if parent is None:
            return _not_found()
        child_id = (body or {}).get("sub_issue_id")
        child = next((i for i in stub.issues.values() if i["id"] == child_id), None)
        if child is None:
            return _not_found()
        kids = stub.children.setdefault(parent["number"], [])
        current = stub.parent_of.get(child["number"])
        if child["number"] == parent["number"]:
            return _invalid(
                "SubIssue", "sub_issue_id", "invalid", "An issue cannot be its own sub-issue"
            )
        if current == parent["number"]:
            return _invalid(
                "SubIssue", "sub_issue_id", "invalid", "Issue may not contain duplicate sub-issues"
            )
        if current is not None and not (body or {}).get("replace_parent"):
            return _invalid("SubIssue", "sub_issue_id", "invalid", "Issue may only have one parent")
        # GitHub: at most 100 sub-issues per parent (not stated in the API description).
        if len(kids) >= SUB_ISSUE_LIMIT:
            return _invalid(
                "SubIssue",
                "sub_issue_id",
                "invalid",
                f"Parent cannot have more than {SUB_ISSUE_LIMIT} sub-issues",
            )
        if current is not None:
            stub.children[current].remove(child["number"])
        kids.append(child["number"])
        stub.parent_of[child["number"]] = parent["number"]
        stamp = stub._tick()
        parent["updated_at"] = child["updated_at"] = stamp
        return (
            201,
            stub.issue_json(parent),
            {"Location": f"{stub.api_repo}/issues/sub-issues/{child['id']}"},
        )

    def _remove_sub_issue(
        self, query: dict[str, str], body: Any, number: str
    ) -> tuple[int, Any, dict[str, str]]:
        stub = self.stub
        parent = self._issue(number)
        child_id = (body or {}).get("sub_issue_id")
        child = next((i for i in stub.issues.values() if i["id"] == child_id), None)
        if (
            parent is None
            or child is None
            or stub.parent_of.get(child["number"]) != parent["number"]
        ):
            return _not_found()
        stub.children[parent["number"]].remove(child["number"])
        del stub.parent_of[child["number"]]
        return 200, stub.issue_json(child), {}

    def _get_parent(
        self, query: dict[str, str], body: Any, number: str
    ) -> tuple[int, Any, dict[str, str]]:
        stub = self.stub
        issue = self._issue(number)
        parent = stub.parent_of.get(int(number)) if issue else None
        return (200, stub.issue_json(stub.issues[parent]), {}) if parent else _not_found()

    def _list_milestones(self, query: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        stub = self.stub
        state = query.get("state", "open")
        found = [m for m in stub.milestones.values() if state == "all" or m["state"] == state]
        if query.get("sort") == "due_on":
            found.sort(
                key=lambda m: (m["due_on"] is None, m["due_on"] or ""),
                reverse=query.get("direction") == "desc",
            )
        return self._page([stub.milestone_json(m) for m in found], query, "/milestones")


_REASONS = {
    200: "OK",
    201: "Created",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    410: "Gone",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def _not_found() -> tuple[int, Any, dict[str, str]]:
    return 404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}, {}


def _invalid(
    resource: str, field_: str, code: str, message: str | None = None, value: Any = None
) -> tuple[int, Any, dict[str, str]]:
    error: dict[str, Any] = {"resource": resource, "field": field_, "code": code}
    if message:
        error["message"] = message
    if value is not None:
        error["value"] = value
    return (
        422,
        {
            "message": "Validation Failed",
            "errors": [error],
            "documentation_url": DOCS,
            "status": "422",
        },
        {},
    )


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _node(prefix: str, number: int) -> str:
    return f"{prefix}kwDO{number:010d}"


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


if __name__ == "__main__":
    with GitHubStub() as running:
        print(f"GitHub stub on {running.base} (token: test-token); Ctrl-C to stop")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


def _reactions(url: str) -> dict[str, Any]:
    """GitHub's reaction counts of an issue or comment: none, in the shape the API returns."""
    counts = ("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")
    return {"url": url, "total_count": 0, **dict.fromkeys(counts, 0)}
