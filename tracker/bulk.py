"""``bulk_work()``: the one place pmt tunes Python's cyclic garbage collector.

Ingesting or analysing thousands of postmortems allocates millions of small objects (tokens,
rows' values, candidate pairs, warnings) that nearly all die young and hold few reference
cycles, next to a heap of modules, classes and settings that live until exit. CPython runs its
cyclic collector every 700 net allocations, and its older passes re-scan that whole heap.
``bulk_work`` therefore, while the work runs: freezes the objects that exist when it starts
(``gc.freeze``: the collector no longer scans them) and raises the first threshold to 50,000
allocations (cycles are still collected, so memory stays bounded). ``pmt`` runs every command
inside it (``cli.app.main``: the imports of a command cost about 5% less CPU), and an ingest or
a repeat analysis enters it again, freezing what the command imported meanwhile
(bench/ingest_bench.py, 10,000 files: the first ingest takes about 4% less CPU). Nested and
concurrent uses (threads) share one setting; the last to leave restores what it found (and
unfreezes).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

GEN0_THRESHOLD = 50_000

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, int, int] | None = None
_froze = False


@contextmanager
def bulk_work() -> Iterator[None]:
    global _depth, _saved, _froze
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            # A disabled collector (threshold 0), or a heap someone else froze, is left alone.
            _froze = bool(_saved[0]) and gc.get_freeze_count() == 0
            if _saved[0] and _saved[0] < GEN0_THRESHOLD:
                gc.set_threshold(GEN0_THRESHOLD, _saved[1], _saved[2])
        if _froze:
            # Again when nested: what was made since the outer entry (imports) lives on too.
            gc.freeze()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                if _froze:
                    gc.unfreeze()
                gc.set_threshold(*_saved)
                _saved = None
