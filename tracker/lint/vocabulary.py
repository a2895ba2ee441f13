"""The words the vague-action check knows: openers, concrete verbs, filler and generic nouns.

Data only; the check that reads them is ``tracker.lint.vague``. Each word set is written as one
whitespace-separated string. Edit a list here to change what counts as vague.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``."""
    return frozenset(text.split())


# Openers that state a frame of mind rather than something to do.
ATTITUDES = (
    "be", "be more", "stay", "remain", "try", "try to", "remember", "remember to", "pay attention",
    "keep in mind", "take care", "don't forget", "do not forget", "learn", "learn from",
    "avoid", "keep an eye", "be aware", "be careful",
)  # fmt: skip

# Openers whose work has no natural end unless the object is spelled out.
OPEN_ENDED = (
    "investigate", "look into", "look at", "improve", "review", "consider", "explore",
    "enhance", "think about", "ensure", "make sure", "work on", "revisit", "evaluate",
    "discuss", "check", "check on", "follow up", "follow up on", "figure out", "assess",
    "analyze", "analyse", "research", "reassess", "rethink", "focus on", "keep",
    "strengthen", "optimize", "optimise", "better", "increase awareness", "communicate",
    "monitor", "examine", "study", "understand", "find", "find out", "identify", "do",
    "handle", "address", "tackle", "continue", "gain", "get", "make", "prevent",
    "reduce the risk", "minimize", "minimise", "mitigate", "harden", "streamline", "refine",
    "clarify", "explore options", "talk to", "sync with", "align", "improve on", "brainstorm",
    "fix things", "clean up", "be able to",
)  # fmt: skip

# Verbs that, given an object, describe a change someone can make and check.
CONCRETE_VERBS = _words(
    """
    add adjust alert allow apply archive audit automate backfill back block bump cache cap change
    configure convert create cut decommission delete deploy deprecate disable document drop enable
    enforce extend fail file fix flag gate generate implement import increase install introduce
    limit lower merge migrate move notify open page patch pin port provision publish purge raise
    rate-limit rebuild record refactor reject release remove rename renew replace replicate require
    reroute restart restore restrict retire retry revert rewrite roll rotate route run schedule
    scale send separate set ship shard shorten split stop subscribe switch tag teach test throttle
    tighten timeout train turn unify update upgrade upload validate verify version wire write build
    define produce load encrypt expire extract hire index label lock mark measure mirror mount
    offload partition persist prune queue rollback sample shed snapshot store sunset truncate
    uninstall unpin whitelist allowlist denylist benchmark canary cordon drain evict instrument
    paginate prioritize backport upstream dedupe deduplicate integrate
    """
)

# Words that carry no specific object: filler, pronouns, vague qualifiers, generic nouns.
FILLER = _words(
    """
    a an the this that these those it its they them their our we us you your my i he she his her
    and or but nor so of to in on at by for from with without into onto over under about as than
    then there here all any some every each other others another such same more most less least
    much many few lot lots better best good great proper properly appropriate appropriately robust
    comprehensive additional improved enhanced thorough thoroughly general overall regular
    regularly various relevant necessary needed possible potential future again next time times
    going forward way ways up out off down if when whether how what why where which who whom not no
    never always also too very really just even still be is are was were been being have has had do
    does did done doing can could should would will shall may might must need needs careful
    carefully proactive proactively new existing current currently further etc e.g i.e like happen
    happens happening sure efficient efficiently effective effectively quick quickly asap soon
    later whole entire certain thing things stuff everything anything something nothing
    """
)

# Nouns too general to name what will change.
GENERIC_NOUNS = _words(
    """
    monitoring alerting alerts alert metrics logging logs reliability stability performance process
    processes procedure procedures documentation docs doc runbook runbooks issue issues problem
    problems bug bugs error errors failure failures incident incidents outage outages system
    systems infrastructure infra communication communications quality visibility observability
    resilience robustness availability awareness testing tests test coverage code tooling tools
    tool practice practices improvement improvements measure measures approach strategy strategies
    checks check handling service services team teams people everyone stakeholders customers users
    situation situations cause causes root solution solutions fix fixes change changes setup
    configuration config configs status health safety capacity scalability efficiency speed latency
    support options option plan plans policy policies guidelines guideline training knowledge
    lessons lesson learnings source sources behaviour behavior network live area areas aspect
    aspects part parts
    """
)

# Hyphenated words that are ordinary English, not identifiers (on-call, follow-up, ...).
COMMON_HYPHEN_HEADS = _words(
    """
    non re pre post self well long short high low on off end multi cross real follow built up co de
    anti auto semi sub over under out in one two three full half all day week month year time run
    mid near ever last first next double single best worst top
    """
)
