"""Is an action item too vague to act on?

An action item is useful when someone could pick it up tomorrow and know when it is done: it
names an action, a concrete object, and ideally a bound ("Add an alert on 5xx rate > 2% for
checkout-api"). The heuristic below is deliberately simple and documented in docs/parse-lint-new.md:

1. Leading noise is dropped first: an owner ("Alice to", "@bob:"), "we will/should/need to",
   "TODO:", "Action 2:", Markdown emphasis, links (their text is kept) and URLs.
2. **Attitudes are not actions.** An item opening with "be", "stay", "try to", "remember",
   "pay attention", "keep in mind", "take care" ... is vague whatever follows.
3. **Concrete signals** make an item specific at once: a number (threshold, version, size,
   duration, date), a quoted string or code span (a log line, a setting), or an identifier
   (``checkout-api``, ``max_size``, ``api.example.com``, ``/healthz``, ``CamelCase``).
4. Otherwise the item's *specific words* are counted: words that are not filler ("the",
   "more", "better", "again"), not generic nouns ("monitoring", "alerting", "reliability",
   "process", "issues", "tests", "documentation", "things") and not the opening verb.
   - An **open-ended opener** ("investigate", "look into", "improve", "review", "consider",
     "explore", "ensure", "make sure", "check", "discuss", "follow up", "figure out", ...)
     needs at least 3 specific words to say what exactly will be looked at.
   - A **concrete verb** ("add", "fix", "rotate", "enable", "migrate", "alert", ...) needs at
     least 1 ("Upgrade openssl" passes; "Fix the bug" and "Add more monitoring" do not).
   - **No verb at all** ("Better alerting", "Runbook") needs at least 3 specific words.

It returns the reason an item is vague, or None. False positives are possible, which is why the
rule is a warning; switch it off with ``lint.disable = ["action-vague"]``.
"""

from __future__ import annotations

import re

from tracker.lint.vocabulary import (
    ATTITUDES,
    COMMON_HYPHEN_HEADS,
    CONCRETE_VERBS,
    FILLER,
    GENERIC_NOUNS,
    OPEN_ENDED,
)

MIN_SPECIFIC_AFTER_OPEN_ENDED = 3
MIN_SPECIFIC_AFTER_VERB = 1
MIN_SPECIFIC_WITHOUT_VERB = 3
_MAX_CHARS = 400
# One-word openers: they tell "Alice to ..." (an owner) from "Review ..." (an action), and an
# open-ended word does not count as specific.
_OPEN_ENDED_WORDS = frozenset(o for o in OPEN_ENDED if " " not in o)
_ATTITUDE_WORDS = frozenset(a.split()[0] for a in ATTITUDES)

