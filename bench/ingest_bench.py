"""Ingest of generated postmortems into SQLite, against bare markdown-it-py tokenisation of
the same files (target: at most 2x); then the same ingest with nothing changed (target: at
most 10% of the first).

    .venv/bin/python bench/ingest_bench.py [N]      (default 10,000)

Each side runs in a fresh process of its own and times its work after start-up:
- bare: read every file and tokenise it with markdown-it-py, block and inline phases, in
  CommonMark + table + strikethrough (``timing.bare_markdown``), after a warm-up;
- ingest: what ``pmt ingest FOLDER`` does into a new SQLite store (``ingest_paths``: discovery,
  hashing, parsing, identity, one transaction per file), without the repeat detection the
  command runs afterwards on the changed postmortems (root-cause analysis, measured on its own).
The bare side runs before and after the ingests and the mean counts, because a shared machine's
speed drifts. Ratios use CPU time (steadier under load); wall times are printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate
from timing import verdict

FIRST_TARGET = 2.0
AGAIN_TARGET = 0.10

_TIMED = """
import gc, json, sys, time
def timed(fn):
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn()
    print(json.dumps({"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall, "result": result}))
"""

BARE = (
    _TIMED
    + """
from pathlib import Path
from tracker.parsing import parse_text
sys.path.insert(0, sys.argv[2])
from timing import bare_markdown
paths = sorted(Path(sys.argv[1]).glob("*.md"))
md = bare_markdown()
for p in paths[:50]:  # warm regexes and lazy imports
    md.parse(p.read_text(encoding="utf-8"))
    parse_text(p.read_text(encoding="utf-8"))
def run():
    for p in paths:
        md.parse(p.read_text(encoding="utf-8"))
    return len(paths)
timed(run)
"""
)

INGEST = (
    _TIMED
    + """
import tracker.parsing
from tracker.config import load_settings
from tracker.ingest import ingest_paths
from tracker.store import open_store
settings = load_settings()
store = open_store(settings)
tracker.parsing.parse_text("# Warm-up\\n\\n## Action items\\n\\n- [ ] Warm the parser up (@me, P1)\\n")
# For the record: how much of the ingest is the parser's (bench/parse_bench.py owns that).
parsing = [0.0]
parse_file = tracker.parsing.parse_file
def timed_parse(*args, **kwargs):
    start = time.process_time()
    try:
        return parse_file(*args, **kwargs)
    finally:
        parsing[0] += time.process_time() - start
tracker.parsing.parse_file = timed_parse
gc.freeze()  # as cli/ingest_cmd.py does
timed(lambda: {**ingest_paths(store, [sys.argv[1]], settings).counts(), "parse_cpu": parsing[0]})
"""
)


def child(code: str, folder: Path, env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder), str(Path(__file__).resolve().parent)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="bench/ingest_bench.py",
        description=(__doc__ or "").split("\n\n")[0].replace("\n", " "),
    )
    parser.add_argument(
        "n", nargs="?", type=int, default=10_000, help="postmortems to generate (default 10,000)"
    )
    n = parser.parse_args(argv).n
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "postmortems"
        generate(folder, n, seed=0)
        env = {**os.environ, "PMT_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}", "HOME": tmp}
        bare_before = child(BARE, folder, env)
        first = child(INGEST, folder, env)
        again = child(INGEST, folder, env)
        bare_after = child(BARE, folder, env)

    bare_cpu = (float(bare_before["cpu"]) + float(bare_after["cpu"])) / 2  # type: ignore[arg-type]
    bare_wall = (float(bare_before["wall"]) + float(bare_after["wall"])) / 2  # type: ignore[arg-type]
    first_cpu, first_wall = float(first["cpu"]), float(first["wall"])  # type: ignore[arg-type]
    again_cpu, again_wall = float(again["cpu"]), float(again["wall"])  # type: ignore[arg-type]
    print(f"{n} generated postmortems")
    print(
        f"markdown-it-py read + tokenise: cpu {bare_cpu:6.2f}s  wall {bare_wall:6.2f}s  (mean of a run before and after)"
    )
    parse_cpu = float(first["result"].pop("parse_cpu"))  # type: ignore[union-attr]
    again["result"].pop("parse_cpu")  # type: ignore[union-attr]
    print(
        f"ingest (first):                 cpu {first_cpu:6.2f}s  wall {first_wall:6.2f}s  {first['result']}"
    )
    print(
        f"  of which parse_file:          cpu {parse_cpu:6.2f}s  ({parse_cpu / bare_cpu:.2f}x tokenise; "
        f"the rest, the store's share: {(first_cpu - parse_cpu) / bare_cpu:.2f}x)"
    )
    print(
        f"ingest (nothing changed):       cpu {again_cpu:6.2f}s  wall {again_wall:6.2f}s  {again['result']}"
    )
    print(
        f"wall-time ratios: first/tokenise {first_wall / bare_wall:.2f}x, again/first {again_wall / first_wall:.2f}x"
    )
    print(verdict("first ingest / tokenise (cpu)", first_cpu / bare_cpu, FIRST_TARGET))
    print(verdict("unchanged ingest / first ingest (cpu)", again_cpu / first_cpu, AGAIN_TARGET))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
