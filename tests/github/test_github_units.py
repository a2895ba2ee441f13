"""The GitHub backend's pure parts: references, rendering, retry policy, fault translation,
and the registry. No HTTP here."""

from __future__ import annotations

from datetime import date

import pytest
from github.GithubException import GithubException

from sync.backends.github import render
from sync.backends.github.backend import GitHubBackend
from sync.backends.github.faults import idempotent_retry, rate_limit_wait, translate
from sync.base import (
    AuthError,
    NotFoundError,
    RateLimitedError,
    RequestError,
    TicketDraft,
    TransientError,
)
from sync.markers import Marker
from sync.registry import BACKENDS, get_backend
from tests.github.conftest import draft
from tracker.config import GitHubSettings, Secrets, Settings
from tracker.errors import ConfigError


def _backend(api_url: str = "https://api.github.com") -> GitHubBackend:
    return GitHubBackend(GitHubSettings(repo="acme/ops", api_url=api_url), "t")


@pytest.mark.parametrize(
    ("ref", "key"),
    [
        ("#12", "acme/ops#12"),
        (" #7 ", "acme/ops#7"),
        ("acme/ops#12", "acme/ops#12"),
        ("ACME/Ops#3", "acme/ops#3"),
        ("other-org/infra.tools#44", "other-org/infra.tools#44"),
        ("https://github.com/acme/ops/issues/12", "acme/ops#12"),
        ("https://github.com/acme/ops/issues/12/", "acme/ops#12"),
        ("[#123](https://github.com/acme/ops/issues/123)", "acme/ops#123"),
        ("https://github.com/acme/ops/pull/12", None),
        ("https://gitlab.com/acme/ops/issues/12", None),
        ("OPS-12", None),
        ("12", None),
        ("", None),
    ],
)
def test_parse_ref(ref: str, key: str | None) -> None:
    assert _backend().parse_ref(ref) == key


def test_enterprise_server_references_and_urls() -> None:
    backend = _backend("https://ghe.example.com/api/v3")
    assert backend.url_for("acme/ops#5") == "https://ghe.example.com/acme/ops/issues/5"
    assert backend.parse_ref("https://ghe.example.com/acme/ops/issues/5") == "acme/ops#5"
    assert backend.parse_ref("https://github.com/acme/ops/issues/5") is None


def test_url_for_round_trips_through_parse_ref() -> None:
    backend = _backend()
    assert backend.parse_ref(backend.url_for("acme/ops#42")) == "acme/ops#42"


@pytest.mark.parametrize("repo", [None, "", "acme", "acme/ops/extra", "a b/c"])
def test_a_bad_repo_setting_is_a_config_error(repo: str | None) -> None:
    with pytest.raises(ConfigError, match="github.repo"):
        GitHubBackend(GitHubSettings(repo=repo), "t")


def test_title_short_text_is_kept_on_one_line() -> None:
    assert render.title_for(draft(text="Fix  the\nalert ")) == "Fix the alert"


def test_title_of_one_enormous_word_is_cut_hard() -> None:
    title = render.title_for(draft(text="x" * 400))
    assert len(title) == 256 and title.endswith("…")


def test_title_cut_drops_trailing_punctuation_before_the_ellipsis() -> None:
    text = ("word, " * 60).strip()
    title = render.title_for(draft(text=text))
    assert len(title) <= 256
    assert title.endswith("word…")


def test_labels_for_an_item_and_for_a_tracking_issue() -> None:
    item = draft(priority="P2", labels=("team-db", "Postmortem"))
    labels = render.labels_for(item, ["postmortem", "action-item"], "priority:{priority}")
    assert labels == [
        "postmortem",
        "action-item",
        "priority:P2",
        "team-db",
        item.marker.postmortem_token,
    ]
    tracking = TicketDraft(
        marker=Marker("pm.md", "_tracking"), text="t", role="tracking", priority="P1"
    )
    assert "priority:P1" not in render.labels_for(tracking, ["postmortem"], "priority:{priority}")
    assert render.labels_for(item, [], "") == [
        "team-db",
        "Postmortem",
        item.marker.postmortem_token,
    ]


def test_body_without_optional_fields_still_has_text_and_marker() -> None:
    bare = TicketDraft(marker=Marker("pm.md", "a1"), text="Do the thing")
    body = render.body_for(bare, None)
    assert body.startswith("Do the thing\n")
    assert "| Field |" not in body and "**Postmortem:**" not in body
    assert bare.marker.html_comment() in body


def test_body_escapes_table_breakers_in_cells() -> None:
    body = render.body_for(draft(owner="Ops | SRE"), None)
    assert "| Owner | Ops \\| SRE |" in body


