"""`.pre-commit-hooks.yaml` is valid and names a command pmt has."""

from __future__ import annotations

import re
import shlex
import tomllib

import yaml
from typer.testing import CliRunner

from cli.app import app
from tests.conftest import REPO

# The keys pre-commit reads from a hook definition (pre-commit's clientlib MANIFEST_HOOK_DICT).
KNOWN_KEYS = {
    "id", "name", "entry", "language", "alias", "files", "exclude", "types", "types_or",
    "exclude_types", "additional_dependencies", "args", "always_run", "fail_fast",
    "pass_filenames", "description", "language_version", "log_file", "require_serial",
    "stages", "verbose", "minimum_pre_commit_version",
}  # fmt: skip


def _hooks() -> list[dict[str, object]]:
    data = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert isinstance(data, list)
    return data


def test_the_hook_is_well_formed() -> None:
    (hook,) = _hooks()
    assert hook["id"] == "pmt-lint"
    assert hook["language"] == "python"
    assert {"id", "name", "entry", "language"} <= set(hook) <= KNOWN_KEYS
    files = re.compile(str(hook["files"]))
    assert files.search("postmortems/2026-03-01-outage.md")
    assert files.search("notes/x.markdown")
    assert not files.search("notes/x.txt")
    assert not files.search("x.md.bak")


def test_the_entry_is_pmts_console_script_and_a_real_command() -> None:
    (hook,) = _hooks()
    program, *args = shlex.split(str(hook["entry"]))
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert program in scripts
    assert args == ["lint"]
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
