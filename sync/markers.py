"""The hidden marker that ties a ticket to the action item it was made from.

The local store is authoritative; the marker is for recovery. A run that crashed between
creating a ticket and recording the link finds the ticket again by its marker instead of creating
a second one. The marker must therefore be findable with one bulk read on every tracker:

- ``token``: ``pmt-`` and 16 hex digits of a hash of (postmortem key, item uid). It is written
  in the ticket body inside an HTML comment on GitHub, and as a label on Jira.
- ``postmortem_token``: ``pmt-pm-`` and 10 hex digits of a hash of the postmortem key, a label
  on every ticket of that postmortem, so that one listing by label returns all of them.

Built and read here, and nowhere else.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_COMMENT = re.compile(
    r"<!--\s*pmt:marker\s+token=(?P<token>pmt-[0-9a-f]{16})\s+"
    r"postmortem=(?P<pm>\S+)\s+item=(?P<item>\S+)\s*-->"
)


@dataclass(frozen=True)
class Marker:
    postmortem_key: str
    item_uid: str

    @property
    def token(self) -> str:
        digest = hashlib.sha256(f"{self.postmortem_key}\x00{self.item_uid}".encode()).hexdigest()
        return f"pmt-{digest[:16]}"

    @property
    def postmortem_token(self) -> str:
        return postmortem_token(self.postmortem_key)

    def html_comment(self) -> str:
        """The marker as an invisible line of a Markdown body (GitHub)."""
        pm = _quote(self.postmortem_key)
        return (
            f"<!-- pmt:marker token={self.token} postmortem={pm} item={_quote(self.item_uid)} -->"
        )


def postmortem_token(postmortem_key: str) -> str:
    digest = hashlib.sha256(postmortem_key.encode()).hexdigest()
    return f"pmt-pm-{digest[:10]}"


def read_marker(body: str | None) -> Marker | None:
    """The marker in a ticket body, or None. A tampered marker (token mismatch) is ignored."""
    if not body:
        return None
    match = _COMMENT.search(body)
    if not match:
        return None
    marker = Marker(_unquote(match["pm"]), _unquote(match["item"]))
    return marker if marker.token == match["token"] else None


def _quote(value: str) -> str:
    # Keys are paths or ids: keep them readable, but no spaces or "-->" inside the comment.
    return value.replace("%", "%25").replace(" ", "%20").replace("-->", "%2D%2D>")


def _unquote(value: str) -> str:
    return value.replace("%2D%2D>", "-->").replace("%20", " ").replace("%25", "%")
