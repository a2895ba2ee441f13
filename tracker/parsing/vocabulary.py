"""Words that carry meaning in postmortems: kinds of action, statuses, priorities, verbs.

Kept in one place so that the section classifier, the item field reader and the document
interpreter agree on what "prevention", "done" or "P1" means.
"""

from __future__ import annotations

import re


def words(text: str) -> frozenset[str]:
    """A set of words written as one string, a space or a line between them."""
    return frozenset(text.split())


# Where a "Key: value" may start in an item's text: at its start or after a space, a bracket or
# a separator, perhaps in emphasis ("(**Owner:** bob", "; due March 3").
KEY_START = r"(?:^|(?<=[\s(\[,;|]))(?:\*\*|__|\*|_)?"
# The keys that name an item's owner, which every reader of "Owner: bob" accepts.
OWNER_KEYS = r"owners?|assignees?|assigned(?:\s+to)?|dri"

# Action kinds, normalised. A subsection "Detection", a tag "(detect)" or a type column
# "Detect" all give "detect".
KIND_WORDS = {
    "detect": "detect", "detection": "detect", "detective": "detect", "monitoring": "detect",
    "alerting": "detect", "observability": "detect", "visibility": "detect",
    "prevent": "preventative", "prevention": "preventative", "preventive": "preventative",
    "preventative": "preventative", "proactive": "preventative",
    "mitigate": "mitigate", "mitigation": "mitigate", "mitigations": "mitigate",
    "mitigative": "mitigate", "response": "mitigate", "respond": "mitigate",
    "recovery": "mitigate", "recover": "mitigate", "reactive": "mitigate",
    "correct": "corrective", "corrective": "corrective", "repair": "corrective",
    "fix": "corrective", "fixes": "corrective", "remediate": "corrective",
    "remediation": "corrective", "bugfix": "corrective",
    "process": "process", "procedure": "process", "procedural": "process",
    "communication": "process", "communications": "process", "documentation": "process",
    "training": "process", "people": "process",
    "investigate": "investigate", "investigation": "investigate", "investigative": "investigate",
}  # fmt: skip

DONE_WORDS = {
    "done": True, "complete": True, "completed": True, "finished": True, "fixed": True,
    "resolved": True, "closed": True, "shipped": True, "merged": True, "implemented": True,
    "deployed": True, "accomplished": True, "yes": True, "y": True, "true": True, "✅": True, "✔": True, "✔️": True,
    "☑": True, "☑️": True, "x": True,
    "todo": False, "to do": False, "open": False, "in progress": False, "in-progress": False,
    "wip": False, "doing": False, "planned": False, "pending": False, "not started": False, "ongoing": False,
    "blocked": False, "started": False, "no": False, "n": False, "false": False,
    "new": False, "backlog": False, "outstanding": False, "not done": False,
    "❌": False, "⬜": False, "🔲": False, "⏳": False, "🚧": False,
    ":white_check_mark:": True, ":heavy_check_mark:": True, ":ballot_box_with_check:": True,
    ":x:": False, ":construction:": False, ":hourglass:": False, ":hourglass_flowing_sand:": False,
}  # fmt: skip

# A paragraph or line marked as a to-do by its state: a checkbox, or a status word in capitals
# ("**DONE**: ...", "TODO ...").
STATUS_MARK = re.compile(r"^(?:\[[ xX]\]|(?:\*\*|__)?(?:DONE|TODO|DOING|WIP)\b)")

# A template's instruction left in a document ("[Explain what caused the incident]", "<owner>",
# "Describe the root cause here", "List the follow-up tasks here"): never a cause or an item.
TEMPLATE_INSTRUCTION = re.compile(
    r"^(?:\[[^\]]*\]|<[^>]*>|\{\{.*\}\})\.?$"
    r"|^(?:describe|explain|summari[sz]e|list|provide|write|insert|state|add|enter|fill in)\b.*\b(?:here|this section)\b",
    re.IGNORECASE,
)
# A template's blank inside a line: "[Action item 1]", "[Name]", "<date>", "{{ owner }}".
TEMPLATE_BLANK = re.compile(
    r"\{\{.*?\}\}|<[^<>]*>|\[[^\]]*\b(?:action|item|task|description|describe|todo|tbd|owner|name|date|link|url"
    r"|issue|ticket|github|jira|pr|title|details?)\b[^\]]*\]",
    re.IGNORECASE,
)

# Priorities normalised to P0..P4.
PRIORITY_WORDS = {
    "critical": "P0", "urgent": "P0", "blocker": "P0", "highest": "P0", "emergency": "P0",
    "high": "P1", "major": "P1",
    "medium": "P2", "normal": "P2", "moderate": "P2", "med": "P2",
    "low": "P3", "minor": "P3",
    "lowest": "P4", "trivial": "P4",
}  # fmt: skip
PRIORITY_RE = re.compile(r"(?i)^(?:p|pri|prio|priority)\s*[-:]?\s*([0-4])$")

DONE_EMOJI = (
    "✅",
    "✔️",
    "✔",
    "☑️",
    "☑",
    "🟢",
    "✓",
    ":white_check_mark:",
    ":heavy_check_mark:",
    ":ballot_box_with_check:",
)
OPEN_EMOJI = (
    "⬜",
    "🔲",
    "⏳",
    "🚧",
    "🔄",
    "🔜",
    "◻️",
    "◻",
    "☐",
    ":construction:",
    ":hourglass:",
    ":hourglass_flowing_sand:",
)
# First characters of those markers: a cheap test before trying each.
MARKER_STARTS = frozenset(m[0] for m in DONE_EMOJI + OPEN_EMOJI)
MARKER_ENDS = frozenset(m[-1] for m in DONE_EMOJI + OPEN_EMOJI)

