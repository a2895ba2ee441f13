"""The root-cause taxonomy: what each category means, by mechanism rather than by trigger.

A deploy, a Monday rollover or a traffic peak is usually the *trigger*; the category names the
*mechanism* that turned it into an outage (the bad value in the config that was deployed, the
bug that the deploy shipped, the pool that the peak exhausted). ``unknown`` is a real answer:
many public postmortems name no cause, and a guess would poison the repeat detection.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    title: str
    definition: str


CATEGORIES: tuple[Category, ...] = (
    Category(
        "config_change",
        "Configuration change",
        "A configuration value, flag, rule or setting was wrong or had an unforeseen effect "
        "(including a bad config pushed everywhere at once).",
    ),
    Category(
        "code_bug",
        "Code bug",
        "A defect in the service's own code: logic error, crash, race, leak or regression "
        "shipped in a release.",
    ),
    Category(
        "upgrade_migration",
        "Upgrade or migration",
        "Moving to a new version, image, platform or location broke something "
        "(incompatibility, behaviour change, half-finished migration).",
    ),
    Category(
        "capacity_overload",
        "Capacity or overload",
        "Demand exceeded a finite resource: traffic surge, exhausted CPU, memory, disk, "
        "connections, file descriptors or quota; retry storms and thundering herds.",
    ),
    Category(
        "dependency_failure",
        "Dependency failure",
        "A service we rely on but do not run (cloud provider, vendor, SaaS API, another "
        "team's upstream) failed or changed.",
    ),
    Category(
        "database",
        "Database",
        "The database engine's own behaviour: replication lag, failover, locks and deadlocks, "
        "query plans, vacuum, identifier or OID exhaustion.",
    ),
    Category(
        "network_dns",
        "Network or DNS",
        "Packets did not get where they should: DNS records or resolvers, BGP and routing, "
        "load balancers, partitions, packet loss, firewalls.",
    ),
    Category(
        "cert_credential",
        "Certificate or credential",
        "An expired, revoked, rotated or mis-issued TLS certificate, key, token, password or "
        "other credential.",
    ),
    Category(
        "time_clock",
        "Time and clocks",
        "Time handling: leap seconds, leap days, daylight-saving and time-zone changes, clock "
        "skew, date rollovers and timestamp overflows.",
    ),
    Category(
        "hardware_power",
        "Hardware or power",
        "Physical failure: disks, hosts, memory modules, network cards, power, cooling, "
        "the building.",
    ),
    Category(
        "human_error",
        "Human error",
        "A manual action did something other than intended: a mistyped command, the wrong "
        "host or environment, a skipped step of a procedure.",
    ),
    Category(
        "automation_tooling",
        "Automation or tooling",
        "Our own automation did the damage: deploy pipeline, CI, scripts, cron jobs, "
        "autoscalers, orchestration and infrastructure-as-code.",
    ),
    Category(
        "security",
        "Security",
        "A hostile actor or a security control: attacks, DDoS, compromised accounts, leaked "
        "secrets, exploited vulnerabilities, abuse.",
    ),
    Category(
        "data_corruption",
        "Data corruption",
        "Data became wrong, inconsistent or lost: corrupt files or indexes, bad writes, "
        "overwritten or deleted records.",
    ),
    Category(
        "cache",
        "Cache",
        "A cache behaved badly: stale or poisoned entries, invalidation, eviction, stampede "
        "on a cold or flushed cache.",
    ),
    Category(
        "monitoring_gap",
        "Monitoring gap",
        "Detection failed or misled: missing or silent alerts, wrong thresholds, health "
        "checks that lied, no visibility.",
    ),
    Category(
        "unknown",
        "Unknown",
        "The text names no cause, or says the cause is not yet known.",
    ),
)

BY_NAME: dict[str, Category] = {c.name: c for c in CATEGORIES}
NAMES: tuple[str, ...] = tuple(c.name for c in CATEGORIES)
UNKNOWN = "unknown"

# Words people write in front matter (`cause: dns`, `tags: [cause/certificate]`) for a category.
ALIASES: dict[str, str] = {
    "config": "config_change",
    "configuration": "config_change",
    "misconfiguration": "config_change",
    "bug": "code_bug",
    "code": "code_bug",
    "software_bug": "code_bug",
    "regression": "code_bug",
    "upgrade": "upgrade_migration",
    "migration": "upgrade_migration",
    "capacity": "capacity_overload",
    "overload": "capacity_overload",
    "load": "capacity_overload",
    "dependency": "dependency_failure",
    "third_party": "dependency_failure",
    "vendor": "dependency_failure",
    "provider": "dependency_failure",
    "db": "database",
    "network": "network_dns",
    "networking": "network_dns",
    "dns": "network_dns",
    "certificate": "cert_credential",
    "cert": "cert_credential",
    "tls": "cert_credential",
    "credential": "cert_credential",
    "credentials": "cert_credential",
    "time": "time_clock",
    "clock": "time_clock",
    "hardware": "hardware_power",
    "power": "hardware_power",
    "human": "human_error",
    "operator_error": "human_error",
    "manual_error": "human_error",
    "automation": "automation_tooling",
    "tooling": "automation_tooling",
    "ci": "automation_tooling",
    "deploy_tooling": "automation_tooling",
    "attack": "security",
    "ddos": "security",
    "data": "data_corruption",
    "corruption": "data_corruption",
    "data_loss": "data_corruption",
    "caching": "cache",
    "monitoring": "monitoring_gap",
    "alerting": "monitoring_gap",
    "observability": "monitoring_gap",
}


def canonical(name: object) -> str | None:
    """The category a front-matter value names (``"DNS"``, ``"cert-credential"``), or None."""
    if not isinstance(name, str):
        return None
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key in BY_NAME:
        return key
    return ALIASES.get(key)
