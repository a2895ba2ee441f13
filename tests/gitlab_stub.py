"""A loopback stand-in for the part of GitLab's REST API (v4) that write-back as a merge
request uses: a project, and its merge requests listed, opened and updated.

As GitLab does: a request without the right ``PRIVATE-TOKEN`` gets a 401; a project is named
by its id or its URL-encoded path; a merge request needs its source branch to exist
(``stub.branch_exists``, by default every branch does); a second open merge request of the same
source and target branches is refused with 409 (``stale_listings`` makes the next listings
miss it, as a race between two runs does); listings filter on ``state``,
``source_branch`` and ``target_branch``. Every request is logged in ``stub.requests``.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlsplit


class GitLabStub:
    def __init__(
        self, project: str = "acme/postmortems", *, token: str = "glpat-test", project_id: int = 42
    ) -> None:
        self.project = project
        self.project_id = project_id
        self.token = token
        self.merge_requests: dict[int, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, int]] = []
        self.branch_exists: Any = lambda branch: True
        # Listings answered empty, as when another run opens a merge request just after this
        # run listed them (the race a create answered 409 reveals).
        self.stale_listings = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.base = ""

    def __enter__(self) -> Self:
        stub = self

        class Handler(_Handler):
            pass

        Handler.stub = stub
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def web(self) -> str:
        return f"https://gitlab.example.com/{self.project}"

    def project_json(self) -> dict[str, Any]:
        return {
            "id": self.project_id,
            "path_with_namespace": self.project,
            "default_branch": "main",
            "web_url": self.web,
        }

    def mr_json(self, mr: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": 9000 + mr["iid"],
            "iid": mr["iid"],
            "project_id": self.project_id,
            "title": mr["title"],
            "description": mr["description"],
            "state": mr["state"],
            "source_branch": mr["source_branch"],
            "target_branch": mr["target_branch"],
            "web_url": f"{self.web}/-/merge_requests/{mr['iid']}",
            "created_at": mr["created_at"],
            "updated_at": mr["updated_at"],
        }


class _Handler(BaseHTTPRequestHandler):
    stub: GitLabStub

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def _dispatch(self, method: str) -> None:
        stub = self.stub
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with stub._lock:
            status, body = self._answer(method, parts.path, query, raw)
            stub.requests.append((method, parts.path, status))
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _answer(self, method: str, path: str, query: dict[str, str], raw: bytes) -> tuple[int, Any]:
        stub = self.stub
        if self.headers.get("PRIVATE-TOKEN") != stub.token:
            return 401, {"message": "401 Unauthorized"}
        m = re.fullmatch(r"/api/v4/projects/([^/]+)(/merge_requests(?:/(\d+))?)?/?", path)
        if m is None or unquote(m[1]) not in (stub.project, str(stub.project_id)):
            return 404, {"message": "404 Project Not Found"}
        if m[2] is None and method == "GET":
            return 200, stub.project_json()
        if m[3] is None and method == "GET":
            if stub.stale_listings:
                stub.stale_listings -= 1
                return 200, []
            return 200, [
                stub.mr_json(mr)
                for mr in sorted(stub.merge_requests.values(), key=lambda r: -r["iid"])
                if all(
                    query.get(k) in (None, mr[k])
                    for k in ("state", "source_branch", "target_branch")
                )
            ]
        data = _body(raw, self.headers.get("Content-Type") or "")
        if m[3] is None and method == "POST":
            return self._create(data)
        if m[3] is not None and method == "PUT":
            mr = stub.merge_requests.get(int(m[3]))
            if mr is None:
                return 404, {"message": "404 Not found"}
            for key in ("title", "description"):
                if key in data:
                    mr[key] = data[key]
            mr["updated_at"] = _now()
            return 200, stub.mr_json(mr)
        return 405, {"message": "405 Method Not Allowed"}

    def _create(self, data: dict[str, Any]) -> tuple[int, Any]:
        stub = self.stub
        missing = [k for k in ("source_branch", "target_branch", "title") if not data.get(k)]
        if missing:
            return 400, {"message": f"{missing[0]} is missing"}
        if not stub.branch_exists(data["source_branch"]):
            return 422, {"message": ["Source branch does not exist"]}
        for mr in stub.merge_requests.values():
            same = (mr["source_branch"], mr["target_branch"]) == (
                data["source_branch"],
                data["target_branch"],
            )
            if same and mr["state"] == "opened":
                said = "Another open merge request already exists for this source branch"
                return 409, {"message": [f"{said}: !{mr['iid']}"]}
        iid = max([*stub.merge_requests, 0]) + 1
        stamp = _now()
        stub.merge_requests[iid] = {
            "iid": iid,
            "title": data["title"],
            "description": data.get("description"),
            "state": "opened",
            "source_branch": data["source_branch"],
            "target_branch": data["target_branch"],
            "created_at": stamp,
            "updated_at": stamp,
        }
        return 201, stub.mr_json(stub.merge_requests[iid])


def _body(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        data = json.loads(raw)
        return data if isinstance(data, dict) else {}
    return {k: v[-1] for k, v in parse_qs(raw.decode()).items()}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
