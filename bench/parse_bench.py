"""Parse time of ``tracker.parsing.parse_text`` against bare markdown-it-py tokenisation of the
same 10,000 generated postmortems (target: at most 1.5x).

    .venv/bin/python bench/parse_bench.py [N]

Both sides get the same in-memory texts and the same MarkdownIt configuration (the parser's own
instance: CommonMark + table + strikethrough), so the ratio is the parser's own work on top of
tokenising. Each side runs three times and the best run counts; times are CPU time of this
process (``time.process_time``), so other work on the machine disturbs the ratio less.
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate import postmortem_text  # noqa: E402
from timing import verdict  # noqa: E402

from tracker.parsing import parse_text  # noqa: E402
from tracker.parsing.blocks import markdown  # noqa: E402

TARGET = 1.5


def _best(fn: object, texts: list[str], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        start = time.process_time()
        for text in texts:
            fn(text)  # type: ignore[operator]
        best = min(best, time.process_time() - start)
    return best


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    texts = [postmortem_text(i) for i in range(n)]
    md = markdown()
    # Warm both paths (regex compilation, lazy imports) before timing.
    for text in texts[:50]:
        md.parse(text)
        parse_text(text)
    bare = _best(md.parse, texts)
    ours = _best(parse_text, texts)
    size = sum(len(t) for t in texts) / 1e6
    print(f"{n} postmortems, {size:.1f} MB")
    print(f"markdown-it-py tokenise: {bare:.2f}s ({bare / n * 1000:.2f} ms/doc)")
    print(f"tracker.parsing.parse_text: {ours:.2f}s ({ours / n * 1000:.2f} ms/doc)")
    print(verdict("parse / tokenise", ours / bare, TARGET))
    return 0


if __name__ == "__main__":
    sys.exit(main())
