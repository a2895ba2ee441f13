"""Pure parts of the Jira backend: JQL literals, summary, labels, ADF and wiki markup, references,
client construction and faults that never reach a server."""

from __future__ import annotations

import socket
from datetime import date
from typing import Any

import pytest
import requests
from jira.client import TokenAuth
from requests.auth import HTTPBasicAuth

from sync.backends.jira.backend import JiraBackend
from sync.backends.jira.text import (
    SUMMARY_LIMIT,
    adf_text,
    comment_blocks,
    description_blocks,
    jql_list,
    jql_quote,
    labels_for,
    summary_for,
    to_adf,
    to_wiki,
    utf16_len,
    wiki_escape,
)
from sync.base import AuthError, TicketDraft, UnreachableError
from sync.markers import Marker, read_marker
from sync.transport import RetryPolicy
from tests.jira_stub import JqlError, parse_jql
from tracker.config import JiraSettings
from tracker.errors import ConfigError


def draft(text: str = "Add a replica-lag alert", **kw: Any) -> TicketDraft:
    return TicketDraft(marker=Marker("pm.md", "a1"), text=text, **kw)


# --- JQL ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, literal",
    [
        ("pmt-pm-0123456789", '"pmt-pm-0123456789"'),
        ('say "hi"', r'"say \"hi\""'),
        ("C:\\temp\\", r'"C:\\temp\\"'),
        ('\\"', r'"\\\""'),
        ("and", '"and"'),
        ("ORDER", '"ORDER"'),
        ("empty", '"empty"'),
        ("a = b OR labels != c", '"a = b OR labels != c"'),
        ("two\nlines\tand tab", r'"two\nlines\tand tab"'),
        ("", '""'),
    ],
)
def test_jql_quote(value: str, literal: str) -> None:
    assert jql_quote(value) == literal


@pytest.mark.parametrize(
    "value",
    [
        'say "hi"',
        "back\\slash",
        "trailing backslash\\",
        "and",
        "order",
        "not",
        "in",
        "empty",
        "a) OR (labels = x",
        "uni ☃ code",
        "new\nline",
        "'single'",
        '\\"',
    ],
)
def test_a_quoted_value_reads_back_as_itself_in_jql(value: str) -> None:
    # The stub parses JQL as Jira does: the value must come back exactly, as one clause.
    clauses, order = parse_jql(f"labels = {jql_quote(value)} ORDER BY key ASC")
    assert clauses == [("labels", "=", [value])]
    assert order == [("key", False)]


def test_an_unquoted_reserved_word_is_refused_which_is_why_values_are_always_quoted() -> None:
    with pytest.raises(JqlError, match="reserved JQL word"):
        parse_jql("labels = and")
    assert parse_jql(f"labels = {jql_quote('and')}")[0] == [("labels", "=", ["and"])]


def test_jql_list() -> None:
    assert jql_list(["OPS-1", "OPS-22"]) == '("OPS-1", "OPS-22")'
    clauses, _ = parse_jql(f"key in {jql_list(['OPS-1', 'OPS-22'])}")
    assert clauses == [("key", "in", ["OPS-1", "OPS-22"])]


# --- summary and labels ---------------------------------------------------------------------------


def test_a_short_text_is_the_summary_on_one_line() -> None:
    assert summary_for(draft("Add an   alert\non lag")) == "Add an alert on lag"


def test_a_long_text_is_cut_on_a_word_with_an_ellipsis() -> None:
    text = "word " * 100
    summary = summary_for(draft(text))
    assert summary.endswith("word…") and utf16_len(summary) <= SUMMARY_LIMIT
    assert utf16_len(summary) > SUMMARY_LIMIT - 10


def test_the_limit_counts_utf16_units_as_jira_does() -> None:
    text = "🔥" * 200  # each counts 2 in Java, so 400 units
    summary = summary_for(draft(text))
    assert utf16_len(summary) <= SUMMARY_LIMIT
    assert summary == "🔥" * 127 + "…"


