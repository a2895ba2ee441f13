"""Domain normalisation of root-cause text before it is compared.

Two postmortems fail the same way when their *mechanism* matches, whoever wrote them. So the
text loses what identifies the writer (company, product and host names, numbers, dates,
versions, URLs) and keeps what describes the failure, with common synonyms folded together
("SSL cert", "TLS certificate" -> ``certificate``; "lapsed", "expiry" -> ``expire``) and
specific products folded into their kind ("Postgres", "MySQL" -> ``database``).
"""

from __future__ import annotations

import re

from tracker.causes.matcher import PatternSet
from tracker.parsing.dates import MONTHS

# Acronyms and capitalised words that describe mechanisms, kept when other capitalised words
# (names of companies, products, people, hosts) are dropped.
_KEEP_CAPITALISED = {
    "dns",
    "tls",
    "ssl",
    "bgp",
    "ntp",
    "dst",
    "cpu",
    "oom",
    "api",
    "cdn",
    "ttl",
    "mtu",
    "raid",
    "ups",
    "sql",
    "ddos",
    "dos",
    "iam",
    "ca",
    "vpn",
    "nic",
    "ssd",
    "hdd",
    "http",
    "https",
    "utc",
    "ci",
    "cd",
    "db",
    "xid",
    "oid",
    "toast",
    "ecc",
    "psu",
    "pdu",
    "hvac",
    "jvm",
    "gc",
    "io",
    "tcp",
    "udp",
    "ip",
    "nat",
    "lb",
    "elb",
    "alb",
    "waf",
    "sso",
    "saml",
    "oauth",
    "ldap",
    "ram",
    "os",
    "cname",
    "ami",
    "hpa",
    "acl",
    "acls",
    "crl",
    "ocsp",
    "apns",
    "smtp",
    "sms",
    "gps",
    "json",
    "csv",
    "xml",
    "yaml",
    "url",
    "ddl",
    "etl",
    "ttls",
    "dimm",
    "nvme",
    "san",
    "mfa",
    "2fa",
    "vm",
    "vms",
    "pod",
    "pods",
    "leap",
    "feb",
    "february",
    "daylight",
    "saving",
    "tcp/ip",
}

# Product names folded into what they are, so "Postgres replication lag" and "MySQL replicas
# fell behind" share words.
_KINDS: list[tuple[str, str]] = [
    (
        r"postgres(?:ql)?|mysql|mariadb|mongo(?:db)?|cassandra|dynamo(?:db)?|aurora|rds|cockroach(?:db)?|oracle|sql server|mssql|spanner|cosmos ?db",
        "database",
    ),
    (r"redis|memcached?|varnish|elasticache", "cachestore"),
    (r"nginx|apache|haproxy|envoy|traefik|caddy|iis", "webproxy"),
    (r"kafka|rabbitmq|sqs|pub/?sub|kinesis|nats|activemq|sidekiq|celery", "queue"),
    (r"kubernetes|k8s|eks|gke|aks|openshift|nomad", "cluster"),
    (r"elastic ?search|opensearch|solr", "searchengine"),
    (
        r"aws|amazon web services|gcp|google cloud|azure|digitalocean|linode|hetzner|ovh",
        "cloudprovider",
    ),
    (r"cloudflare|akamai|fastly|cloudfront", "cdnprovider"),
    (r"let'?s ?encrypt|certbot|acme client|digicert|sectigo", "certauthority"),
    (r"terraform|pulumi|cloudformation|ansible|puppet|chef|saltstack", "iactool"),
    (r"jenkins|github actions|gitlab ci|circleci|spinnaker|argo ?cd|buildkite", "cipipeline"),
    (r"stripe|adyen|braintree|paypal", "paymentprovider"),
    (r"twilio|sendgrid|mailgun|postmark", "messagingprovider"),
    (r"okta|auth0|keycloak|azure ad|entra", "identityprovider"),
]


Fold = tuple[re.Pattern[str], str]


def _compiled(pairs: list[tuple[str, str]], wrap: str) -> list[Fold]:
    return [(re.compile(wrap.format(source), re.IGNORECASE), word) for source, word in pairs]


_KIND_PATTERNS = _compiled(_KINDS, r"\b(?:{})\b")

