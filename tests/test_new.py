"""`pmt new`: a postmortem from the canonical template, never over an existing file."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli.app import app
from tracker import scaffold

runner = CliRunner()


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Checkout: 502s for EU users!", "checkout-502s-for-eu-users"),
        ("  Payments   DB   down ", "payments-db-down"),
        ("Défaillance du cache à Zürich", "defaillance-du-cache-a-zurich"),
        ("🔥🔥🔥", "postmortem"),
        ("x" * 80, "x" * 60),
        ("word " * 20, "word-word-word-word-word-word-word-word-word-word-word-word"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert scaffold.slugify(title) == slug


def test_today_is_the_day_in_the_configured_zone() -> None:
    late_evening_in_la = datetime(2026, 11, 30, 5, 30, tzinfo=UTC)
    assert scaffold.today("UTC", now=late_evening_in_la) == date(2026, 11, 30)
    assert scaffold.today("America/Los_Angeles", now=late_evening_in_la) == date(2026, 11, 29)


def _front_matter(text: str) -> dict[str, object]:
    match = re.match(r"^---\n(.*?)\n---\n", text, re.DOTALL)
    assert match, "no front matter"
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict)
    return data


def test_the_template_is_filled_with_title_date_and_zone() -> None:
    text = scaffold.render(
        'Gateway "502": 40% down #2', date(2026, 11, 29), "Europe/Paris", file_name="f.md"
    )
    meta = _front_matter(text)
    assert meta["id"] == "2026-11-29-gateway-502-40-down-2"
    assert meta["title"] == 'Gateway "502": 40% down #2'
    assert meta["date"] == date(2026, 11, 29)
    assert "{{" in str(meta["severity"])
    assert '# Postmortem: Gateway "502": 40% down #2' in text
    assert "**Duration:** 2026-11-29 {{HH:MM}} to 2026-11-29 {{HH:MM}} Europe/Paris" in text
    assert "All times Europe/Paris." in text
    assert "$" not in text  # every ${field} was substituted
    for heading in (
        "## Issue Summary",
        "## Timeline",
        "## Root Cause and Resolution",
        "## Corrective and Preventative Measures",
        "### What needs to change",
        "### Next steps",
    ):
        assert heading in text


def _made(folder: Path) -> Path:
    folder.mkdir()
    return folder


def test_new_writes_a_dated_file_and_prints_its_path(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "new",
            "Checkout errors in EU",
            "--dir",
            str(_made(tmp_path / "pm")),
            "--date",
            "2026-03-04",
        ],
    )
    assert result.exit_code == 0, result.output
    path = tmp_path / "pm" / "2026-03-04-checkout-errors-in-eu.md"
    assert result.stdout.strip() == str(path)
    assert "fill in" in result.stderr
    assert _front_matter(path.read_text())["date"] == date(2026, 3, 4)


def test_new_uses_today_in_the_configured_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PMT_TIMEZONE", "Asia/Tokyo")
    result = runner.invoke(app, ["new", "Night outage"])
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.glob("*.md")
    expected = scaffold.today("Asia/Tokyo").isoformat()
    assert path.name == f"{expected}-night-outage.md"
    assert "All times Asia/Tokyo." in path.read_text()


def test_new_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "mine.md"
    target.write_text("my notes\n")
    result = runner.invoke(app, ["new", "Anything", "--output", str(target)])
    assert result.exit_code == 1
    assert "already exists" in result.stderr and str(target) in result.stderr
    assert target.read_text() == "my notes\n"


def test_the_same_title_twice_a_day_is_refused(tmp_path: Path) -> None:
    args = ["new", "Same", "--dir", str(tmp_path), "--date", "2026-05-01"]
    assert runner.invoke(app, args).exit_code == 0
    second = runner.invoke(app, args)
    assert second.exit_code == 1
    assert "already exists" in second.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["new", "X", "--dir", "a", "--output", "b.md"],
        ["new", "X", "--date", "29/11/2026"],
        ["new"],
    ],
)
def test_usage_errors_exit_2(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert list(tmp_path.iterdir()) == []


def test_an_empty_title_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", "   ", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "title is empty" in result.stderr


# --- the template and pmt lint ---------------------------------------------------------------

FILLS = {
    "{{SEV1, SEV2, SEV3 or SEV4}}": ["SEV2"],
    "{{HH:MM}}": ["14:05", "15:10", "14:05", "14:31", "15:10"],
    "{{name}}": ["alice", "bob"],
    "{{YYYY-MM-DD}}": ["2026-12-11", "2027-01-22"],
    "{{P1}}": ["P1"],
    "{{P2}}": ["P2"],
}
FILL_BY_START = {
    "{{what users saw": "Checkout failed for 30% of EU users",
    "{{the root cause": "The TLS certificate on edge-lb-01 expired",
    "{{how the problem": "Synthetic checkout probe pages the on-call engineer",
    "{{what was investigated": "Load balancer logs show handshake failures",
    "{{how and when": "New certificate installed on edge-lb-01; errors stop",
    "{{What failed": "The certificate was renewed by hand and its owner had left the team.",
    "{{how it was fixed": "a new certificate was installed and probes pass from three regions",
    "{{a broad improvement": "Certificate renewal must not depend on a person remembering",
    "{{concrete task, e.g.": "Add an alert on 5xx rate > 2% for checkout-api",
    "{{concrete task}}": "Move edge-lb-01 certificates to cert-manager with ACME renewal",
}


def _fill(text: str) -> str:
    """Fill every blank the way an author would, failing on a blank this test does not know."""
    used = {key: 0 for key in FILLS}

    def value(match: re.Match[str]) -> str:
        blank = match.group(0)
        if blank in FILLS:
            used[blank] += 1
            return FILLS[blank][used[blank] - 1]
        for start, filled in FILL_BY_START.items():
            if blank.startswith(start):
                return filled
        raise AssertionError(f"the test does not know how to fill {blank}")

    return re.sub(r"\{\{[^{}\n]*\}\}", value, text)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_a_fresh_file_reports_only_its_blanks_and_lints_clean_once_filled(
    zone: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PMT_TIMEZONE", zone)
    made = runner.invoke(app, ["new", "Checkout errors in EU", "--date", "2026-11-29"])
    assert made.exit_code == 0, made.output
    path = Path(made.stdout.strip())

    fresh = runner.invoke(app, ["lint", str(path), "--format", "json"])
    assert fresh.exit_code == 1
    findings = json.loads(fresh.stdout)
    assert findings and {f["rule"] for f in findings} == {"placeholder"}
    blank_lines = {n for n, line in enumerate(path.read_text().splitlines(), 1) if "{{" in line}
    assert {f["line"] for f in findings} == blank_lines

    path.write_text(_fill(path.read_text()))
    filled = runner.invoke(app, ["lint", str(path), "--format", "json"])
    assert json.loads(filled.stdout) == [], filled.stdout
    assert filled.exit_code == 0

    from tracker.parsing import parse_file

    pm = parse_file(path)
    assert pm.timezone == zone
    assert pm.duration_minutes == 65
    assert [i.owner for i in pm.action_items] == ["alice", "bob"]
    assert pm.takeaways == ["Certificate renewal must not depend on a person remembering"]
