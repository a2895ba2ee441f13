"""The pull-request endpoints of the GitHub stub (``tests/github_stub.py``): list, create and
update, as GitHub's description says (``tests/contracts/github-pulls.openapi.json``).

As GitHub does, a pull request needs its head branch to exist (``stub.branch_exists``, by
default every branch does; a test points it at a real git repository), refuses a second open
pull request for the same head and base (422 "A pull request already exists"), and lists open
ones filtered by ``head=owner:branch`` and ``base``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.github_stub import GitHubStub

Answer = tuple[int, Any, dict[str, str]]


def list_pulls(stub: GitHubStub, query: dict[str, str]) -> list[dict[str, Any]]:
    state = query.get("state", "open")
    head = query.get("head")
    found = [
        p
        for p in stub.pulls.values()
        if (state == "all" or p["state"] == state)
        and (head is None or f"{stub.owner}:{p['head']}" == head)
        and (query.get("base") is None or p["base"] == query["base"])
    ]
    found.sort(key=lambda p: p["number"], reverse=True)
    return [pull_json(stub, p, simple=True) for p in found]


def create_pull(stub: GitHubStub, body: Any) -> Answer:
    from tests.github_stub import _invalid

    body = body if isinstance(body, dict) else {}
    for field in ("title", "head", "base"):
        if not body.get(field):
            return _invalid("PullRequest", field, "missing_field")
    head = str(body["head"]).split(":")[-1]
    if not stub.branch_exists(head):
        return _invalid("PullRequest", "head", "invalid")
    if any(
        p["head"] == head and p["base"] == body["base"] and p["state"] == "open"
        for p in stub.pulls.values()
    ):
        return _invalid(
            "PullRequest", "", "custom", f"A pull request already exists for {stub.owner}:{head}."
        )
    number = max([*stub.issues, *stub.pulls, 0]) + 1
    stamp = stub._tick()
    pull = {
        "id": stub._new_id(),
        "number": number,
        "title": str(body["title"]),
        "body": body.get("body"),
        "head": head,
        "base": str(body["base"]),
        "state": "open",
        "created_at": stamp,
        "updated_at": stamp,
    }
    stub.pulls[number] = pull
    return 201, pull_json(stub, pull), {"Location": f"{stub.api_repo}/pulls/{number}"}


def update_pull(stub: GitHubStub, body: Any, number: str) -> Answer:
    from tests.github_stub import _not_found

    pull = stub.pulls.get(int(number))
    if pull is None:
        return _not_found()
    for field in ("title", "body", "state"):
        if isinstance(body, dict) and field in body:
            pull[field] = body[field]
    pull["updated_at"] = stub._tick()
    return 200, pull_json(stub, pull), {}


def pull_json(stub: GitHubStub, pull: dict[str, Any], *, simple: bool = False) -> dict[str, Any]:
    from tests.github_stub import _node

    number = pull["number"]
    api = f"{stub.api_repo}/pulls/{number}"
    html = f"{stub.web_repo}/pull/{number}"
    issue = f"{stub.api_repo}/issues/{number}"

    def side(ref: str) -> dict[str, Any]:
        return {
            "label": f"{stub.owner}:{ref}",
            "ref": ref,
            "repo": stub.repository(),
            "sha": "0" * 40,
            "user": stub.user(stub.owner),
        }

    data: dict[str, Any] = {
        "url": api,
        "id": pull["id"],
        "node_id": _node("PR_", pull["id"]),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue,
        "commits_url": f"{api}/commits",
        "review_comments_url": f"{api}/comments",
        "review_comment_url": f"{stub.api_repo}/pulls/comments{{/number}}",
        "comments_url": f"{issue}/comments",
        "statuses_url": f"{stub.api_repo}/statuses/{'0' * 40}",
        "number": number,
        "state": pull["state"],
        "locked": False,
        "title": pull["title"],
        "user": stub.user(stub.login),
        "body": pull["body"],
        "labels": [],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": pull["created_at"],
        "updated_at": pull["updated_at"],
        "closed_at": None,
        "merged_at": None,
        "merge_commit_sha": None,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": side(pull["head"]),
        "base": side(pull["base"]),
        "_links": {
            name: {"href": href}
            for name, href in (
                ("self", api),
                ("html", html),
                ("issue", issue),
                ("comments", f"{issue}/comments"),
                ("review_comments", f"{api}/comments"),
                ("review_comment", f"{stub.api_repo}/pulls/comments{{/number}}"),
                ("commits", f"{api}/commits"),
                ("statuses", f"{stub.api_repo}/statuses/{'0' * 40}"),
            )
        },
        "author_association": "MEMBER",
        "auto_merge": None,
        "draft": False,
    }
    if not simple:
        data.update(
            merged=False,
            mergeable=True,
            rebaseable=True,
            mergeable_state="clean",
            merged_by=None,
            comments=0,
            review_comments=0,
            maintainer_can_modify=False,
            commits=1,
            additions=1,
            deletions=1,
            changed_files=1,
        )
    return data
