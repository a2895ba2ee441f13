"""``pmt overdue`` and ``pmt show`` name a postmortem the same way: its path from the project
root (the repository's root) and its id (issue 17)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from tests.conftest import REPO
from tracker.identity import declared_id, postmortem_label


@pytest.mark.parametrize(
    ("key", "path", "label"),
    [
        ("INC-7", "postmortems/x.md", "postmortems/x.md (id INC-7)"),
        ("postmortems/x.md", "postmortems/x.md", "postmortems/x.md"),
        ("x.md", "postmortems/x.md", "postmortems/x.md"),  # [ingest] root = postmortems
        ("/elsewhere/x.md", "/elsewhere/x.md", "/elsewhere/x.md"),
    ],
)
def test_label(key: str, path: str, label: str) -> None:
    assert postmortem_label(key, path) == label
    assert (declared_id(key, path) is None) == (label == path)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    shutil.copytree(
        REPO / "examples", root / "postmortems", ignore=shutil.ignore_patterns("workflows")
    )
    (root / ".git").mkdir()
    (root / "postmortems" / "2026").mkdir()
    monkeypatch.chdir(root / "postmortems" / "2026")  # from a subfolder: the same names
    monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{tmp_path / 'pmt.db'}")
    assert CliRunner().invoke(app, ["ingest", ".."]).exit_code == 0
    return root


@pytest.mark.parametrize(
    ("show", "label"),
    [
        (
            "2026-08-14-gateway-cert-expired",
            "postmortems/2026-08-14-api-gateway-tls-certificate-expired.md (id 2026-08-14-gateway-cert-expired)",
        ),
        (
            "../2026-06-23-dns-ttl-misconfiguration.md",
            "postmortems/2026-06-23-dns-ttl-misconfiguration.md",
        ),
    ],
)
def test_overdue_and_show_name_a_postmortem_alike(project: Path, show: str, label: str) -> None:
    shown = CliRunner().invoke(app, ["--wide", "show", show]).stdout
    assert shown.splitlines()[0] == label
    overdue = CliRunner().invoke(app, ["overdue", "--wide"]).stdout
    assert label in overdue
    markdown = CliRunner().invoke(app, ["overdue", "--format", "markdown"]).stdout
    assert f"| {label} |" in markdown
