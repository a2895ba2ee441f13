"""What SREs expect of a command-line tool (issue 17): --version, shell completion, help that
reads PATH and TEXT, one error style, documented and consistent exit codes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from cli.app import EXIT_CODES_HELP, app
from tests.conftest import REPO


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), env=env)


def test_version() -> None:
    for flag in ("--version", "-V"):
        result = run(flag)
        assert result.exit_code == 0
        assert result.stdout == f"pmt {version('postmortem-tracker')}\n"


def test_shell_completion_is_offered_and_documented() -> None:
    result = run("--show-completion", "bash")
    assert result.exit_code == 0 and "_PMT_COMPLETE" in result.stdout
    readme = (REPO / "docs" / "configuration.md").read_text()
    assert "pmt --install-completion" in readme and "--show-completion" in readme
    assert "--install-completion" in run("--help").stdout


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [("pmt ove", "1", "overdue"), ("pmt overdue --fo", "2", "--format")],
)
def test_completion_completes_commands_and_options(words: str, cword: str, expected: str) -> None:
    script = Path(sys.executable).with_name("pmt")  # the console script, as a shell runs it
    env = {**os.environ, "_PMT_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": cword}
    out = subprocess.run(
        [str(script)], env=env, capture_output=True, text=True, cwd=REPO, check=False
    )
    assert expected in out.stdout.split(), out.stdout + out.stderr


def _commands() -> list[str]:
    root = typer.main.get_command(app)
    names = []
    for name, cmd in root.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        names += [f"{name} {sub}" for sub in subs] if subs else [name]
    return names


@pytest.mark.parametrize("command", ["", *_commands()])
def test_help_placeholders_read_like_other_tools(command: str) -> None:
    result = run(*command.split(), "--help")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert not re.search(r"<[^>]*>|\{\w+\}", text.replace("{{blanks}}", "")), text
    assert "list[" not in text and "%Y" not in text


def test_help_names_paths_and_text() -> None:
    assert "Usage: pmt ingest [OPTIONS] PATH..." in run("ingest", "--help").stdout
    assert "Usage: pmt lint [OPTIONS] [PATH]..." in run("lint", "--help").stdout
    assert "Usage: pmt parse [OPTIONS] FILE..." in run("parse", "--help").stdout
    overdue = run("overdue", "--help").stdout
    assert (
        "--owner TEXT" in overdue
        and "--as-of DATE" in overdue
        and "[table|json|csv|markdown]" in overdue
    )
    assert "--output FILE" in run("report", "weekly", "--help").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--nope"], "pmt: error: no such option: --nope"),
        (["frobnicate"], "pmt: error: no such command 'frobnicate'"),
        (["overdue", "--format", "xml"], "pmt: error: invalid value for '--format' / '-f'"),
        (
            ["overdue", "--tracker", "trello"],
            "pmt: error: invalid value for --tracker: use github or jira",
        ),
        (["ingest"], "pmt: error: missing argument 'PATH'"),
        (["report", "weekly", "--week", "48"], "pmt: error: --week '48': expected an ISO week"),
    ],
)
def test_one_error_style_for_usage_errors(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.output and "Usage:" not in result.stderr


@pytest.mark.parametrize(
    ("setup", "args"),
    [
        ({"PMT_DATABASE_URL": "not a url"}, ["overdue"]),
        ({"PMT_DATABASE_URL": "mysql://db/pmt"}, ["overdue"]),  # no driver for it
        ({"PMT_DATABASE_URL": "sqlite:///{tmp}/no/such/folder/pmt.db"}, ["overdue"]),
        ({"PMT_JIRA_URL": "jira.example.com"}, ["overdue"]),
        ({"PMT_GITHUB_API_URL": "ftp://ghe.example.com"}, ["list"]),
        ({"PMT_TIMEZONE": "Mars/Olympus"}, ["overdue"]),
        ({}, ["--config", "{tmp}/missing.toml", "overdue"]),
    ],
)
def test_bad_configuration_or_url_exits_2(
    setup: dict[str, str], args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in setup.items():
        monkeypatch.setenv(name, value.replace("{tmp}", str(tmp_path)))
    result = run(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("pmt: error: ") and result.stderr.count("\n") == 1, (
        result.stderr
    )
    assert not (tmp_path / "no").exists()


def test_exit_codes_are_documented_where_users_look() -> None:
    readme = (REPO / "docs" / "configuration.md").read_text()
    table = readme.split("## Exit codes", 1)[1].split("\n#", 1)[0]
    for code in ("0", "1", "2", "3", "130"):
        assert f"| {code} |" in table
    assert EXIT_CODES_HELP in " ".join(run("--help").stdout.split())