_URL = re.compile(r"https?://\S+|www\.\S+")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\[[^\]]*\]")
_CODE = re.compile(r"`[^`]+`")
_QUOTED = re.compile(r"\"[^\"\n]{2,}\"|“[^”\n]{2,}”|(?:(?<=\s)|^)'[^'\n]{2,}'(?=[\s.,;:)!?]|$)")
_EMPHASIS = re.compile(r"(\*\*|~~|\*)(?=\S)(.+?)(?<=\S)\1|(?<!\w)(__?)(?=\S)(.+?)(?<=\S)\3(?!\w)")
_LEAD = re.compile(
    r"""^(?:
        (?:todo|action(?:\s+item)?|task|ai|follow[- ]?up)\s*\d*\s*[:.)-]\s*   # TODO: / Task 2:
      | \d+[.)]\s+                                                         # 1. / 2)
      | @[\w.-]+\s*[:,-]?\s*                                               # @alice:
      | \[[^\]]{1,40}\]\s*[:,-]?\s*                                        # [ICL]
      | (?:we|i|you|they|the\s+team|team)\s+(?:will|should|must|shall|need\s+to|have\s+to|are\s+going\s+to|want\s+to|plan\s+to)\s+
      | (?:need\s+to|needs\s+to|should|must|will|let's|lets|please)\s+
    )""",
    re.VERBOSE,
)
# "Hypha + ICL: ...", "Load balancer patch: ...", "Alice to ...", "SRE team will ...": an owner
# or a label in front of the action (not stripped when it is itself the verb: "Move to ...").
_OWNER_LEAD = re.compile(
    r"^(?P<who>[A-Z][\w.&'-]*(?:\s+(?:\+|&|and\s+)?\s*[\w.&'-]+){0,4})\s*:\s+"
    r"|^(?P<name>[A-Z][\w.'-]*(?:\s+(?:[A-Z][\w.'-]*|team|squad|\+|&|and)){0,3})"
    r"\s+(?:to|will|should|must|shall)\s+"
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./:+#-]*[A-Za-z0-9+#]|[A-Za-z0-9]")
_NUMBER = re.compile(r"\d")
_CAMEL = re.compile(r"[a-z][A-Z]|[A-Z]{2,}[a-z]")


def vagueness(text: str) -> str | None:
    """Why ``text`` is too vague to act on, or None when it looks concrete enough."""
    # What makes an item concrete shows early; the cap keeps pathological input cheap.
    cleaned = _clean(text[:_MAX_CHARS])
    if _CODE.search(cleaned) or _QUOTED.search(cleaned):
        return None
    words = _WORD.findall(cleaned)
    if not words:
        return "it names nothing to do"
    lowered = [w.lower() for w in words]
    phrase = " ".join(lowered)

    # The longest opener wins: "be able to" is open-ended, "be more" an attitude.
    attitude = _opener(phrase, ATTITUDES)
    open_ended = _opener(phrase, OPEN_ENDED)
    if attitude and (open_ended is None or len(attitude) >= len(open_ended)):
        return f'"{_first(words, attitude)}" is an attitude, not an action'

    if any(_is_concrete_token(w) for w in words):
        return None

    opener = open_ended
    if opener:
        rest = lowered[len(opener.split()) :]
        if _count_specific(rest) >= MIN_SPECIFIC_AFTER_OPEN_ENDED:
            return None
        return f'"{_first(words, opener)}" is open-ended and names no concrete object or criterion'

    if _is_verb(lowered[0]):
        if _count_specific(lowered[1:]) >= MIN_SPECIFIC_AFTER_VERB:
            return None
        return f'"{words[0]}" what? Name the thing to change (service, metric, threshold)'

    if _count_specific(lowered) >= MIN_SPECIFIC_WITHOUT_VERB:
        return None
    if len(words) <= 2:
        return "too short: start with a verb and name what will change"
    return "no action verb and nothing specific: say what will be done, to what"


def _clean(text: str) -> str:
    text = _LINK.sub(lambda m: m.group(1) or m.group(2) or "", text)
    text = _URL.sub(" ", text)
    for _ in range(2):  # nested emphasis (**_x_**)
        text = _EMPHASIS.sub(lambda m: m.group(2) or m.group(4) or "", text)
    text = text.strip().lstrip("-*+>•–—[]( ").strip()
    for _ in range(3):  # "TODO: Alice to ..." strips two prefixes
        stripped = _LEAD.sub("", text, count=1)
        owner = _OWNER_LEAD.match(stripped)
        who = owner and (owner.group("who") or owner.group("name"))
        if owner and who and not _is_action_word(who.split()[0].lower()):
            stripped = stripped[owner.end() :]
        if stripped == text:
            break
        text = stripped.strip()
    return text.strip(" .;:!?")


def _is_action_word(word: str) -> bool:
    return _is_verb(word) or word in _OPEN_ENDED_WORDS or word in _ATTITUDE_WORDS


def _opener(phrase: str, openers: tuple[str, ...]) -> str | None:
    """The longest opener ``phrase`` starts with (whole words), or None."""
    best: str | None = None
    for opener in openers:
        if (phrase == opener or phrase.startswith(opener + " ")) and (
            best is None or len(opener) > len(best)
        ):
            best = opener
    return best


def _first(words: list[str], opener: str) -> str:
    return " ".join(words[: len(opener.split())])


def _is_verb(word: str) -> bool:
    if word in CONCRETE_VERBS:
        return True
    # Gerunds and past tenses ("Adding ...", "Rotated ...") of the same verbs.
    for suffix, repl in (("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("d", ""), ("s", "")):
        if word.endswith(suffix) and word[: -len(suffix)] + repl in CONCRETE_VERBS:
            return True
    # Doubled consonant: "pinning", "capped", "dropped".
    for suffix in ("ing", "ed"):
        stem = word[: -len(suffix)]
        if (
            word.endswith(suffix)
            and len(stem) > 2
            and stem[-1] == stem[-2]
            and stem[:-1] in CONCRETE_VERBS
        ):
            return True
    return False


def _is_concrete_token(word: str) -> bool:
    """A number, or something that reads like a name in a system rather than English."""
    if _NUMBER.search(word):
        return True
    if "_" in word or _CAMEL.search(word):
        return True
    core = word.strip(".:/")
    if "." in core and not core.lower() in {"e.g", "i.e", "etc"}:
        return True  # api.example.com, go.mod, values.yaml
    if word.startswith("/") or word.count("/") >= 2:
        return True  # /healthz, a/b/c
    if "-" in core:
        head = core.split("-", 1)[0].lower()
        return head not in COMMON_HYPHEN_HEADS and core.lower() != "rate-limit"
    return False


def _count_specific(words: list[str]) -> int:
    return sum(
        1
        for w in words
        if len(w) > 1 and w not in FILLER and w not in GENERIC_NOUNS and w not in _OPEN_ENDED_WORDS
    )
