"""Mechanisms of capacity and infrastructure: overload, dependencies, databases, network and
DNS, hardware and power (in the lexicon's order)."""

from __future__ import annotations

from tracker.causes.lexicon.grammar import DB_CRASHED, DB_SWITCHED, Row, near

TABLE: list[Row] = [
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
        rf"\b(?:fail-?over|split[- ]brain|lost quorum|quorum (?:loss|lost)|galera|primary (?:election|switch\w*)|leader election|promot\w* (?:a |the )?replica|{DB_SWITCHED})\b",
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
        rf"\b(?:database (?:server|cluster|instance|node)s? (?:crashed|restarted|became unresponsive|hung)|{DB_CRASHED})",
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
]
