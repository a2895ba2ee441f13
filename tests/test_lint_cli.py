"""`pmt lint` as users run it: files and folders, three formats, exit codes, configuration."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from tests.conftest import REPO
from tracker.lint import RULES

runner = CliRunner()

CLEAN = """\
---
id: 2026-03-01-checkout
title: Checkout outage
date: 2026-03-01
---

# Checkout outage

## Issue Summary

- **Duration:** 2026-03-01 14:05 to 2026-03-01 15:10 UTC
- **Impact:** 30% of checkouts failed for 65 minutes.
- **Root cause:** The TLS certificate on edge-lb-01 expired.

## Timeline

- 14:05 UTC handshake failures start
- 15:10 UTC new certificate installed

## Root Cause and Resolution

The certificate was renewed by hand once a year and its owner had left the team.

**Resolution:** a new certificate was installed on edge-lb-01.

## Corrective and Preventative Measures

- [ ] Move edge-lb-01 certificates to cert-manager with ACME renewal (owner: alice, due: 2026-03-20, priority: P1)
- [x] Alert when a certificate on edge-lb expires in < 21 days (owner: bob, due: 2026-03-08, priority: P1)
"""

# Two errors (no owner; due before the incident) and one warning (vague).
BAD = (
    CLEAN.replace(
        "(owner: alice, due: 2026-03-20, priority: P1)", "(due: 2026-03-20, priority: P1)"
    )
    .replace(
        "- [x] Alert when",
        "- [ ] Improve monitoring (owner: carol, due: 2026-04-01)\n- [x] Alert when",
    )
    .replace("due: 2026-03-08", "due: 2025-03-08")
)


def _lines_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pm" / "2026").mkdir(parents=True)
    (tmp_path / "pm" / "clean.md").write_text(CLEAN)
    (tmp_path / "pm" / "2026" / "bad.md").write_text(BAD)
    (tmp_path / "pm" / "README.md").write_text("# Our postmortems\n")
    (tmp_path / "pm" / "_template.md").write_text("# {{title}}\n")
    (tmp_path / "pm" / "notes.txt").write_text("not markdown\n")
    return tmp_path


def test_a_clean_file_has_no_findings_and_exits_0(tree: Path) -> None:
    result = runner.invoke(app, ["lint", "pm/clean.md"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "1 file, no findings" in result.stderr


def test_text_format_names_file_line_rule_and_severity(tree: Path) -> None:
    result = runner.invoke(app, ["lint", "pm"])
    assert result.exit_code == 1, result.output
    owner_line = _lines_of(BAD, "Move edge-lb-01")
    vague_line = _lines_of(BAD, "Improve monitoring")
    due_line = _lines_of(BAD, "due: 2025-03-08")
    assert result.stdout.splitlines() == [
        (
            f'pm/2026/bad.md:{owner_line}: action-no-owner [error] action item "Move edge-lb-01 '
            'certificates to cert-manager with ACME renewal" has no owner'
        ),
        (
            f'pm/2026/bad.md:{vague_line}: action-vague [warning] action item "Improve monitoring" '
            'is too vague to act on: "Improve" is open-ended and names no concrete object or '
            "criterion"
        ),
        (
            f'pm/2026/bad.md:{due_line}: action-due-before-incident [error] action item "Alert '
            'when a certificate on edge-lb expires in < 21 days" is due 2025-03-08, before the '
            "incident on 2026-03-01 (a typo in the date?)"
        ),
    ]
    assert "2 files, 2 errors, 1 warning" in result.stderr


def test_json_format_is_a_list_of_findings(tree: Path) -> None:
    result = runner.invoke(app, ["lint", "pm", "--format", "json"])
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert [(f["path"], f["rule"], f["severity"]) for f in findings] == [
        ("pm/2026/bad.md", "action-no-owner", "error"),
        ("pm/2026/bad.md", "action-vague", "warning"),
        ("pm/2026/bad.md", "action-due-before-incident", "error"),
    ]
    assert set(findings[0]) == {"path", "line", "rule", "severity", "message"}


def test_json_of_a_clean_run_is_an_empty_list(tree: Path) -> None:
    result = runner.invoke(app, ["lint", "pm/clean.md", "-f", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_github_format_prints_workflow_annotations(tree: Path) -> None:
    result = runner.invoke(app, ["lint", "pm/2026/bad.md", "--format", "github"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    owner_line = _lines_of(BAD, "Move edge-lb-01")
    assert lines[0] == (
        f"::error file=pm/2026/bad.md,line={owner_line},title=action-no-owner::action item "
        '"Move edge-lb-01 certificates to cert-manager with ACME renewal" has no owner'
    )
    assert lines[1].startswith("::warning file=pm/2026/bad.md,line=")
    assert all(
        re.match(r"^::(error|warning) file=[^,]+,line=\d+,title=[a-z-]+::", x) for x in lines
    )


def test_github_annotations_escape_their_properties(tree: Path) -> None:
    (tree / "a,b:c.md").write_text("")
    result = runner.invoke(app, ["lint", "a,b:c.md", "--format", "github"])
    assert result.stdout.startswith("::error file=a%2Cb%3Ac.md,title=unusable-file::")


def test_warnings_alone_exit_0(tree: Path) -> None:
    only_warning = CLEAN.replace("(owner: alice, due: 2026-03-20, priority: P1)", "(owner: alice)")
    (tree / "w.md").write_text(only_warning)
    result = runner.invoke(app, ["lint", "w.md"])
    assert result.exit_code == 0, result.output
    assert "action-no-due [warning]" in result.stdout


def test_folders_are_recursive_and_skip_excluded_files(tree: Path) -> None:
    result = runner.invoke(app, ["lint", "pm", "-f", "json"])
    paths = {f["path"] for f in json.loads(result.stdout)}
    assert paths == {"pm/2026/bad.md"}
    assert "2 files" in result.stderr  # clean.md and bad.md; not README, _template, notes.txt


def test_a_named_readme_is_skipped_with_a_note(tree: Path) -> None:
    result = runner.invoke(app, ["lint", "pm/README.md", "pm/clean.md"])
    assert result.exit_code == 0
    assert "pm/README.md: skipped (matches ingest.exclude)" in result.stderr


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.md", b""),
        ("binary.md", b"\x00\x01\x02PNG\x00" * 50),
        ("latin1.md", "# Caf\xe9 down\n\n## Timeline\n".encode("latin-1")),
        ("nothing.md", b"just a line of prose with no sections at all\n"),
    ],
)
def test_unusable_files_are_reported_and_the_others_still_linted(
    tree: Path, name: str, content: bytes
) -> None:
    (tree / "pm" / name).write_bytes(content)
    result = runner.invoke(app, ["lint", "pm", "--format", "json"])
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    unusable = [f for f in findings if f["rule"] == "unusable-file"]
    assert [f["path"] for f in unusable] == [f"pm/{name}"]
    assert unusable[0]["severity"] == "error" and unusable[0]["message"]
    assert any(f["path"] == "pm/2026/bad.md" for f in findings)
    assert "Traceback" not in result.output


def test_a_missing_path_is_reported_and_the_rest_linted(tree: Path) -> None:
    result = runner.invoke(app, ["lint", "nope.md", "pm/clean.md"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["nope.md: unusable-file [error] no such file or folder"]
    assert "1 unusable" in result.stderr


def test_disabled_rules_are_silent_and_can_turn_a_failure_into_success(tree: Path) -> None:
    (tree / "pmt.toml").write_text(
        '[lint]\ndisable = ["action-no-owner", "action-due-before-incident"]\n'
    )
    result = runner.invoke(app, ["lint", "pm"])
    assert result.exit_code == 0, result.output
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["action-vague"]


def test_an_unknown_rule_in_disable_is_a_config_error(tree: Path) -> None:
    (tree / "pmt.toml").write_text('[lint]\ndisable = ["action-no-owners"]\n')
    result = runner.invoke(app, ["lint", "pm"])
    assert result.exit_code == 2
    assert "unknown rule 'action-no-owners'" in result.stderr
    assert "Traceback" not in result.output


def test_required_sections_come_from_the_configuration(tree: Path) -> None:
    (tree / "pmt.toml").write_text('[lint]\nrequired_sections = ["summary", "impact"]\n')
    result = runner.invoke(app, ["lint", "pm/clean.md"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "pm/clean.md:1: missing-section [error] no impact section"
    ]


def test_list_rules_names_every_rule(tree: Path) -> None:
    result = runner.invoke(app, ["lint", "--list-rules", "--format", "json"])
    assert result.exit_code == 0
    assert [r["rule"] for r in json.loads(result.stdout)] == list(RULES)


def test_no_path_is_a_usage_error() -> None:
    result = runner.invoke(app, ["lint"])
    assert result.exit_code == 2


def test_the_readme_documents_every_rule_with_its_severity() -> None:
    readme = (REPO / "docs" / "parse-lint-new.md").read_text()
    section = readme.split("\n## Lint a postmortem\n")[1].split("\n## ")[0]
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| (error|warning) \|", section, re.MULTILINE))
    assert rows == {name: rule.severity for name, rule in RULES.items()}


def test_lint_imports_no_database_or_tracker_client(tree: Path) -> None:
    code = (
        "import sys\n"
        "sys.argv = ['pmt', 'lint', 'pm/clean.md']\n"
        "from cli.app import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('sqlmodel', 'sqlalchemy', 'github', 'jira', 'sklearn') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tree,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(tree)},
        check=False,
    )
    assert "HEAVY=\n" in out.stdout, out.stdout + out.stderr


def test_the_examples_lint_with_only_their_documented_findings() -> None:
    result = runner.invoke(app, ["lint", str(REPO / "examples"), "--format", "json"])
    assert result.exit_code == 0, result.output
    findings = [(Path(f["path"]).name, f["rule"]) for f in json.loads(result.stdout)]
    assert findings == [
        ("2026-11-03-feature-flag-rollout.md", "action-no-due"),
        ("2026-11-03-feature-flag-rollout.md", "action-vague"),
    ]
    assert "7 files" in result.stderr