_SYNONYMS: list[tuple[str, str]] = [
    (
        r"\b(?:ssl|tls|x\.?509|https)[ -]?(?:cert(?:ificate)?s?)\b|\bcerts?\b|\bcertificates\b",
        "certificate",
    ),
    (
        r"\b(?:expir(?:ed|y|ation|es|ing)|lapsed?|not (?:been )?renewed|past (?:its|their) (?:expiry|validity))\b",
        "expire",
    ),
    (
        r"\bdaylight[ -]saving(?: time)?\b|\bsummer ?time\b|\bclocks? (?:went|go|going|changed|moved|sprang|fell) (?:forward|back)\b|\bspring[- ]forward\b",
        "dst",
    ),
    (r"\bleap[ -]?seconds?\b", "leapsecond"),
    (r"\bleap[ -]?(?:days?|years?)\b|\bfeb(?:ruary)? 29(?:th)?\b", "leapday"),
    (r"\bout of memory\b|\boom[- ]?kill(?:ed|er)?\b|\boom\b", "oom"),
    (
        r"\bno space left(?: on device)?\b|\bdisks? (?:was |is |became )?full\b|\bran out of (?:disk(?: space)?|space|storage)\b|\bfilled (?:up )?(?:the )?(?:disk|volume|partition)s?\b",
        "diskfull",
    ),
    (r"\bdistributed denial[- ]of[- ]service\b|\bdenial[- ]of[- ]service\b|\bddos\b", "ddos"),
    (
        r"\bthundering herds?\b|\bretry storms?\b|\bretries (?:without|with no) (?:back-?off|jitter)\b",
        "retrystorm",
    ),
    (
        r"\bmis-?config(?:ured|uration)\b|\bbad config(?:uration)?\b|\bwrong config(?:uration)?\b",
        "misconfiguration",
    ),
    (r"\bconfig(?:uration)?s?\b", "config"),
    (r"\bfeature[ -]?flags?\b|\btoggles?\b|\bkill[ -]?switch(?:es)?\b", "featureflag"),
    (r"\b(?:read )?replicas?\b|\bsecondar(?:y|ies)\b|\bfollowers?\b|\bslaves?\b", "replica"),
    (r"\bfail-?over\b|\bfailed over\b|\bpromot(?:ed|ion)\b", "failover"),
    (r"\bhealth[- ]?checks?\b|\bliveness probes?\b|\breadiness probes?\b", "healthcheck"),
    (r"\b(?:alerts?|alarms?|pag(?:e|es|ing))\b", "alert"),
    (r"\b(?:silenced|muted|snoozed|disabled)\b", "silenced"),
    (r"\bpasswords?\b|\bcredentials?\b|\bsecrets?\b|\bapi[ -]?keys?\b|\btokens?\b", "credential"),
    (r"\brotat(?:ed|ion|ing|e)\b", "rotate"),
    (
        r"\bpower (?:outage|failure|loss|cut)\b|\blost power\b|\bloss of power\b|\butility power\b",
        "powerloss",
    ),
    (r"\bgenerators?\b|\bups batter(?:y|ies)\b", "backuppower"),
    (
        r"\bdeadlocks?\b|\block (?:contention|waits?|timeouts?)\b|\bexclusive locks?\b|\btable locks?\b",
        "lock",
    ),
    (r"\bautoscal(?:er|ing|ed)\b|\bhpa\b|\bscaled? (?:down|in)\b", "autoscale"),
    (
        r"\bdatacent(?:er|re)s?\b|\bdata cent(?:er|re)s?\b|\bcolo(?:cation)?\b|\bfacility\b",
        "datacenter",
    ),
    (r"\bprod(?:uction)?\b", "production"),
    (
        r"\bstag(?:e|ing)\b|\btest(?:ing)? (?:env(?:ironment)?|cluster)\b|\bdev(?:elopment)? (?:env(?:ironment)?|cluster)\b",
        "staging",
    ),
    (r"\bstale\b|\boutdated\b|\bold(?:er)? (?:version|content|data|values)\b", "stale"),
    (r"\bpurg(?:e|ed|ing)\b|\binvalidat(?:e|ed|ion|ing)\b", "invalidate"),
]
_SYNONYM_PATTERNS = _compiled(_SYNONYMS, "{}")
_FOLDS = [*_KIND_PATTERNS, *_SYNONYM_PATTERNS]

