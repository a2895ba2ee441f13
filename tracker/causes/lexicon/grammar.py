"""The building blocks of the lexicon's patterns: word-proximity helpers, the phrases several
mechanisms share (certificates, credentials, configuration, databases...), and ``Mechanism``."""

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


CERT = r"\b(?:certs?|certificates?|tls|ssl|x\.?509|https? cert\w*)\b"
EXPIRE = r"\b(?:expir\w*|lapsed|out of date|not (?:been )?renewed|renewal\w*|past (?:its|their) validity|valid(?:ity)? (?:period )?ended)"
CRED = r"\b(?:passwords?|tokens?|api[ -]?keys?|keys?|secrets?|credentials?|service[ -]account|oauth|kerberos|keytabs?|ssh keys?)\b"
CONFIG = r"\b(?:config\w*|settings?|flags?|feature[ -]flags?|parameters?|rules?|yaml|values?|policy|policies|toggles?|schedule|limits?)\b"
EVERYWHERE = (
    r"\b(?:all (?:regions|servers|hosts|nodes|clusters|data ?cent(?:er|re)s|zones|pops|edge\w*|machines|"
    r"instances|sites|locations)|everywhere|globally|fleet[- ]wide|entire fleet|whole fleet|every (?:region|server|host|node|cluster|"
    r"data ?cent(?:er|re)|zone|pop|machine|instance)|at once|simultaneously|all at the same time|"
    r"without (?:a )?(?:canary|staged|staging|gradual|progressive)\w*|no (?:canary|staged rollout|gradual rollout))"
)
PUSH = r"\b(?:push\w*|deploy\w*|roll\w* out|rollout|propagat\w*|distribut\w*|shipped|applied|released)\b"
DB = r"\b(?:databases?|db|postgres\w*|mysql|mariadb|sql|rds|aurora|mongo\w*|cassandra|dynamo\w*|oracle|primary|replicas?|tables?)\b"

CERT_MISISSUED = near(
    CERT, r"mis-?issued|wrong (?:host|domain|name)|hostname mismatch|san\b|common name", 5
)
DB_SWITCHED = near(DB, r"failed over|switched over", 4)
DB_CRASHED = near(DB, r"corrupt\w*|crash\w*|unresponsive", 3)

# One mechanism as written in the tables: name, category, pattern source, weight.
Row = tuple[str, str, str, float]
