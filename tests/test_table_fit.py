"""Tables at 80 columns (issue 17): fit the terminal, never break a URL or a date; --wide."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from cli.table_fit import FitColumn, fit, shorten_middle, table_width
from tests.conftest import REPO

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.mark.parametrize(
    ("columns", "width", "widths"),
    [
        # Everything fits: natural widths.
        ([FitColumn("Item", "text", 0, 30), FitColumn("Due", "atom", 0, 10)], 80, [30, 10]),
        # Text gives way first, down to its minimum; atoms keep their width.
        ([FitColumn("Item", "text", 0, 90), FitColumn("Due", "atom", 0, 10)], 40, [23, 10]),
        # Then columns are hidden by rank (1 first); rank 0 stays.
        (
            [
                FitColumn("Item", "text", 0, 90),
                FitColumn("Due", "atom", 0, 10),
                FitColumn("Ticket", "atom", 2, 20),
                FitColumn("State", "atom", 1, 11),
            ],
            50,
            [33, 10, None, None],
        ),
        (
            [
                FitColumn("Item", "text", 0, 90),
                FitColumn("Due", "atom", 0, 10),
                FitColumn("Ticket", "atom", 2, 12),
                FitColumn("State", "atom", 1, 11),
            ],
            60,
            [28, 10, 12, None],
        ),
        # An empty column (-1) goes before any other.
        ([FitColumn("Item", "text", 0, 60), FitColumn("Ticket", "atom", -1, 6)], 40, [36, None]),
        # A wrapping column still holds its longest URL whole.
        (
            [FitColumn("Value", "text", 0, 60, unbreakable=43), FitColumn("From", "atom", 0, 8)],
            40,
            [43, 8],
        ),
    ],
)
def test_fit(columns: list[FitColumn], width: int, widths: list[int | None]) -> None:
    result = fit(columns, width).widths
    assert result == widths
    if all(c.unbreakable == 0 for c in columns):
        assert table_width(result) <= width


@pytest.mark.parametrize(
    ("text", "width", "shown"),
    [
        ("postmortems/2026-11-03-flag.md", 40, "postmortems/2026-11-03-flag.md"),
        ("postmortems/2026-11-03-flag.md", 24, "post…/2026-11-03-flag.md"),
        ("postmortems/2026-11-03-feature-flag-rollout.md", 22, "2026-11-03…-rollout.md"),
    ],
)
def test_shorten_middle(text: str, width: int, shown: str) -> None:
    assert shorten_middle(text, width) == shown
    assert len(shown) <= width


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = tmp_path / "project"
    shutil.copytree(
        REPO / "examples", project / "postmortems", ignore=shutil.ignore_patterns("workflows")
    )
    (project / ".git").mkdir()
    monkeypatch.chdir(project)
    monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{tmp_path / 'pmt.db'}")
    assert CliRunner().invoke(app, ["ingest", "postmortems"]).exit_code == 0
    monkeypatch.setenv("COLUMNS", "80")
    return project


def out(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def assert_fits(text: str, width: int = 80) -> None:
    long = [line for line in text.splitlines() if len(line) > width]
    assert not long, "\n".join(long)


def test_overdue_fits_80_columns_and_breaks_no_date(examples: Path) -> None:
    table = out("overdue")
    assert_fits(table)
    rows = json.loads(out("overdue", "--format", "json"))
    dates = DATE.findall(table)
    for row in rows:  # every due date is whole on one line (no "2026-0" / "4-30")
        assert row["due"] in dates
    # Tickets are never cut; what did not fit is said, and where to see it.
    for row in rows:
        if row["ticket"]:
            assert row["ticket"] in table
    # The ticket state is unknown (nothing synced yet): its empty column is left out silently.
    assert "Ticket state" not in table and "hidden" not in table
    # The postmortem is a numbered reference, named in full (path and id) under the table.
    assert "[1] postmortems/" in table


def test_wide_shows_every_column_whole(examples: Path) -> None:
    for args in (["overdue", "--wide"], ["--wide", "overdue"]):
        table = out(*args)
        assert "Ticket state" in table and "hidden" not in table
        assert (
            "postmortems/2026-08-14-api-gateway-tls-certificate-expired.md (id 2026-08-14-gateway-cert-expired)"
            in table
        )
        assert "Move checkout.example.com to cert-manager with ACME auto-renewal" in table


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["show", "2026-05-19-payments-db-connections"],
        ["owners"],
        ["config"],
        [
            "parse",
            "postmortems/2026-05-19-payments-db-connection-exhaustion.md",
            "--format",
            "table",
        ],
        ["causes", "--since", "2026-01-01", "--until", "2026-12-31"],
    ],
)
def test_every_table_fits_80_columns(
    examples: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if args[0] == "config":  # the store's URL, under pytest's long temporary folder, is not cut
        monkeypatch.setenv("PMT_DATABASE_URL", "sqlite:///pmt.db")
    text = out(*args)
    assert_fits(text)
    for day in re.findall(r"\b\d{4}-\d{2}-\d{2}\b", out("--wide", *args)):
        if args[0] != "parse":  # parse's table quotes free text that may wrap around a date
            assert day in text


def test_narrower_terminals_are_honoured(examples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    table = out("overdue")
    # The table itself fits; a path in the list under it is never cut, even if longer.
    assert_fits(
        "\n".join(line for line in table.splitlines() if not line.startswith("    postmortems/")),
        60,
    )
    assert "hidden to fit 60 columns" in table
