"""`pmt new`: a postmortem from the canonical template, never over an existing file."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
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
    late_evening_in_la = datetime(2026, 11, 30, 5, 30, tzinfo=timezone.utc)
    assert scaffold.today("UTC", now=late_evening_in_la) == date(2026, 11, 30)
    assert scaffold.today("America/Los_Angeles", now=late_evening_in_la) == date(2026, 11, 29)


def _front_matter(text: str) -> dict[str, object]:
    match = re.match(r"^---\n(.*?)\n---\n", text, re.DOTALL)
    assert match, "no front matter"
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict)
    return data


def test_the_template_is_filled_with_title_date_and_zone() -> None:
    text = scaffold.render('Gateway "502": 40% down #2', date(2026, 11, 29), "Europe/Paris", file_name="f.md")
    meta = _front_matter(text)
    assert meta["id"] == "2026-11-29-gateway-502-40-down-2"
    assert meta["title"] == 'Gateway "502": 40% down #2'
    assert meta["date"] == date(2026, 11, 29)
    assert "{{" in str(meta["severity"])
    assert "# Postmortem: Gateway \"502\": 40% down #2" in text
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


def test_new_writes_a_dated_file_and_prints_its_path(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["new", "Checkout errors in EU", "--dir", str(tmp_path / "pm"), "--date", "2026-03-04"]
    )
    assert result.exit_code == 0, result.output
    path = tmp_path / "pm" / "2026-03-04-checkout-errors-in-eu.md"
    assert result.stdout.strip() == str(path)
    assert "fill in" in result.stderr
    assert _front_matter(path.read_text())["date"] == date(2026, 3, 4)


def test_new_uses_today_in_the_configured_zone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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
def test_usage_errors_exit_2(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert list(tmp_path.iterdir()) == []


def test_an_empty_title_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", "   ", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "title is empty" in result.stderr
