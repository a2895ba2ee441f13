"""`pmt ingest` on real files: new / updated / unchanged / failed, identity, concurrency."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from cli.app import app
from tests.conftest import REPO
from tracker.config import Settings
from tracker.ingest import ingest_paths
from tracker.queries import items_of
from tracker.store import Store
from tracker.store.tables import ItemEventRow, ItemRow, PostmortemRow

DB_OUTAGE = """\
---
id: INC-2026-001
title: Database failover took the checkout down
date: 2026-03-02
severity: SEV1
---

# Database failover took the checkout down

## Summary

Checkout was down for 40 minutes after a failed database failover.

## Timeline

- 10:00 UTC - Alert fires
- 10:40 UTC - Resolved

## Root Cause

The replica lagged behind and the failover promoted it anyway.

## Action Items

- [ ] Add alerting on replica lag (@alice, P1)
- [ ] Fix the failover runbook (@bob, due 2026-04-15)
- [ ] Rotate the database credentials (@carol, P0, OPS-12)
"""

CACHE_OUTAGE = """\
# Cache stampede on search

## Summary

Search latency went up for an hour after the cache was flushed.

## Root Cause

Every node refilled the cache at once.

## Action Items

- [ ] Add request coalescing to the cache client (@dmitri, P2)
"""


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: Store) -> Path:
    """A postmortems folder in the current directory; `pmt` uses the test's store."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PMT_DATABASE_URL", store.url)
    folder = tmp_path / "postmortems"
    (folder / "2026").mkdir(parents=True)
    (folder / "2026" / "db-failover.md").write_text(DB_OUTAGE)
    (folder / "cache.md").write_text(CACHE_OUTAGE)
    (folder / "README.md").write_text("# How we write postmortems\n")
    return folder


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_first_ingest_then_unchanged(tree: Path, store: Store) -> None:
    code, out, err = run("ingest", "postmortems")
    assert code == 0, err
    assert "new        postmortems/2026/db-failover.md (3 items, 3 created)" in err
    assert "new        postmortems/cache.md (1 item, 1 created)" in err
    assert "README" not in err  # excluded by ingest.exclude
    assert "pmt ingest: 2 files: 2 new" in err
    assert out == ""
    with store.session(write=False) as s:
        keys = sorted(s.scalars(select(PostmortemRow.key)).all())
        assert keys == ["INC-2026-001", "postmortems/cache.md"]  # front-matter id, else the path
        items = items_of(s, "INC-2026-001")
    assert [(i.owner, i.priority, i.due, i.due_implicit, i.ticket) for i in items] == [
        ("alice", "P1", Settings().deadlines and items[0].due, True, None),
        ("bob", None, items[1].due, False, None),
        ("carol", "P0", items[2].due, True, "OPS-12"),
    ]
    assert str(items[0].due) == "2026-03-30"  # P1: 28 days after 2026-03-02
    assert str(items[2].due) == "2026-03-09"  # P0: 7 days

    code, _out, err = run("ingest", "postmortems")
    assert code == 0
    assert "unchanged  postmortems/cache.md" in err
    assert "pmt ingest: 2 files: 2 unchanged" in err


def test_edit_is_an_update_that_keeps_identity(tree: Path, store: Store) -> None:
    run("ingest", "postmortems")
    with store.session(write=False) as s:
        before = {i.text: i.uid for i in items_of(s, "INC-2026-001")}
    doc = tree / "2026" / "db-failover.md"
    text = (
        doc.read_text()
        .replace(
            "- [ ] Add alerting on replica lag (@alice, P1)\n- [ ] Fix the failover runbook (@bob, due 2026-04-15)\n",
            "- [x] Fix the fail-over runbook (@bob, due 2026-04-15)\n",
        )
        .replace(
            "- [ ] Rotate the database credentials", "- [ ] Rotate all the database credentials"
        )
    )
    doc.write_text(text.replace("## Summary", "## Summary\n\nEdited after review."))
    code, _out, err = run("ingest", "postmortems", "--quiet")
    assert code == 0
    assert "updated    " not in err  # --quiet: only failures and the total
    assert "pmt ingest: 2 files: 1 updated, 1 unchanged" in err
    with store.session(write=False) as s:
        after = {i.text: (i.uid, i.status) for i in items_of(s, "INC-2026-001")}
        events = sorted(s.scalars(select(ItemEventRow.event)).all())
    assert after["Fix the fail-over runbook"] == (before["Fix the failover runbook"], "done")
    assert (
        after["Rotate all the database credentials"][0] == before["Rotate the database credentials"]
    )
    assert after["Add alerting on replica lag"] == (
        before["Add alerting on replica lag"],
        "removed",
    )
    assert (
        events.count("closed") == 1
        and events.count("removed") == 1
        and events.count("created") == 4
    )


