"""The lexicon's generic evidence and markers: category cues (weaker than mechanisms), causes
said to be unknown (and found later), negations, the cause and effect clause markers, and
status-page boilerplate."""

from __future__ import annotations

import re

_C: list[tuple[str, str, float]] = [
    (
        "config_change",
        r"(?:\b(?:config\w*|settings?|parameters?|yaml|toml|misconfigur\w*|directives?|server blocks?|env(?:ironment)? var\w*|manifests?|vhosts?|virtual hosts?|(?:upstream|server|location) blocks?|helm values|values files?|cors|(?:job|task|service) definitions?|rules?|rewrites?)\b|\.(?:conf|ini|ya?ml|toml|properties|cfg|env)\b)",
        1.0,
    ),
    (
        "code_bug",
        r"\b(?:bugs?|buggy|defects?|flaw\w*|exceptions?|crash\w*|errors? in (?:the )?(?:code|logic)|code|coding|functions?|methods?|variables?|commits?|pull requests?|loops?)\b",
        1.0,
    ),
    ("upgrade_migration", r"\b(?:upgrade\w*|versions?|patch(?:ed|es)?)\b", 1.0),
    (
        "capacity_overload",
        r"\b(?:load|capacity|traffic|exhaust\w*|demand|volume|peak|resources?|headroom|scal(?:e|ing) (?:issue|limit|problem)s?)\b",
        1.0,
    ),
    (
        "dependency_failure",
        r"\b(?:provider|dependenc\w*|upstream|external|partner|vendors?|third[- ]party|3rd[- ]party|saas|outage at|on their side|their (?:service|api|systems?))\b",
        1.0,
    ),
    (
        "database",
        r"\b(?:databases?|db|postgres\w*|mysql|mariadb|mongo\w*|cassandra|rds|aurora|sql|quer(?:y|ies)|schema|indexes|index)\b",
        1.0,
    ),
    (
        "network_dns",
        r"\b(?:network\w*|dns|routing|router|latency|connectivity|timeouts?|proxy|traffic was (?:sent|routed))\b",
        1.0,
    ),
    (
        "cert_credential",
        r"\b(?:certificates?|certs?|tls|ssl|credentials?|tokens?|passwords?|secrets?|auth\w*)\b",
        1.0,
    ),
    ("time_clock", r"\b(?:clocks?|timestamps?|dates?|calendar|midnight|utc)\b", 0.5),
    ("hardware_power", r"\b(?:hardware|power|physical|host|rack|datacenter|data center)\b", 1.0),
    ("human_error", r"\b(?:human|operator|engineer|mistake|manual\w*|oversight)\b", 0.75),
    ("automation_tooling", r"\b(?:automation|automated|scripts?|tool\w*|pipeline|job)\b", 0.75),
    ("security", r"\b(?:security|attack\w*|threat|suspicious|hostile)\b", 1.0),
    ("data_corruption", r"\b(?:data|records|rows|integrity)\b", 0.5),
    ("cache", r"\b(?:cache\w*|cach(?:ing|ed))\b", 1.0),
    ("monitoring_gap", r"\b(?:monitor\w*|alert\w*|alarm\w*|observability|dashboards?)\b", 1.0),
]

CUES: tuple[tuple[str, re.Pattern[str], float], ...] = tuple(
    (category, re.compile(pattern, re.IGNORECASE), weight) for category, pattern, weight in _C
)

# "The root cause is still unknown", "we have not yet identified why": say unknown, do not guess.
UNKNOWN_PATTERN = re.compile(
    r"\b(?:(?:root )?causes? (?:is|was|are|remains?|remained|has not been|have not been|not yet|still)"
    r"(?: \w+){0,3}? (?:unknown|unclear|undetermined|under investigation|being investigated|not (?:yet )?(?:known|determined|identified|understood|clear))"
    r"|(?:unknown|unclear|undetermined) (?:root )?causes?"
    r"|(?:do|did|does) not (?:yet )?(?:know|understand) (?:why|what caused|the cause)"
    r"|(?:don'?t|didn'?t) (?:yet )?(?:know|understand) (?:why|what caused|the cause)"
    r"|still investigating|still working (?:on|to (?:identify|find|understand)) (?:the )?(?:root )?cause|investigation is (?:ongoing|still ongoing|in progress)|under investigation"
    r"|(?:root )?cause:? (?:tbd|n/?a|none|unknown|to be determined)\b|\btbd\b|no root cause (?:was|has been) (?:found|identified))",
    re.IGNORECASE,
)

# Phrases that undo an "unknown": "initially unknown, the cause turned out to be ...".
DISCOVERY_PATTERN = re.compile(
    r"\b(?:turned out|later (?:found|identified|determined|traced)|eventually (?:found|identified|traced)|"
    r"was (?:found|identified|traced|determined) to be|we (?:found|identified|traced|determined) that)\b",
    re.IGNORECASE,
)

# Negated mentions ("not a DDoS", "no evidence of an attack", "ruled out the database").
NEGATION_PATTERN = re.compile(
    r"(?:(?:\bnot|\bnever|n't|\bnor)(?: (?:a|an|the|any|due to|caused by|related to|because of|from))?"
    r"|(?:\bno evidence (?:of|that)|\bruled out|\bunrelated to|\bnot (?:caused|related|due))(?:\W+\w+){0,3}?"
    r"|(?:\brather than|\binstead of)(?: (?:a|an|the))?(?:\W+\w+)?)\W*$",
    re.IGNORECASE,
)

# The clause after these names the cause (weighted up); after the others, the consequence.
CAUSE_MARKERS = re.compile(
    r"\b(?:caused by|due to|because(?: of)?|owing to|as a result of|triggered by|root cause (?:was|is)|stemmed from|originated (?:in|from)|traced (?:back )?to)\b",
    re.IGNORECASE,
)
EFFECT_MARKERS = re.compile(
    r"\b(?:causing|which caused|that caused|leading to|which led to|that led to|led to|resulting in|which resulted in|resulted in|so that|which meant|meaning that|and (?:then|thus|therefore|so)|in turn|(?:alert(?:ing|s)?|monitoring|visibility|metrics|dashboards?) (?:on|of|for|into))\b",
    re.IGNORECASE,
)

# Status-page boilerplate that names no cause ("we are monitoring the results") is removed first.
BOILERPLATE_PATTERN = re.compile(
    r"\b(?:(?:we )?(?:are|will (?:continue to )?|continue to|we're) (?:continuing to )?monitor(?:ing)?(?: the (?:results|situation|fix|recovery|service))?"
    r"|a fix has been (?:implemented|deployed)|(?:the )?issue has been (?:resolved|mitigated)|we apologi[sz]e for (?:the|any) inconvenience)\b",
    re.IGNORECASE,
)
