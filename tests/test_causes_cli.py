"""What users see: repeat warnings from `pmt ingest`, and `pmt causes` in each format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from cli.app import app
from tracker.store import Store
from tracker.store.tables import ItemRow

CERT_EARLY = """\
# Checkout down: certificate expired

Date: 2025-01-10

## Summary
Checkout was unavailable for 40 minutes.

## Root cause
The TLS certificate on checkout.example.com expired; the renewal cron job had been failing silently.

## Action items
- [x] Renew the certificate (owner: alice, due: 2025-01-11)
- [{box}] Alert 30 days before any certificate expires (owner: bob, due: 2025-02-01)
"""

CERT_LATE = """\
# API down: expired cert

Date: 2025-06-02

## Summary
The public API refused TLS connections for an hour.

## Root cause
The SSL cert for api.example.com lapsed because nobody renewed it.

## Action items
- [ ] Automate renewal with cert-manager (owner: carol, due: 2025-07-01)
"""

DISK = """\
# Logging full

Date: {day}

## Root cause
The disk on the logging hosts filled up with debug logs.

## Action items
- [ ] Rotate logs (owner: dan, due: 2025-03-10)
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PMT_DATABASE_URL", f"sqlite:///{tmp_path / 'pmt.db'}")
    (tmp_path / "pms").mkdir()
    return tmp_path


def write(workdir: Path, name: str, text: str) -> None:
    (workdir / "pms" / name).write_text(text, encoding="utf-8")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_ingest_warns_when_the_follow_up_was_never_done(workdir: Path) -> None:
    write(workdir, "2025-01-10-cert.md", CERT_EARLY.format(box=" "))
    write(workdir, "2025-03-01-disk.md", DISK.format(day="2025-03-01"))
    write(workdir, "2025-06-02-cert.md", CERT_LATE)
    code, out, err = run("ingest", "pms", "--format", "json")
    assert code == 0, err
    assert "repeat: pms/2025-06-02-cert.md has the same cause as pms/2025-01-10-cert.md" in err
    assert "the follow-up was never done: 1 of 2 action items" in err
    assert "[overdue] Alert 30 days before any certificate expires (bob, due 2025-02-01)" in err
    assert "fix did not hold" not in err
    [repeat] = json.loads(out)["repeats"]
    assert repeat["path"] == "pms/2025-06-02-cert.md"
    assert repeat["earlier"] == "pms/2025-01-10-cert.md"
    assert (repeat["kind"], repeat["open_items"], repeat["fix_held"]) == (
        "follow_up_never_done",
        1,
        None,
    )
    assert repeat["score"] >= 0.35
    assert [i["status"] for i in repeat["items"]] == ["done", "overdue"]


def test_ingest_warns_when_the_fix_did_not_hold_and_marks_the_items(workdir: Path) -> None:
    write(workdir, "2025-01-10-cert.md", CERT_EARLY.format(box="x"))
    code, _, err = run("ingest", "pms")
    assert code == 0, err
    assert "repeat:" not in err
    write(workdir, "2025-06-02-cert.md", CERT_LATE)
    code, _, err = run("ingest", "pms")
    assert code == 0, err
    assert "the fix did not hold: all 2 action items of the earlier postmortem were closed" in err
    assert "marked not effective" in err
    assert "[done, not effective] Renew the certificate" in err
    store = Store(f"sqlite:///{workdir / 'pmt.db'}")
    try:
        with store.session(write=False) as s:
            flags = {i.text: i.not_effective for i in s.exec(select(ItemRow))}
    finally:
        store.dispose()
    assert flags == {
        "Renew the certificate": True,
        "Alert 30 days before any certificate expires": True,
        "Automate renewal with cert-manager": False,
    }
    # Unchanged files are not analysed again: no second warning.
    code, _, err = run("ingest", "pms")
    assert code == 0 and "repeat:" not in err


def test_ingest_without_repeats_says_nothing_about_them(workdir: Path) -> None:
    write(workdir, "2025-01-10-cert.md", CERT_EARLY.format(box=" "))
    write(workdir, "2025-03-01-disk.md", DISK.format(day="2025-03-01"))
    code, out, err = run("ingest", "pms", "--format", "json")
    assert code == 0, err
    assert "repeat" not in err
    assert json.loads(out)["repeats"] == []


@pytest.fixture
def ingested(workdir: Path) -> Path:
    write(workdir, "2025-01-10-cert.md", CERT_EARLY.format(box=" "))
    write(workdir, "2025-03-01-disk.md", DISK.format(day="2025-03-01"))
    write(workdir, "2025-06-02-cert.md", CERT_LATE)
    write(workdir, "2024-10-01-disk.md", DISK.format(day="2024-10-01"))
    code, _, err = run("ingest", "pms", "-q")
    assert code == 0, err
    return workdir


