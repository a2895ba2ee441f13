"""Parse time of ``tracker.parsing.parse_text`` against bare markdown-it-py tokenisation of the
same 10,000 generated postmortems (target: at most 1.5x).

    .venv/bin/python bench/parse_bench.py [N]

Both sides get the same in-memory texts. The baseline is a full markdown-it-py tokenisation,
block and inline phases, in CommonMark + table + strikethrough (``timing.bare_markdown``); the
parser runs markdown-it's block phase only and reads the rest itself, so the ratio is the
parser's whole cost against tokenising alone. Times are CPU time of this process, taken document by document with the two sides
interleaved (their order alternating), over two passes whose mean is reported. That keeps the
ratio steady on a machine that is busy with other work.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate import postmortem_text
from timing import bare_markdown, verdict

from tracker.parsing import parse_text

TARGET = 1.5
PASSES = 2


def _pass(md_parse: Callable[[str], object], texts: list[str], flip: bool) -> tuple[float, float]:
    """CPU seconds of tokenising and of parsing ``texts``, measured document by document and
    alternating which goes first, so that load on the machine falls on both sides alike."""
    clock = time.process_time
    bare = ours = 0.0
    for i, text in enumerate(texts):
        if (i % 2 == 0) != flip:
            t0 = clock()
            md_parse(text)
            t1 = clock()
            parse_text(text)
            t2 = clock()
            bare += t1 - t0
            ours += t2 - t1
        else:
            t0 = clock()
            parse_text(text)
            t1 = clock()
            md_parse(text)
            t2 = clock()
            ours += t1 - t0
            bare += t2 - t1
    return bare, ours


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    texts = [postmortem_text(i) for i in range(n)]
    md = bare_markdown()
    # Warm both paths (regex compilation, lazy imports) before timing.
    for text in texts[:50]:
        md.parse(text)
        parse_text(text)
    runs = []
    for k in range(PASSES):
        gc.collect()
        runs.append(_pass(md.parse, texts, flip=k % 2 == 1))
    bare = sum(r[0] for r in runs) / PASSES
    ours = sum(r[1] for r in runs) / PASSES
    size = sum(len(t) for t in texts) / 1e6
    print(f"{n} postmortems, {size:.1f} MB; mean of {PASSES} passes")
    print(f"markdown-it-py tokenise: {bare:.2f}s ({bare / n * 1000:.2f} ms/doc)")
    print(f"tracker.parsing.parse_text: {ours:.2f}s ({ours / n * 1000:.2f} ms/doc)")
    print("ratios per pass: " + ", ".join(f"{o / b:.2f}" for b, o in runs))
    print(verdict("parse / tokenise", ours / bare, TARGET))
    return 0


if __name__ == "__main__":
    sys.exit(main())
