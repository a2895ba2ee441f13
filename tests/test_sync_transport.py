"""The one retry policy both trackers' sessions carry (``sync.transport``), table-driven, plus what
a network fault means (``not_sent``) and the secrets kept out of every message (``sync.redact``)."""

from __future__ import annotations

import base64
import socket
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError, ProtocolError
from urllib3.response import HTTPResponse

from sync import redact
from sync.transport import RetryPolicy, not_sent, rate_limit_wait, retry_after, retry_policy
from tracker.config import Secrets

NOW = 1_000_000.0


def policy(slept: list[float] | None = None, **kw: Any) -> RetryPolicy:
    values: dict[str, Any] = {"idempotent": {"GET", "PUT"}, "clock": lambda: NOW}
    values.update(kw)
    return retry_policy(sleep=(slept.append if slept is not None else lambda s: None), **values)


def answer(status: int, headers: dict[str, str] | None = None) -> HTTPResponse:
    return HTTPResponse(body=b"{}", headers=headers or {}, status=status, preload_content=False)


@pytest.mark.parametrize(
    ("method", "status", "retried"),
    [
        ("GET", 503, True),
        ("PUT", 502, True),
        ("POST", 500, False),  # the tracker may have made the ticket
        ("POST", 503, False),
        ("GET", 404, False),
        ("POST", 429, True),  # a rate limit was not performed: increment decides
        ("POST", 403, True),
    ],
)
def test_what_may_be_sent_again(method: str, status: int, retried: bool) -> None:
    assert policy().is_retry(method, status, has_retry_after=True) is retried


def test_a_post_after_a_5xx_with_retry_after_is_never_sent_again() -> None:
    assert not policy().is_retry("POST", 503, has_retry_after=True)


@pytest.mark.parametrize(
    ("status", "headers", "message", "wait"),
    [
        (429, {}, "", 60.0),
        (429, {"Retry-After": "7"}, "", 7.0),
        (403, {"retry-after": "30"}, "secondary rate limit", 30.0),
        (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 100)}, "", 101.0),
        (403, {}, "You have exceeded a secondary rate limit", 60.0),
        (403, {}, "Resource not accessible by personal access token", None),
        (429, {"X-RateLimit-Reset": "1970-01-12T13:46:50+00:00"}, "", 10.0),  # Jira: an ISO time
        (500, {"Retry-After": "5"}, "", None),
    ],
)
def test_rate_limit_wait(
    status: int, headers: dict[str, str], message: str, wait: float | None
) -> None:
    assert rate_limit_wait(status, headers, NOW, message) == wait


def test_retry_after_takes_seconds_or_an_http_date() -> None:
    assert retry_after({"Retry-After": "12"}, NOW) == 12.0
    date = format_datetime(datetime.fromtimestamp(NOW + 90, UTC), usegmt=True)
    assert retry_after({"retry-after": date}, NOW) == 90.0
    assert retry_after({}, NOW) is None


def test_a_rate_limit_is_waited_out_once_then_given_back() -> None:
    slept: list[float] = []
    retry = policy(slept, rate_limit_retries=1)
    retry = retry.increment("POST", "/issues", response=answer(429, {"Retry-After": "7"}))
    retry.sleep(answer(429, {"Retry-After": "7"}))
    assert slept == [7.0]
    with pytest.raises(MaxRetryError):  # a second in a row: stop (the backend says until when)
        retry.increment("POST", "/issues", response=answer(429, {"Retry-After": "7"}))


def test_a_wait_longer_than_max_wait_is_not_waited() -> None:
    with pytest.raises(MaxRetryError):
        policy(max_wait=60).increment("GET", "/x", response=answer(429, {"Retry-After": "3600"}))
    with pytest.raises(MaxRetryError):
        policy(max_wait=60).increment("GET", "/x", response=answer(503, {"Retry-After": "120"}))


def test_a_403_that_is_no_rate_limit_is_given_back_at_once() -> None:
    with pytest.raises(MaxRetryError):
        policy().increment("GET", "/x", response=answer(403))


def test_a_refused_connection_is_never_retried() -> None:
    refused = NewConnectionError(
        None, "Failed to establish a new connection: [Errno 111] Connection refused"
    )  # type: ignore[arg-type]
    with pytest.raises(MaxRetryError) as caught:
        policy().increment("GET", "/x", error=refused)
    assert not_sent(caught.value) == "connection refused"


def test_a_lost_answer_is_retried_for_a_read_and_never_for_a_post() -> None:
    dropped = ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))
    assert isinstance(policy().increment("GET", "/x", error=dropped), RetryPolicy)
    with pytest.raises(ProtocolError):
        policy().increment("POST", "/issues", error=dropped)