def test_causes_json(ingested: Path) -> None:
    code, out, err = run(
        "causes", "--since", "2025-01-01", "--until", "2025-06-30", "--format", "json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"period", "categories", "postmortems", "pairs"}
    assert data["period"] == {
        "since": "2025-01-01",
        "until": "2025-06-30",
        "previous": {"since": "2024-07-04", "until": "2024-12-31"},
    }
    by_category = {c["category"]: c for c in data["categories"]}
    assert by_category["cert_credential"]["count"] == 2
    assert by_category["capacity_overload"]["count"] == 1
    assert by_category["capacity_overload"]["previous_count"] == 1
    assert by_category["cert_credential"]["change"] == 2
    assert by_category["cert_credential"]["postmortems"] == [
        "pms/2025-01-10-cert.md",
        "pms/2025-06-02-cert.md",
    ]
    pms = {p["path"]: p for p in data["postmortems"]}
    assert set(pms) == {
        "pms/2025-01-10-cert.md",
        "pms/2025-03-01-disk.md",
        "pms/2025-06-02-cert.md",
    }
    late = pms["pms/2025-06-02-cert.md"]
    assert {"path", "category", "secondary_category", "confidence", "repeats"} <= set(late)
    assert late["category"] == "cert_credential" and 0 < late["confidence"] <= 1
    [repeat] = late["repeats"]
    assert {"earlier", "score", "open_items", "fix_held"} <= set(repeat)
    assert (repeat["earlier"], repeat["open_items"], repeat["fix_held"]) == (
        "pms/2025-01-10-cert.md",
        1,
        None,
    )
    # The disk incident repeats one from before the period: found, since earlier means any time.
    assert [r["earlier"] for r in pms["pms/2025-03-01-disk.md"]["repeats"]] == [
        "pms/2024-10-01-disk.md"
    ]
    assert {(p["later"], p["earlier"]) for p in data["pairs"]} == {
        ("pms/2025-06-02-cert.md", "pms/2025-01-10-cert.md"),
        ("pms/2025-03-01-disk.md", "pms/2024-10-01-disk.md"),
    }


def test_causes_table(ingested: Path) -> None:
    code, out, err = run("causes", "--since", "2025-01-01", "--until", "2025-06-30")
    assert code == 0, err
    assert "Root causes 2025-01-01 to 2025-06-30 (previous: 2024-07-04 to 2024-12-31)" in out
    assert "cert_credential" in out and "+2" in out
    assert "Repeated causes" in out and "pms/2025-06-02-cert.md" in out
    assert "1 of 2 still open (1 overdue)" in out
    assert "3 postmortem(s) from 2025-01-01 to 2025-06-30, 2 repeat(s)" in err


def test_causes_markdown(ingested: Path) -> None:
    code, out, err = run(
        "causes", "--since", "2025-01-01", "--until", "2025-06-30", "-f", "markdown"
    )
    assert code == 0, err
    assert out.startswith("## Root causes 2025-01-01 to 2025-06-30")
    assert "| Category | Count | Previous | Trend | Postmortems |" in out
    assert (
        "| cert_credential | 2 | 0 | +2 | pms/2025-01-10-cert.md, pms/2025-06-02-cert.md |" in out
    )
    assert "## Repeated causes" in out
    assert "| pms/2025-06-02-cert.md | pms/2025-01-10-cert.md |" in out


def test_causes_of_an_empty_period(ingested: Path) -> None:
    code, out, err = run("causes", "--since", "2020-01-01", "--until", "2020-01-31", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["categories"], data["postmortems"], data["pairs"]) == ([], [], [])


def test_causes_refuses_a_reversed_period(ingested: Path) -> None:
    code, _, err = run("causes", "--since", "2025-06-01", "--until", "2025-01-01")
    assert code == 2
    assert "--since 2025-06-01 is after --until 2025-01-01" in err


def test_causes_on_an_empty_store_says_how_to_ingest(workdir: Path) -> None:
    code, out, err = run("causes", "-f", "json")
    assert code == 0, err
    assert "pmt ingest" in err
    assert json.loads(out)["postmortems"] == []


def test_sync_warns_about_a_repeat_it_ingests(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sync import registry
    from tests.fakes import FakeBackend

    backend = FakeBackend()
    monkeypatch.setitem(registry.BACKENDS, "github", lambda settings, secrets: backend)
    (workdir / "pmt.toml").write_text('[github]\nrepo = "acme/ops"\n', encoding="utf-8")
    write(workdir, "2025-01-10-cert.md", CERT_EARLY.format(box="x"))
    code, _, err = run("ingest", "pms")
    assert code == 0, err
    write(workdir, "2025-06-02-cert.md", CERT_LATE)
    code, out, err = run("sync", "pms", "--dry-run", "--format", "json")
    assert code == 0, err
    assert "repeat: pms/2025-06-02-cert.md has the same cause as pms/2025-01-10-cert.md" in err
    assert "the fix did not hold" in err
    [repeat] = json.loads(out)["repeats"]
    assert (repeat["earlier"], repeat["kind"], repeat["fix_held"]) == (
        "pms/2025-01-10-cert.md",
        "fix_did_not_hold",
        False,
    )
    assert backend.writes == 0


def test_explain_shows_the_label_and_the_features_behind_it(workdir: Path) -> None:
    write(workdir, "2025-06-02-cert.md", CERT_LATE)
    assert run("ingest", "pms")[0] == 0
    code, out, _ = run("causes", "--explain", "pms/2025-06-02-cert.md")
    assert code == 0, out
    assert out.startswith("pms/2025-06-02-cert.md: cert_credential")
    assert "Probabilities" in out and "Features behind the label" in out
    assert "mechanism:cert_expired" in out or "word:cert" in out

    code, out, _ = run("causes", "--explain", "pms/2025-06-02-cert.md", "--format", "json")
    doc = json.loads(out)
    assert doc["category"] == "cert_credential" and doc["source"] == "classifier"
    assert doc["model_version"].startswith("1.")
    assert doc["probabilities"][0] == {
        "category": "cert_credential",
        "probability": doc["confidence"],
    }
    assert all(r["weight"] > 0 for r in doc["reasons"]) and doc["reasons"]


def test_explain_of_an_unknown_postmortem_is_a_user_error(workdir: Path) -> None:
    assert run("ingest", "pms")[0] == 0
    code, _, err = run("causes", "--explain", "nope.md")
    assert code == 1
    assert "no postmortem 'nope.md'" in err
