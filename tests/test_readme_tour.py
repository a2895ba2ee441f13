"""The README's 5-minute tour: real output at 80 columns, of commands that exist."""

from __future__ import annotations

import re
import shlex

from typer.testing import CliRunner

from cli.app import app
from tests.conftest import REPO


def _tour() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return text.split("## A 5-minute tour", 1)[1].split("\n## ", 1)[0]


def test_the_tour_is_80_columns_wide() -> None:
    blocks = re.findall(r"```console\n(.*?)```", _tour(), re.DOTALL)
    assert len(blocks) >= 8
    long = [line for block in blocks for line in block.splitlines() if len(line) > 80]
    assert not long, long


def test_every_command_of_the_tour_exists() -> None:
    commands = re.findall(r"^\$ pmt (.+)$", _tour(), re.MULTILINE)
    assert {c.split()[0] for c in commands} >= {
        "doctor",
        "ingest",
        "overdue",
        "show",
        "owners",
        "report",
        "new",
    }
    root_help = CliRunner().invoke(app, ["--help"]).stdout
    for command in commands:
        words = shlex.split(command)
        # The command (report has subcommands) and each option it uses are in its help.
        path = words[:2] if words[0] == "report" else words[:1]
        result = (
            CliRunner().invoke(app, [*path, "--help"]) if not words[0].startswith("-") else None
        )
        if result is not None:
            assert result.exit_code == 0, command
        for option in (w for w in words if w.startswith("-")):
            assert option in (result.stdout if result else "") or option in root_help, (
                command,
                option,
            )