# Verbs that open an imperative ("Add alerting ...") or a gerund ("Adding alerting ...").
# Used to tell a to-do from a note, and a title from an owner prefix. The last ones are verbs
# rarely read as nouns at the start of a line ("Enhance monitoring ...").
ACTION_VERBS = words(
    """
    add adjust adopt align allow alert analyse analyze announce apply archive ask assess assign
    audit automate avoid backfill build bump buy cache calibrate cap capture change check clarify
    clean cleanup close codify collect communicate complete conduct configure confirm consider
    consolidate contact continue convert coordinate create cull decide decommission deduplicate
    define delete deliver deploy deprecate design detect determine develop disable discuss document
    drain drop educate eliminate emit enable encourage enforce engage ensure escalate establish
    estimate evaluate expand expose extend extract fail figure file finalize find fix follow force
    gain gate generate get give harden hire hold identify implement import improve include increase
    inform inspect install instrument integrate introduce investigate isolate keep label launch lead
    learn limit load lock log lower maintain make manage map mark measure merge migrate mitigate
    modify monitor move notify offer onboard open optimise optimize organise organize outline page
    parallelize partition patch pause perform pin plan poll populate post prepare present prevent
    prioritise prioritize produce profile promote propose protect provide provision publish pull
    purge push put raise rate re-enable reach rebuild reconfigure record reduce refactor reflect
    refresh register reinstate release remove rename replace replicate report require research reset
    resize restart restore restrict retire retry revert review revise rewrite roll rollout rotate
    run scale schedule scope script secure separate set setup share ship shorten simplify snapshot
    solve split stage standardise standardize start stop store streamline strengthen submit
    subscribe support switch sync tag teach test throttle tighten track train transition triage tune
    turn unify update upgrade use validate verify version watch write accelerate allocate allowlist
    read locate trace try rerun reinstall reload rollback
    anticipate approve assure attach authenticate authorise authorize backport ban benchmark bolster
    boost bootstrap broaden categorise categorize centralise centralize certify chase circulate
    collaborate combine compare compile compress connect consult containerize correct craft
    cross-check customise customize debounce debug decouple decrease dedicate dedupe deepen delegate
    demand demonstrate denylist derive describe detach diagnose differentiate digitize disconnect
    dispatch distribute diversify dockerize downgrade duplicate edit elaborate elevate embrace
    empower emulate encapsulate encode encrypt enhance enlarge enrich enrol enroll equip eradicate
    examine exclude execute experiment explain explore export externalize facilitate fetch fine-tune
    flush forbid formalise formalize formulate foster generalise generalize guarantee highlight
    illustrate initiate inject insert institute invalidate invest invite iterate justify lengthen
    leverage localise localize mandate memoize minimise minimize modernise modernize modularize
    mount narrow negotiate normalise normalize observe obtain operationalise operationalize
    orchestrate outsource overhaul paginate parameterise parameterize parse persist precompute
    preload preserve pretest probe procure prohibit prototype prove prune quantify quarantine
    rationalize re-architect re-engineer re-evaluate rearchitect reassess rebalance reboot
    recalibrate recheck recommend reconcile recover recreate recruit redeploy redesign redirect
    redistribute reengineer reevaluate refine reformat regenerate rehearse reindex reinforce reject
    relaunch relocate remediate remind remodel renew reorganise reorganize repartition repeat
    rephrase replan replay reprioritise reprioritize reproduce reroute reschedule resolve
    restructure resume resync retain retest retrain retune reuse revamp revisit revoke reword rework
    sanitise sanitize scan scrub segment shard shrink simulate specify stabilise stabilize steer
    stress-test subdivide summarise summarize supervise supply surface suspend synchronise
    synchronize tabulate terminate tidy trim troubleshoot truncate tweak unblock uncover uninstall
    unlock unpin untangle upload utilise utilize vet visualise visualize warn widen
    """
)

# Sentence openers that make "X to do Y" / "X: do Y" not an owner.
NOT_OWNER_WORDS = words(
    """
    a an the this that these those it its we our us they their you your he she i my all any each
    every some no none one need needs how why what when where who time ability access way plan plans
    changes change move switch migrate going due back up down prior similar note notes nb tbd todo
    done task tasks action actions item items ai step steps follow followup follow-up status fix
    fixes update updates improve improvement improvements goal goals context background reason why
    rationale example e.g i.e see ref reference monitoring alerting alerts docs documentation
    database db process testing tests tooling communication comms api ui ux storage deploy
    deployment deployments release releases ci cd build observability logging logs metrics dashboard
    dashboards runbook runbooks training prevention detection mitigation recovery response repair
    correction corrective preventive preventative short long medium term immediate next later future
    primary secondary root cause impact summary timeline resolution symptoms trigger lessons idea
    ideas option options question questions open closed priority owner due deadline ticket tickets
    issue issues bug bugs tracking high low medium critical urgent phase stage part area scope type
    kind category eta deadline date kubernetes k8s postgres postgresql mysql mariadb redis kafka
    rabbitmq nginx apache haproxy dns cdn aws gcp azure terraform ansible puppet chef docker helm
    grafana prometheus datadog pagerduty opsgenie slack github gitlab jira confluence linux windows
    macos ios android elasticsearch opensearch mongodb cassandra s3 ec2 rds lambda cloudflare vault
    consul
    """
)
