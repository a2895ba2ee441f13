"""Reports link to each postmortem and ticket they name, when the configuration says where."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from tests.conftest import REPO
from tracker.config import Settings
from tracker.reports.links import postmortem_url, ticket_url

PM = "postmortems/2026-02-11-checkout-tls-certificate-expired.md"


def run(*args: str) -> str:
    result = CliRunner().invoke(
        app, ["report", "weekly", "--since", "2026-01-01", "--until", "2026-12-31", *args]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    shutil.copytree(
        REPO / "examples", root / "postmortems", ignore=shutil.ignore_patterns("workflows")
    )
    (root / ".git").mkdir()
    monkeypatch.chdir(root)
    monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{tmp_path / 'pmt.db'}")
    assert CliRunner().invoke(app, ["ingest", "postmortems"]).exit_code == 0
    return root


def test_markdown_and_html_link_postmortems_and_tickets(project: Path) -> None:
    (project / "pmt.toml").write_text(
        '[github]\nrepo = "acme/ops"\n[jira]\nurl = "https://acme.atlassian.net"\n'
    )
    markdown = run()
    pm_url = f"https://github.com/acme/ops/blob/main/{PM}"
    assert (
        f"[Checkout unavailable: expired TLS certificate on the edge load balancer](<{pm_url}>)"
        in markdown
    )
    assert "[OPS-1420](<https://acme.atlassian.net/browse/OPS-1420>)" in markdown
    html = run("--format", "html")
    hrefs = set(re.findall(r'<a href="([^"]+)"', html))
    assert pm_url in hrefs and "https://acme.atlassian.net/browse/OPS-1420" in hrefs
    data = json.loads(run("--format", "json"))
    assert {p["url"] for p in data["postmortems"]} >= {pm_url}
    late = {e["ticket"]: e["ticket_url"] for e in data["overdue"] if e["ticket"]}
    assert late["OPS-1790"] == "https://acme.atlassian.net/browse/OPS-1790"
    assert all(
        e["postmortem_url"].startswith("https://github.com/acme/ops/blob/main/postmortems/")
        for e in data["overdue"]
    )


def test_without_the_settings_nothing_is_linked_to_a_guess(project: Path) -> None:
    markdown = run()
    assert "](<" not in markdown and "OPS-1420" in markdown
    assert "<a href" not in run("--format", "html")


@pytest.mark.parametrize(
    ("ref", "settings", "url"),
    [
        ("#12", {"github": {"repo": "acme/ops"}}, "https://github.com/acme/ops/issues/12"),
        ("#12", {}, None),
        ("other/repo#7", {}, "https://github.com/other/repo/issues/7"),
        (
            "other/repo#7",
            {"github": {"api_url": "https://ghe.example.com/api/v3"}},
            "https://ghe.example.com/other/repo/issues/7",
        ),
        (
            "OPS-7",
            {"jira": {"url": "https://jira.example.com/"}},
            "https://jira.example.com/browse/OPS-7",
        ),
        ("OPS-7", {}, None),
        ("https://tracker.example.com/T/1", {}, "https://tracker.example.com/T/1"),
        ("not a ticket", {"jira": {"url": "https://jira.example.com"}}, None),
    ],
)
def test_ticket_addresses(ref: str, settings: dict, url: str | None) -> None:
    assert ticket_url(ref, Settings(**settings)) == url


def test_postmortem_address_is_relative_to_the_ingest_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(github={"repo": "acme/ops"}, ingest={"root": "postmortems"})
    assert (
        postmortem_url("postmortems/2026/db.md", settings)
        == "https://github.com/acme/ops/blob/main/2026/db.md"
    )
    assert postmortem_url("db.md", Settings()) is None
