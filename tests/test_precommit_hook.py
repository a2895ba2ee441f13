"""`.pre-commit-hooks.yaml` is valid, names a command pmt has, and skips Markdown files that are
not postmortems (issue 17)."""

from __future__ import annotations

import re
import shlex
import shutil
import tomllib
from pathlib import Path

import pytest
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
    assert args == ["lint", "--only-postmortems"]
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output


# --- what the hook does with the files pre-commit hands it ---------------------------------------

GUIDE = "# Deploy guide\n\nHow to deploy the API.\n\n- build\n- ship\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text(GUIDE)
    (tmp_path / "CHANGELOG.md").write_text("# Changelog\n\n## 1.0\n- first\n")
    shutil.copytree(
        REPO / "examples", tmp_path / "postmortems", ignore=shutil.ignore_patterns("workflows")
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def hook(*files: str):
    (entry,) = [str(h["entry"]) for h in _hooks()]
    program, *args = shlex.split(entry)
    return CliRunner().invoke(app, [*args, *files])


def test_the_hook_skips_markdown_that_is_not_a_postmortem(repo: Path) -> None:
    result = hook("docs/guide.md", "CHANGELOG.md", "postmortems/2026-11-03-feature-flag-rollout.md")
    assert result.exit_code == 0, result.output
    assert "pmt lint: docs/guide.md: skipped (not a postmortem:" in result.stderr
    assert "pmt lint: CHANGELOG.md: skipped (not a postmortem:" in result.stderr
    assert "unusable-file" not in result.stdout
    assert "pmt lint: 1 file" in result.stderr
    # Without the hook's option, a named file that is no postmortem is still an error.
    plain = CliRunner().invoke(app, ["lint", "docs/guide.md"])
    assert plain.exit_code == 1 and "unusable-file" in plain.stdout


def test_the_hook_follows_the_configured_glob(repo: Path) -> None:
    (repo / "pmt.toml").write_text('[lint]\npostmortems = ["postmortems/**"]\n')
    (repo / "postmortems" / "notes.md").write_text(GUIDE)
    # Outside the glob: skipped, even a real postmortem elsewhere; inside it: linted strictly.
    shutil.copy(
        repo / "postmortems" / "2026-11-03-feature-flag-rollout.md", repo / "docs" / "old.md"
    )
    result = hook("docs/guide.md", "docs/old.md", "postmortems/notes.md")
    assert "docs/guide.md: skipped (not a postmortem: outside lint.postmortems)" in result.stderr
    assert "docs/old.md: skipped (not a postmortem: outside lint.postmortems)" in result.stderr
    assert (
        result.exit_code == 1 and "postmortems/notes.md:1: unusable-file [error]" in result.stdout
    )
