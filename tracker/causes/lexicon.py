"""The words that name failure mechanisms, and which category each mechanism belongs to.

Two kinds of evidence, written from how engineers describe outages (not read back from the
labelled test set):

* **mechanisms**: specific phrases ("certificate ... expired", "leap second", "pushed to all
  regions at once"). They are strong evidence for a category and are also what the repeat
  detection compares: two postmortems sharing a mechanism likely failed the same way.
* **cues**: generic words of a category ("misconfigured", "bug", "DNS"). Weaker evidence, for
  texts that name a category but no precise mechanism.

Triggers (deploy, release, rollout, change) are deliberately weak: they say *when* something
broke, not *how*.

The lexicon does not decide the category: its evidence (``tracker.causes.evidence``) is a set
of features of the trained model (``tracker.causes.model``), which learned how far to trust it.
Changing a pattern changes those features: retrain (``python -m tracker.causes.train``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def near(a: str, b: str, gap: int = 6) -> str:
    """``a`` then ``b`` with at most ``gap`` words between them, in either order."""
    between = rf"(?:\W+\w+){{0,{gap}}}?\W+"
    return rf"(?:(?:{a}){between}(?:{b})|(?:{b}){between}(?:{a}))"


def then(a: str, b: str, gap: int = 6) -> str:
    """``a`` followed by ``b`` with at most ``gap`` words between them."""
    return rf"(?:{a})(?:\W+\w+){{0,{gap}}}?\W+(?:{b})"


@dataclass(frozen=True, slots=True)
class Mechanism:
    name: str
    category: str
    pattern: re.Pattern[str]
    weight: float = 3.0


_CERT = r"\b(?:certs?|certificates?|tls|ssl|x\.?509|https? cert\w*)\b"
_EXPIRE = r"\b(?:expir\w*|lapsed|out of date|not (?:been )?renewed|renewal\w*|past (?:its|their) validity|valid(?:ity)? (?:period )?ended)"
_CRED = r"\b(?:passwords?|tokens?|api[ -]?keys?|keys?|secrets?|credentials?|service[ -]account|oauth|kerberos|keytabs?|ssh keys?)\b"
_CONFIG = r"\b(?:config\w*|settings?|flags?|feature[ -]flags?|parameters?|rules?|yaml|values?|policy|policies|toggles?|schedule|limits?)\b"
_EVERYWHERE = (
    r"\b(?:all (?:regions|servers|hosts|nodes|clusters|data ?cent(?:er|re)s|zones|pops|edge\w*|machines|"
    r"instances|sites|locations)|everywhere|globally|fleet[- ]wide|entire fleet|whole fleet|every (?:region|server|host|node|cluster|"
    r"data ?cent(?:er|re)|zone|pop|machine|instance)|at once|simultaneously|all at the same time|"
    r"without (?:a )?(?:canary|staged|staging|gradual|progressive)\w*|no (?:canary|staged rollout|gradual rollout))"
)
_PUSH = r"\b(?:push\w*|deploy\w*|roll\w* out|rollout|propagat\w*|distribut\w*|shipped|applied|released)\b"
_DB = r"\b(?:databases?|db|postgres\w*|mysql|mariadb|sql|rds|aurora|mongo\w*|cassandra|dynamo\w*|oracle|primary|replicas?|tables?)\b"

_CERT_MISISSUED = near(
    _CERT, r"mis-?issued|wrong (?:host|domain|name)|hostname mismatch|san\b|common name", 5
)
_DB_SWITCHED = near(_DB, r"failed over|switched over", 4)
_DB_CRASHED = near(_DB, r"corrupt\w*|crash\w*|unresponsive", 3)

_M: list[tuple[str, str, str, float]] = [
    # --- certificates and credentials
    ("cert_expired", "cert_credential", near(_CERT, _EXPIRE, 8), 4.0),
    (
        "cert_chain",
        "cert_credential",
        rf"\b(?:intermediate (?:ca|cert\w*)|certificate chain|cert chain|root ca|revoked (?:cert\w*)|certificate revocation|ocsp|trust store|truststore|{_CERT_MISISSUED})\b",
        3.5,
    ),
    ("credential_expired", "cert_credential", near(_CRED, _EXPIRE, 6), 3.5),
    (
        "credential_rotation",
        "cert_credential",
        near(
            _CRED,
            r"\brotat\w*|revoked|invalidated|regenerated|re-?issued|deleted|deactivated|(?:was|were|had been|got) changed",
            5,
        ),
        3.0,
    ),
    (
        "auth_failure",
        "cert_credential",
        r"\b(?:authentication fail\w*|failed to authenticate|401 unauthori[sz]ed|invalid credentials|auth(?:entication)? errors?)\b",
        2.0,
    ),
    # --- time and clocks
    ("leap_second", "time_clock", r"\bleap[ -]?seconds?\b", 5.0),
    (
        "leap_day",
        "time_clock",
        r"\b(?:leap[ -]?(?:day|year)|february 29|feb(?:ruary)? 29(?:th)?|29th of february|day 366)\b",
        4.5,
    ),
    (
        "dst",
        "time_clock",
        r"\b(?:daylight[ -]sav\w*|dst\b|clocks? (?:went|go|going|changed|change|sprang|sprung|fell|moved) (?:forward|back)|(?:day|night|weekend) (?:the )?clocks (?:changed|moved|went)|summer ?time|spring[- ]forward|fall[- ]back)",
        4.5,
    ),
    (
        "timezone",
        "time_clock",
        r"\b(?:time[ -]?zones?|tz ?data|utc offsets?|local time (?:instead|rather) of utc|naive (?:datetime|timestamp)s?)\b",
        3.0,
    ),
    (
        "time_units",
        "time_clock",
        r"\b(?:(?:milli|micro|nano)?seconds? (?:\w+ ){0,4}?(?:with|against|instead of|as|vs\.?) (?:\w+ ){0,3}?(?:milli|micro|nano)?seconds|unit mismatch|(?:wrong|mixed) (?:time )?units?)\b",
        3.5,
    ),
    (
        "clock_skew",
        "time_clock",
        r"\b(?:clock (?:skew|drift)|clocks? (?:\w+ ){0,3}?(?:behind|ahead|too fast|too slow|\d+ (?:minutes|seconds|hours) (?:fast|slow|off))|clocks? (?:were |was )?(?:out of sync|drifted|skewed|off by)|ntp\b|chrony|time sync\w*)",
        4.0,
    ),
    (
        "date_overflow",
        "time_clock",
        r"\b(?:y2k\d*|year 20\d\d problem|2038|epoch (?:overflow|rollover)|(?:32|16)[- ]bit (?:\w+ )?(?:time\w*|counter|seconds|clock|dates?)\b|\b(?:reset|jumped|went) (?:back )?to (?:19[07]\d|the epoch)|date rollover|(?:new year|year[- ]end|month[- ]end|end of (?:the )?month)\b.{0,40}\b(?:date|calculat\w*|parsing|bug)|gps week|week[- ]numbers?|iso week|week 53|week[- ]based year|days in (?:a |the |each )?month|(?:every|each) month has|wrong (?:date|day of the month))",
        3.5,
    ),
    # --- configuration
    (
        "config_push_global",
        "config_change",
        near(rf"{_CONFIG}|\bchange\b", then(_PUSH, _EVERYWHERE, 8), 6),
        3.5,
    ),
    ("config_everywhere", "config_change", near(_CONFIG, _EVERYWHERE, 8), 2.0),
    (
        "feature_flag",
        "config_change",
        r"\b(?:feature[ -]flags?|flag flip\w*|toggles?|toggled? (?:on|off)|kill[ -]switch|(?:enabled|turned on|rolled out|flipped) (?:\w+ ){0,3}?(?:to|for) (?:100 ?%|all|everyone|every user))\b",
        3.0,
    ),
    (
        "misconfiguration",
        "config_change",
        r"\b(?:mis-?config\w*|incorrect(?:ly)? config\w*|wrong(?:ly)? config\w*|bad config\w*|invalid config\w*|faulty config\w*|erroneous config\w*|config(?:uration)? (?:error|mistake|typo|bug|drift)|typo in (?:the |a )?(?:config\w*|yaml|settings?|nginx|haproxy|file))",
        3.0,
    ),
    (
        "config_value",
        "config_change",
        near(
            _CONFIG,
            r"\b(?:wrong|incorrect|invalid|bad|missing|malformed|mistaken\w*|set|changed|edited|lowered|raised|reduced|increased|left (?:at|as)|defaulted?|instead of|pointing (?:at|to))\b",
            6,
        ),
        2.5,
    ),
    (
        "setting_value",
        "config_change",
        r"\b(?:was|were|is|are|had been) (?:left|set|changed|lowered|raised|reduced|increased) (?:at|to|from) (?:\d|a |an |the |only )",
        2.0,
    ),
    (
        "config_assignment",
        "config_change",
        r"`[\w.-]+ ?[=:] ?[^`]+`|\b(?:wrong|incorrect|invalid|bad) `[^`]+`|\benv(?:ironment)? var\w*\b",
        2.5,
    ),
    (
        "config_edit",
        "config_change",
        r"\b(?:[\w-]+[- ]list|rules?|polic(?:y|ies)|settings?|config\w*|schedule|values) (?:edit|change|update)s?\b",
        2.0,
    ),
    (
        "permissions",
        "config_change",
        r"\b(?:file permissions?|permissions? (?:on|of|for) (?:the )?(?:\w+ )?(?:files?|directory|folder|logs?)|chmod|chown|ownership of|permission denied|iam (?:policy|role|permission)s?|acls?)\b",
        2.5,
    ),
    (
        "limit_setting",
        "config_change",
        r"\b(?:timeouts? (?:was|were|is|are) (?:set )?too (?:low|short|high|long)|(?:limit|threshold|quota) (?:was|were) (?:set|configured) too (?:low|high))",
        2.5,
    ),
    (
        "port_conflict",
        "config_change",
        r"\b(?:port conflict|port \d+ (?:was )?(?:already )?(?:in use|occupied|taken)|address already in use|bind to port)\b",
        3.0,
    ),
    (
        "symlink",
        "config_change",
        r"\b(?:symbolic link|symlink|sites-enabled|sites-available)\b",
        2.5,
    ),
    # --- code bugs
    (
        "null_reference",
        "code_bug",
        r"\b(?:null pointer|nil pointer|null reference|(?:null|nil|none) (?:check|value|guard)s?|nullpointerexception|npe\b|none ?type|undefined is not|segfault|segmentation fault|dereferenc\w*)",
        3.5,
    ),
    (
        "unhandled_exception",
        "code_bug",
        r"\b(?:unhandled|uncaught) (?:exception|error|promise rejection)s?|\bexceptions? (?:was|were) (?:not caught|swallowed)|typeerror|keyerror|attributeerror|panic(?:ked)?\b|stack overflow|crash loop\w*|crash(?:ed|es)? on (?:startup|boot)",
        3.0,
    ),
    (
        "race_condition",
        "code_bug",
        r"\b(?:race conditions?|data races?|raced|races? (?:between|in|on|when|with)|concurrency bug|non-?determinis\w*|thread[- ]safe\w*|not thread[- ]safe|double[- ]free|toctou)\b",
        3.5,
    ),
    (
        "memory_leak",
        "code_bug",
        r"\b(?:(?:memory|connection|goroutine|thread|socket|file descriptor|handle|fd) leaks?|memory leak\w*|leak(?:ed|ing|s)? (?:memory|connections?|file (?:descriptors|handles)|goroutines|threads|sockets))\b",
        3.5,
    ),
    (
        "infinite_loop",
        "code_bug",
        r"\b(?:infinite (?:loop|recursion|retry)|endless loop|busy[- ]loop|spin(?:ning)? loop)\b",
        3.5,
    ),
    (
        "regex_backtracking",
        "code_bug",
        r"\b(?:(?:catastrophic |excessive )?backtracking|regular expression|regex\w*)\b",
        3.0,
    ),
    (
        "integer_overflow",
        "code_bug",
        r"\b(?:integer (?:overflow|wrap\w*)|overflow(?:ed)? (?:a|an|the) (?:int|integer|counter)|off[- ]by[- ]one|int32|signed integer|max(?:imum)? int)\b",
        3.0,
    ),
    (
        "numeric_precision",
        "code_bug",
        r"\b(?:floating[- ]point|floats?\b|rounding (?:error|bug|issue)s?|rounding|precision (?:loss|error)|divi(?:de|sion) by zero)",
        3.0,
    ),
    (
        "source_typo",
        "code_bug",
        r"\b(?:typo in (?:the |our )?(?:code|source|function|method|variable)|typo in [\w./-]+\.(?:php|py|js|ts|rb|go|java|cs|cpp|c|rs|kt|scala)\b|fatal error|syntax error in (?:the )?code)",
        3.0,
    ),
    (
        "operator_change",
        "code_bug",
        r"(?:changed|replaced|swapped) (?:a |an |the )?`[^`]+` (?:to|with|for) `[^`]+`",
        3.5,
    ),
    (
        "concurrency_code",
        "code_bug",
        r"\b(?:goroutines?|(?:two|both|each) threads?|channels? the other|await\w*|async\w*|event loop|callbacks?|promises?)\b",
        3.0,
    ),
    (
        "logic_error",
        "code_bug",
        r"\b(?:logic (?:error|bug|flaw)|edge case|corner case|wrong (?:condition|branch|comparison|variable|field|argument|operator|type|index)|return(?:ed|s)? (?:early|before)|early return|inverted (?:check|condition)|missing (?:null |nil )?check|validation bug|unvalidated input|did not handle|didn'?t handle|failed to handle|not handled|unexpected input|string concatenation|(?:un)?escap(?:e|ed|ing)|apostroph\w*|special characters?)\b",
        2.5,
    ),
    (
        "regression",
        "code_bug",
        r"\b(?:regressions?|regressed|introduced a (?:bug|defect|change)|code change|code (?:path|defect)|software (?:bug|defect)|bug in (?:the |our )?(?:code|service|application|app|sdk|client|library|handler|wrapper|parser|logic))\b",
        2.5,
    ),
    # --- upgrades and migrations
    (
        "version_upgrade",
        "upgrade_migration",
        r"\b(?:upgrad\w*|update[ds]? (?:to|from) (?:version|v?\d)|(?:library|package|dependency|sdk|runtime|framework|driver|client|image) (?:update|upgrade|bump)s?|new(?:er)? (?:major )?version|version bump|bumped|(?:major|minor) version|from v?\d[\w.]* to v?\d[\w.]*|from [a-z.]+ v?\d[\w.]* to (?:[a-z.]+ )?v?\d[\w.]*)",
        3.0,
    ),
    (
        "incompatibility",
        "upgrade_migration",
        r"\b(?:incompatib\w*|not compatible|breaking change\w*|backwards?[- ]compat\w*|deprecat\w*|behaviou?r change[ds]? (?:in|between)|changed (?:\w+ ){0,3}?(?:behaviou?r|semantics)|api change[ds]? (?:in|between)|changed (?:its|their) defaults?\b|new defaults?\b|defaults? (?:\w+ ){0,2}changed (?:in|between|with) (?:the )?(?:new|version|release|upgrade)|no longer (?:supported|supports?|accept\w*|works?|available|compatible)|replaced (?:\w+ ){0,3}?with (?:the |a )?new(?:er)? (?:generation|version|model|release))",
        3.0,
    ),
    (
        "bad_image",
        "upgrade_migration",
        r"\b(?:(?:machine|node|base|container|os|vm|golden|docker) images?|amis?\b|kernel (?:version|update|upgrade|issue|bug|regression|patch)|os (?:update|patch|upgrade)|firmware (?:update|upgrade))",
        2.5,
    ),
    (
        "migration",
        "upgrade_migration",
        r"\b(?:migrat\w*|cut-?over|cutover|(?:moving|switching|porting|transitioning|move|switch) (?:\w+ ){0,4}?(?:from \w+ to|to (?:the )?new|onto)\b|half-?way through|decommission\w*|re-?platform\w*|lift[- ]and[- ]shift)\b",
        2.0,
    ),
    # --- capacity and overload
    (
        "traffic_surge",
        "capacity_overload",
        r"\b(?:traffic (?:spike|surge|peak|increase|burst)\w*|spike in (?:traffic|requests|load|usage)|surge in (?:traffic|requests|demand|load|sign-?ups)|(?:sudden|unexpected|unprecedented) (?:increase|spike|surge|burst)|flash (?:sale|crowd)|viral|black friday|more (?:traffic|requests|load) than|(?:\d+|ten|several)x (?:the )?(?:normal|usual) (?:traffic|load))",
        3.0,
    ),
    (
        "disk_full",
        "capacity_overload",
        r"\b(?:disk (?:was |is |became |got )?(?:full|filled)|(?:filled|fill(?:ing)?) (?:up )?(?:the |its |their )?(?:\w+ )?(?:disks?|volumes?|partitions?)|no space left|out of (?:disk|space|storage)|(?:disks?|volumes?|partitions?|filesystems?|file systems?|/\w+) (?:\w+ ){0,4}?(?:was |were |had |has |became |got )?(?:completely )?(?:filled|full|fill(?:ed|ing) up|ran out of (?:space|room))|disk space|disk usage|(?:disks?|volumes?|storage) (?:\w+ )?(?:reached|hit|at) (?:100|9\d) ?%|ran out of (?:disk|space|storage)|inode\w*|log files? (?:grew|filled))",
        3.5,
    ),
    (
        "memory_exhaustion",
        "capacity_overload",
        r"\b(?:out of memory|oom\w*|ran out of memory|memory (?:exhaust\w*|pressure|limit\w*)|exhausted (?:the )?(?:available )?memory|heap (?:space|exhaust\w*|size))\b",
        3.0,
    ),
    (
        "connection_pool",
        "capacity_overload",
        r"\b(?:(?:connection )?pools? (?:was |were |got )?(?:exhaust\w*|full|saturated|maxed)|exhausted (?:the |all )?(?:available )?(?:\w+ )?(?:connections|pool)|max(?:imum)?[_ ]connections|too many (?:open )?(?:connections|clients)|connection (?:limit|cap)s?|(?:ran|run|running) out of (?:\w+ )?connections|(?:all|every) (?:\d+ )?(?:\w+ )?connections (?:were )?(?:busy|in use|exhausted|taken|occupied))",
        3.0,
    ),
    (
        "port_exhaustion",
        "capacity_overload",
        r"\b(?:ephemeral (?:source )?ports?|source ports?|port exhaustion|time_wait|(?:ran|run|running) out of (?:\w+ )?ports|snat ports?)",
        3.5,
    ),
    (
        "fd_exhaustion",
        "capacity_overload",
        r"\b(?:file descriptors?|too many open files|ulimit|open files? limit|fd limit)",
        3.5,
    ),
    (
        "thread_exhaustion",
        "capacity_overload",
        r"\b(?:thread pool|worker pool|(?:thread|worker) starvation|starv\w+ (?:of )?(?:threads|workers)|(?:all|every) (?:\d+ )?(?:\w+ )?(?:threads|workers|slots) (?:were )?(?:busy|blocked|in use|exhausted|taken|occupied)|exhausted (?:the )?(?:web tier'?s? )?(?:worker|thread)s?(?: pool)?)",
        3.0,
    ),
    (
        "cpu_saturation",
        "capacity_overload",
        r"\b(?:(?:maxed|pegged|pinned|saturated) (?:out )?(?:its |the |all |every )?(?:\w+ )?cpus?|cpu[- ]bound|cpu[- ]starved|cpu (?:saturat\w*|exhaust\w*|starv\w*|spiked?|usage|at 100|pegged|maxed)|100 ?% cpu|saturat\w*|overloaded|overwhelmed|overload)\b",
        2.5,
    ),
    (
        "retry_storm",
        "capacity_overload",
        r"\b(?:retry storms?|thundering herds?|retries (?:amplified|multiplied|overwhelmed)|aggressive retr\w*|retry (?:loop|amplification)|retr(?:y|ied|ies|ying)\w* (?:\w+ ){0,4}?(?:immediately|without (?:any )?(?:exponential )?(?:backoff|back-off|jitter|delay))|(?:no|missing|without) (?:exponential )?(?:backoff|back-off|jitter)|cascading (?:failure|overload)|stampede)\b",
        3.0,
    ),
    (
        "insufficient_headroom",
        "capacity_overload",
        r"\b(?:could not|couldn'?t|unable to|failed to) (?:absorb|handle|cope with|keep up with|sustain|serve) (?:the )?(?:\w+ )?(?:load|traffic|volume|demand|requests)|fell over one (?:by|after) (?:one|another)|no (?:spare )?headroom",
        3.0,
    ),
    (
        "quota_limit",
        "capacity_overload",
        r"\b(?:quotas?|rate[- ]limit\w*|throttl\w*|limits? (?:was|were) (?:hit|reached|exceeded)|(?:hit|reached|exceeded) (?:the|a|its|our) (?:\w+ )?limits?|capacity limit|under-?provisioned|not enough (?:capacity|nodes|instances|workers)|insufficient capacity|capacity)\b",
        2.0,
    ),
    (
        "backlog",
        "capacity_overload",
        r"\b(?:backlog|queue (?:grew|filled|depth|backed up|overflow\w*)|queues? backed up|consumer lag)\b",
        1.5,
    ),
    # --- dependencies
    (
        "cloud_outage",
        "dependency_failure",
        r"\b(?:(?:aws|amazon|azure|gcp|google cloud|cloud ?flare|akamai|fastly|heroku|digitalocean|linode|ovh|hetzner|github|gitlab|npm|pypi|docker hub|quay|slack|twilio|sendgrid|stripe|okta|auth0|pagerduty|datadog|registry)\b[^.]{0,60}\b(?:outage|incident|degradation|disruption|service event|went down|was down)|(?:cloud|hosting|infrastructure) provider|region(?:al)? outage|provider outage|availability zone (?:outage|failure|went down))",
        3.5,
    ),
    (
        "vendor_failure",
        "dependency_failure",
        r"\b(?:(?:third[- ]party|3rd[- ]party|vendor'?s?|upstream|external|saas|payment|sms|email|messaging|partner'?s?|provider'?s?|identity|geocoding|maps?) (?:\w+ ){0,3}?(?:provider|processor|gateway|service|api|dependency|vendor|platform|script|sdk|widget)s? (?:\w+ ){0,4}?(?:had an? (?:\w+ )?(?:outage|incident|disruption)|(?:was|were|went) (?:down|degraded|unavailable|offline)|failed|outage|returned (?:errors|5\d\d)|timed out|hung|blocked|deployed a (?:bad )?change|started (?:returning|failing|rejecting))|upstream (?:provider|outage)|dependency (?:was |went )?(?:down|unavailable|failed)|(?:service|provider|vendor|api|platform|tool|registry) (?:that )?we (?:use|rely on|depend on|pay for|call|pull from)|(?:provider|vendor)(?:'s)? (?:\w+ ){0,3}?(?:started|began) (?:rate-?limit\w*|throttl\w*|block\w*|reject\w*|returning errors|failing|timing out)|(?:provider|vendor|gateway|registrar|saas)s? (?:\w+ ){0,4}?(?:had an? (?:\w+ )?(?:outage|incident|disruption)|(?:was|were|went) (?:down|degraded|unavailable|offline))|(?:outage|incident|disruption) at (?:our |the |a )?(?:\w+ ){0,2}?(?:provider|vendor|partner|host)|(?:\w+'s|their) (?:\w+ ){0,2}?(?:service|api|platform|endpoint)s? (?:\w+ ){0,2}?(?:returned errors|was down|went down|failed|timed out|was unavailable|was degraded)|after their (?:release|deploy\w*|change|update|migration)|on their (?:side|end)|(?:registry|mirror) (?:\w+ ){0,4}?(?:was |were |went )?(?:unavailable|down|offline))\b",
        3.0,
    ),
    (
        "upstream_internal",
        "dependency_failure",
        r"\b(?:upstream|downstream) (?:service|team|system|component)s? (?:was |were |became |went )?(?:down|unavailable|failing|degraded|slow|returned)|dependency (?:on|failure)|dependent service",
        2.0,
    ),
    # --- database
    (
        "replication_lag",
        "database",
        r"\b(?:replication (?:lag|delay|broke|broken|stopped|fell behind)|replica(?:s)? (?:lag\w*|fell behind|out of sync)|replication)\b",
        3.5,
    ),
    (
        "db_failover",
        "database",
        rf"\b(?:fail-?over|split[- ]brain|lost quorum|quorum (?:loss|lost)|galera|primary (?:election|switch\w*)|leader election|promot\w* (?:a |the )?replica|{_DB_SWITCHED})\b",
        3.0,
    ),
    (
        "stale_primary",
        "database",
        r"\b(?:(?:old|demoted|former|previous|dead) primary|stale (?:database )?connections?|(?:kept|still) (?:writing|pointing|connected) to the (?:old|demoted|former|previous) )",
        3.5,
    ),
    (
        "locks",
        "database",
        r"\b(?:deadlock\w*|mutex\w*|latch(?:es)? contention|lock (?:contention|wait\w*|timeout)|table[- ]level lock|(?:table|row) lock\w*|locked the (?:\w+ )?table|exclusive lock|long[- ]running (?:transaction|query|queries)|lock(?:ed)? (?:up|out) the)",
        3.5,
    ),
    (
        "query_plan",
        "database",
        r"\b(?:query plan\w*|missing index\w*|(?:full )?table scans?|slow quer\w*|unindexed|index (?:was )?(?:missing|dropped)|planner|statistics (?:were )?stale|n\+1 quer\w*|expensive quer\w*)",
        3.0,
    ),
    (
        "vacuum_wraparound",
        "database",
        r"\b(?:vacuum\w*|compaction|tombstones?|sstables?|hinted handoff|wraparound|transaction id|xid|oid\w*|toast|autovacuum|bloat\w*|sequence exhaust\w*|auto[- ]?increment|primary key (?:space|ran out|exhaust\w*))",
        3.5,
    ),
    (
        "schema_migration_lock",
        "database",
        near(
            r"\b(?:schema|ddl|alter table|migration|add(?:ed|ing)? (?:an )?index|create index)\b",
            r"\block\w*|blocked\b",
            10,
        ),
        3.0,
    ),
    (
        "db_generic",
        "database",
        rf"\b(?:database (?:server|cluster|instance|node)s? (?:crashed|restarted|became unresponsive|hung)|{_DB_CRASHED})",
        2.0,
    ),
    # --- network and DNS
    (
        "dns_records",
        "network_dns",
        r"\b(?:dns(?![- ]less)|/etc/hosts|hosts file|(?:stale|wrong|old|decommissioned) ip(?: address)?\b|nameservers?|name servers?|resolvers?|name resolution|failed to resolve|could not resolve|(?:dns|cname|aaaa|ns|mx|txt) records?|cname|zone file|dns ttls?|ttls? (?:on|of|for) (?:the )?(?:dns|failover|\w+ records?)|record'?s? ttl|domain (?:registration|expir\w*)|registrar)",
        3.0,
    ),
    (
        "bgp_routing",
        "network_dns",
        r"\b(?:bgp|route (?:leak|withdraw\w*|flap\w*|table)|routes? (?:were )?withdrawn|routing (?:table|loop|change|error|issue)|anycast|peering|autonomous system|asn\b|prefix(?:es)? (?:withdrawn|announced|hijack\w*))",
        4.0,
    ),
    (
        "partition",
        "network_dns",
        r"\b(?:network partition\w*|partitioned (?:from|network|cluster|zone|after|by|when|due)|link (?:\w+ ){0,4}?(?:dropped|failed|failure|went down|was cut|down)|(?:connectivity|network) (?:\w+ ){0,4}?(?:degraded|disrupted|lost|impaired)|network provider|packet loss|dropped packets|split network|connectivity (?:loss|issues?|between)|lost connectivity|network (?:outage|failure|issue|flap\w*|congestion|blip|glitch|connectivity)|latency between (?:regions|zones|data ?cent\w*)|mtu)\b",
        3.0,
    ),
    (
        "load_balancer",
        "network_dns",
        r"\b(?:load[- ]?balanc\w*|lbs?|elbs?|albs?|nlbs?|haproxy|reverse proxy|ingress controller|vip|virtual ip)\b",
        2.0,
    ),
    (
        "firewall",
        "network_dns",
        r"\b(?:firewall\w*|security groups?|network acls?|iptables|ip allow-?list\w*|block(?:ed|ing)? (?:all |the )?(?:inbound|outbound|ingress|egress) traffic|vpn|nat gateway)\b",
        2.5,
    ),
    (
        "network_hardware_link",
        "network_dns",
        r"\b(?:switch(?:es)? (?:failed|rebooted|misbehav\w*)|top[- ]of[- ]rack|router (?:failed|crashed|rebooted)|(?:fib(?:er|re)|cable) (?:cut|was cut|damaged)|uplink|backbone|transit (?:provider|link))",
        3.0,
    ),
    # --- hardware and power
    (
        "disk_failure",
        "hardware_power",
        r"\b(?:disk (?:failure|failed|died|fault\w*)|sd cards? (?:died|failed|corrupted|wore out)|(?:ssds?|disks?|drives?|nvmes?) (?:\w+ ){0,3}?(?:started |began )?failing|bad batch of|(?:drive|card|ssd|hdd|psu|fan)s? (?:died|failed|burned out|wore out)|(?:failed|failing|faulty|bad|dead) (?:disks?|drives?|ssds?|hdds?|nvme)|drive fail\w*|raid (?:array )?(?:degrad\w*|rebuild|failure)|bad sectors?|smart errors?)\b",
        4.0,
    ),
    (
        "power_loss",
        "hardware_power",
        r"\b(?:power (?:outage|failure|loss|cut|supply|surge|feed|distribution)|lost power|loss of power|(?<![-\w])ups (?:batter\w*|units?|systems?|failed|failure)|ups batter\w*|generators?|utility power|pdu|breaker (?:tripped|trip)|brownout|electrical)\b",
        4.0,
    ),
    (
        "cooling",
        "hardware_power",
        r"\b(?:cooling|overheat\w*|thermal|hvac|air conditioning|chiller|temperature (?:rose|in the data ?cent\w*))\b",
        4.0,
    ),
    (
        "host_hardware",
        "hardware_power",
        r"\b(?:hardware (?:failure|fault|issue|problem|error|defect)|line cards?|supervisor (?:module|card)|transceivers?|optics (?:failed|failure)|faulty (?:hardware|ram|memory (?:module|dimm)|nic|network card|motherboard|cpu|host|server)|(?:bad|failed|failing) (?:ram|dimm|memory module|nic|network card|motherboard|power supply|psu)|ecc (?:\w+ )?errors?|bit flips?|storage (?:array|controller)s? (?:lost|failed)|lost (?:a|one|its|the) (?:\w+ )?controller|controller (?:failed|failure|died)|host (?:failure|died)|physical (?:server|host|machine) (?:failed|died)|server (?:hardware|died))",
        4.0,
    ),
    (
        "facility",
        "hardware_power",
        r"\b(?:fire in (?:the|a|our) (?:data ?cent\w*|server room|building|facility)|flood(?:ed|ing)? (?:the |a |our )?(?:data ?cent\w*|server room|building|facility)|water leak|data ?cent(?:er|re) (?:fire|flood|incident|outage)|fire suppression|facility)\b",
        3.0,
    ),
    # --- human error
    (
        "wrong_target",
        "human_error",
        r"\b(?:(?:the )?(?:wrong|incorrect) (?:\w+ )?(?:host|server|environment|cluster|database|account|region|machine|instance|table|branch|context|directory|folder|path|terminal|window|tab|profile|project|subscription|list|file|csv|spreadsheet|workspace|customer list)s?|(?:staging|test|dev) (?:\w+ ){0,3}?(?:to|against|on|in|into) (?:the )?(?:production|prod)\b|(?:the )?live \w+ instead of|restored over|thought (?:it|they|he|she) (?:was|were) (?:in|on|connected to )?(?:staging|test|dev)|(?:production|prod) (?:\w+ )?instead of (?:the )?(?:staging|test|dev)|against (?:prod|production) (?:thinking|believing|assuming)|thinking (?:it|they) (?:was|were) (?:staging|test|dev)|mistook (?:production|prod))",
        4.0,
    ),
    (
        "mistyped_command",
        "human_error",
        r"\b(?:typo(?:ed)? in (?:a |the )?(?:command|cli|shell|query|input)|mistyped|fat[- ]finger\w*|typed (?:the )?wrong|entered (?:incorrectly|incorrect|wrong|the wrong)|incorrect(?:ly)? (?:entered|typed|input)|wrong (?:argument|parameter|input) (?:was )?(?:passed|given|entered)|larger set of servers than intended)",
        4.0,
    ),
    (
        "manual_action",
        "human_error",
        r"\b(?:manual(?:ly)? (?:step|change|intervention|action|command|edit\w*|delet\w*|operation|process|run|ran)|by hand|accidental(?:ly)?|inadvertent(?:ly)?|unintentional(?:ly)?|by mistake|mistakenly|erroneously (?:ran|deleted|removed|dropped|executed)|one-off (?:command|script|query|update|fix)|(?:engineer|operator|admin|dba|someone) (?:ran|executed|deleted|removed|dropped|restarted)|(?:copied|pasted) (?:\w+ ){0,3}?from (?:the )?(?:wiki|docs|runbook|slack|chat|another)|copy[- ]?past\w*|replaced incorrectly)\b",
        2.0,
    ),
    (
        "procedure_skipped",
        "human_error",
        r"\b(?:(?:did not|didn'?t|failed to|forgot to|neglected to) follow (?:the )?(?:runbook|procedure|process|checklist|playbook)|(?:runbook|procedure|process|checklist|step) (?:was |were )?(?:not followed|skipped|missed|ignored)|skipped (?:a |the )?(?:step|review|check)|without waiting for (?:ci|review|the checks?|approval)|bypass\w* (?:the )?(?:review|ci|checks?)|without (?:a |any )?review|thought it was|assumed (?:it|that|someone)|forgot(?:ten)? to|operator error|human error)\b",
        3.5,
    ),
    # --- automation and tooling
    (
        "pipeline",
        "automation_tooling",
        r"\b(?:(?:deploy\w*|release|ci|cd|build|publish\w*) (?:pipeline|tool\w*|system|script|job|process|automation)s?|ci/cd|ci job|github actions?|jenkins|spinnaker|argo ?cd|the pipeline)\b",
        2.5,
    ),
    (
        "dependency_bot",
        "automation_tooling",
        r"\b(?:dependabot|renovate(?: bot)?|auto-?merg\w*|auto-?approv\w*)\b",
        3.5,
    ),
    (
        "automation_script",
        "automation_tooling",
        r"\b(?:(?:automation|automated|maintenance|cleanup|clean-up|provisioning|bash|shell|cron|housekeeping|janitor|rollover|reaper|garbage collection|switch|switch-?over|failover|deploy|deployment|release|rollout|cut-?over)(?: \w+)? (?:script|job|task|process|tool)s?|cron ?jobs?|crontab|scheduled (?:job|task)s?|runbook automation|bots?\b)",
        3.0,
    ),
    (
        "autoscaler",
        "automation_tooling",
        r"\b(?:auto-?scal\w*|scaled (?:down|in) (?:to zero|too (?:far|aggressively))|scale-?down|hpa\b|cluster-?autoscaler|auto-?remediat\w*|self-?heal\w*)",
        3.0,
    ),
    (
        "orchestration_iac",
        "automation_tooling",
        r"\b(?:terraform|pulumi|cloudformation|ansible|puppet|chef|salt ?stack|kubectl apply|infrastructure[- ]as[- ]code|iac\b|orchestrat\w*|controller (?:deleted|removed|evicted|terminated)|operator (?:deleted|removed|reconcil\w*))",
        3.0,
    ),
    # --- security
    (
        "ddos",
        "security",
        r"\b(?:ddos\b|dos attacks?|denial[- ]of[- ]service|syn flood|amplification attack|botnet|volumetric attack|l7 attack)",
        4.5,
    ),
    (
        "compromise",
        "security",
        r"\b(?:compromised|breach\w*|intrusion|intruder|attackers?|malicious|malware|ransomware|phishing|unauthori[sz]ed access|hacked|exploit\w*|vulnerabilit\w*|cve-\d+|credential stuffing|account takeover|exposed to the (?:public )?internet|publicly (?:exposed|accessible)|without authentication|unauthenticated|defaced|leaked (?:\w+ )?(?:key|token|secret|credential|password)s?|(?:key|token|secret|credential|password)s? (?:were |was )?(?:leaked|exposed|committed to)|abuse\w*|spam\w*|fraud\w*|scrap(?:er|ing)|crypto-?min\w*)\b",
        4.0,
    ),
    (
        "waf",
        "security",
        r"\b(?:waf|web application firewall|bot (?:protection|mitigation)|security (?:rule|patch|scanner|incident|team))\b",
        2.0,
    ),
    # --- data corruption
    (
        "corrupt_data",
        "data_corruption",
        r"\b(?:corrupt\w*|data (?:loss|integrity|inconsisten\w*)|lost data|inconsistent (?:\w+ )?(?:data|state|records|writes|values|balances|copies)|no longer match\w*|(?:did not|didn'?t) match (?:the )?(?:ledger|source|original|records)|checksum (?:mismatch|error|failure)s?|truncat\w*|garbled|partial writes?|torn (?:writes?|pages?|records?)|half-written|los(?:t|ing) (?:a |an |the )?(?:\w+ ){0,4}?(?:data|records|events|orders|rows)|lost updates?|without (?:a |any )?(?:transaction|locking)|balances? drift\w*|swapped (?:\w+ ){0,3}?(?:and|with)|mojibake|encoding (?:error|issue|bug)|silent(?:ly)? (?:overw\w*|drop\w*|discard\w*|corrupt\w*))\b",
        3.5,
    ),
    (
        "bad_writes",
        "data_corruption",
        r"\b(?:overwr(?:ote|itten|iting) (?:\w+ ){0,3}?(?:data|records?|rows?|values|files?|orders?|addresses|profiles?|accounts?|edits|changes|entries|history|backups?)|(?:data|records|rows|values|files|orders|entries) (?:\w+ )?(?:was|were|got) overwritten|wrong (?:data|values|records) (?:was |were )?(?:written|stored|saved)|(?:stored|wrote|written|saved|imported|recorded) (?:the )?(?:wrong|incorrect|bad|invalid|corrupt\w*) \w+|merged (?:different|unrelated|separate|distinct) (?:\w+ )?(?:accounts|records|customers|users|profiles)|wiped (?:out )?(?:the |all )?(?:\w+ )?(?:orders|records|rows|data|accounts|users|files|tables?)|duplicate (?:records|rows|entries|events|charges|payments)|double[- ](?:charg\w*|writ\w*|count\w*)|(?:backfill|data fix|migration script) (?:overwrote|deleted|wrote)|deleted (?:\w+ )?(?:records|rows|data|users?)|data (?:was |were )?(?:deleted|wiped|dropped)|dropped (?:the |a )?(?:\w+ )?(?:table|database|collection))\b",
        3.0,
    ),
    (
        "replayed_events",
        "data_corruption",
        r"\b(?:re-?appl(?:y|ied|ying)|out[- ]of[- ]order (?:events|messages|writes|updates|delivery|processing)|rolled (?:\w+ ){0,3}?back to an? (?:earlier|older|previous) (?:plan|state|version|value)s?|replay(?:ed|ing)? (?:\w+ ){0,3}?(?:events?|messages?|topics?|logs?|queue)|re-?processed (?:old|stale))",
        3.0,
    ),
    # --- cache
    (
        "stale_cache",
        "cache",
        r"\b(?:stale (?:cache|entries|data|content|responses?|records)|cache (?:invalidation|purge|poison\w*|key|keys|ttl|coherence|consistency|was not (?:invalidated|purged|cleared))|served stale|cached (?:copy|version|response|data|page)s?|(?:not|never) (?:invalidated|refreshed|reloaded)|invalidat\w* (?:the )?cache|(?:cache|redis|memcache\w*|cdn) ttls?|ttls? (?:for|on) (?:the )?(?:cache|cached)|(?:change|update)s? did not show)",
        4.0,
    ),
    (
        "cache_stampede",
        "cache",
        r"\b(?:cache (?:stampede|miss(?:es)?|hit (?:rate|ratio)|eviction\w*|flush\w*|warm\w*|cold|restart\w*|cluster (?:restart\w*|failed|went down))|cold cache|(?:flushed|cleared|emptied|wiped) (?:the |a )?(?:\w+ )?cache|cache\w* (?:\w+ ){0,3}(?:restarted|came back|started) (?:empty|cold)|(?:evicted|eviction) (?:from )?(?:the )?cache|dogpil\w*)",
        4.0,
    ),
    (
        "cache_generic",
        "cache",
        r"\b(?:cach(?:e|es|ed|ing)|memcache\w*|redis|varnish|cdn cache)\b",
        1.5,
    ),
    # --- monitoring
    (
        "missing_alert",
        "monitoring_gap",
        r"\b(?:no (?:alert\w*|alarm\w*|monitoring|metrics?|visibility|page|paging)|(?:alert\w*|alarm\w*|monitor\w*|page) (?:did not|didn'?t|failed to|never) (?:fire|trigger|page|go off|detect|notice|catch)|(?:missing|insufficient|inadequate|lack of|lacking|gaps? in (?:our )?)\s?(?:alert\w*|monitoring|metrics|observability|visibility|telemetry)|not monitored|unmonitored|went unnoticed|undetected|no ?one noticed|nobody noticed|(?:no|without an?) (?:success |completion |freshness )?(?:check|heartbeat)s?\b|found out from (?:customers|users|twitter)|(?:customers|users) (?:told|reported|noticed) (?:it |us )?(?:first|before)|(?:uptime|synthetic|external) (?:check\w*|monitor\w*) (?:\w+ ){0,2}?(?:was|were) (?:down|broken)|without (?:any )?(?:alert\w*|monitoring)|(?:silenced|muted|snoozed) (?:alert\w*|alarm\w*)|(?:alert\w*|alarm\w*|monitor\w*) (?:\w+ ){0,3}?(?:silenced|muted|snoozed|disabled|turned off|switched off)|(?:never|not) alerted|logged but (?:not|never))",
        3.5,
    ),
    (
        "alert_threshold",
        "monitoring_gap",
        r"\b(?:alert(?:ing)? thresholds?|threshold (?:was )?too (?:high|low)|alert fatigue|noisy alerts?|false (?:positive|negative)s?|paging (?:was )?(?:misrouted|misconfigured|broken)|routed to (?:the )?wrong (?:team|channel|rotation)|pages? (?:went|were sent|was sent|routed) to|paged the wrong|escalation (?:policy|path)|alerts? (?:\w+ ){0,2}?went nowhere|(?:averages?|dashboards?|metrics?) (?:\w+ ){0,4}?(?:hid|hides|hiding|masked|misleading)|on-?call (?:was not|wasn'?t|never) (?:paged|notified))\b",
        3.5,
    ),
    (
        "probe_action",
        "monitoring_gap",
        r"\b(?:liveness|readiness|health)[- ]?(?:probes?|checks?) (?:\w+ ){0,3}?(?:killed|restarted|removed|evicted|marked|passed|succeeded|returned|reported)",
        3.0,
    ),
    (
        "health_check",
        "monitoring_gap",
        r"\b(?:health[- ]?checks?|liveness probes?|readiness probes?|heartbeats?|status page)\b",
        2.5,
    ),
]

MECHANISMS: tuple[Mechanism, ...] = tuple(
    Mechanism(name, category, re.compile(pattern, re.IGNORECASE), weight)
    for name, category, pattern, weight in _M
)

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
