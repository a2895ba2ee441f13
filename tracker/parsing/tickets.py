"""The ticket-reference grammar, in one place: GitHub ``owner/repo#12`` and ``#12``, Jira-style
keys ``ABC-123`` and links to issues, and reading them out of an item's text.

Every pattern that names a reference is built here from the same pieces (``NUMBER_REF``,
``KEY_REF``, ``REF``, ``TICKET_REF``, ``WHOLE_REF``); the rest of the parser imports them, or
asks ``is_ticket`` and ``is_ticket_url``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tracker.parsing.vocabulary import words

if TYPE_CHECKING:
    from tracker.parsing.fields import Context, Fields


# --- the grammar ----------------------------------------------------------------------------

# GitHub's "#12" and "owner/repo#12"; a Jira-style key "ABC-123".
NUMBER_REF = r"(?:[\w.-]+/[\w.-]+)?#\d+"
KEY_REF = r"[A-Z][A-Z0-9]{1,9}-\d+"
REF = rf"{NUMBER_REF}|{KEY_REF}"
# A reference in running text, starting at a word's start (without that, "...$" patterns retry
# every position); the key is "key" for ``is_ticket``.
TICKET_REF = re.compile(rf"(?<![\w/.&#-])(?:{NUMBER_REF}\b|(?P<key>{KEY_REF})(?![\w-]))")
_REF = rf"(?<![\w.-])(?:{REF})"
# A cell or a line that is one reference and nothing else ("#12", "OPS-7", "acme/api#3").
WHOLE_REF = re.compile(rf"(?:{REF})$")
# Letters and digits that look like a key but name a standard or a thing: "UTF-8", "SEV-1".
_NOT_TICKET_KEYS = words(
    """
    UTF SHA ISO RFC CVE TLS SSL HTTP HTTPS IPV COVID GPT AES RSA MD ECDSA PEP GMT UTC SEV P A RAID
    DDR IEC EN DIN TCP UDP PCI SOC HIPAA GDPR S3 EC2 V K8S
    """
)
_TICKET_URL = re.compile(
    r"https?://[^\s/]+/(?:[^\s]*/)?(?:issues?|pulls?|merge_requests|tickets?|bugs?|browse|"
    r"show_bug\.cgi\?id=|issue)(?:/|=)?[A-Za-z0-9]*[-]?\d+(?:[/#?][^\s]*)?$",
    re.IGNORECASE,
)
# "Ticket: ABC-1", "PR #12", "tracked in acme/api#3": a key word before a reference.
_KEYED_TICKET = re.compile(
    r"(?:^|(?<=[\s(\[,;|]))(?:tickets?|issues?|bugs?|jira|tracking|tracked\s+in|pr|mr)\s*[:#]?\s*(?=[A-Z#\w/.-]*(?:#\d|[A-Z]-\d))",
    re.IGNORECASE,
)
PART_TICKET = re.compile(rf"^(?:tickets?|issues?|bugs?|jira|pr)\s*[:#]?\s*({_REF})$", re.IGNORECASE)
_REF_IN_GROUP = re.compile(rf"\s*(?:\(|\[)\s*(?:{_REF})(?:\s*[,/]\s*(?:{_REF}))*\s*(?:\)|\])")
_REF_AT_START = re.compile(rf"^(?:{_REF})\s*[:\-–—]\s*")
_KEY_DIGIT = re.compile(r"[A-Z0-9]-\d")

# Links: inline, by reference, shortcut ("[#12]" whose definition markdown-it took out), bare.
_INLINE_LINK = re.compile(
    r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^()\s>]+(?:\([^()\s]*\))?)>?(?:\s+[\"'(][^\"')]*[\"')])?\s*\)"
)
_REF_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])+)\]\[([^\[\]]*)\]")
_SHORTCUT_LINK = re.compile(r"(?<![\]\\])\[([^\[\]]+)\](?![\[(])")
_BARE_URL = re.compile(r"<?(https?://[^\s<>()]+(?:\([^\s()]*\))?[^\s<>()\].,;:!?'\"*_])>?")
# A link whose text only says where it goes ("issue", "PR 12", "#12"): it leaves the item's text.
_GENERIC_LINK_TEXT = re.compile(
    r"^(?:(?:github|gitlab|jira|linear)\s+)?(?:issue|ticket|bug|pr|pull\s+request|mr|merge\s+request|"
    r"link|here|tracking(?:\s+issue)?|jira|github|story|task|epic|change|fix|patch)s?(?:\s*#?\d+)?$|"
    rf"^(?:{REF})$|^https?://\S+$",
    re.IGNORECASE,
)
# A removed ticket leaves its wrapping behind: "(\x00)", "PR: \x00", "- \x00".
_REMOVED_IN_GROUP = re.compile(r"\s*(?:\(\s*(?:see\s+)?\x00(?:\s*,\s*\x00)*\s*\)|\[\s*\x00\s*\])")
_REMOVED_WITH_LABEL = re.compile(
    r"\s*(?:\b(?:see|tracked\s+in|ticket|issue|pr|pull\s+request|bug|jira|link)s?\s*:?\s*)?\x00",
    re.IGNORECASE,
)


def is_ticket(m: re.Match[str]) -> bool:
    """A match of ``TICKET_REF`` that is a ticket, not a standard's name ("UTF-8", "RFC-1918")."""
    key = m.group("key")
    return not (key and key.split("-")[0] in _NOT_TICKET_KEYS)


