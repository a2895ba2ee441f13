"""pmt at an organisation's scale: every command as a user runs it (the whole ``pmt`` process),
at 1,000, 10,000 and 30,000 postmortems, on SQLite and on PostgreSQL.

    .venv/bin/python bench/scale_bench.py                        # 1k, 10k, 30k; SQLite and PostgreSQL
    .venv/bin/python bench/scale_bench.py --sizes 1000 --databases sqlite --runs 3

For each size, the corpus is written by ``bench/generate.py`` (cached under ``--cache``, default
``$TMPDIR/pmt-scale-bench``), ingested into an empty store by ``pmt ingest`` (timed once, the
repeat analysis included), and each command below is run on that store. Times are medians of
``--runs`` runs, interleaved with their floor; memory is each process's peak resident set
(``os.wait4``). Two floors, measured in the same run:

- start-up: ``python -c "import sqlmodel"``, the least any pmt command costs;
- tokenising: a process reading every file of the corpus and tokenising it with markdown-it-py
  (``timing.bare_markdown``), the least an ingest could cost.

Targets (issue 22): every listing's default output at most 1.5x start-up, ingest at most 2x
tokenising, ``causes`` for 90 days at most 2x start-up and over the whole range at most 0.5x the
ingest, a one-year report at most 3x start-up, at most 200 MB for every command, and PostgreSQL
within 1.5x of SQLite. PostgreSQL is the server of ``PMT_TEST_DATABASE_URL`` (a database per
size is created there and dropped at the end); it is skipped, saying so, when that is unset.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate import generate
from timing import BASELINE, PMT, PYTHON

# The generated incidents run from 2025-01-01 for 700 days: the questions are asked at its end.
AS_OF = "2026-12-01"
MEMORY_TARGET_MB = 200
TOKENISE = f"""
import sys
from pathlib import Path
sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
from timing import bare_markdown
md = bare_markdown()
for path in sorted(Path(sys.argv[1]).glob("*.md")):
    md.parse(path.read_text(encoding="utf-8"))
"""


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    floor: str  # "startup" or "ingest"
    target: float


CASES = [
    Case("overdue", ("overdue", "--as-of", AS_OF), "startup", 1.5),
    Case("overdue --format json", ("overdue", "--as-of", AS_OF, "-f", "json"), "startup", 1.5),
    Case("list", ("list", "--as-of", AS_OF), "startup", 1.5),
    Case("show", ("show", "pm-00000.md", "--as-of", AS_OF), "startup", 1.5),
    Case("causes (90 days)", ("causes", "--until", AS_OF), "startup", 2.0),
    Case("causes (whole range)", ("causes", "--since", "2000-01-01", "--until", AS_OF), "ingest", 0.5),
    Case("report weekly (a week)", ("report", "weekly", "--week", "2026-W47"), "startup", 3.0),
    Case(
        "report weekly html (a year)",
        ("report", "weekly", "--since", "2025-12-01", "--until", AS_OF, "-f", "html"),
        "startup",
        3.0,
    ),
]  # fmt: skip


def run(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):  # 1: e.g. a failed file, or repeats with --fail
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}:\n{err.decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def medians(
    commands: list[list[str]], env: dict[str, str], cwd: Path, runs: int
) -> list[tuple[float, float]]:
    """Median seconds and the largest peak memory of each command, runs interleaved."""
    times: list[list[float]] = [[] for _ in commands]
    peaks = [0.0 for _ in commands]
    for n in range(runs + 1):
        for i, argv in enumerate(commands):
            seconds, peak = run(argv, env, cwd)
            if n:  # the first round warms the page cache
                times[i].append(seconds)
            peaks[i] = max(peaks[i], peak)
    return [(statistics.median(t), p) for t, p in zip(times, peaks)]


def corpus(cache: Path, size: int) -> Path:
    folder = cache / f"corpus-{size}"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate(folder, size, seed=0)
        done.write_text("")
    return folder


def postgres_url(size: int) -> str | None:
    base = os.environ.get("PMT_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        return None
    from sqlalchemy import create_engine, text

    name = f"pmt_scale_{size}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return base.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres(size: int) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(os.environ["PMT_TEST_DATABASE_URL"], isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS pmt_scale_{size} WITH (FORCE)"))
    engine.dispose()


def verdict(ratio: float, target: float, peak: float) -> str:
    time_ok = "ok" if ratio <= target else "OVER"
    memory_ok = "ok" if peak <= MEMORY_TARGET_MB else "OVER"
    return f"{ratio:6.2f}x (<= {target}x {time_ok:4}) {peak:6.0f} MB ({memory_ok})"


def bench_size(
    size: int, database: str, folder: Path, runs: int, floors: dict[str, float]
) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix=f"pmt-scale-{database}-{size}-"))
    try:
        if database == "sqlite":
            url = f"sqlite:///{work / 'pmt.db'}"
        else:
            found = postgres_url(size)
            assert found is not None
            url = found
        env = {**os.environ, "PMT_DATABASE_URL": url, "HOME": str(work), "COLUMNS": "100"}
        env.pop("PMT_CONFIG", None)
        # The store's paths are relative to the folder of the corpus: pmt runs there.
        ingest_time, ingest_peak = run([PMT, "ingest", ".", "-q"], env, folder)
        print(
            f"  {'ingest (first, ' + str(size) + ' files)':32} {ingest_time:8.2f} s"
            f"  {verdict(ingest_time / floors['tokenise'], 2.0, ingest_peak)} vs tokenising"
        )
        results = {"ingest": ingest_time}
        for case in CASES:
            [(seconds, peak)] = medians([[PMT, *case.args]], env, folder, runs)
            floor = floors["startup"] if case.floor == "startup" else ingest_time
            results[case.name] = seconds
            print(
                f"  {case.name:32} {seconds:8.2f} s  {verdict(seconds / floor, case.target, peak)}"
                f" vs {case.floor}"
            )
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if database == "postgresql":
            drop_postgres(size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,30000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "pmt-scale-bench"))
    options = parser.parse_args()
    cache = Path(options.cache)
    databases = options.databases.split(",")
    if "postgresql" in databases and postgres_url(0) is None:
        print("PostgreSQL skipped: PMT_TEST_DATABASE_URL names no PostgreSQL server")
        databases.remove("postgresql")
    elif "postgresql" in databases:
        drop_postgres(0)
    for size in [int(s) for s in options.sizes.split(",")]:
        folder = corpus(cache, size)
        [(startup, _), (tokenise, _)] = medians(
            [BASELINE, [PYTHON, "-c", TOKENISE, str(folder)]],
            dict(os.environ),
            folder,
            options.runs,
        )
        floors = {"startup": startup, "tokenise": tokenise}
        print(
            f"\n{size} postmortems: start-up floor {startup:.2f} s, tokenising floor {tokenise:.2f} s"
        )
        by_database = {}
        for database in databases:
            print(f" {database}:")
            by_database[database] = bench_size(size, database, folder, options.runs, floors)
        if len(by_database) == 2:
            lite, pg = by_database["sqlite"], by_database["postgresql"]
            worst = max(pg[name] / lite[name] for name in lite)
            print(
                f" PostgreSQL / SQLite, worst command: {worst:.2f}x (<= 1.5x {'ok' if worst <= 1.5 else 'OVER'})"
            )


if __name__ == "__main__":
    main()
