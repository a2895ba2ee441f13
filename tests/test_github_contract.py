"""Every recorded GitHub interaction obeys GitHub's own API description.

The contract is ``shared/contracts/github-issues.openapi.json`` next to the repository (see its
README). Each known way in which real traffic and that description disagree is decided here,
once, with the reason:

1. Link-header pages live under ``/repositories/{id}/...``, which the description does not
   define. Mapped to ``/repos/{owner}/{repo}/...`` (the same resource), as the README does.
2. Nullable enums: ``issue.state_reason`` is ``nullable`` with an enum that lacks null, and
   GitHub sends ``"state_reason": null`` for every open issue. openapi-core follows OAS 3.0.3
   strictly (null must be listed), so every nullable enum gets null added in memory. This is
   the looser check; the stub keeps sending null because GitHub does.
3. Statuses GitHub answers on any endpoint but the description leaves out of most operations
   (401 bad credentials, 403/429 rate limits, 5xx): allowed when undeclared, and their body
   must then still be a ``basic-error`` object with a ``message``; a 403/429 must carry the
   rate-limit signal (``retry-after``, ``x-ratelimit-remaining: 0``) or a rate-limit message.
4. ``GET /user`` is a ``oneOf`` discriminated by ``user_view_type``: fixed at the source, the
   stub always sends it. pmt never calls ``/user``; the stub conformance test below checks it.
5. The upstream examples that fail their own schemas (``full-repository-default-response``
   and the ``/user`` examples) are not used: the stub builds its payloads from the schemas.

A bad interaction must fail: ``test_a_bad_interaction_is_rejected`` proves the check bites.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

CONTRACT = (
    Path(__file__).resolve().parents[2] / "shared" / "contracts" / "github-issues.openapi.json"
)
# The pull-request operations write-back as a pull request uses, cut from the same published
# description by tests/contracts/cut_github_pulls.py, added to the shared contract when loaded.
PULLS_CONTRACT = Path(__file__).resolve().parent / "contracts" / "github-pulls.openapi.json"
CASSETTES = Path(__file__).resolve().parent / "cassettes" / "github"
UNDECLARED_OK = {401, 403, 429, 500, 502, 503, 504}

pytestmark = pytest.mark.skipif(
    not CONTRACT.exists(),
    reason=f"{CONTRACT} is absent: clone the shared/ folder beside the repository to check "
    "the GitHub cassettes against GitHub's API description",
)


@functools.cache
def _contract() -> tuple[Any, dict[str, Any]]:
    from openapi_core import OpenAPI

    spec = json.loads(CONTRACT.read_text(encoding="utf-8"))
    pulls = json.loads(PULLS_CONTRACT.read_text(encoding="utf-8"))
    spec["paths"].update(pulls["paths"])
    for kind, named in pulls["components"].items():
        for name, value in named.items():
            # Both are cut from one copy of GitHub's description: a shared name is one schema.
            assert spec["components"][kind].setdefault(name, value) == value, name
    spec["servers"] = [{"url": "/"}]  # any host: api.github.com or a GHE server
    _add_null_to_nullable_enums(spec)  # decision 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "OAuth2 is not supported": harmless here
        return OpenAPI.from_dict(spec), spec


def _add_null_to_nullable_enums(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("nullable") and "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        for value in node.values():
            _add_null_to_nullable_enums(value)
    elif isinstance(node, list):
        for value in node:
            _add_null_to_nullable_enums(value)


def _normalise(path: str) -> str:
    return re.sub(r"^/repositories/\d+/", "/repos/OWNER/REPO/", path)  # decision 1


def _one(value: Any) -> Any:
    return value[0] if isinstance(value, list) else value


def _raw(body: Any) -> bytes:
    if body is None:
        return b""
    return body.encode() if isinstance(body, str) else body


def check_interaction(interaction: dict[str, Any]) -> list[str]:
    """What the contract rejects in one vcrpy interaction (empty when it is all fine)."""
    from openapi_core.templating.responses.exceptions import ResponseNotFound
    from openapi_core.testing import MockRequest, MockResponse

    api, spec = _contract()
    rq, rs = interaction["request"], interaction["response"]
    parts = urlsplit(rq["uri"])
    query = {
        k: v if len(v) > 1 else v[0]
        for k, v in parse_qs(parts.query, keep_blank_values=True).items()
    }
    headers = {k: _one(v) for k, v in (rq.get("headers") or {}).items()}
    request = MockRequest(
        f"{parts.scheme}://{parts.netloc}",
        rq["method"],
        _normalise(parts.path),
        args=query,
        headers=headers,
        data=_raw(rq.get("body")),
        content_type=headers.get("Content-Type", "application/json").split(";")[0],
    )
    problems = []
    where = f"{rq['method']} {parts.path} -> {rs['status']['code']}"
    try:
        api.validate_request(request)
    except Exception as exc:  # noqa: BLE001 - every rejection is reported, whatever its type
        problems.append(f"{where}: request: {_explain(exc)}")
    response_headers = {k.lower(): _one(v) for k, v in (rs.get("headers") or {}).items()}
    body = _raw(rs["body"]["string"])
    response = MockResponse(
        body,
        status_code=rs["status"]["code"],
        headers=response_headers,
        content_type=response_headers.get("content-type", "application/json").split(";")[0],
    )
    try:
        api.validate_response(request, response)
    except ResponseNotFound as exc:
        status = rs["status"]["code"]
        if status not in UNDECLARED_OK:
            problems.append(f"{where}: response: {_explain(exc)}")
        else:
            problems += [
                f"{where}: response: {p}"
                for p in _undeclared_error_problems(spec, status, body, response_headers)
            ]
    except Exception as exc:  # noqa: BLE001
        problems.append(f"{where}: response: {_explain(exc)}")
    return problems


def _undeclared_error_problems(
    spec: dict[str, Any], status: int, body: bytes, headers: dict[str, Any]
) -> list[str]:
    """Decision 3: an error status the operation does not declare is still GitHub's error shape."""
    from openapi_schema_validator import OAS30Validator

    try:
        data = json.loads(body)
    except ValueError:
        return [f"{status} body is not JSON"]
    schema = copy.deepcopy(spec["components"]["schemas"]["basic-error"])
    problems = [e.message for e in OAS30Validator(schema).iter_errors(data)]
    if not isinstance(data, dict) or not isinstance(data.get("message"), str):
        problems.append(f"{status} body has no message")
    elif status in (403, 429):
        limited = (
            "retry-after" in headers
            or str(headers.get("x-ratelimit-remaining")) == "0"
            or "rate limit" in data["message"].lower()
        )
        if status == 429 and not limited:
            problems.append("429 without a rate-limit signal")
    return problems


