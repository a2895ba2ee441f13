"""After a write-back, sync records the document's new bytes: the next ingest sees no change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sync.service import apply_sync
from tests.sync_scene import PM_KEY, Scene, make_scene
from tracker.ingest import ingest_paths
from tracker.parsing import parse_file
from tracker.queries import items_of
from tracker.store import Store


@pytest.fixture
def scene(store: Store, tmp_path: Path) -> Scene:
    return make_scene(store, tmp_path)


def test_ingest_after_a_write_back_sees_the_file_unchanged(scene: Scene) -> None:
    before = scene.path.read_bytes()
    _planned, applied = scene.sync()
    assert not applied.failed and applied.reingested == [PM_KEY]
    assert scene.path.read_bytes() != before  # the links were written into the file

    # The bytes recorded are those write-back handed back: the file as it is now.
    assert applied.results[0].written == scene.path.read_bytes()
    report = ingest_paths(scene.store, [scene.path], scene.settings)

    assert report.counts()["unchanged"] == 1 and report.changed_keys == []


def test_the_rows_recorded_after_a_write_back_are_the_new_bytes(scene: Scene) -> None:
    scene.sync()
    parsed = parse_file(scene.path, scene.settings.parsing)
    with scene.store.session(write=False) as session:
        stored = items_of(session, PM_KEY)
    # Each item's ticket is the link written into its line, as the parser reads it back.
    assert [(r.text, r.ticket, r.line) for r in stored] == [
        (i.text, i.ticket, i.line) for i in parsed.action_items
    ]
    assert all(r.ticket for r in stored)


def test_a_second_sync_after_the_record_plans_no_write_back(scene: Scene) -> None:
    scene.sync()
    planned, applied = scene.sync()
    assert not planned.writes and not applied.reingested
    assert all(r.written is None for r in applied.results)


def test_sync_does_not_read_the_document_back_after_writing_it(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    read_bytes, replace = Path.read_bytes, os.replace

    def reading(path: Path) -> bytes:
        events.append(f"read {path.name}")
        return read_bytes(path)

    def renaming(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        events.append(f"replace {Path(dst).name}")
        replace(src, dst)

    planned = scene.plan()
    monkeypatch.setattr(Path, "read_bytes", reading)
    monkeypatch.setattr(os, "replace", renaming)
    applied = apply_sync(scene.store, scene.backend, scene.settings, planned)
    assert applied.reingested == [PM_KEY]
    # The document is read before it is replaced (the hash checks), never after: the store
    # records the bytes write-back handed back.
    name = scene.path.name
    assert events[-1] == f"replace {name}" and f"read {name}" in events
