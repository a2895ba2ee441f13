"""File discovery shared by `pmt lint` and `pmt ingest`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.config import IngestSettings
from tracker.discovery import discover, matches
from tracker.errors import InputError

DEFAULTS = IngestSettings()


@pytest.mark.parametrize(
    ("glob", "path", "expected"),
    [
        ("**/*.md", "a.md", True),
        ("**/*.md", "x/y/a.md", True),
        ("**/*.md", "a.markdown", False),
        ("*.md", "x/a.md", False),
        ("**/README.md", "README.md", True),
        ("**/README.md", "team/README.md", True),
        ("**/README.md", "team/NOT-README.md", False),
        ("**/node_modules/**", "node_modules/", True),
        ("**/node_modules/**", "a/node_modules/b/c.md", True),
        ("**/.git/**", "x/.git/", True),
        ("**/_*.md", "templates/_template.md", True),
        ("**/_*.md", "x/post_mortem.md", False),
        ("2026/*.md", "2026/a.md", True),
        ("2026/*.md", "2025/a.md", False),
        ("docs/**", "docs", True),
        ("a?.md", "ab.md", True),
        ("a?.md", "a/.md", False),
        ("[!_]*.md", "x.md", True),
        ("[!_]*.md", "_x.md", False),
    ],
)
def test_glob_matching(glob: str, path: str, expected: bool) -> None:
    assert matches(path, [glob]) is expected


def _tree(root: Path, files: list[str]) -> None:
    for rel in files:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("# x\n")


def test_folders_are_walked_recursively_with_include_and_exclude(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        [
            "2026/b.md",
            "2026/a.markdown",
            "2025/q4/c.md",
            "README.md",
            "2026/README.md",
            "_template.md",
            "notes.txt",
            "node_modules/pkg/d.md",
            ".git/e.md",
        ],
    )
    found = discover([tmp_path], DEFAULTS.include, DEFAULTS.exclude)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "2025/q4/c.md",
        "2026/a.markdown",
        "2026/b.md",
    ]


def test_result_is_sorted_and_without_duplicates(tmp_path: Path) -> None:
    _tree(tmp_path, ["z.md", "a.md", "m/b.md"])
    found = discover(
        [tmp_path / "z.md", tmp_path, tmp_path / "m"], DEFAULTS.include, DEFAULTS.exclude
    )
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.md", "m/b.md", "z.md"]


def test_an_explicit_file_is_kept_whatever_include_says_but_exclude_applies(tmp_path: Path) -> None:
    _tree(tmp_path, ["notes.txt", "README.md"])
    skipped: list[tuple[Path, str]] = []
    found = discover(
        [tmp_path / "notes.txt", tmp_path / "README.md"],
        DEFAULTS.include,
        DEFAULTS.exclude,
        on_skip=lambda p, why: skipped.append((p, why)),
    )
    assert found == [tmp_path / "notes.txt"]
    assert skipped == [(tmp_path / "README.md", "matches ingest.exclude")]


def test_a_missing_path_is_an_input_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        discover([tmp_path / "nope"], DEFAULTS.include, DEFAULTS.exclude)
    assert str(tmp_path / "nope") in str(caught.value)
    assert "no such file or folder" in str(caught.value)


def test_relative_paths_stay_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, ["pm/a.md"])
    monkeypatch.chdir(tmp_path)
    assert discover(["pm"], DEFAULTS.include, DEFAULTS.exclude) == [Path("pm/a.md")]