_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\b\S+@\S+\.\w+\b")
_HOST = re.compile(
    r"\b[\w-]+(?:\.[\w-]+)+\.(?:com|org|net|io|dev|app|co|cloud|internal|local|ai)\b", re.IGNORECASE
)
_VERSION = re.compile(r"\bv?\d+(?:\.\d+)+[\w.-]*\b", re.IGNORECASE)
_NUMBER = re.compile(r"\b\d[\d,.:/%-]*\w*\b")
_CODE = re.compile(r"`([^`]*)`")
_WORD = re.compile(r"[A-Za-z][A-Za-z'_-]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n)\s*[\"'(*_>-]*\s*$")
# Month names as ``tracker.parsing.dates`` reads them ("jan", "sept", "december"), and the days
# of the week: dropped, like the other parts of a date.
_CALENDAR_WORDS = frozenset(MONTHS) | frozenset(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
)


# Every replacement, in order: names and addresses out, products folded into their kind,
# synonyms folded, then versions and numbers out.
Step = tuple[re.Pattern[str], str]
_STEPS: list[Step] = [
    (_URL, " "),
    (_EMAIL, " "),
    (_HOST, " host "),
    (_CODE, r" \1 "),
    *[(pattern, f" {word} ") for pattern, word in _FOLDS],
    (_VERSION, " "),
    (_NUMBER, " "),
]
# RE2 tells in one pass which replacements can change the text (see matcher).
_PATTERNS = PatternSet([pattern for pattern, _ in _STEPS])


def _replace(text: str) -> str:
    """``text`` after every step, each applied to what the previous ones left."""
    may = _PATTERNS.may_match(text)
    for k, (pattern, replacement) in enumerate(_STEPS):
        if may is not None and k not in may:
            continue
        replaced = pattern.sub(replacement, text)
        if replaced != text:
            # The steps still to come must see the text as it is now.
            text = replaced
            may = _PATTERNS.may_match(text)
    return text


def normalise(text: str) -> str:
    """Lower-case words that describe a failure, without names, numbers and dates."""
    text = _replace(text)
    words: list[str] = []
    lower_first = _FOLDED_AS_WRITTEN
    for m in _WORD.finditer(text):
        word = m.group()
        if word[0] >= "a":
            # Most words start with a lower-case letter (``_WORD`` takes ASCII letters only):
            # neither a name nor an acronym, folded as written (memoised).
            folded = lower_first.get(word)
            if folded is None:
                folded = _fold_word(word.lower())
                if len(lower_first) < 100_000:
                    lower_first[word] = folded
            if folded:
                words.append(folded)
            continue
        low = word.lower()
        if word[0].isupper() and low not in _KEEP_CAPITALISED and not word.isupper():
            # A capitalised word inside a sentence is a name (company, product, person, host);
            # at the start of a sentence it is just a word.
            if (
                not _SENTENCE_START.search(text[max(0, m.start() - 6) : m.start()])
                and m.start() > 0
            ):
                continue
        elif word.isupper() and len(word) > 1 and low not in _KEEP_CAPITALISED:
            # An unknown acronym is most likely a product or team name.
            continue
        folded = _fold_word(low)
        if folded:
            words.append(folded)
    return " ".join(words)


_FOLDED: dict[str, str] = {}
# The same, by the word as written, for words that start with a lower-case letter.
_FOLDED_AS_WRITTEN: dict[str, str] = {}


def _fold_word(low: str) -> str:
    """A lower-case word as compared: stemmed, or "" for a month or day name (memoised)."""
    folded = _FOLDED.get(low)
    if folded is None:
        folded = "" if low in _CALENDAR_WORDS else stem(low.strip("'_-"))
        if len(_FOLDED) < 100_000:
            _FOLDED[low] = folded
    return folded


# Longest first; a stem keeps at least four letters ("leaked" -> "leak", "rotation" -> "rotat").
_SUFFIXES = (
    "ations",
    "ation",
    "ings",
    "ing",
    "ions",
    "ion",
    "edly",
    "ed",
    "ies",
    "es",
    "ers",
    "er",
    "ly",
    "s",
    "e",
)


def stem(word: str) -> str:
    """A light suffix stripper: enough to fold "expired" / "expire" / "expires" together."""
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            base = word[: -len(suffix)]
            if suffix == "ies":
                base += "y"
            # "stopped" -> "stop", "planned" -> "plan"
            if (
                suffix in ("ed", "ing", "er", "ers")
                and len(base) > 4
                and base[-1] == base[-2]
                and base[-1] not in "ls"
            ):
                base = base[:-1]
            return base
    return word
