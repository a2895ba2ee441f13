"""`pmt overdue --format json` over 100,000 action items (20,000 overdue), against
`python -c "import sqlmodel"` (target: at most 1.5x).

    .venv/bin/python bench/overdue_bench.py

The store is built with bulk inserts (not through ingest) so that the bench takes seconds.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import BASELINE, PMT, run_interleaved, verdict

TARGET = 1.5
ITEMS = 100_000
OVERDUE = 20_000
PER_POSTMORTEM = 10
AS_OF = date(2026, 6, 1)


def build(url: str, seed: int = 7) -> None:
    from sqlalchemy import insert

    from tracker.store import Store
    from tracker.store.tables import ItemRow, PostmortemRow, TicketLinkRow

    rng = random.Random(seed)
    store = Store(url)
    now = datetime(2026, 5, 1, tzinfo=UTC)
    owners = [f"owner{n}" for n in range(200)] + [None]
    postmortems = ITEMS // PER_POSTMORTEM
    with store.engine.begin() as conn:
        conn.execute(
            insert(PostmortemRow.__table__),  # type: ignore[attr-defined]
            [
                {
                    "key": f"pm-{p:05d}",
                    "path": f"postmortems/pm-{p:05d}.md",
                    "title": f"Incident {p}",
                    "incident_date": AS_OF - timedelta(days=rng.randint(1, 700)),
                    "content_hash": f"{p:064x}",
                    "created_at": now,
                    "updated_at": now,
                }
                for p in range(postmortems)
            ],
        )
        # Which items are overdue: exactly OVERDUE of them, spread over the postmortems.
        late = set(rng.sample(range(ITEMS), OVERDUE))
        rows = []
        for n in range(ITEMS):
            if n in late:
                status, due = "open", AS_OF - timedelta(days=rng.randint(1, 400))
            elif n % 2:
                status, due = "open", AS_OF + timedelta(days=rng.randint(0, 300))
            else:
                status, due = "done", AS_OF - timedelta(days=rng.randint(1, 400))
            rows.append(
                {
                    "postmortem_id": n // PER_POSTMORTEM + 1,
                    "uid": f"{n:016x}",
                    "text": f"Action item number {n}: add alerting and fix the runbook for service {n % 97}",
                    "owner": rng.choice(owners),
                    "due": due,
                    "due_implicit": bool(n % 3 == 0),
                    "priority": rng.choice(["P0", "P1", "P2", "P3", None]),
                    "kind": "mitigate",
                    "done": status == "done",
                    "line": 40 + n % PER_POSTMORTEM,
                    "section": "Action items",
                    "position": n % PER_POSTMORTEM,
                    "status": status,
                    "not_effective": False,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        conn.execute(insert(ItemRow.__table__), rows)  # type: ignore[attr-defined]
        # Tickets: an open one on a quarter of the overdue items, closed ones on done items.
        links = []
        for n in sorted(late)[: OVERDUE // 4]:
            links.append(_link(n, "open", now))
        for n in range(0, ITEMS, 20):
            if n not in late and rows[n]["status"] == "done":
                links.append(_link(n, "closed", now))
        conn.execute(insert(TicketLinkRow.__table__), links)  # type: ignore[attr-defined]
    store.dispose()


def _link(n: int, state: str, now: datetime) -> dict[str, object]:
    return {
        "item_id": n + 1,
        "postmortem_id": n // PER_POSTMORTEM + 1,
        "tracker": "github",
        "key": f"acme/ops#{n + 1}",
        "url": f"https://github.com/acme/ops/issues/{n + 1}",
        "role": "item",
        "state": state,
        "created_at": now,
        "updated_at": now,
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        build(url)
        env = {"PMT_DATABASE_URL": url, "HOME": tmp, "XDG_DATA_HOME": tmp}
        argv = [PMT, "overdue", "--format", "json", "--as-of", AS_OF.isoformat()]
        out = subprocess.run(
            argv,
            env={**__import__("os").environ, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        found = len(json.loads(out.stdout))
        assert found == OVERDUE, f"expected {OVERDUE} overdue items, got {found}"
        runs = 7
        baseline, overdue_time = run_interleaved([BASELINE, argv], runs, env=env)
    print(f"store: {ITEMS} items, {found} overdue")
    print(f"import sqlmodel:             {baseline * 1000:.0f} ms (median of {runs})")
    print(f"pmt overdue --format json:   {overdue_time * 1000:.0f} ms (median of {runs})")
    print(verdict("pmt overdue / import sqlmodel", overdue_time / baseline, TARGET))


if __name__ == "__main__":
    main()