def _explain(exc: Exception) -> str:
    cause = exc.__cause__ or exc
    details = [e.message for e in getattr(cause, "schema_errors", ()) or ()]
    text = f"{type(cause).__name__}: {cause}"
    return text[:300] + (f" [{'; '.join(d[:200] for d in details)}]" if details else "")


def _cassettes() -> list[Path]:
    return sorted(CASSETTES.glob("*.yaml"))


def test_there_are_github_cassettes_to_check() -> None:
    assert len(_cassettes()) >= 20


@pytest.mark.parametrize("cassette", _cassettes(), ids=lambda p: p.stem)
def test_every_interaction_of_the_cassette_matches_the_contract(cassette: Path) -> None:
    interactions = yaml.safe_load(cassette.read_text(encoding="utf-8"))["interactions"]
    assert interactions, f"{cassette.name} has no interactions"
    problems = [f"#{i} {p}" for i, it in enumerate(interactions) for p in check_interaction(it)]
    assert not problems, f"{cassette.name}:\n" + "\n".join(problems)


def _sample(method: str, path_end: str) -> dict[str, Any]:
    for cassette in _cassettes():
        for it in yaml.safe_load(cassette.read_text(encoding="utf-8"))["interactions"]:
            if (
                it["request"]["method"] == method
                and it["request"]["uri"].split("?")[0].endswith(path_end)
                and it["response"]["status"]["code"] < 300
            ):
                return copy.deepcopy(it)
    raise AssertionError(f"no {method} …{path_end} in the cassettes")


def test_a_bad_interaction_is_rejected() -> None:
    good = _sample("POST", "/repos/acme/ops/issues")
    assert check_interaction(good) == []

    missing = copy.deepcopy(good)
    payload = json.loads(missing["response"]["body"]["string"])
    del payload["number"]
    missing["response"]["body"]["string"] = json.dumps(payload)
    assert any("number" in p for p in check_interaction(missing))

    bad_user = copy.deepcopy(good)
    payload = json.loads(bad_user["response"]["body"]["string"])
    payload["user"] = {"login": "x"}
    bad_user["response"]["body"]["string"] = json.dumps(payload)
    assert check_interaction(bad_user)

    bad_request = _sample("PATCH", "/repos/acme/ops/issues/1")
    bad_request["request"]["body"] = json.dumps({"state": "archived"})
    assert any("request" in p for p in check_interaction(bad_request))

    unknown_path = copy.deepcopy(good)
    unknown_path["request"]["uri"] = "https://api.github.com/repos/acme/ops/issues/1/events"
    unknown_path["request"]["method"] = "GET"
    assert check_interaction(unknown_path)

    html_500 = copy.deepcopy(good)
    html_500["response"]["status"]["code"] = 500
    html_500["response"]["body"]["string"] = "<html>Unicorn!</html>"
    assert check_interaction(html_500)

    undocumented_418 = copy.deepcopy(good)
    undocumented_418["response"]["status"]["code"] = 418
    undocumented_418["response"]["body"]["string"] = json.dumps({"message": "teapot"})
    assert check_interaction(undocumented_418)


