"""How an item's sentence is written: an imperative or a gerund ("Add ...", "Adding ...") or
finished work ("Added a metric ...", "The script was updated ...", "We rolled back ...")."""

from __future__ import annotations

import re

from tracker.parsing.vocabulary import ACTION_VERBS, words

_PAST_PASSIVE = re.compile(
    r"^(?P<subject>(?:[\w\"'`’/.-]+\s+){1,8}?)(?:was|were|has\s+been|have\s+been|had\s+been|got)\s+"
    r"(?:(?:now|also|then|already|\w+ly)\s+)?[a-z]+(?:ed|en|wn|ne|lt|nt|ught|ut|de)\b",
    re.IGNORECASE,
)

_WE_DID = re.compile(
    r"^(?:we|i|they|our team|the team)\s+(?:have\s+|'ve\s+|’ve\s+|had\s+|already\s+|also\s+|then\s+)*(?!been\b)"
    r"([a-z]+(?<!e)ed|built|wrote|made|ran|took|sent|set up|put|began|found|split|shut|cut|rewrote|upgraded)\b",
    re.IGNORECASE,
)

_NOT_DONE_PAST = words(
    """
    planned needed wanted intended hoped expected started continued agreed decided proposed
    considered discussed noticed believed assumed suspected learned learnt realized realised
    observed saw tried attempted failed missed used relied lacked
    """
)

_MODAL = re.compile(
    r"\b(?:will|should|must|would|could|need|needs|plan|planned|not|never|if|when|once|until)\b",
    re.IGNORECASE,
)

_PAST_OPENERS = words(
    """
    added fixed created updated deployed migrated removed wrote rewrote moved replaced reverted
    implemented introduced configured patched upgraded enabled disabled increased decreased reduced
    rolled raised lowered documented published released merged shipped installed restarted rotated
    renamed deleted refactored resolved completed finished identified built set
    """
)

_WORD = re.compile(r"[A-Za-z][\w'’-]*")


def looks_done(text: str, first_person: bool = True) -> bool:
    """Written as finished work: "The script was updated to ...", "Added a metric for ...",
    and with ``first_person`` "We added ..." (a to-do list's item, not a story's sentence)."""
    lead = _LEAD_TITLE.match(text)
    if (
        lead is not None
        and len(lead.group(1).split()) <= 5
        and _looks_done(text[lead.end() :], first_person)
    ):
        return True  # "Customer notification: customers were informed ..."
    return _looks_done(text, first_person)


def _looks_done(text: str, first_person: bool) -> bool:
    first = text.split(" ", 1)[0].strip("*_`").lower()
    if first_person and first in _FIRST_PERSON:
        m = _WE_DID.match(text)
        if m and m.group(1).lower() not in _NOT_DONE_PAST:
            return True
    if first in ACTION_VERBS and first not in _PAST_OPENERS:
        return False  # an imperative: "Ensure the config was validated"
    if first not in _PAST_OPENERS and text[:1] not in "*_" and _past_of_action_verb(first):
        # "Expanded our monitoring ...", "Reconfigured the firewall.": finished work; "Improved
        # alerting" alone may name a future improvement.
        words = text.split()
        second = words[1].strip("*_`").lower() if len(words) > 1 else ""
        return second in _DETERMINERS
    if first in _PAST_OPENERS:
        # "Set up X" is also an imperative; only past when followed by a clear past marker.
        return first not in ("set", "built") or " was " in text
    if (
        " was " not in text
        and " were " not in text
        and " been " not in text
        and " got " not in text
    ):
        return False
    m = _PAST_PASSIVE.match(text.replace("*", "").replace("`", ""))
    return m is not None and not _MODAL.search(m.group("subject"))


_FIRST_PERSON = frozenset(("we", "i", "they", "our", "the"))

_LEAD_TITLE = re.compile(r"^(?:\*\*|__)?([^:.!?*_\n]{2,50}?)(?:\*\*|__)?\s*:(?:\*\*|__)?\s+(?=\S)")

_DETERMINERS = words(
    """
    our the a an all its their every new additional more extra
    """
)


def _past_of_action_verb(word: str) -> bool:
    """ "expanded", "enforced", "applied", "stopped": the past form of a verb pmt knows."""
    if len(word) < 5 or not word.endswith("ed"):
        return False
    stem = word[:-2]
    return (
        stem in ACTION_VERBS
        or word[:-1] in ACTION_VERBS
        or (stem[-1:] == stem[-2:-1] and stem[:-1] in ACTION_VERBS)
        or (stem.endswith("i") and stem[:-1] + "y" in ACTION_VERBS)
    )


def starts_with_verb(text: str) -> bool:
    """An imperative or gerund opening: "Add ...", "Adding ...", "Re-enable ...", "Set up ..."."""
    m = _WORD.search(text.replace("*", "").replace("_", " "))
    if not m or m.start() > 4:
        return False
    word = m.group(0).lower()
    if word in ACTION_VERBS:
        return True
    if word.endswith("ing") and len(word) > 5:
        stem = word[:-3]
        return stem in ACTION_VERBS or stem + "e" in ACTION_VERBS or stem[:-1] in ACTION_VERBS
    return False
