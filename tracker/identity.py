"""Who is who across ingests: postmortem keys and action-item identity.

A postmortem is known by its front-matter ``id``, else by its path relative to
``[ingest] root`` (posix separators; a relative root is under the project root, see
``tracker.paths``, so the key does not depend on the folder pmt runs in), so renaming a file
with an id keeps its history.

An action item keeps its ``uid`` while its document is edited. ``match_items`` pairs the items
of the new version with the ones the store knows, in three passes:

1. **Ticket anchors.** An item whose ticket reference (``#12``, ``acme/ops#12``, ``OPS-12`` or
   their URLs) is known for a stored item is that item, whatever its wording now.
2. **Exact text.** Same normalised text (case, Markdown emphasis, links, ticket references,
   punctuation and spacing ignored); repeated texts pair in document order.
3. **Fuzzy.** The remaining pairs whose similarity is at least ``FUZZY_THRESHOLD`` (0.6) are
   assigned greedily, best pair first. Similarity is the larger of difflib's ratio on the
   normalised text and the Dice coefficient of their word sets, so both a typo fix and a
   reordering of words ("Alert on disk usage" / "Add disk usage alerting") count as light edits.

Stored items that are no longer in the document (removed ones included) may be matched, so
an item that comes back is restored rather than born again. Active items win ties.

A new item's uid is a hash of the postmortem key, its normalised text at first sight and an
occurrence number, so two runs ingesting the same document at once compute the same uids.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from tracker.models import ActionItem, Postmortem

FUZZY_THRESHOLD = 0.6

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_URL = re.compile(r"https?://\S+")
_GITHUB_URL = re.compile(r"github\.com/[^/\s]+/[^/\s]+/(?:issues|pull)/(\d+)", re.IGNORECASE)
_JIRA_KEY = re.compile(r"\b([A-Z][A-Z0-9_]+-\d+)\b")
_GITHUB_REF = re.compile(r"(?:[\w.-]+/[\w.-]+)?#(\d+)\b")
# URLs and ticket references, removed from an item's words in one pass.
_NOT_WORDS = re.compile("|".join(p.pattern for p in (_URL, _JIRA_KEY, _GITHUB_REF)))
_NON_WORD = re.compile(r"[^\w]+")


def postmortem_key(pm: Postmortem, root: str | os.PathLike[str] = ".") -> str:
    """Front-matter id, else the path relative to ``root`` (absolute when outside it)."""
    if pm.id is not None and str(pm.id).strip():
        return str(pm.id).strip()
    return path_key(pm.path, root)


def path_key(path: str | os.PathLike[str], root: str | os.PathLike[str] = ".") -> str:
    """``path`` relative to ``root`` in posix form; absolute when it is outside ``root``.

    Absolute paths by ``abspath`` (no symbolic links followed): resolving every file of a
    large tree costs a system call per folder of its path, on every ingest.
    """
    absolute = os.path.abspath(path)
    base = os.path.abspath(root)
    if absolute == base or absolute.startswith(base.rstrip(os.sep) + os.sep):
        return Path(os.path.relpath(absolute, base)).as_posix()
    return Path(absolute).as_posix()


def declared_id(key: str, path: str) -> str | None:
    """The postmortem's own id (front matter ``id:``), or None when its key is only its path
    (relative to ``[ingest] root``, itself under the project root the stored path is relative to)."""
    if key == path or path.endswith("/" + key) or os.path.isabs(key):
        return None
    return key


def postmortem_label(key: str, path: str) -> str:
    """How people are shown a postmortem everywhere: its path relative to the project root
    (the repository's root), and its id when it has one: ``postmortems/x.md (id INC-7)``."""
    own = declared_id(key, path)
    return f"{path} (id {own})" if own else path


def normalise_text(text: str) -> str:
    """The words of an item, for comparison: no Markdown, tickets, punctuation or case."""
    # Most items are plain ASCII words and spaces: then the patterns below can only squeeze
    # the spaces (no "_", "#", "-", "(" or "http" to match), and this is the same text faster.
    if text.isascii() and text.replace(" ", "").isalnum():
        return " ".join(text.lower().split())
    if "](" in text:
        text = _LINK.sub(r"\1", text)
    text = _NOT_WORDS.sub(" ", text)
    return " ".join(_NON_WORD.sub(" ", text.lower()).replace("_", " ").split())


def ticket_anchor(ref: str | None) -> str | None:
    """A ticket reference reduced to what identifies it within one postmortem.

    ``#12``, ``acme/ops#12`` and ``https://github.com/acme/ops/issues/12`` are all ``#12``;
    ``OPS-12`` and ``https://x.atlassian.net/browse/OPS-12`` are ``OPS-12``.
    """
    if not ref:
        return None
    if m := _GITHUB_URL.search(ref):
        return f"#{m.group(1)}"
    if m := _JIRA_KEY.search(ref.upper() if "/" not in ref else ref):
        return m.group(1).upper()
    if m := _GITHUB_REF.search(ref):
        return f"#{m.group(1)}"
    return None


def similarity(a: str, b: str) -> float:
    """How alike two normalised texts are, 0..1 (see the module docstring)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    words_a, words_b = set(a.split()), set(b.split())
    dice = 2 * len(words_a & words_b) / (len(words_a) + len(words_b))
    return max(dice, SequenceMatcher(None, a, b, autojunk=False).ratio())


def item_uid(postmortem_key: str, normalised: str, occurrence: int) -> str:
    digest = hashlib.sha256(f"{postmortem_key}\x00{normalised}\x00{occurrence}".encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class KnownItem:
    """What identity needs of an item the store already has."""

    uid: str
    text: str
    # False for an item marked removed: it may come back, but active items win ties.
    active: bool = True
    position: int = 0
    # Ticket references: the one written in the document and the keys of linked tickets.
    tickets: tuple[str, ...] = ()
    normalised: str = field(default="", compare=False)

    def norm(self) -> str:
        return self.normalised or normalise_text(self.text)


def match_items(
    postmortem_key: str, known: Sequence[KnownItem], items: Sequence[ActionItem]
) -> list[str]:
    """The uid of each of ``items`` (same order): a known item's, or a new deterministic one."""
    norms = [normalise_text(i.text) for i in items]
    if not known:  # a new postmortem (most of a first ingest): nothing to match
        return _new_uids(postmortem_key, norms, [None] * len(items), set())
    result: list[str | None] = [None] * len(items)
    taken: set[int] = set()  # indexes into known
    known_norms = [k.norm() for k in known]

    def claim(item_index: int, known_index: int) -> None:
        result[item_index] = known[known_index].uid
        taken.add(known_index)

    # 1. Ticket anchors.
    by_anchor: dict[str, list[int]] = {}
    for k_index, k in enumerate(known):
        for anchor in {ticket_anchor(t) for t in k.tickets} - {None}:
            by_anchor.setdefault(anchor, []).append(k_index)  # type: ignore[arg-type]
    for i_index, item in enumerate(items):
        anchor = ticket_anchor(item.ticket)
        candidates = [k for k in by_anchor.get(anchor or "", []) if k not in taken]
        if candidates:
            # Several stored items with one ticket: prefer the same words, then an active one.
            best = max(
                candidates, key=lambda k: (known_norms[k] == norms[i_index], known[k].active, -k)
            )
            claim(i_index, best)

    # 2. Exact normalised text, in document order; active items before removed ones.
    by_text: dict[str, list[int]] = {}
    order = sorted(range(len(known)), key=lambda k: (not known[k].active, known[k].position, k))
    for k_index in order:
        by_text.setdefault(known_norms[k_index], []).append(k_index)
    for i_index in range(len(items)):
        if result[i_index] is not None:
            continue
        for k_index in by_text.get(norms[i_index], []):
            if k_index not in taken:
                claim(i_index, k_index)
                break

    # 3. Fuzzy, greedy best-first.
    open_items = [i for i in range(len(items)) if result[i] is None]
    open_known = [k for k in range(len(known)) if k not in taken]
    if open_items and open_known:
        pairs = []
        for i_index in open_items:
            for k_index in open_known:
                score = similarity(norms[i_index], known_norms[k_index])
                if score >= FUZZY_THRESHOLD:
                    distance = abs(known[k_index].position - i_index)
                    pairs.append((-score, not known[k_index].active, distance, i_index, k_index))
        pairs.sort()
        for _score, _removed, _distance, i_index, k_index in pairs:
            if result[i_index] is None and k_index not in taken:
                claim(i_index, k_index)

    return _new_uids(postmortem_key, norms, result, {k.uid for k in known})


def _new_uids(
    postmortem_key: str, norms: list[str], result: list[str | None], stored: set[str]
) -> list[str]:
    """Fill the gaps of ``result`` with deterministic uids that collide with nothing stored
    or assigned."""
    used = stored | {uid for uid in result if uid is not None}
    uids: list[str] = []
    for i_index, uid in enumerate(result):
        if uid is None:
            occurrence = 0
            uid = item_uid(postmortem_key, norms[i_index], occurrence)
            while uid in used:
                occurrence += 1
                uid = item_uid(postmortem_key, norms[i_index], occurrence)
            used.add(uid)
        uids.append(uid)
    return uids


def unmatched(known: Iterable[KnownItem], uids: Iterable[str]) -> list[KnownItem]:
    """Known items that ``match_items`` gave to no item of the new version."""
    kept = set(uids)
    return [k for k in known if k.uid not in kept]
