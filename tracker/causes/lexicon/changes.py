"""Mechanisms of things that changed or ran out: certificates and credentials, time and
clocks, configuration, code bugs, upgrades and migrations (in the lexicon's order)."""

from __future__ import annotations

from tracker.causes.lexicon.grammar import (
    CERT,
    CERT_MISISSUED,
    CONFIG,
    CRED,
    EVERYWHERE,
    EXPIRE,
    PUSH,
    Row,
    near,
    then,
)

TABLE: list[Row] = [
    # --- certificates and credentials
    ("cert_expired", "cert_credential", near(CERT, EXPIRE, 8), 4.0),
    (
        "cert_chain",
        "cert_credential",
        rf"\b(?:intermediate (?:ca|cert\w*)|certificate chain|cert chain|root ca|revoked (?:cert\w*)|certificate revocation|ocsp|trust store|truststore|{CERT_MISISSUED})\b",
        3.5,
    ),
    ("credential_expired", "cert_credential", near(CRED, EXPIRE, 6), 3.5),
    (
        "credential_rotation",
        "cert_credential",
        near(
            CRED,
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
        near(rf"{CONFIG}|\bchange\b", then(PUSH, EVERYWHERE, 8), 6),
        3.5,
    ),
    ("config_everywhere", "config_change", near(CONFIG, EVERYWHERE, 8), 2.0),
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
            CONFIG,
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
]