def test_the_retry_policy_never_resends_a_post() -> None:
    retry = idempotent_retry(lambda s: None, 60)
    assert retry.is_retry("GET", 502)
    assert retry.is_retry("PATCH", 503)
    assert not retry.is_retry("POST", 500)
    assert not retry.is_retry("POST", 503, has_retry_after=True)
    # A rate limit was not performed: the policy may wait it out, even for a POST
    # (``increment`` decides from the headers; see tests/test_sync_transport.py).
    assert retry.is_retry("POST", 429, has_retry_after=True)
    assert not retry.is_retry("GET", 404)


def test_the_retry_policy_sleeps_through_the_injected_function() -> None:
    slept: list[float] = []
    retry = idempotent_retry(slept.append, 60)
    retry = retry.increment("GET", "/x").increment("GET", "/x").increment("GET", "/x")
    retry.sleep()
    assert slept and slept[0] > 0
    assert retry.new().sleep_fn == slept.append  # kept across urllib3's copies


def _exc(status: int, message: str, headers: dict[str, str] | None = None) -> GithubException:
    return GithubException(status, {"message": message}, headers or {})


@pytest.mark.parametrize(
    ("status", "message", "headers", "wait"),
    [
        (403, "You have exceeded a secondary rate limit.", {"Retry-After": "30"}, 30.0),
        (429, "Too many", {}, 60.0),
        (
            403,
            "API rate limit exceeded for user",
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1100"},
            101.0,
        ),
        (403, "Resource not accessible by personal access token", {}, None),
        (500, "Server Error", {"Retry-After": "5"}, None),
    ],
)
def test_rate_limit_wait(
    status: int, message: str, headers: dict[str, str], wait: float | None
) -> None:
    assert rate_limit_wait(_exc(status, message, headers), now=1000.0) == wait


@pytest.mark.parametrize(
    ("exc", "kind", "words"),
    [
        (_exc(401, "Bad credentials"), AuthError, "PMT_GITHUB_TOKEN"),
        (_exc(403, "Resource not accessible by integration"), AuthError, "write access"),
        (_exc(404, "Not Found"), NotFoundError, "github.repo"),
        (_exc(410, "Issues are disabled for this repo"), NotFoundError, "disabled"),
        (_exc(422, "Validation Failed"), RequestError, "422"),
        (_exc(502, "Bad Gateway"), TransientError, "502"),
        (_exc(403, "secondary rate limit", {"Retry-After": "120"}), RateLimitedError, "try again"),
    ],
)
def test_translate(exc: GithubException, kind: type, words: str) -> None:
    error = translate(exc, "doing it", now=0.0)
    assert type(error) is kind
    assert words in str(error)


def test_a_failed_create_says_its_outcome_is_unknown() -> None:
    import requests

    error = translate(
        requests.exceptions.ReadTimeout("read timed out"), "creating", now=0.0, creating=True
    )
    assert isinstance(error, TransientError)
    assert "may or may not have been created" in str(error)
    assert error.outcome_unknown  # so the engine does not say it a second time
    read = translate(_exc(500, "x"), "reading", now=0.0)
    assert "may or may not" not in str(read)
    assert isinstance(read, TransientError) and not read.outcome_unknown


def test_a_rate_limit_error_carries_its_reset_time() -> None:
    error = translate(
        _exc(
            403,
            "API rate limit exceeded",
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "5000"},
        ),
        "listing",
        now=1000.0,
    )
    assert isinstance(error, RateLimitedError)
    assert error.reset_at is not None and error.reset_at.timestamp() == 5001.0


def test_registry_names_github() -> None:
    assert "github" in BACKENDS


def test_registry_refuses_a_missing_repo_or_token() -> None:
    with pytest.raises(ConfigError, match="PMT_GITHUB_REPO"):
        get_backend("github", Settings(), Secrets())
    settings = Settings(github=GitHubSettings(repo="acme/ops"))
    with pytest.raises(ConfigError, match="PMT_GITHUB_TOKEN"):
        get_backend("github", settings, Secrets())
    with pytest.raises(ConfigError, match="unknown tracker"):
        get_backend("gitlab", settings, Secrets())


def test_registry_takes_the_token_from_github_token_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "from-actions")
    backend = get_backend("github", Settings(github=GitHubSettings(repo="acme/ops")))
    assert backend.name == "github"
    assert backend.url_for("acme/ops#1") == "https://github.com/acme/ops/issues/1"


def test_drafts_with_a_due_date_but_milestones_off_ask_for_no_milestone() -> None:
    backend = _backend()
    assert backend._milestone(date(2026, 4, 1)) is None  # no request: milestones are off
