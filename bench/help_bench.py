"""`pmt --help` wall time against `python -c "import sqlmodel"` (target: at most 0.5x).

.venv/bin/python bench/help_bench.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import BASELINE, PMT, run_interleaved, verdict

TARGET = 0.5


def main() -> None:
    runs = 7
    baseline, help_time = run_interleaved([BASELINE, [PMT, "--help"]], runs)
    print(f"import sqlmodel: {baseline * 1000:.0f} ms (median of {runs})")
    print(f"pmt --help:      {help_time * 1000:.0f} ms (median of {runs})")
    print(verdict("pmt --help / import sqlmodel", help_time / baseline, TARGET))


if __name__ == "__main__":
    main()
