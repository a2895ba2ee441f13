"""The shape of the house: imports run one way, and every command teaches its use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main

from tests.conftest import REPO


def test_import_layers_hold() -> None:
    """cli -> sync -> tracker, and tracker knows no HTTP, tracker client or CLI."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    if not lint_imports.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    result = subprocess.run(
        [str(lint_imports), "--config", str(REPO / "pyproject.toml")],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    return subprocess.run([str(ruff), *args], cwd=REPO, capture_output=True, text=True)


def test_ruff_check_is_clean() -> None:
    result = _ruff("check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = _ruff("format", "--no-cache", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def _commands() -> list[tuple[str, Any]]:
    from cli.app import app

    root = typer.main.get_command(app)
    found: list[tuple[str, Any]] = []

    def walk(prefix: str, cmd: Any) -> None:
        if hasattr(cmd, "commands"):  # a group (typer vendors click's Group)
            for name, sub in cmd.commands.items():
                walk(f"{prefix} {name}".strip(), sub)
        else:
            found.append((prefix, cmd))

    walk("", root)
    return found


def test_every_command_has_help_with_an_example() -> None:
    commands = _commands()
    assert len(commands) >= 10, [name for name, _ in commands]
    missing = [name for name, cmd in commands if not cmd.help or "pmt " not in cmd.help]
    assert not missing, f"commands without help carrying a runnable example: {missing}"


def test_help_imports_no_heavy_dependency() -> None:
    """`pmt --help` must stay fast: no sqlmodel, PyGithub, jira or markdown-it at start-up."""
    code = (
        "import sys\n"
        "sys.argv = ['pmt', '--help']\n"
        "from cli.app import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('sqlmodel', 'sqlalchemy', 'github', 'jira', 'markdown_it', 'sklearn')"
        " if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert "HEAVY=\n" in out.stdout, out.stdout + out.stderr
