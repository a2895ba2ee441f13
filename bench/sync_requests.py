"""HTTP requests of `pmt sync` on a postmortem with N new action items, then of re-syncing it
unchanged, through the real backend and the real engine against a loopback stub of the tracker.

    .venv/bin/python bench/sync_requests.py            # every backend, N = 10 and 150
    .venv/bin/python bench/sync_requests.py github 500 # one backend, chosen sizes

Targets (issue 4):
- first sync:  N creates (+1 tracking ticket) + at most 2 reads + the link writes;
- re-sync:     0 writes and at most ceil(N/100) + 1 reads.

Write pacing (GitHub asks for a second between writes) is switched off: it changes the time,
not the count. Each backend is one entry of ``BACKENDS`` (a function N -> Measured): GitHub,
and Jira Cloud and Data Center (deployment detected by one serverInfo read, as by default).
"""

from __future__ import annotations

import math
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SIZES = (10, 150)


@dataclass
class Pass:
    """The requests of one sync run, by kind."""

    creates: int = 0
    reads: int = 0
    link_writes: int = 0
    setup_writes: int = 0  # labels and the like, made once per repository or postmortem
    other_writes: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def writes(self) -> int:
        return self.creates + self.link_writes + self.setup_writes + self.other_writes


@dataclass
class Measured:
    backend: str
    n: int
    first: Pass
    again: Pass
    engine: bool  # False: measured at the backend level (the engine was not importable)
    tracking: int = 1  # tracking tickets a first sync makes (Jira: none)


def postmortem_markdown(n: int) -> str:
    owners = ["Alice", "Bob", "Carol"]
    items = [
        f"- [ ] Follow-up number {i}: harden the consumer path, step {i} "
        f"(@{owners[i % 3]}, due {date(2026, 4, 1) + timedelta(days=i % 60)}, P{1 + i % 3})"
        for i in range(n)
    ]
    return "\n".join(
        [
            "---",
            "id: 2026-03-02-queue-outage",
            'title: "Orders queue backlog: consumers stalled"',
            "date: 2026-03-02",
            "---",
            "",
            "# Orders queue backlog: consumers stalled",
            "",
            "## Summary",
            "",
            "- **Duration:** 10:00 to 10:40 UTC (40 minutes)",
            "- **Impact:** orders were delayed.",
            "",
            "## Timeline",
            "",
            "- 10:00 UTC Queue depth alert.",
            "- 10:40 UTC Recovered.",
            "",
            "## Root cause",
            "",
            "A deploy left the consumers without credentials; nothing alerted on queue depth.",
            "",
            "## Action items",
            "",
            *items,
            "",
        ]
    )


def github_case(n: int) -> Measured:
    from sync.backends.github.backend import GitHubBackend
    from tests.github_stub import GitHubStub
    from tracker.config import Settings

    with (
        GitHubStub("acme/ops", collaborators=("alice-gh", "bob-gh", "carol-gh")) as stub,
        tempfile.TemporaryDirectory() as tmp,
    ):
        root = Path(tmp)
        doc = root / "postmortems" / "2026-03-02-queue-outage.md"
        doc.parent.mkdir()
        doc.write_text(postmortem_markdown(n), encoding="utf-8")
        settings = Settings(
            database_url=f"sqlite:///{root / 'pmt.db'}",
            github={
                "repo": "acme/ops",
                "api_url": stub.base,
                "owners": {"Alice": "alice-gh", "Bob": "bob-gh", "Carol": "carol-gh"},
            },
            ingest={"root": str(root)},
        )

        def backend() -> GitHubBackend:
            # A new backend per run, as each `pmt sync` is a new process: no cache carries over.
            return GitHubBackend(
                settings.github, "test-token", write_interval=0.0, web_url="https://github.com"
            )

        def counted(run: Callable[[GitHubBackend], None]) -> Pass:
            before = len(stub.requests)
            made = backend()
            run(made)
            kinds: Counter[str] = Counter()
            for r in stub.requests[before:]:
                if r.method == "GET":
                    kinds["reads"] += 1
                elif r.method == "POST" and r.path.endswith("/issues"):
                    kinds["creates"] += 1
                elif r.path.endswith("/sub_issues"):
                    kinds["link_writes"] += 1
                elif r.path.endswith("/labels") and r.method == "POST" and "/issues/" not in r.path:
                    kinds["setup_writes"] += 1
                else:
                    kinds["other_writes"] += 1
            return Pass(**kinds, warnings=list(made.warnings))

        try:
            run = _engine_run(settings, doc)
            engine = True
        except ImportError:
            run = _backend_run(n)
            engine = False
        first = counted(run)
        again = counted(run)
        return Measured("github", n, first, again, engine)


def _engine_run(settings: object, doc: Path) -> Callable[[object], None]:
    from sync.service import apply_sync, plan_sync
    from tracker.store import Store

    store = Store(settings.database_url)  # type: ignore[attr-defined]

    def run(backend: object) -> None:
        planned = plan_sync(store, backend, settings, [doc])  # type: ignore[arg-type]
        applied = apply_sync(store, backend, settings, planned)  # type: ignore[arg-type]
        failed = [r for r in applied.result_rows() if r["status"] == "failed"]
        if failed or applied.stopped:
            raise SystemExit(f"sync failed: {applied.stopped or failed[:3]}")

    return run


