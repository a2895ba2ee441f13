"""Secrets out of everything pmt says: ``redact`` is the one function, used at every boundary.

A tracker may echo the request in an error body (a proxy's 500 page, a debug endpoint), which
holds the ``Authorization`` header: GitHub's ``token ghp_…``, Jira Cloud's ``Basic
base64(e-mail:token)``, Data Center's ``Bearer <token>``. So every configured secret is removed
from a text in every form it travels in:

- as it is, URL-encoded and JSON-escaped;
- base64-encoded, alone or inside a longer value (``user:token`` for Basic auth, whoever the
  user is): for each of the three alignments a secret can have in a base64 stream, the run of
  characters that depends on the secret alone is removed, which leaves no more than two bytes of
  it on either side.

Where it is applied: the backends build every error message through it (``redact_error``, the
error boundary), and the command line passes every message, JSON document and library log line
through it again (``cli.app``), with the secrets of the environment. Secrets shorter than
``MIN_SECRET`` characters are not searched for: they are no credential, and removing every
occurrence of a short word would garble the messages.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import ParamSpec, TypeVar
from urllib.parse import quote, quote_plus

from tracker.config import credential_variables
from tracker.errors import PmtError

MIN_SECRET = 8
MASK = "<redacted>"
E = TypeVar("E", bound=PmtError)
P = ParamSpec("P")

# The environment variables holding secrets, and the one holding the user name of Jira Cloud's
# basic auth: those ``tracker.config.Secrets`` reads.
SECRET_VARIABLES = credential_variables(users=False)
USER_VARIABLES = credential_variables(users=True)


def environment_forms(environ: Mapping[str, str]) -> tuple[str, ...]:
    """``secret_forms`` of every secret configured in the environment."""
    return secret_forms(
        [environ.get(name) for name in SECRET_VARIABLES],
        users=[environ.get(name) for name in USER_VARIABLES],
    )


def secret_forms(
    secrets: Iterable[str | None], users: Iterable[str | None] = ()
) -> tuple[str, ...]:
    """Every text form of ``secrets`` to remove, longest first; ``users`` are the user names of
    Basic auth (``base64(user:secret)`` is then removed whole as well)."""
    forms: set[str] = set()
    names = [u for u in users if u]
    for secret in secrets:
        if not secret or len(secret) < MIN_SECRET:
            continue
        raw = secret.encode()
        forms.update({secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]})
        values = [raw, *(f"{user}:{secret}".encode() for user in names)]
        for value in values:
            for encoded in (base64.b64encode(value), base64.urlsafe_b64encode(value)):
                text = encoded.decode()
                forms.update({text, text.rstrip("=")})
        forms.update(_base64_cores(raw))
    return tuple(sorted((f for f in forms if len(f) >= MIN_SECRET), key=len, reverse=True))


def _base64_cores(raw: bytes) -> set[str]:
    """The base64 characters that encode ``raw`` alone, whatever surrounds it, per alignment."""
    cores: set[str] = set()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw + b"\0\0")
        # Characters of groups holding a neighbour's byte depend on it: drop them.
        start = 4 if shift else 0
        end = ((shift + len(raw)) // 3) * 4
        core = encoded[start:end].decode()
        cores.update({core, core.replace("+", "-").replace("/", "_")})
    return cores


def redact(text: str, forms: Sequence[str]) -> str:
    """``text`` with every form of a secret (``secret_forms``) replaced by ``<redacted>``."""
    for form in forms:
        if form in text:
            text = text.replace(form, MASK)
    return text


def redact_error(error: E, forms: Sequence[str]) -> E:
    """The same error, its message redacted (the backends' error boundary)."""
    clean = redact(error.message, forms)
    if clean != error.message:
        error.message = clean
        error.args = (clean,)
    return error


def redacting(translate: Callable[P, E]) -> Callable[P, E]:
    """A fault translation whose error comes out redacted of its ``secrets=`` keyword argument
    (every form of each, as ``secret_forms`` made them)."""

    @functools.wraps(translate)
    def translated(*args: P.args, **kwargs: P.kwargs) -> E:
        forms = kwargs.get("secrets") or ()
        assert isinstance(forms, Sequence)
        return redact_error(translate(*args, **kwargs), forms)

    return translated


# Loggers whose handlers print: PyGithub's "github" has its own stderr handler; others reach
# stderr through logging's last-resort handler when no handler is configured (pmt sets none).
LIBRARY_LOGGERS = ("github", "jira", "urllib3", "requests")


def redact_logs(forms: Sequence[str]) -> None:
    """Make every log line that can reach stderr go through ``redact`` with ``forms`` too."""
    if not forms:
        return
    handlers = [logging.lastResort] + [
        h for name in LIBRARY_LOGGERS for h in logging.getLogger(name).handlers
    ]
    for handler in handlers:
        if handler is None:
            continue
        found = next((f for f in handler.filters if isinstance(f, RedactingFilter)), None)
        if found is None:
            found = RedactingFilter()
            handler.addFilter(found)
        found.add(forms)


class RedactingFilter(logging.Filter):
    """A log handler filter that redacts each record's message (library log lines)."""

    def __init__(self, forms: Sequence[str] = ()) -> None:
        super().__init__()
        self.forms: Sequence[str] = tuple(forms)

    def add(self, forms: Sequence[str]) -> None:
        self.forms = tuple(sorted({*self.forms, *forms}, key=len, reverse=True))

    def filter(self, record: logging.LogRecord) -> bool:
        if self.forms:
            message = record.getMessage()
            clean = redact(message, self.forms)
            if clean != message:
                record.msg, record.args = clean, None
            if record.exc_info and record.exc_info[1] is not None:
                record.exc_text = redact(
                    logging.Formatter().formatException(record.exc_info), self.forms
                )
                record.exc_info = None
        return True
