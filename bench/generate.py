"""Deterministic synthetic postmortems for benchmarks.

    from bench.generate import generate, postmortem_text
    paths = generate(Path("/tmp/pms"), 10_000, seed=0)   # writes pm-00000.md ... and returns the paths
    text = postmortem_text(42, seed=0)                    # one document, in memory

    .venv/bin/python bench/generate.py OUT_DIR [N] [--seed S]

The same (index, seed) always gives the same document. Documents vary the way real ones do:
six layouts (a canonical template with front matter, checkbox lists with @mentions, an
action-item table, bold pseudo-headings with numbered items, emoji headings with nested
sub-steps, setext headings with owner prefixes), 4-20 timeline entries, 2-12 action items
(owners, due dates, priorities, kinds and tickets in different spellings on a share of the items:
denser than the real postmortems pmt was measured on, where about a third of the items name an
owner and few give a due date), 2-6 summary paragraphs, a root cause of 2-5 paragraphs, and
mostly impact, detection, resolution and lessons-learned sections: about 4 KB a document. Used by bench/parse_bench.py and by the store's ingest benchmark.
"""

from __future__ import annotations

import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

SERVICES = [
    "checkout", "payments", "search", "auth", "orders", "inventory", "notifications", "billing",
    "api-gateway", "ledger", "recommendations", "media", "profile", "shipping", "reporting",
]  # fmt: skip
COMPONENTS = [
    "PostgreSQL primary", "Redis cluster", "Kafka consumer group", "TLS certificate", "DNS record",
    "load balancer", "connection pool", "feature flag", "cron job", "autoscaler", "CDN config",
    "Elasticsearch index", "S3 bucket policy", "service mesh sidecar", "deploy pipeline",
]  # fmt: skip
FAILURES = [
    "ran out of connections", "expired without renewal", "filled its disk", "was misconfigured",
    "dropped messages under load", "returned stale data", "hit a memory leak", "was rolled out to 100%",
    "lost quorum", "exceeded its rate limit",
]  # fmt: skip
VERBS = [
    "Add alerting on", "Automate renewal of", "Document the runbook for", "Load test", "Add a dashboard for",
    "Set a budget alert for", "Write a chaos test for", "Migrate", "Cap the retries of", "Review the limits of",
    "Add a canary stage for", "Remove the manual step from", "Backfill metrics for", "Upgrade",
]  # fmt: skip
OWNERS = ["alice", "bob", "carol", "dmitri", "erin", "farah", "gustavo", "hana", "ivan", "jun"]
TEAMS = ["SRE", "Payments", "Platform", "Search", "Data", "Infra", "Security"]
KINDS = ["detect", "mitigate", "prevent", "process", "corrective"]
ZONES = ["UTC", "PST", "CET", "UTC+2", "EDT", "Europe/Berlin"]
PRIORITY_SPELLINGS = ["P0", "P1", "P2", "P3", "high", "medium", "low", "critical"]


def postmortem_text(index: int, seed: int = 0) -> str:
    """The ``index``-th synthetic postmortem of ``seed``."""
    rng = random.Random(seed * 1_000_003 + index)
    layout = index % 6
    doc = _Doc(rng, index)
    return [_canonical, _checkboxes, _table, _bold, _emoji, _setext][layout](doc)