def test_one_enormous_word_is_cut_where_it_must() -> None:
    url = "https://example.com/" + "x" * 400
    summary = summary_for(draft(url))
    assert len(summary) == SUMMARY_LIMIT and summary.endswith("…")


def test_labels_have_no_spaces_no_repeats_and_both_markers() -> None:
    d = draft(labels=("postmortem", "team db"))
    assert labels_for(d, ["postmortem", "action item"]) == [
        "postmortem",
        "action-item",
        "team-db",
        d.marker.token,
        d.marker.postmortem_token,
    ]


# --- ADF and wiki ---------------------------------------------------------------------------------

_BLOCK = {"paragraph", "heading", "bulletList", "rule", "codeBlock"}
_INLINE = {"text", "hardBreak"}


def assert_valid_adf(doc: dict[str, Any]) -> None:
    """The ADF rules Jira enforces on what pmt writes."""
    assert doc["type"] == "doc" and doc["version"] == 1
    for block in doc["content"]:
        assert block["type"] in _BLOCK
        if block["type"] == "rule":
            assert "content" not in block
            continue
        if block["type"] == "heading":
            assert 1 <= block["attrs"]["level"] <= 6
        if block["type"] == "codeBlock":
            # Plain text only: no marks, no hardBreak inside a code block.
            assert all(
                n["type"] == "text" and n["text"] and "marks" not in n for n in block["content"]
            )
        if block["type"] == "bulletList":
            for item in block["content"]:
                assert item["type"] == "listItem"
                for para in item["content"]:
                    assert para["type"] == "paragraph"
                    _inline(para["content"])
            continue
        _inline(block["content"])


def _inline(nodes: list[dict[str, Any]]) -> None:
    for node in nodes:
        assert node["type"] in _INLINE
        if node["type"] == "text":
            assert isinstance(node["text"], str) and node["text"], "an empty text node"
            marks = [m["type"] for m in node.get("marks", [])]
            assert set(marks) <= {"strong", "code", "link"}
            if "code" in marks:
                assert set(marks) <= {"code", "link"}, "code combines only with link"
            for mark in node.get("marks", []):
                if mark["type"] == "link":
                    assert mark["attrs"]["href"].startswith("https://")


FULL = draft(
    "Add a replica-lag alert\nwith a runbook link",
    owner="alice",
    due=date(2026, 4, 1),
    priority="P1",
    kind="detect",
    done=True,
    postmortem_title="DB failover [prod] | 40 min",
    postmortem_path="pm/db.md",
    postmortem_url="https://github.com/acme/pm/blob/main/pm/db.md",
    incident_date=date(2026, 3, 1),
    incident_ticket="OPS-7",
    root_cause="A *bold* claim\n\nand {code}",
)


def test_adf_description_is_valid_and_complete() -> None:
    doc = to_adf(description_blocks(FULL, "alice@example.com"))
    assert_valid_adf(doc)
    text = adf_text(doc)
    for expected in (
        "Add a replica-lag alert\nwith a runbook link",
        "Owner: alice (alice@example.com)",
        "Due: 2026-04-01",
        "Priority: P1",
        "Kind: detect",
        "checked as done",
        "Incident",
        "DB failover [prod] | 40 min",
        "Incident date: 2026-03-01",
        "Incident ticket: OPS-7",
        "A *bold* claim",
        "and {code}",
        FULL.marker.token,
        FULL.marker.postmortem_token,
        "pm/db.md",
    ):
        assert expected in text
    links = [
        m["attrs"]["href"] for block in doc["content"] for m in _marks(block) if m["type"] == "link"
    ]
    assert links == [FULL.postmortem_url]


