"""Ingest of generated postmortems into SQLite, against bare markdown-it-py tokenisation of
the same files (target: at most 2x), and a second ingest with nothing changed (target: at
most 10% of the first).

    .venv/bin/python bench/ingest_bench.py [N]      (default 10,000)

The bare side reads each file and tokenises it with the parser's own MarkdownIt instance
(CommonMark + table + strikethrough). The ingest side is ``tracker.ingest.ingest_paths`` on
the folder into a new SQLite store: discovery, hashing, parsing, identity, one transaction per
file. Both run in this process after a warm-up, so start-up and imports are not counted.
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate import generate  # noqa: E402
from timing import verdict  # noqa: E402

from tracker.config import Settings  # noqa: E402
from tracker.ingest import ingest_paths  # noqa: E402
from tracker.parsing import parse_text  # noqa: E402
from tracker.parsing.blocks import markdown  # noqa: E402
from tracker.store import Store  # noqa: E402

FIRST_TARGET = 2.0
AGAIN_TARGET = 0.10


def bare(paths: list[Path]) -> float:
    md = markdown()
    gc.collect()
    start = time.perf_counter()
    for path in paths:
        md.parse(path.read_text(encoding="utf-8"))
    return time.perf_counter() - start


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "postmortems"
        paths = generate(folder, n, seed=0)
        for path in paths[:50]:  # warm regexes and lazy imports on both sides
            parse_text(path.read_text(encoding="utf-8"))
        tokenise = min(bare(paths) for _ in range(2))

        store = Store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        gc.collect()
        start = time.perf_counter()
        first = ingest_paths(store, [folder], settings)
        first_time = time.perf_counter() - start
        assert first.counts()["new"] == n, first.counts()

        gc.collect()
        start = time.perf_counter()
        again = ingest_paths(store, [folder], settings)
        again_time = time.perf_counter() - start
        assert again.counts()["unchanged"] == n, again.counts()
        with store.engine.connect() as conn:
            items = conn.exec_driver_sql("SELECT count(*) FROM action_item").scalar_one()
        store.dispose()

    print(f"{n} postmortems, {items} action items")
    print(f"markdown-it-py read + tokenise: {tokenise:.2f}s")
    print(f"first ingest:                   {first_time:.2f}s ({first_time / n * 1000:.2f} ms/file)")
    print(f"ingest again, nothing changed:  {again_time:.2f}s")
    print(verdict("first ingest / tokenise", first_time / tokenise, FIRST_TARGET))
    print(verdict("unchanged ingest / first ingest", again_time / first_time, AGAIN_TARGET))
    return 0


if __name__ == "__main__":
    sys.exit(main())
