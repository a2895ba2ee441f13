"""The shape of the house: imports run one way, and every command teaches its use."""

from __future__ import annotations

import ast
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
        "heavy = [m for m in ('sqlmodel', 'sqlalchemy', 'github', 'jira', 'markdown_it', 'sklearn',"
        " 'pydantic', 'requests')"
        " if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert "HEAVY=\n" in out.stdout, out.stdout + out.stderr


# Issue 16: a newcomer reads a module in one sitting.
MAX_MODULE_LINES = 400


def test_no_source_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(REPO)): n
        for package in ("tracker", "sync", "cli")
        for path in (REPO / package).rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"split these modules (lines): {long}"


def _runtime_imports(path: Path) -> set[str]:
    """The modules ``path`` imports when it runs (imports under ``if TYPE_CHECKING:`` are only
    for the type checker)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_sql_lives_only_in_tracker() -> None:
    """The store owns SQL: sync/ and cli/ import neither SQLAlchemy nor SQLModel at run time."""
    offenders = {
        str(path.relative_to(REPO)): sorted(
            m for m in _runtime_imports(path) if m.split(".")[0] in ("sqlalchemy", "sqlmodel")
        )
        for package in ("sync", "cli")
        for path in (REPO / package).rglob("*.py")
    }
    assert not {k: v for k, v in offenders.items() if v}


def test_the_default_tracker_is_the_first_registered() -> None:
    from sync.registry import DEFAULT_TRACKER
    from tracker.config import SyncSettings

    assert SyncSettings().tracker == DEFAULT_TRACKER
