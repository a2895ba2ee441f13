"""The line labels of the raw real postmortems (``bench/labels/``) and what they guard.

The documents stay in ``../shared/realworld/raw/``; these tests skip, saying why, when that
folder is absent. The labels themselves are checked always (they are the project's own data).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "bench" / "labels"
RAW = ROOT.parent / "shared" / "realworld" / "raw"
KEYS = [
    "file",
    "postmortem",
    "section_line",
    "items",
    "takeaways",
    "root_cause",
    "started",
    "ended",
    "timezone",
    "notes",
]


def _labels() -> list[dict]:
    return [
        json.loads(p.read_text(encoding="utf-8")) for p in sorted((LABELS / "raw").glob("*.json"))
    ]


def test_the_split_is_frozen_disjoint_and_complete() -> None:
    split = json.loads((LABELS / "split.json").read_text(encoding="utf-8"))
    files = {label["file"] for label in _labels()}
    assert len(files) == 117
    assert set(split["test"]).isdisjoint(split["dev"])
    assert set(split["test"]) | set(split["dev"]) == files
    assert len(split["test"]) == 39


def test_every_label_has_the_schema_and_ordered_lines() -> None:
    for label in _labels():
        assert list(label) == KEYS, label["file"]
        lines = [i["line"] for i in label["items"]]
        assert lines == sorted(lines), label["file"]
        for item in label["items"]:
            assert item["last"] >= item["line"] >= 1, (label["file"], item)
            assert item["done"] in (True, False, None)
        for span in [*label["takeaways"], *([label["root_cause"]] if label["root_cause"] else [])]:
            assert span[1] >= span[0] >= 1, (label["file"], span)


needs_raw = pytest.mark.skipif(
    not RAW.is_dir(), reason=f"{RAW} is absent: the real documents stay in ../shared"
)


@needs_raw
def test_labelled_lines_lie_inside_their_documents() -> None:
    for label in _labels():
        n = len((RAW / label["file"]).read_bytes().split(b"\n"))
        spans = [(i["line"], i["last"]) for i in label["items"]] + [
            tuple(t) for t in label["takeaways"]
        ]
        assert all(last <= n for _, last in spans), label["file"]


@needs_raw
def test_no_real_postmortem_is_refused() -> None:
    """Every file a person reads as a postmortem parses (issue 21: none rejected)."""
    from tracker.parsing import parse_file

    for label in _labels():
        if label["postmortem"]:
            parse_file(RAW / label["file"])  # raises InputError / ParseError when refused