def _marks(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = list(node.get("marks", []))
    for child in node.get("content", []):
        out += _marks(child)
    return out


def test_adf_of_a_minimal_draft_has_no_empty_node() -> None:
    doc = to_adf(description_blocks(draft("")))
    assert_valid_adf(doc)
    assert_valid_adf(to_adf(comment_blocks("")))
    tracking = TicketDraft(
        marker=Marker("pm.md", "~tracking"), text="Postmortem follow-ups: x", role="tracking"
    )
    assert_valid_adf(to_adf(description_blocks(tracking)))


def test_wiki_description_escapes_user_text_and_keeps_the_link() -> None:
    wiki = to_wiki(description_blocks(FULL, "alice"))
    assert (
        "[DB failover \\[prod\\] \\| 40 min|https://github.com/acme/pm/blob/main/pm/db.md]" in wiki
    )
    assert "A \\*bold\\* claim" in wiki and "and \\{code\\}" in wiki
    assert "* *Due:* 2026-04-01" in wiki
    assert "h3. Incident" in wiki
    assert "{{" + FULL.marker.token + "}}" in wiki
    # The full marker, uninterpreted, for servers whose search does not return the property.
    assert "{noformat}\n" + FULL.marker.html_comment() + "\n{noformat}" in wiki
    assert read_marker(wiki) == FULL.marker
    assert read_marker(adf_text(to_adf(description_blocks(FULL)))) == FULL.marker


@pytest.mark.parametrize(
    "text, escaped",
    [
        ("on-call 2026-03-01 OPS-12", "on-call 2026-03-01 OPS-12"),
        ("-strike- me", "\\-strike\\- me"),
        ("a*b_c+d^e~f", "a\\*b\\_c\\+d\\^e\\~f"),
        (
            "{noformat} [x|y] !img! #1 ??cite??",
            "\\{noformat\\} \\[x\\|y\\] \\!img\\! \\#1 \\?\\?cite\\?\\?",
        ),
        ("C:\\temp", "C:&#92;temp"),
    ],
)
def test_wiki_escape(text: str, escaped: str) -> None:
    assert wiki_escape(text) == escaped


# --- references -----------------------------------------------------------------------------------


def backend(url: str = "https://acme.atlassian.net", **kw: Any) -> JiraBackend:
    settings = JiraSettings(url=url, project="OPS", **kw)
    return JiraBackend(settings, "ada@example.com", "token", sleep=lambda s: None)


@pytest.mark.parametrize(
    "ref, key",
    [
        ("OPS-12", "OPS-12"),
        ("  INC_2-7 ", "INC_2-7"),
        ("https://acme.atlassian.net/browse/OPS-12", "OPS-12"),
        ("https://ACME.atlassian.net/browse/OPS-12/", "OPS-12"),
        ("https://acme.atlassian.net/projects/OPS/issues/OPS-3", "OPS-3"),
        (
            "https://acme.atlassian.net/jira/software/projects/OPS/boards/1?selectedIssue=OPS-9",
            "OPS-9",
        ),
        ("[OPS-12](https://acme.atlassian.net/browse/OPS-12)", "OPS-12"),
        ("#12", None),
        ("acme/ops#12", None),
        ("ops-12", None),
        ("OPS-0", None),
        ("https://other.atlassian.net/browse/OPS-12", None),
        ("https://github.com/acme/ops/issues/12", None),
        ("https://acme.atlassian.net/browse/not-a-key", None),
    ],
)
def test_parse_ref(ref: str, key: str | None) -> None:
    assert backend().parse_ref(ref) == key


def test_parse_ref_and_url_for_with_a_data_center_context_path() -> None:
    b = backend("https://jira.example.com/jira/")
    assert b.url_for("OPS-4") == "https://jira.example.com/jira/browse/OPS-4"
    assert b.parse_ref("https://jira.example.com/jira/browse/OPS-4") == "OPS-4"
    assert b.parse_ref("https://jira.example.com/browse/OPS-4") is None


# --- construction ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "missing, message", [({"url": None}, "jira.url"), ({"project": None}, "jira.project")]
)
def test_missing_settings_are_a_config_error(missing: dict[str, Any], message: str) -> None:
    values = {"url": "https://acme.atlassian.net", "project": "OPS", **missing}
    with pytest.raises(ConfigError, match=message):
        JiraBackend(JiraSettings(**values), None, "token")