def _backend_run(n: int) -> Callable[[object], None]:
    """Without the engine: what a sync asks of the backend (listing, creates, links)."""
    from sync.base import TicketDraft
    from sync.markers import Marker

    pm = "postmortems/2026-03-02-queue-outage.md"

    def run(backend: object) -> None:
        known = backend.list_postmortem(pm)  # type: ignore[attr-defined]
        if known:
            return
        parent = backend.create(
            TicketDraft(
                Marker(pm, "_tracking"),
                "Follow-ups",  # type: ignore[attr-defined]
                role="tracking",
            )
        )
        kids = [
            backend.create(
                TicketDraft(
                    Marker(pm, f"i{i}"),
                    f"Item {i}",  # type: ignore[attr-defined]
                    owner="Alice",
                    priority="P1",
                )
            ).key
            for i in range(n)
        ]
        backend.link_children(parent.key, kids)  # type: ignore[attr-defined]

    return run


def jira_case(n: int, deployment: str) -> Measured:
    """The Jira backend (deployment detected from serverInfo, as by default) against its stub."""
    from sync.backends.jira.backend import JiraBackend
    from tests.jira_stub import STUB_EMAIL, STUB_TOKEN, USERS, JiraStub
    from tracker.config import Settings

    if deployment == "cloud":
        # accountIds in jira.owners: an e-mail or a name there costs one user search per owner.
        owners = {
            "Alice": USERS[0]["accountId"],
            "Bob": USERS[1]["accountId"],
            "Carol": USERS[2]["accountId"],
        }
    else:
        owners = {"Alice": "alice", "Bob": "bob", "Carol": "sam.lee"}
    with JiraStub(deployment) as stub, tempfile.TemporaryDirectory() as tmp:  # type: ignore[arg-type]
        root = Path(tmp)
        doc = root / "postmortems" / "2026-03-02-queue-outage.md"
        doc.parent.mkdir()
        doc.write_text(postmortem_markdown(n), encoding="utf-8")
        settings = Settings(
            database_url=f"sqlite:///{root / 'pmt.db'}",
            sync={"tracker": "jira"},
            jira={"url": stub.url, "project": "OPS", "owners": owners},
            github={"repo": "acme/ops"},
            ingest={"root": str(root)},
        )

        def counted(run: Callable[[JiraBackend], None]) -> Pass:
            before = len(stub.log)
            # A new backend per run, as each `pmt sync` is a new process: no cache carries over.
            made = JiraBackend(
                settings.jira, STUB_EMAIL if deployment == "cloud" else None, STUB_TOKEN
            )
            run(made)
            kinds: Counter[str] = Counter()
            for method, path in stub.log[before:]:
                path = path.split("?")[0]
                if method == "GET":
                    kinds["reads"] += 1
                elif method == "POST" and path.endswith("/issue"):
                    kinds["creates"] += 1
                elif method == "POST" and path.endswith(("/remotelink", "/issueLink")):
                    kinds["link_writes"] += 1
                else:
                    kinds["other_writes"] += 1
            return Pass(**kinds, warnings=list(made.warnings))

        run = _engine_run(settings, doc)
        first = counted(run)
        again = counted(run)
        return Measured(f"jira-{deployment}", n, first, again, True, tracking=0)


BACKENDS: dict[str, Callable[[int], Measured]] = {
    "github": github_case,
    "jira-cloud": lambda n: jira_case(n, "cloud"),
    "jira-datacenter": lambda n: jira_case(n, "datacenter"),
}


def report(m: Measured) -> list[str]:
    n = m.n
    read_target = 2
    again_reads = math.ceil(n / 100) + 1
    f, a = m.first, m.again
    lines = [
        f"{m.backend}  N={n}  ({'engine: plan + apply' if m.engine else 'backend calls only'})",
        (
            f"  first sync : creates {f.creates} (target {n} + {m.tracking} tracking = "
            f"{n + m.tracking}, ratio {f.creates / (n + m.tracking):.2f}); "
            f"reads {f.reads} (target <= {read_target}, "
            f"{'ok' if f.reads <= read_target else 'OVER'}); link writes {f.link_writes}; "
            f"label set-up writes {f.setup_writes}; other writes {f.other_writes}"
        ),
        (
            f"  re-sync    : writes {a.writes} (target 0, {'ok' if a.writes == 0 else 'OVER'}); "
            f"reads {a.reads} (target <= {again_reads}, "
            f"{'ok' if a.reads <= again_reads else 'OVER'})"
        ),
    ]
    for warning in dict.fromkeys(f.warnings + a.warnings):
        lines.append(f"  note       : {warning}")
    return lines


def main(argv: list[str]) -> int:
    names = [a for a in argv if a in BACKENDS] or list(BACKENDS)
    sizes = [int(a) for a in argv if a.isdigit()] or list(SIZES)
    over = False
    for name in names:
        for n in sizes:
            measured = BACKENDS[name](n)
            lines = report(measured)
            print("\n".join(lines))
            over |= any("OVER" in line for line in lines)
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
