"""Mechanisms of people, tools and data: human error, automation and tooling, security, data
corruption, caches, monitoring (in the lexicon's order)."""

from __future__ import annotations

from tracker.causes.lexicon.grammar import Row

TABLE: list[Row] = [
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