def may_hold_ref(s: str) -> bool:
    """A cheap guard before ``read_ticket_refs``."""
    return "#" in s or ("-" in s and _KEY_DIGIT.search(s) is not None)


def is_ticket_url(url: str) -> bool:
    """A link to an issue, a pull request or a ticket (GitHub, GitLab, Jira, Bugzilla, ...)."""
    return bool(_TICKET_URL.match(url))


def read_links(s: str, f: Fields, ctx: Context) -> str:
    def inline(m: re.Match[str]) -> str:
        text, url = m.group(1), m.group(2)
        if m.group(0).startswith("!"):
            return m.group(0)
        return _link(m.group(0), text, url, f)

    def reference(m: re.Match[str]) -> str:
        text, label = m.group(1), m.group(2) or m.group(1)
        url = ctx.references.get(_normalise_label(label))
        if url is None:
            return m.group(0)
        return _link(m.group(0), text, url, f)

    def shortcut(m: re.Match[str]) -> str:
        url = ctx.references.get(_normalise_label(m.group(1)))
        if url is None:
            return m.group(0)
        return _link(m.group(0), m.group(1), url, f)

    if "](" in s:
        s = _INLINE_LINK.sub(inline, s)
    if ctx.references and "[" in s:
        if "][" in s:
            s = _REF_LINK.sub(reference, s)
        s = _SHORTCUT_LINK.sub(shortcut, s)
    if "http" in s:

        def bare(m: re.Match[str]) -> str:
            url = m.group(1)
            if is_ticket_url(url):
                f.tickets.append(url)
                return "\x00"
            return m.group(0)

        s = _BARE_URL.sub(bare, s)
    if "\x00" in s:
        # A removed ticket leaves its wrapping behind: "(\x00)", "PR: \x00", "- \x00".
        s = _REMOVED_IN_GROUP.sub("", s)
        s = _REMOVED_WITH_LABEL.sub("", s)
        s = s.replace("\x00", "")
    return s


def _link(whole: str, text: str, url: str, f: Fields) -> str:
    if not is_ticket_url(url):
        return whole
    f.tickets.append(url)
    if _GENERIC_LINK_TEXT.match(text.strip().strip("*_`")):
        return "\x00"
    return text


def _normalise_label(label: str) -> str:
    return " ".join(label.split()).casefold().upper()


def read_ticket_refs(s: str, f: Fields) -> str:
    """References that stand apart ("(#12)", "[ABC-1]", "Ticket: ABC-1", a leading "ABC-1:" or
    a tail "- #12") are the item's tickets and leave its text; a reference inside the sentence
    ("see OPS-1420 first") is only mentioned: it stays in the text and is a related reference."""
    refs = [m.group(0) for m in TICKET_REF.finditer(s) if is_ticket(m)]
    if not refs:
        return s
    lower = s.lower()
    keyed: list[str] = []
    if any(word in lower for word in _TICKET_WORDS):

        def key_and_ref(m: re.Match[str]) -> str:
            ref = TICKET_REF.match(s, m.end())
            if ref is None:
                return " "
            keyed.append(ref.group(0))
            return " \x00"

        s = _KEYED_TICKET.sub(key_and_ref, s)
        for ref in keyed:  # "Ticket: ABC-1": the reference goes with its key
            s = s.replace("\x00" + ref, "", 1)
    before = s
    if "(" in s or "[" in s:
        s = _REF_IN_GROUP.sub(" ", s)
    s = _strip_trailing_refs(s)
    if s[:1] == "#" or s[:1].isupper() or s[:1].isdigit():
        s = _REF_AT_START.sub("", s)
    if len(s.split()) < 2:
        f.tickets.extend(refs)
        return before  # "Fix #12": the reference is the object of the sentence, and the item's
    left = {m.group(0) for m in TICKET_REF.finditer(s)}
    for ref in refs:
        if ref in keyed:
            f.tickets.append(ref)
            continue
        (f.related if ref in left else f.tickets).append(ref)
    return s


_TICKET_WORDS = ("ticket", "issue", "bug", "jira", "tracking", "tracked", "pr", "mr")


def _strip_trailing_refs(s: str) -> str:
    """Drop references standing at the end: "... - #12", "..., see ABC-1", "... #3 #4."."""
    while True:
        t = s.rstrip(" .")
        cut = max(t.rfind(" "), t.rfind("\t"))
        last = t[cut + 1 :]
        if (
            not last
            or not TICKET_REF.fullmatch(last)
            or (last[0].isupper() and last.split("-")[0] in _NOT_TICKET_KEYS)
        ):
            return s
        head = t[: cut + 1].rstrip()
        if head.endswith(("-", "–", "—", ",", ";", ":", "|")):
            head = head[:-1].rstrip()
        elif head.endswith((" see", " See")):
            return s  # "..., see ABC-1": a mention
        elif head.endswith((" in", " In")):
            head = head[:-3].rstrip()
        s = head