def test_cloud_uses_basic_auth_and_api_3_and_the_shared_retry_policy() -> None:
    b = backend(deployment="cloud")
    b._http.authenticate(b.deployment, "ada@example.com", "token")
    assert b._http.auth == HTTPBasicAuth("ada@example.com", "token")
    assert b.api == "3"
    # One policy for both trackers, mounted through requests' public API; a POST is never
    # re-sent after a 5xx or a lost answer.
    policy = b._http.session.get_adapter("https://acme.atlassian.net").max_retries
    assert isinstance(policy, RetryPolicy)
    assert policy.is_retry("GET", 503) and policy.is_retry("PUT", 502)
    assert not policy.is_retry("POST", 503, has_retry_after=True)


def test_data_center_uses_the_token_as_a_bearer_on_api_2() -> None:
    b = backend("https://jira.example.com", deployment="datacenter")
    b._http.authenticate(b.deployment, None, "token")
    assert isinstance(b._http.auth, TokenAuth)
    assert b.api == "2"


def test_cloud_without_an_email_or_any_token_is_an_auth_error_before_any_request() -> None:
    settings = JiraSettings(url="https://acme.atlassian.net", project="OPS", deployment="cloud")
    with pytest.raises(AuthError, match="PMT_JIRA_EMAIL"):
        JiraBackend(settings, None, "token").fetch(["OPS-1"])
    with pytest.raises(AuthError, match="PMT_JIRA_TOKEN is not set"):
        JiraBackend(settings, "ada@example.com", None).fetch(["OPS-1"])


def test_unmapped_owner_is_left_unassigned_without_a_search() -> None:
    b = backend(deployment="cloud", owners={"alice": "5b10ac8d82e05b22cc7d4ef5"})
    assert b.assignees.field("carol") is None
    assert b.assignees.field("carol") is None
    assert b.warnings == ["owner 'carol' is not in jira.owners; the ticket is left unassigned"]
    # An accountId in the map is used as it is: no user search.
    assert b.assignees.field("alice") == {"accountId": "5b10ac8d82e05b22cc7d4ef5"}


# --- network faults (a closed loopback port: no server, no wait) ----------------------------------


@pytest.fixture
def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_a_read_that_cannot_connect_stops_at_once_as_unreachable(closed_port: str) -> None:
    """A refused connection means nothing was sent: no retry, no wait, a clear error."""
    sleeps: list[float] = []
    b = JiraBackend(
        JiraSettings(url=closed_port, project="OPS", deployment="datacenter"),
        None,
        "t",
        sleep=sleeps.append,
        timeout=2,
    )
    with pytest.raises(UnreachableError, match="connection refused. Nothing was sent"):
        b.fetch(["OPS-1"])
    assert sleeps == []


def test_a_create_that_cannot_connect_is_not_sent_and_says_so(
    closed_port: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[str] = []
    original = requests.Session.send

    def counting(self: requests.Session, request: requests.PreparedRequest, **kw: Any) -> Any:
        sent.append(request.method or "")
        return original(self, request, **kw)

    monkeypatch.setattr(requests.Session, "send", counting)
    sleeps: list[float] = []
    b = JiraBackend(
        JiraSettings(url=closed_port, project="OPS", deployment="datacenter"),
        None,
        "t",
        sleep=sleeps.append,
        timeout=2,
    )
    with pytest.raises(UnreachableError) as err:
        b.create(draft())
    assert "outcome is unknown" not in str(err.value) and err.value.exit_code == 4
    assert sent == ["POST"] and sleeps == []


# --- registry -------------------------------------------------------------------------------------


def test_the_registry_names_every_missing_jira_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from sync.registry import get_backend
    from tracker.config import Secrets, Settings

    with pytest.raises(ConfigError, match=r"jira\.url .*jira\.project .*PMT_JIRA_TOKEN"):
        get_backend("jira", Settings(), Secrets())
    monkeypatch.setenv("PMT_JIRA_TOKEN", "t")
    settings = Settings(jira={"url": "https://acme.atlassian.net", "project": "OPS"})
    built = get_backend("jira", settings, Secrets())
    assert isinstance(built, JiraBackend) and built.name == "jira"
    assert built.url_for("OPS-1") == "https://acme.atlassian.net/browse/OPS-1"
