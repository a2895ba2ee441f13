"""Repeat detection when ONE postmortem arrives in a big store, and on a first ingest.

    .venv/bin/python bench/causes_incremental_bench.py [N] [FIRST]

1. A store of N (10,000) generated postmortems (``bench/generate.py``), ingested with
   ``tracker.ingest.ingest_paths`` into a SQLite file in a temp dir, then analysed once as a
   whole (what ``pmt ingest`` does on the first run; this also persists the features).
2. One new postmortem is written and ingested (timed), then
   ``tracker.causes.repeats.analyse_postmortems`` runs on it alone (timed): the analysis is
   printed as a ratio to that one file's ingest. Target: <= 0.5x, or at most ~50 ms.
3. First ingest: FIRST (2,000) files into a fresh store, ingest alone and then the analysis
   of all of them: (ingest + analysis) / ingest. Target: <= 1.5x.

Timings are the best of a few runs (the machine is shared; the best run is the steadiest).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from generate import generate, postmortem_text

from tracker.causes.repeats import analyse_postmortems
from tracker.config import Settings
from tracker.ingest import ingest_paths
from tracker.store import Store

ONE_TARGET_RATIO = 0.5
ONE_TARGET_S = 0.050
FIRST_TARGET = 1.5
SEED = 6
RUNS = 3


def one_new(tmp: Path, n: int) -> None:
    folder = tmp / "store"
    generate(folder, n, seed=SEED)
    settings = Settings(database_url=f"sqlite:///{tmp}/big.db")
    store = Store(settings.database_url or "")
    start = time.perf_counter()
    report = ingest_paths(store, [folder], settings)
    print(f"store: {n} postmortems ingested in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    analyse_postmortems(store, report.changed_keys, settings)
    print(f"store: first analysis of all {n}: {time.perf_counter() - start:.1f} s")

    ingest_times, analysis_times, found = [], [], 0
    for run in range(RUNS):
        path = tmp / "new" / f"pm-new-{run}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(postmortem_text(n + run, seed=SEED), encoding="utf-8")
        start = time.perf_counter()
        report = ingest_paths(store, [path], settings)
        ingest_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        warnings = analyse_postmortems(store, report.changed_keys, settings)
        analysis_times.append(time.perf_counter() - start)
        found += len(warnings)
    store.dispose()
    ingest_s, analysis_s = min(ingest_times), min(analysis_times)
    ratio = analysis_s / ingest_s
    ok = ratio <= ONE_TARGET_RATIO or analysis_s <= ONE_TARGET_S
    print(
        f"one new postmortem in a store of {n}: ingest {1000 * ingest_s:.1f} ms, "
        f"analysis {1000 * analysis_s:.1f} ms ({found} repeat warnings over {RUNS} runs)"
    )
    print(
        f"ratio analysis / single-file ingest: {ratio:.2f} (target <= {ONE_TARGET_RATIO}, "
        f"or analysis <= {1000 * ONE_TARGET_S:.0f} ms) {'OK' if ok else 'MISSED'}"
    )


def first_ingest(tmp: Path, n: int) -> None:
    folder = tmp / "first"
    generate(folder, n, seed=SEED + 1)
    settings = Settings(database_url=f"sqlite:///{tmp}/first.db")
    store = Store(settings.database_url or "")
    start = time.perf_counter()
    report = ingest_paths(store, [folder], settings)
    ingest_s = time.perf_counter() - start
    start = time.perf_counter()
    warnings = analyse_postmortems(store, report.changed_keys, settings)
    analysis_s = time.perf_counter() - start
    store.dispose()
    ratio = (ingest_s + analysis_s) / ingest_s
    print(
        f"first ingest of {n}: ingest {ingest_s:.2f} s, analysis {analysis_s:.2f} s "
        f"({len(warnings)} repeat warnings)"
    )
    print(
        f"ratio (ingest + analysis) / ingest: {ratio:.2f} (target <= {FIRST_TARGET}) "
        f"{'OK' if ratio <= FIRST_TARGET else 'MISSED'}"
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    first = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000
    with tempfile.TemporaryDirectory() as tmp:
        one_new(Path(tmp), n)
        first_ingest(Path(tmp), first)


if __name__ == "__main__":
    main()
