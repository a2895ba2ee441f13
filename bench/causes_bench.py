"""Root-cause analysis over 10,000 generated postmortems, as a ratio to ingesting them.

    .venv/bin/python bench/causes_bench.py [N]

1. Generates N postmortems (``bench/generate.py``) and ingests them into a fresh SQLite store
   with ``tracker.ingest.ingest_paths``: the baseline.
2. Runs ``tracker.causes.repeats.analyse_postmortems`` on every one of them, as ``pmt ingest``
   does for new postmortems: classify and store the category, find each one's repeats among
   the earlier ones, mark the fixes that did not hold. Target: at most 0.5x the ingest.
3. The cost of loading the trained classifier (importing scikit-learn and reading its
   artefact), in a fresh interpreter: every ``pmt ingest`` that classifies pays it once.
4. Scaling: classification (one batch) plus repeat search in memory over the first 2,500, 5,000 and
   10,000 postmortems. Doubling n should about double the time (exponent near 1); a
   quadratic all-pairs comparison would quadruple it (exponent 2).
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from generate import generate

from tracker.causes.classify import classify_many
from tracker.causes.repeats import FIX_DID_NOT_HOLD, analyse_postmortems, cause_doc, load_corpus
from tracker.causes.similar import MechanismIndex
from tracker.config import Settings
from tracker.ingest import ingest_paths
from tracker.store import Store

TARGET = 0.5


def search_in_memory(rows: list, settings: Settings) -> float:
    """CPU seconds to classify ``rows`` and find every one's earlier repeats."""
    start = time.process_time()
    found = classify_many([(row.root_cause, row.root_cause_detail, None) for row in rows])
    mechanisms = [frozenset(c.mechanisms) for c in found]
    index = MechanismIndex([cause_doc(r, m) for r, m in zip(rows, mechanisms)])
    for i in range(len(rows)):
        index.earlier_matches(i, settings.causes.repeat_threshold)
    return time.process_time() - start


def model_load_seconds() -> tuple[float, float]:
    """Wall seconds to import the classifier's modules and to read the artefact, measured in a
    fresh interpreter (this one has them already)."""
    import subprocess

    code = (
        "import time; t = time.perf_counter(); import sklearn.feature_extraction.text, scipy.sparse; "
        "u = time.perf_counter(); from tracker.causes.model import load_model; load_model(); "
        "print(u - t, time.perf_counter() - u)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout
    imports, load = (float(x) for x in out.split())
    return imports, load


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "postmortems"
        generate(folder, n, seed=6)
        settings = Settings(database_url=f"sqlite:///{tmp}/pmt.db")
        store = Store(settings.database_url or "")
        start, cpu = time.perf_counter(), time.process_time()
        report = ingest_paths(store, [folder], settings)
        ingest_s, ingest_cpu = time.perf_counter() - start, time.process_time() - cpu
        keys = report.changed_keys
        print(f"ingest of {len(keys)} postmortems: {ingest_s:.2f} s (cpu {ingest_cpu:.2f} s)")

        start, cpu = time.perf_counter(), time.process_time()
        warnings = analyse_postmortems(store, keys, settings)
        analysis_s, analysis_cpu = time.perf_counter() - start, time.process_time() - cpu
        did_not_hold = sum(1 for w in warnings if w.kind == FIX_DID_NOT_HOLD)
        print(
            f"analysis (classify + store, repeat search, marking): {analysis_s:.2f} s "
            f"(cpu {analysis_cpu:.2f} s); {len(warnings)} repeat pairs ({did_not_hold} fix did not hold)"
        )
        ratio = analysis_s / ingest_s
        print(
            f"ratio analysis / ingest: {ratio:.3f} (target <= {TARGET}) {'OK' if ratio <= TARGET else 'MISSED'}"
        )
        # On a busy machine wall time swings; the ratio of CPU times is the steadier figure.
        print(f"ratio of cpu times: {analysis_cpu / ingest_cpu:.3f}")

        with store.session(write=False) as session:
            rows = load_corpus(session, settings).rows
        store.dispose()

    imports, load = model_load_seconds()
    print(
        f"classifier load in a fresh process: import scikit-learn {imports:.2f} s, read the model {load:.3f} s"
    )

    sizes = [s for s in (n // 4, n // 2, n) if s > 0]
    times = [search_in_memory(rows[:s], settings) for s in sizes]
    for s, t in zip(sizes, times):
        print(
            f"in-memory classify + repeat search, n={s:>6}: cpu {t:.2f} s ({1e6 * t / s:.0f} us per postmortem)"
        )
    if len(sizes) == 3 and min(times) > 0:
        for a, b in ((0, 1), (1, 2), (0, 2)):
            exponent = math.log(times[b] / times[a]) / math.log(sizes[b] / sizes[a])
            print(
                f"growth exponent n={sizes[a]} -> {sizes[b]}: {exponent:.2f} (1 linear, 2 quadratic)"
            )


if __name__ == "__main__":
    main()