def generate(folder: Path | str, n: int, seed: int = 0) -> list[Path]:
    """Write ``n`` postmortems into ``folder`` (created if needed) and return their paths."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = out / f"pm-{i:05d}.md"
        path.write_text(postmortem_text(i, seed), encoding="utf-8")
        paths.append(path)
    return paths


class _Doc:
    def __init__(self, rng: random.Random, index: int) -> None:
        self.rng = rng
        self.index = index
        self.service = rng.choice(SERVICES)
        self.component = rng.choice(COMPONENTS)
        self.failure = rng.choice(FAILURES)
        self.day = date(2025, 1, 1) + timedelta(days=rng.randrange(0, 700))
        self.start = datetime.combine(self.day, datetime.min.time()) + timedelta(
            minutes=rng.randrange(0, 1300)
        )
        self.minutes = rng.randrange(8, 600)
        self.end = self.start + timedelta(minutes=self.minutes)
        self.zone = rng.choice(ZONES)
        self.users = rng.randrange(1, 100)
        self.n_items = rng.randrange(2, 13)
        self.n_events = rng.randrange(4, 21)
        self.n_paras = rng.randrange(2, 7)

    @property
    def title(self) -> str:
        return f"{self.service.capitalize()} outage: {self.component} {self.failure}"

    def hhmm(self, t: datetime) -> str:
        return t.strftime("%H:%M")

    def summary(self) -> list[str]:
        r = self.rng
        paras = [
            (
                f"On {self.day:%B} {self.day.day}, {self.day.year}, from {self.hhmm(self.start)} to "
                f"{self.hhmm(self.end)} {self.zone}, the {self.service} service was degraded and about "
                f"{self.users}% of users saw errors. The root cause was that the {self.component} {self.failure}."
            )
        ]
        for _ in range(self.n_paras - 1):
            paras.append(
                f"The on-call engineer was paged after {r.randrange(2, 30)} minutes. "
                f"Requests to {r.choice(SERVICES)} were retried {r.randrange(2, 9)} times, which made the "
                f"load on the {r.choice(COMPONENTS)} worse. Customers in {r.choice(['EU', 'US', 'APAC'])} "
                "reported slow pages and failed payments during the window."
            )
        return paras

    def events(self) -> list[tuple[datetime, str]]:
        r = self.rng
        out = []
        step = max(1, self.minutes // self.n_events)
        for k in range(self.n_events):
            t = self.start + timedelta(minutes=k * step)
            if k == 0:
                what = f"Alert fires: {self.service} error rate above {r.randrange(2, 20)}%"
            elif k == self.n_events - 1:
                t = self.end
                what = "Error rate back to normal; incident resolved"
            else:
                what = r.choice(
                    [
                        f"{r.choice(OWNERS).capitalize()} acknowledges the page and starts investigating",
                        f"Rolled back the last deploy of {r.choice(SERVICES)}",
                        f"Scaled the {r.choice(COMPONENTS)} from {r.randrange(2, 6)} to {r.randrange(6, 12)} nodes",
                        "Status page updated",
                        f"Identified the {self.component} as the cause",
                    ]
                )
            out.append((t, what))
        return out

    def item(self, k: int) -> dict[str, str | None]:
        r = self.rng
        due = self.day + timedelta(days=r.randrange(7, 120))
        tickets = [
            f"#{100 + k}",
            f"OPS-{1000 + self.index % 900 + k}",
            f"acme/{self.service}#{k + 1}",
        ]
        return {
            "text": f"{r.choice(VERBS)} the {r.choice(COMPONENTS)} of {self.service}",
            "owner": r.choice(OWNERS) if r.random() < 0.4 else None,
            "team": r.choice(TEAMS),
            "due": due.isoformat() if r.random() < 0.3 else None,
            "due_prose": f"{due:%B} {due.day}",
            "priority": r.choice(PRIORITY_SPELLINGS) if r.random() < 0.25 else None,
            "kind": r.choice(KINDS),
            "ticket": r.choice(tickets) if r.random() < 0.25 else None,
            "done": r.random() < 0.3,
        }

    def root_cause(self) -> list[str]:
        r = self.rng
        paras = [f"The {self.component} {self.failure}."]
        for _ in range(r.randrange(1, 5)):
            paras.append(
                f"A change to the {r.choice(COMPONENTS)} made {r.randrange(2, 40)} days earlier had lowered "
                f"its headroom, and the {self.service} traffic peak on {self.day:%A} pushed it over. Nothing "
                f"alerted on the {r.choice(COMPONENTS)} because its dashboards only showed averages, and the "
                "runbook described a different version of the setup."
            )
        return paras

    def context(self, style: str = "atx") -> list[str]:
        """Impact, detection and resolution sections, as most real postmortems have them."""
        r = self.rng
        sections: list[tuple[str, list[str]]] = []
        if r.random() < 0.8:
            body = [
                (
                    f"Between {self.hhmm(self.start)} and {self.hhmm(self.end)} about {self.users}% of "
                    f"{self.service} requests failed or took longer than {r.randrange(2, 30)} seconds. "
                    f"Customers on the {r.choice(['web', 'mobile', 'partner API'])} channel were hit hardest, "
                    "and support received a wave of tickets about failed orders and missing confirmations."
                ),
                "",
                f"- {r.randrange(100, 9000)} support tickets were opened during the incident",
                f"- {r.randrange(1, 40)} enterprise customers were contacted by their account managers",
                "- No data was lost; delayed jobs were replayed after recovery",
            ]
            sections.append(("Impact", body))
        if r.random() < 0.6:
            sections.append((
                "Detection",
                [(f"The incident was detected by an alert on the {self.service} error rate after "
                 f"{r.randrange(1, 20)} minutes. A customer report arrived {r.randrange(1, 15)} minutes "
                 "later through the support channel; the alert had already paged the on-call engineer, "
                 "who opened the incident channel and started the investigation.")],
            ))  # fmt: skip
        if r.random() < 0.7:
            sections.append((
                "Resolution",
                [(f"We rolled back the last change to the {self.component} and scaled it out, then "
                 f"drained the backlog of {r.randrange(1000, 90000)} queued requests. Error rates returned "
                 "to normal within minutes, and we kept the incident open for another hour to watch for "
                 "a relapse before declaring it resolved.")],
            ))  # fmt: skip
        out: list[str] = []
        for title, body in sections:
            if style == "bold":
                out += [f"**{title}:**", ""]
            elif style == "setext":
                out += [title, "-" * len(title), ""]
            else:
                out += [f"## {title}", ""]
            out += body + [""]
        return out

    def lessons(self) -> list[str]:
        r = self.rng
        good = [
            "Paging worked and the on-call engineer responded within minutes.",
            "The rollback path had been tested the week before.",
            "Customer support posted on the status page early.",
            f"Dashboards for the {self.service} service made the impact easy to see.",
        ]
        bad = [
            f"Nobody owned the {self.component}.",
            "The alert fired on averages, not on the p99.",
            "The runbook was out of date.",
            "It took too long to find who could approve the rollback.",
            f"Retries from {r.choice(SERVICES)} amplified the load.",
        ]
        out = ["## Lessons learned", "", "### What went well", ""]
        out += [f"- {x}" for x in r.sample(good, r.randrange(1, 4))]
        out += ["", "### What went wrong", ""]
        out += [f"- {x}" for x in r.sample(bad, r.randrange(1, 5))]
        return out + [""]


def _timeline_lines(doc: _Doc, style: int) -> list[str]:
    lines = []
    for t, what in doc.events():
        if style == 0:
            lines.append(f"- {doc.hhmm(t)} {doc.zone} - {what}")
        elif style == 1:
            lines.append(f"- **{t:%Y-%m-%d %H:%M}**: {what}")
        else:
            lines.append(f"{doc.hhmm(t)} {what}")
    return lines


def _canonical(doc: _Doc) -> str:
    r = doc.rng
    out = [
        "---",
        f"id: PM-{doc.index:05d}",
        f'title: "{doc.title}"',
        f"date: {doc.day.isoformat()}",
        f"severity: SEV{r.randrange(1, 4)}",
        f"tags: [{doc.service}, {r.choice(KINDS)}]",
        "---",
        "",
        f"# {doc.title}",
        "",
        "## Issue Summary",
        "",
        f"**Duration:** {doc.hhmm(doc.start)} to {doc.hhmm(doc.end)} {doc.zone} ({doc.minutes} minutes)",
        "",
        *[p + "\n" for p in doc.summary()],
        "## Timeline",
        "",
        f"All times in {doc.zone}.",
        "",
        *_timeline_lines(doc, 0),
        "",
        "## Root Cause and Resolution",
        "",
        *[p + "\n" for p in doc.root_cause()],
        "We restored service by rolling back and scaling out.",
        "",
        *doc.context(),
        *doc.lessons(),
        "## Corrective and Preventative Measures",
        "",
        "### What needs to change",
        "",
        f"- Capacity of the {doc.component} must be reviewed before each launch",
        "- Alerts must page before customers notice",
        "",
        "### Next steps",
        "",
    ]
    for k in range(doc.n_items):
        it = doc.item(k)
        meta = ", ".join(
            x
            for x in [
                f"@{it['owner']}" if it["owner"] else None,
                it["priority"],
                f"due {it['due']}" if it["due"] else None,
            ]
            if x
        )
        ticket = f" {it['ticket']}" if it["ticket"] else ""
        out.append(f"- {it['text']}{ticket}" + (f" ({meta})" if meta else ""))
    return "\n".join(out) + "\n"


def _checkboxes(doc: _Doc) -> str:
    out = [
        f"# {doc.title}",
        "",
        "## Summary",
        "",
        *[p + "\n" for p in doc.summary()],
        "## Timeline (UTC)",
        "",
    ]
    out += _timeline_lines(doc, 1) + [
        "",
        "## Root cause",
        "",
        *[p + "\n" for p in doc.root_cause()],
        *doc.context(),
        *doc.lessons(),
        "## Action items",
        "",
    ]
    for k in range(doc.n_items):
        it = doc.item(k)
        box = "[x]" if it["done"] else "[ ]"
        owner = f" @{it['owner']}" if it["owner"] else ""
        due = f" by {it['due_prose']}" if it["due"] else ""
        out.append(f"- {box} {it['text']}{due}{owner}")
        if doc.rng.random() < 0.3:
            out.append(f"  - Note: see the runbook for {doc.service}")
    return "\n".join(out) + "\n"


def _table(doc: _Doc) -> str:
    out = [f"# {doc.title}", "", "## Summary", "", *[p + "\n" for p in doc.summary()], "## Impact", "",
           f"About {doc.users}% of users could not check out.", "", "## Timeline", "",
           f"| Time ({doc.zone}) | Event |", "|---|---|"]  # fmt: skip
    out += [f"| {doc.hhmm(t)} | {what} |" for t, what in doc.events()]
    out += ["", "## Root Cause", "", *[p + "\n" for p in doc.root_cause()], *doc.context(), *doc.lessons(), "## Follow-ups", "",
            "| Action | Owner | Due | Priority | Type | Ticket | Status |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    for k in range(doc.n_items):
        it = doc.item(k)
        out.append(
            f"| {it['text']} | {it['owner'] or ''} | {it['due'] or ''} | {it['priority'] or ''} | "
            f"{it['kind']} | {it['ticket'] or ''} | {'done' if it['done'] else 'open'} |"
        )
    return "\n".join(out) + "\n"


def _bold(doc: _Doc) -> str:
    out = [
        f"{doc.title}",
        "",
        "**Issue Summary:**",
        "",
        *[p + "\n" for p in doc.summary()],
        "**Timeline:**",
        "",
    ]
    out += _timeline_lines(doc, 0) + [
        "",
        "**Root Cause:**",
        "",
        *[p + "\n" for p in doc.root_cause()],
        *doc.context("bold"),
        "**Next Steps:**",
        "",
    ]
    for k in range(doc.n_items):
        it = doc.item(k)
        prio = f"[{it['priority']}] " if it["priority"] else ""
        owner = f" (Owner: {it['owner']})" if it["owner"] else ""
        out.append(f"{k + 1}. {prio}{it['text']}{owner}")
    return "\n".join(out) + "\n"


def _emoji(doc: _Doc) -> str:
    out = [
        f"# 🔥 {doc.title}",
        "",
        "## 📝 Summary",
        "",
        *[p + "\n" for p in doc.summary()],
        "## ⏱️ Timeline",
        "",
    ]
    out += _timeline_lines(doc, 2) + [
        "",
        "## 🔍 Root Cause",
        "",
        *[p + "\n" for p in doc.root_cause()],
        *doc.context(),
        *doc.lessons(),
        "## ✅ Action Items",
        "",
    ]
    groups = ["Detection", "Mitigation", "Prevention"]
    for g, group in enumerate(groups):
        out += [f"### {group}", ""]
        for k in range(g, doc.n_items, 3):
            it = doc.item(k)
            mark = "~~" if it["done"] else ""
            out.append(
                f"- {mark}{it['text']}{mark}"
                + (f" — {it['owner'].capitalize()}" if it["owner"] else "")
            )
            if doc.rng.random() < 0.25:
                out.append(f"  - Add a test for the {doc.component}")
        out.append("")
    return "\n".join(out) + "\n"


def _setext(doc: _Doc) -> str:
    out = [
        doc.title,
        "=" * len(doc.title),
        "",
        "Summary",
        "-------",
        "",
        *[p + "\n" for p in doc.summary()],
        "Timeline",
        "--------",
        "",
    ]
    out += _timeline_lines(doc, 0) + ["", "Root cause", "----------", "", *[p + "\n" for p in doc.root_cause()],
                                      *doc.context("setext"), "Remediation", "-----------", ""]  # fmt: skip
    for k in range(doc.n_items):
        it = doc.item(k)
        ticket = (
            f" ([{it['ticket']}](https://github.com/acme/{doc.service}/issues/{k + 1}))"
            if it["ticket"]
            else ""
        )
        out.append(f"* {it['team']}: {it['text']}{ticket}")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    seed = 0
    if "--seed" in argv:
        i = argv.index("--seed")
        seed = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2 :]
    n = int(argv[1]) if len(argv) > 1 else 100
    paths = generate(Path(argv[0]), n, seed)
    print(f"wrote {len(paths)} postmortems to {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