def test_json_report(tree: Path) -> None:
    code, out, err = run("ingest", "postmortems", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["totals"] == {
        "files": 2,
        "new": 2,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
        "removed": 0,
    }
    assert data["changed"] == ["INC-2026-001", "postmortems/cache.md"]
    first = data["files"][0]
    assert first["path"] == "postmortems/2026/db-failover.md" and first["status"] == "new"
    assert first["items"] == 3 and first["events"] == {"created": 3}
    assert "new        " not in err  # per-file lines are for the text format


def test_broken_file_is_reported_and_the_rest_ingest(tree: Path, store: Store) -> None:
    (tree / "empty.md").write_text("")
    (tree / "binary.md").write_bytes(b"\x00\x01\x02 not markdown")
    code, _out, err = run("ingest", "postmortems", "does-not-exist")
    assert code == 1
    assert "failed     postmortems/empty.md: is empty" in err
    assert "failed     postmortems/binary.md: is a binary file" in err
    assert "failed     does-not-exist: no such file or folder" in err
    assert "2 new" in err and "3 failed" in err
    assert "Traceback" not in err
    with store.session(write=False) as s:
        assert len(s.scalars(select(PostmortemRow)).all()) == 2


def test_two_files_with_one_id_are_refused(tree: Path) -> None:
    (tree / "copy.md").write_text(DB_OUTAGE)
    code, _out, err = run("ingest", "postmortems")
    assert code == 1
    assert "postmortem id 'INC-2026-001' is also used by postmortems/2026/db-failover.md" in err


def test_a_single_file_and_ingest_root(tree: Path, tmp_path: Path, store: Store) -> None:
    (tmp_path / "pmt.toml").write_text('[ingest]\nroot = "postmortems"\n')
    code, _out, err = run("ingest", "postmortems/cache.md")
    assert code == 0, err
    with store.session(write=False) as s:
        assert s.scalars(select(PostmortemRow.key)).all() == ["cache.md"]


def test_changed_deadline_policy_reingests(tree: Path, tmp_path: Path, store: Store) -> None:
    run("ingest", "postmortems")
    (tmp_path / "pmt.toml").write_text("[deadlines]\nP1 = 14\n")
    code, _out, err = run("ingest", "postmortems")
    # Both files are read again (the policy shapes their rows), but only the one with a P1 item
    # without a due date has rows that change.
    assert "updated    postmortems/2026/db-failover.md (3 items, 1 due changed)" in err
    assert "unchanged  postmortems/cache.md" in err
    with store.session(write=False) as s:
        assert str(items_of(s, "INC-2026-001")[0].due) == "2026-03-16"


def test_ingest_paths_returns_changed_keys(tree: Path, store: Store) -> None:
    report = ingest_paths(store, ["postmortems"], Settings())
    assert report.changed_keys == ["INC-2026-001", "postmortems/cache.md"]
    assert ingest_paths(store, ["postmortems"], Settings()).changed_keys == []


def test_a_deleted_file_marks_its_postmortem_removed_and_keeps_its_rows(
    tree: Path, store: Store
) -> None:
    run("ingest", "postmortems")
    (tree / "cache.md").unlink()
    code, out, err = run("ingest", "postmortems", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["totals"]["removed"] == 1 and data["totals"]["unchanged"] == 1
    assert {
        "path": "postmortems/cache.md",
        "status": "removed",
        "key": "postmortems/cache.md",
    }.items() <= next(f for f in data["files"] if f["status"] == "removed").items()
    assert data["changed"] == []
    _code, out, _err = run("overdue", "--as-of", "2028-01-01", "--format", "json")
    assert [row["postmortem"] for row in json.loads(out)] == ["INC-2026-001"] * 3
    _code, out, _err = run("list", "--format", "json")
    assert [pm["key"] for pm in json.loads(out)] == ["INC-2026-001"]
    with store.session(write=False) as s:
        row = s.exec(select(PostmortemRow).where(PostmortemRow.key == "postmortems/cache.md")).one()
        assert row.removed_at is not None
        assert [i.status for i in items_of(s, row.key)] == ["open"]  # nothing deleted
    _code, out, _err = run(
        "show", "postmortems/cache.md", "--as-of", "2028-01-01", "--format", "json"
    )
    shown = json.loads(out)
    assert shown["removed_at"] is not None and [i["overdue"] for i in shown["items"]] == [False]
    _code, out, _err = run("show", "postmortems/cache.md", "--as-of", "2028-01-01")
    assert "its file is gone, so its items are not chased" in out and "overdue (" not in out
    # Reported once: the next run has nothing more to say about it.
    _code, _out, err = run("ingest", "postmortems")
    assert "removed" not in err and "pmt ingest: 1 file: 1 unchanged" in err


def test_a_file_that_comes_back_is_restored(tree: Path, store: Store) -> None:
    run("ingest", "postmortems")
    (tree / "cache.md").unlink()
    _code, _out, err = run("ingest", "postmortems")
    assert (
        "removed    postmortems/cache.md (the file is gone: its items are no longer chased)" in err
    )
    (tree / "cache.md").write_text(CACHE_OUTAGE)  # the same bytes as before
    _code, _out, err = run("ingest", "postmortems")
    assert "updated    postmortems/cache.md" in err
    _code, out, _err = run("overdue", "--as-of", "2028-01-01", "--format", "json")
    assert "postmortems/cache.md" in {row["postmortem"] for row in json.loads(out)}


def test_a_renamed_file_without_an_id_replaces_the_old_one(tree: Path, store: Store) -> None:
    run("ingest", "postmortems")
    (tree / "cache.md").rename(tree / "2026" / "search-cache.md")
    _code, _out, err = run("ingest", "postmortems")
    assert "new        postmortems/2026/search-cache.md" in err
    assert "removed    postmortems/cache.md" in err
    _code, out, _err = run("overdue", "--as-of", "2028-01-01", "--format", "json")
    texts = [row["item"] for row in json.loads(out)]
    assert texts.count("Add request coalescing to the cache client") == 1  # not twice


def test_only_gone_files_under_the_folders_given_are_removed(
    tree: Path, store: Store, tmp_path: Path
) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "old.md").write_text(CACHE_OUTAGE.replace("Cache stampede", "Old cache stampede"))
    run("ingest", "postmortems", "elsewhere")
    (other / "old.md").unlink()
    (tree / "cache.md").write_text("")  # now fails to parse: it is still there
    code, _out, err = run("ingest", "postmortems")  # elsewhere/ is not given: left alone
    assert code == 1 and "failed     postmortems/cache.md: is empty" in err
    assert "removed" not in err
    (tree / "2026" / "db-failover.md").unlink()
    _code, _out, err = run("ingest", "postmortems/cache.md")  # a file, not a folder: no sweep
    assert "removed" not in err
    with store.session(write=False) as s:
        assert (
            s.exec(select(PostmortemRow).where(col(PostmortemRow.removed_at).isnot(None))).all()
            == []
        )
    _code, _out, err = run("ingest", "postmortems", "elsewhere")
    assert (
        "removed    postmortems/2026/db-failover.md" in err and "removed    elsewhere/old.md" in err
    )


def test_two_ingest_processes_at_once_make_no_duplicates(tmp_path: Path, store: Store) -> None:
    """Two `pmt ingest` runs of the same tree at the same time: every row exactly once."""
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    generate(tmp_path / "many", 24, seed=3)
    env = {**os.environ, "PMT_DATABASE_URL": store.url}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from cli.app import main; main()",
                "ingest",
                "many",
                "--format",
                "json",
            ],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _out, err in outputs]
    reports = [json.loads(out) for out, _err in outputs]
    assert all(r["totals"]["files"] == 24 for r in reports)
    # Every file was new for exactly one of the runs; the other found it done.
    assert sum(r["totals"]["new"] for r in reports) == 24
    with store.session(write=False) as s:
        assert len(s.scalars(select(PostmortemRow)).all()) == 24
        items = s.scalars(select(ItemRow)).all()
        created = s.scalars(select(ItemEventRow).where(ItemEventRow.event == "created")).all()
    assert len({(i.postmortem_id, i.uid) for i in items}) == len(items) == len(created)
