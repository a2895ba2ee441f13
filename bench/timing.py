"""Wall-time helpers shared by the bench scripts: repeated runs, median, like hyperfine."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

PYTHON = sys.executable
PMT = str(Path(sys.executable).with_name("pmt"))
BASELINE = [PYTHON, "-c", "import sqlmodel"]


def bare_markdown() -> Any:
    """The baseline of the parse and ingest benches: a full markdown-it-py tokeniser (block and
    inline phases) configured for what postmortems are written in, CommonMark with tables and
    strikethrough. It is built here, not taken from the parser, which runs the block phase only:
    the ratio is the parser's whole cost against what tokenising alone costs."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"maxNesting": 40}).enable(["table", "strikethrough"])


def run_median(
    argv: Sequence[str], runs: int = 5, env: Mapping[str, str] | None = None, warmup: int = 1
) -> float:
    """Median wall time of ``argv`` over ``runs`` runs, after ``warmup`` discarded ones."""
    full_env = {**os.environ, **(env or {})}
    times = []
    for n in range(warmup + runs):
        start = time.perf_counter()
        subprocess.run(
            argv, env=full_env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if n >= warmup:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_interleaved(
    commands: Sequence[Sequence[str]],
    runs: int = 5,
    env: Mapping[str, str] | None = None,
    warmup: int = 1,
) -> list[float]:
    """Median wall time of each command, their runs interleaved (A B A B ...) so that a change
    in the machine's load affects all of them alike."""
    full_env = {**os.environ, **(env or {})}
    times: list[list[float]] = [[] for _ in commands]
    for n in range(warmup + runs):
        for i, argv in enumerate(commands):
            start = time.perf_counter()
            subprocess.run(
                argv, env=full_env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            if n >= warmup:
                times[i].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def time_call(fn: Callable[[], object], runs: int = 1) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def verdict(name: str, ratio: float, target: float) -> str:
    status = "ok" if ratio <= target else "OVER TARGET"
    return f"{name}: {ratio:.2f}x (target <= {target}x) {status}"
