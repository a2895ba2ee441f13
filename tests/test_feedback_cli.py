"""A new user on an empty folder, a typo, thousands of files (issue 17): pmt says what happened.

Empty inputs and filters that match nothing are said on stderr (exit 0); a missing folder is an
error, never created; a long ingest draws a progress bar on a terminal; repeat warnings are
summarised.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from tests.conftest import REPO


def run(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{tmp_path / 'pmt.db'}")
    return tmp_path


# --- nothing to do: said, exit 0 -----------------------------------------------------------------


def test_ingest_of_an_empty_folder_says_nothing_was_found(workdir: Path) -> None:
    (workdir / "empty").mkdir()
    (workdir / "readme-only").mkdir()
    (workdir / "readme-only" / "README.md").write_text("# Postmortems\n")
    for folder in ("empty", "readme-only"):
        result = run("ingest", folder)
        assert result.exit_code == 0
        assert (
            f"pmt ingest: no postmortem files found in {folder} (looked for **/*.md, **/*.markdown"
            in result.stderr
        )


def test_lint_of_an_empty_folder_says_nothing_was_found(workdir: Path) -> None:
    (workdir / "empty").mkdir()
    result = run("lint", "empty")
    assert result.exit_code == 0 and result.stdout == ""
    assert "pmt lint: no postmortem files found in empty" in result.stderr


def test_a_filter_that_matches_nothing_says_so(workdir: Path) -> None:
    shutil.copytree(
        REPO / "examples", workdir / "postmortems", ignore=shutil.ignore_patterns("workflows")
    )
    assert run("ingest", "postmortems").exit_code == 0
    result = run("overdue", "--owner", "lnea", "--fail")
    assert result.exit_code == 0 and result.stdout == ""
    assert "matches --owner lnea" in result.stderr
    assert "no action item has the owner 'lnea' (did you mean 'Lena'?)" in result.stderr
    result = run("overdue", "--postmortem", "nope.md", "--format", "json")
    assert result.exit_code == 0 and result.stdout == "[]\n"
    assert "no postmortem 'nope.md' in the store" in result.stderr
    # A filter that matches items none of which is overdue: no "no such owner".
    result = run("overdue", "--owner", "Lena", "--as-of", "2026-01-01")
    assert "nothing overdue as of 2026-01-01 matches --owner Lena" in result.stderr
    assert "no action item" not in result.stderr


# --- a missing folder is an error, not created ---------------------------------------------------


def test_new_into_a_missing_folder_is_refused(workdir: Path) -> None:
    result = run("new", "Checkout errors", "--dir", "postmortems/2026")
    assert result.exit_code == 2
    assert result.stderr.startswith("pmt: error: postmortems/2026: does not exist; create it first")
    assert not (workdir / "postmortems").exists()


def test_report_output_into_a_missing_folder_is_refused(workdir: Path) -> None:
    result = run("report", "weekly", "--format", "html", "--output", "out/report.html")
    assert result.exit_code == 2
    assert "pmt: error: out/report.html: the folder out does not exist" in result.stderr
    assert not (workdir / "out").exists()


def test_a_database_in_a_missing_folder_is_refused(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{workdir}/state/pmt.db")
    result = run("list")
    assert result.exit_code == 2
    assert f"the folder {workdir}/state does not exist" in result.stderr
    assert not (workdir / "state").exists()


def test_ingest_of_a_missing_folder_is_a_failure(workdir: Path) -> None:
    result = run("ingest", "postmortems")
    assert result.exit_code == 1
    assert "failed     postmortems: no such file or folder" in result.stderr


# --- many files ----------------------------------------------------------------------------------


POSTMORTEM = """\
# {title}

Date: 2025-{month:02d}-{day:02d}

## Summary
Checkout was down for {minutes} minutes.

## Root cause
The TLS certificate on checkout.example.com expired; the renewal cron job had been failing silently.

## Action items
- [ ] Alert 30 days before any certificate expires (owner: bob, due: 2025-{month:02d}-28)
"""


def _many(folder: Path, count: int) -> None:
    folder.mkdir()
    for n in range(count):
        month, day = 1 + n // 28, 1 + n % 28
        text = POSTMORTEM.format(
            title=f"Certificate outage {n}", month=month, day=day, minutes=10 + n
        )
        (folder / f"2025-{month:02d}-{day:02d}-cert-{n}.md").write_text(text)


def test_repeat_warnings_are_summarised(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS")  # off a terminal: one line per message, as a log keeps them
    _many(workdir / "pms", 9)
    result = run("ingest", "pms")
    assert result.exit_code == 0, result.stderr
    shown = [line for line in result.stderr.splitlines() if re.match(r"repeat: pms/", line)]
    assert len(shown) == 5
    [summary] = [line for line in result.stderr.splitlines() if line.startswith("repeat: ... and ")]
    more = int(re.match(r"repeat: \.\.\. and (\d+) more repeats of an earlier cause", summary)[1])
    assert summary.endswith("0 where the fix did not hold); pmt causes lists them all")
    # Scripts still get every one (the same ingest into a fresh store, as JSON).
    monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{workdir / 'json.db'}")
    every = json.loads(run("ingest", "pms", "--format", "json").stdout)["repeats"]
    assert len(every) == 5 + more > 5


def _ingest_on_a_terminal(workdir: Path, *args: str) -> str:
    """Run ``pmt ingest`` with stderr on a pseudo-terminal, as a person at a shell would."""
    leader, follower = pty.openpty()
    env = {
        **os.environ,
        "PMT_DATABASE_URL": f"sqlite:///{workdir / 'pmt.db'}",
        "COLUMNS": "100",
        "TERM": "xterm",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", "from cli.app import main; main()", "ingest", *args],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        stdin=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    assert proc.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_long_ingest_draws_a_progress_bar_on_a_terminal(workdir: Path) -> None:
    _many(workdir / "pms", 40)
    seen = _ingest_on_a_terminal(workdir, "pms", "--quiet")
    assert "ingesting" in seen and re.search(r"\d+/40", seen), seen[-500:]
    assert "pmt ingest: 40 files: 40 new" in seen
    # Off a terminal (CI, a log file): no bar, no control sequences.
    result = run("ingest", "pms", "--quiet")
    assert "ingesting" not in result.stderr and "\x1b[" not in result.stderr


def test_a_short_ingest_draws_no_bar(workdir: Path) -> None:
    _many(workdir / "pms", 3)
    seen = _ingest_on_a_terminal(workdir, "pms")
    assert "ingesting" not in seen and "pmt ingest: 3 files: 3 new" in seen