def test_waits_survive_urllib3s_copies() -> None:
    slept: list[float] = []
    retry = policy(slept).increment("GET", "/x").increment("GET", "/x").increment("GET", "/x")
    retry.sleep()
    assert slept == [4.0]  # backoff 1, 2, 4: the third retry waits 4 s
    assert retry.new().sleep_fn == slept.append


# -- not sent: what a network fault means -------------------------------------------------


@pytest.fixture
def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def session(slept: list[float]) -> requests.Session:
    s = requests.Session()
    s.mount("http://", HTTPAdapter(max_retries=policy(slept)))
    return s


def test_a_refused_connection_through_requests_is_not_sent(closed_port: str) -> None:
    slept: list[float] = []
    with pytest.raises(requests.ConnectionError) as caught:
        session(slept).get(closed_port, timeout=2)
    assert not_sent(caught.value) == "connection refused"
    assert slept == []


def test_a_failed_dns_lookup_is_not_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*args: object, **kw: object) -> Any:
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    slept: list[float] = []
    with pytest.raises(requests.ConnectionError) as caught:
        session(slept).get("http://jira.invalid/rest/api/2/serverInfo", timeout=2)
    assert not_sent(caught.value) == "the host name could not be resolved (DNS)"
    assert slept == []


def test_an_answer_lost_after_sending_is_not_called_not_sent() -> None:
    assert not_sent(requests.ReadTimeout("read timed out")) is None
    assert not_sent(requests.ConnectionError(ProtocolError("Connection aborted."))) is None
    resolved = NameResolutionError("jira.invalid", None, socket.gaierror("x"))  # type: ignore[arg-type]
    assert not_sent(requests.ConnectionError(MaxRetryError(None, "/", resolved)))  # type: ignore[arg-type]


# -- redaction ----------------------------------------------------------------------------

TOKEN = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"


@pytest.mark.parametrize(
    "leak",
    [
        f"Authorization: token {TOKEN}",
        f"Authorization: Basic {base64.b64encode(f'ada@example.com:{TOKEN}'.encode()).decode()}",
        # Basic auth of a user pmt does not know: the token's own base64 run is found anyway.
        f"Authorization: Basic {base64.b64encode(f'x-access-token:{TOKEN}'.encode()).decode()}",
        f"Authorization: Basic {base64.b64encode(f'bo:{TOKEN}'.encode()).decode()}",
        f'{{"auth": "{TOKEN}"}}',
    ],
)
def test_redact_removes_every_form_of_a_secret(leak: str) -> None:
    forms = redact.secret_forms([TOKEN], users=["ada@example.com"])
    clean = redact.redact(leak, forms)
    assert TOKEN not in clean and redact.MASK in clean
    # Not even a long piece of the secret survives, in any encoding.
    for piece in (TOKEN[4:16], TOKEN[-12:]):
        assert piece not in clean
        assert base64.b64encode(piece.encode()).decode()[:8] not in clean


def test_a_secret_url_is_removed_as_it_is_and_url_encoded() -> None:
    from urllib.parse import quote

    hook = "https://hooks.slack.com/services/T0001/B0002/abcdefghijklmnop"
    forms = redact.secret_forms([hook])
    said = f"could not post to {hook} (next=https://proxy.example/?u={quote(hook, safe='')})"
    assert (
        redact.redact(said, forms)
        == f"could not post to {redact.MASK} (next=https://proxy.example/?u={redact.MASK})"
    )


def test_a_short_value_is_no_secret_and_words_stay_whole() -> None:
    forms = redact.secret_forms(["token", None, ""])
    assert forms == ()
    assert redact.redact("an API token", forms) == "an API token"


def test_the_environment_secrets_are_those_of_the_settings() -> None:
    """sync.redact names the variables of tracker.config.Secrets (the e-mail as Basic's user)."""
    aliases = {str(f.validation_alias) for f in Secrets.model_fields.values()}
    assert aliases == {*redact.SECRET_VARIABLES, *redact.USER_VARIABLES} - {"GITHUB_TOKEN"}
    assert redact.SECRET_VARIABLES == (
        "PMT_GITHUB_TOKEN",
        "GITHUB_TOKEN",
        "PMT_JIRA_TOKEN",
        "PMT_SLACK_WEBHOOK_URL",
        "PMT_GITHUB_WEBHOOK_SECRET",
        "PMT_JIRA_WEBHOOK_SECRET",
        "PMT_SERVE_TOKEN",
        "PMT_GITLAB_TOKEN",
    )
    assert redact.USER_VARIABLES == ("PMT_JIRA_EMAIL",)
    env = {"PMT_JIRA_TOKEN": TOKEN, "PMT_JIRA_EMAIL": "ada@example.com"}
    basic = base64.b64encode(f"ada@example.com:{TOKEN}".encode()).decode()
    assert redact.redact(f"Basic {basic}", redact.environment_forms(env)) == f"Basic {redact.MASK}"
