"""A file's content hash: its bytes and the settings that shape its rows.

The store keeps each postmortem's hash; an ingest skips a file whose hash is the stored one
before parsing it, and a write-back refuses to edit a file whose hash is not the one its plan
was made from (``document_digest`` is the function both use).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.config import Settings

# Bump when ingest would store different rows for the same file (it re-ingests everything).
INGEST_VERSION = "2"  # 2: action_item.owner_handle


def settings_fingerprint(settings: Settings) -> str:
    """What besides a file's bytes decides its rows: a change re-ingests unchanged files."""
    shaping = {
        "version": INGEST_VERSION,
        "parsing": settings.parsing.model_dump(),
        "deadlines": settings.deadlines.model_dump(),
        "timezone": settings.timezone,
    }
    return hashlib.sha256(json.dumps(shaping, sort_keys=True).encode()).hexdigest()[:16]


def content_hash(data: bytes, fingerprint: str) -> str:
    return hashlib.sha256(fingerprint.encode() + b"\x00" + data).hexdigest()


def document_digest(settings: Settings) -> Callable[[bytes], str]:
    """The content hash of a document's bytes under ``settings``, as the store keeps it."""
    fingerprint = settings_fingerprint(settings)
    return lambda data: content_hash(data, fingerprint)


_FRONT_MATTER_ID = re.compile(
    r"^id:[ \t]*['\"]?(?P<id>[^'\"\r\n#]+?)['\"]?[ \t]*(?:#.*)?$", re.MULTILINE
)


def unchanged_key(
    data: bytes, digest: str, by_path: str, path: str, known: dict[str, tuple[str, str | None]]
) -> str | None:
    """The key of the stored postmortem this file is byte-for-byte, at the same stored
    ``path``, or None (parse it: a moved file's new path is then stored).

    The key needs the front matter's id, so look for it without parsing; a miss only costs a
    parse (the hash is checked again under the lock).
    """
    candidates = [by_path]
    if data.startswith(b"---"):
        end = data.find(b"\n---", 3)
        if end > 0:
            head = data[3:end].decode("utf-8", "replace")
            if m := _FRONT_MATTER_ID.search(head):
                candidates.insert(0, m.group("id").strip())
    for key in candidates:
        stored = known.get(key)
        if stored is not None and stored[1] == digest and stored[0] == path:
            return key
    return None
