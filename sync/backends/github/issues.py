"""GitHub issue JSON to pmt's types; issue keys, references and addresses. Pure."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sync.base import RemoteTicket, RequestError, TicketDraft, TicketState
from sync.markers import read_marker

REPO = r"(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?P<repo>[A-Za-z0-9._-]{1,100})"
KEY = re.compile(rf"^{REPO}#(?P<number>\d+)$")
_NEXT = re.compile(r'<(?P<url>[^>]+)>\s*;\s*rel="next"')
_SHORT = re.compile(r"^#(?P<number>\d+)$")
_MD_LINK = re.compile(r"^\[[^\]]*\]\((?P<url>[^)\s]+)\)$")


def canonical_key(full: str, number: int, repo_name: str) -> str:
    """``owner/repo#number``, spelt as configured when it is the configured repository."""
    if full.lower() == repo_name.lower():
        full = repo_name
    return f"{full}#{number}"


def parse_ref(ref: str, repo_name: str, web: str) -> str | None:
    """The key of ``#12``, ``owner/repo#12``, an issue URL on ``web`` or a Markdown link to
    one; None when the reference is not a GitHub issue of that host."""
    ref = ref.strip()
    link = _MD_LINK.match(ref)
    if link:
        ref = link["url"]
    short = _SHORT.match(ref)
    if short:
        return f"{repo_name}#{int(short['number'])}"
    key = KEY.match(ref)
    if key:
        return canonical_key(f"{key['owner']}/{key['repo']}", int(key["number"]), repo_name)
    parts = urlsplit(ref)
    if parts.scheme in ("http", "https") and parts.netloc.lower() == urlsplit(web).netloc:
        match = re.fullmatch(rf"/{REPO}/issues/(?P<number>\d+)/?", parts.path)
        if match:
            return canonical_key(
                f"{match['owner']}/{match['repo']}", int(match["number"]), repo_name
            )
    return None


def ticket(key: str, raw: dict[str, Any]) -> RemoteTicket:
    state: TicketState = "closed" if raw.get("state") == "closed" else "open"
    assignees = raw.get("assignees") or ([raw["assignee"]] if raw.get("assignee") else [])
    return RemoteTicket(
        key=key,
        url=str(raw.get("html_url") or ""),
        title=str(raw.get("title") or ""),
        state=state,
        state_reason=raw.get("state_reason"),
        assignee=assignees[0].get("login") if assignees else None,
        closed_at=parse_time(raw.get("closed_at")),
        updated_at=parse_time(raw.get("updated_at")),
        marker=read_marker(raw.get("body")),
        labels=tuple(label_names(raw)),
    )


def label_names(raw: dict[str, Any]) -> list[str]:
    return [
        label["name"] if isinstance(label, dict) else str(label)
        for label in raw.get("labels") or []
    ]


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value)).astimezone(UTC)


def split_key(key: str) -> tuple[str, int]:
    match = KEY.match(key.strip())
    if not match:
        raise RequestError(f"not a GitHub issue key: {key!r} (expected owner/repo#number)")
    return f"{match['owner']}/{match['repo']}", int(match["number"])


def web_base(api_url: str) -> str:
    """https://api.github.com -> https://github.com; https://ghe.example/api/v3 -> https://ghe.example."""
    parts = urlsplit(api_url.rstrip("/"))
    host = parts.netloc
    if host.lower().startswith("api."):
        host = host[4:]
    return f"{parts.scheme or 'https'}://{host}"


def next_page(headers: dict[str, Any]) -> str | None:
    """The ``rel="next"`` address of a paginated answer's ``Link`` header, or None."""
    link = next((str(v) for k, v in headers.items() if str(k).lower() == "link"), "")
    match = _NEXT.search(link)
    return match["url"] if match else None


def describe(draft: TicketDraft) -> str:
    if draft.role == "tracking":
        return f"the tracking issue of {draft.marker.postmortem_key}"
    text = " ".join(draft.text.split())
    where = f" ({draft.marker.postmortem_key})"
    return f"'{text[:60]}{'…' if len(text) > 60 else ''}'{where}"