def test_the_stub_answers_every_operation_as_the_contract_says() -> None:
    """The stub is checked on its own, including operations pmt does not use (yet)."""
    import requests

    from tests.github_stub import GitHubStub

    with GitHubStub("acme/ops") as stub:
        stub.add_milestone("April", "2026-04-30T07:00:00Z")
        session = requests.Session()
        session.headers.update({"Authorization": "token test-token", "User-Agent": "pmt-test"})
        base, repo = stub.base, f"{stub.base}/repos/acme/ops"
        calls: list[tuple[str, str, Any]] = [
            ("GET", f"{base}/user", None),
            ("GET", f"{base}/rate_limit", None),
            ("GET", repo, None),
            ("POST", f"{repo}/issues", {"title": "Parent", "labels": ["pmt-pm-0000000000"]}),
            (
                "POST",
                f"{repo}/issues",
                {"title": "Child", "body": "b", "assignees": ["bob-gh"], "milestone": 1},
            ),
            ("GET", f"{repo}/issues?state=all&labels=pmt-pm-0000000000&per_page=100", None),
            ("GET", f"{repo}/issues/2", None),
            ("PATCH", f"{repo}/issues/2", {"title": "Child!", "labels": ["bug"]}),
            ("PATCH", f"{repo}/issues/2", {"state": "closed", "state_reason": "completed"}),
            ("GET", f"{repo}/labels?per_page=100", None),
            ("POST", f"{repo}/labels", {"name": "p1", "color": "d93f0b", "description": "x"}),
            ("POST", f"{repo}/labels", {"name": "p1"}),
            ("GET", f"{repo}/labels/bug", None),
            ("POST", f"{repo}/issues/2/labels", ["p1"]),
            ("POST", f"{repo}/issues/2/comments", {"body": "note"}),
            ("GET", f"{repo}/issues/2/comments", None),
            ("POST", f"{repo}/issues/1/sub_issues", lambda: {"sub_issue_id": stub.issues[2]["id"]}),
            ("GET", f"{repo}/issues/1/sub_issues", None),
            ("GET", f"{repo}/issues/2/parent", None),
            (
                "DELETE",
                f"{repo}/issues/1/sub_issue",
                lambda: {"sub_issue_id": stub.issues[2]["id"]},
            ),
            ("GET", f"{repo}/milestones?state=open&sort=due_on&direction=asc", None),
            ("GET", f"{repo}/issues/99", None),
            ("POST", f"{repo}/pulls", {"title": "Links", "head": "pmt/x", "base": "main"}),
            ("POST", f"{repo}/pulls", {"title": "Links", "head": "pmt/x", "base": "main"}),
            ("GET", f"{repo}/pulls?state=open&head=acme:pmt/x&base=main&per_page=100", None),
            ("PATCH", f"{repo}/pulls/3", {"title": "Links!", "body": "two"}),
        ]
        problems = []
        for method, url, body in calls:
            if callable(body):
                body = body()  # ids known only once the issues exist
            data = json.dumps(body) if body is not None else None
            headers = {"Content-Type": "application/json"} if data else {}
            reply = session.request(method, url, data=data, headers=headers)
            interaction = {
                "request": {"method": method, "uri": url, "body": data, "headers": headers},
                "response": {
                    "status": {"code": reply.status_code},
                    "headers": dict(reply.headers),
                    "body": {"string": reply.content},
                },
            }
            problems += check_interaction(interaction)
        for i in range(3, 130):  # enough for a second page
            stub.add_issue(f"Filler {i}", labels=("pmt-pm-0000000000",))
        first = session.get(
            f"{repo}/issues",
            params={"labels": "pmt-pm-0000000000", "state": "all", "per_page": 100},
        )
        next_url = first.links["next"]["url"]
        assert "/repositories/" in next_url
        page = session.get(next_url)
        problems += check_interaction(
            {
                "request": {"method": "GET", "uri": next_url, "body": None, "headers": {}},
                "response": {
                    "status": {"code": 200},
                    "headers": dict(page.headers),
                    "body": {"string": page.content},
                },
            }
        )
        assert len(page.json()) == 128 - 100
    assert not problems, "\n".join(problems)
