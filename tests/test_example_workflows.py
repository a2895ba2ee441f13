"""The GitHub Actions workflows in examples/workflows: valid YAML that runs pmt commands that exist.

Every ``pmt`` invocation in a ``run:`` script is resolved against the real command tree: the
subcommand must exist and every option must be one it accepts (with a value where it takes
one). Environment variables named ``PMT_*`` must be settings or secrets pmt reads.
"""

from __future__ import annotations

import enum
import re
import shlex
import typing
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml
from typer.testing import CliRunner

from cli.app import app
from tests.conftest import REPO

WORKFLOWS = REPO / "examples" / "workflows"
EXPECTED = {"pmt-sync.yml", "pmt-sync-pr.yml", "pmt-lint.yml", "pmt-weekly-report.yml"}


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict), name
    # YAML 1.1 (PyYAML) reads the key ``on`` as True; GitHub reads it as "on".
    if True in data:
        data["on"] = data.pop(True)
    return data


def _scripts(workflow: dict[str, Any]) -> list[str]:
    return [
        step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step
    ]


def _pmt_calls(script: str) -> list[list[str]]:
    script = re.sub(r"\$\{\{.*?\}\}", "EXPR", script)  # GitHub expressions: a word
    script = script.replace("\\\n", " ")
    calls = []
    for line in script.splitlines():
        for segment in re.split(r"&&|\|\||;|\|", line):
            words = shlex.split(segment, comments=True)
            if words and words[0] == "pmt":
                calls.append(words[1:])
    return calls


def _check_call(args: list[str]) -> str:
    """Resolve ``pmt args...``; returns the command path, fails the test on anything unknown."""
    command: Any = typer.main.get_command(app)
    path = []
    while hasattr(command, "commands"):
        assert args, f"pmt {' '.join(path)} needs a subcommand"
        name = args.pop(0)
        assert name in command.commands, f"pmt {' '.join([*path, name])}: no such command"
        command, path = command.commands[name], [*path, name]
    options = {opt: p for p in command.params if p.param_type_name == "option" for opt in p.opts}
    while args:
        word = args.pop(0)
        if not word.startswith("-"):
            continue  # an argument (a path)
        name = word.split("=", 1)[0]
        assert name in options, f"pmt {' '.join(path)}: unknown option {name}"
        param = options[name]
        if not param.is_flag and "=" not in word:
            assert args, f"pmt {' '.join(path)}: {name} needs a value"
            value = args.pop(0)
            choices = _choices(param)
            if choices and not value.startswith(("$", "EXPR")):
                assert value in choices, (
                    f"pmt {' '.join(path)} {name} {value}: not one of {choices}"
                )
    return " ".join(path)


def _choices(param: Any) -> list[str]:
    """The values an option typed by an enum or a ``Literal`` (``cli.options.format_option``)
    accepts (typer keeps the annotation it was declared with)."""
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if typing.get_origin(annotation) is list:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) is typing.Literal:
        return [str(value) for value in typing.get_args(annotation)]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [str(member.value) for member in annotation]
    return []


def test_the_three_workflows_are_there() -> None:
    assert {p.name for p in WORKFLOWS.glob("*.yml")} == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_workflow_is_valid_and_runs_existing_commands(name: str) -> None:
    workflow = _load(name)
    assert workflow["name"] and workflow["on"] and workflow["jobs"]
    for job in workflow["jobs"].values():
        assert job["runs-on"] == "ubuntu-latest"
        assert job["steps"][0]["uses"].startswith("actions/checkout@")
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
    calls = [_check_call(list(c)) for s in _scripts(workflow) for c in _pmt_calls(s)]
    assert calls, f"{name} runs no pmt command"


def test_each_workflow_does_its_job() -> None:
    lint, sync, weekly = (
        _load(n) for n in ("pmt-lint.yml", "pmt-sync.yml", "pmt-weekly-report.yml")
    )
    assert "pull_request" in lint["on"]
    assert [_check_call(c) for s in _scripts(lint) for c in _pmt_calls(s)] == ["lint"]
    assert "--format github" in " ".join(_scripts(lint))

    assert sync["on"]["push"]["branches"] == ["main"]
    assert "postmortems/**" in sync["on"]["push"]["paths"]
    assert sync["permissions"] == {"contents": "write", "issues": "write"}
    assert "sync" in [_check_call(c) for s in _scripts(sync) for c in _pmt_calls(s)]

    assert weekly["on"]["schedule"][0]["cron"] == "0 7 * * 1"
    weekly_calls = [c for s in _scripts(weekly) for c in _pmt_calls(s)]
    report = next(c for c in weekly_calls if c[:2] == ["report", "weekly"])
    assert {"--post", "github", "slack"} <= set(report)
    assert "remind" in [_check_call(list(c)) for c in weekly_calls]


def test_environment_names_are_ones_pmt_reads() -> None:
    from tracker.config import Secrets, Settings

    known = {f"PMT_{name.upper()}" for name in Settings.model_fields}
    for section, field in Settings.model_fields.items():
        annotation = field.annotation
        if hasattr(annotation, "model_fields"):
            known |= {f"PMT_{section.upper()}_{key.upper()}" for key in annotation.model_fields}
    known |= {
        f.validation_alias
        for f in Secrets.model_fields.values()
        if isinstance(f.validation_alias, str)
    }
    for name in EXPECTED:
        text = (WORKFLOWS / name).read_text(encoding="utf-8")
        used = set(re.findall(r"\b(PMT_[A-Z_]+)\s*:", text))
        assert used <= known, f"{name}: {sorted(used - known)} are not read by pmt"


def test_an_empty_week_from_a_scheduled_run_means_last_week(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The weekly workflow passes --week "$WEEK", which is empty on the schedule.
    monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{tmp_path / 'pmt.db'}")
    result = CliRunner().invoke(app, ["report", "weekly", "--week", "", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"week": "' in result.stdout


@pytest.mark.parametrize(
    ("call", "why"),
    [
        (["report", "monthly"], "no such command"),
        (["lint", "--fmt", "github"], "unknown option --fmt"),
        (["report", "weekly", "--format", "pdf"], "not one of"),
        (["sync", "postmortems/", "--tracker"], "needs a value"),
    ],
)
def test_the_check_rejects_what_pmt_would_refuse(call: list[str], why: str) -> None:
    with pytest.raises(AssertionError, match=why):
        _check_call(call)


GITLAB_CI = REPO / "examples" / "gitlab-ci" / "pmt-sync.gitlab-ci.yml"


def test_the_gitlab_ci_example_runs_existing_commands_with_variables_pmt_reads() -> None:
    """The GitLab CI job: valid YAML, its pmt commands resolve, its PMT_* variables are read."""
    job = yaml.safe_load(GITLAB_CI.read_text(encoding="utf-8"))["pmt-sync"]
    calls = [_check_call(list(c)) for line in job["script"] for c in _pmt_calls(line)]
    assert calls == ["sync", "refresh"]
    assert "--write-back=pr" in job["script"][0]
    assert job["variables"]["PMT_SYNC_PR_HOST"] == "gitlab"
    from tracker.config import Settings

    sections = Settings.model_fields
    for name in job["variables"]:
        if name.startswith("PMT_"):
            table, _, key = name.removeprefix("PMT_").lower().partition("_")
            assert table in sections and key in sections[table].annotation.model_fields, name
