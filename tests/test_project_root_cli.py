"""pmt finds pmt.toml like git finds its repository, and stores paths relative to the project
root: the same postmortems from any subfolder (issue 14, item 8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from cli.app import app
from sync import registry
from tests.fakes import FakeBackend
from tests.sync_scene import ITEMS, document
from tests.test_ingest_cli import CACHE_OUTAGE, DB_OUTAGE
from tracker.config import load_settings
from tracker.paths import find_config, on_disk, repository_root, shown, stored_path
from tracker.store import Store
from tracker.store.tables import PostmortemRow


def pmt(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def ingest_json(*args: str) -> dict:
    code, out, err = pmt("ingest", *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: Store) -> Path:
    """A checkout: .git, pmt.toml naming the test's store, postmortems two folders deep."""
    root = tmp_path / "checkout"
    (root / ".git").mkdir(parents=True)
    (root / "pmt.toml").write_text(f'database_url = "{store.url}"\n')
    folder = root / "postmortems"
    (folder / "2026").mkdir(parents=True)
    (folder / "2026" / "db-failover.md").write_text(DB_OUTAGE)
    (folder / "cache.md").write_text(CACHE_OUTAGE)
    monkeypatch.chdir(root)
    return root


def stored(store: Store) -> list[tuple[str, str]]:
    with store.session(write=False) as s:
        rows = s.execute(select(PostmortemRow.key, PostmortemRow.path).order_by(PostmortemRow.key))
        return [tuple(r) for r in rows]


ROOT_ROWS = [
    ("INC-2026-001", "postmortems/2026/db-failover.md"),
    ("postmortems/cache.md", "postmortems/cache.md"),
]


def test_ingest_from_a_subfolder_recognises_the_same_postmortems(
    repo: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = ingest_json("postmortems")
    assert first["totals"]["new"] == 2
    # A store built from the root is as it always was.
    assert stored(store) == ROOT_ROWS
    for folder, arg in [
        ("postmortems", "."),
        ("postmortems/2026", ".."),
        ("postmortems/2026", "../cache.md"),
    ]:
        monkeypatch.chdir(repo / folder)
        again = ingest_json(arg)
        statuses = {f["path"]: f["status"] for f in again["files"]}
        assert set(statuses.values()) == {"unchanged"}, (folder, arg, statuses)
        assert again["totals"]["removed"] == again["totals"]["new"] == 0
        assert stored(store) == ROOT_ROWS


def test_a_deleted_file_is_noticed_from_a_subfolder(
    repo: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_json("postmortems")
    (repo / "postmortems" / "cache.md").unlink()
    monkeypatch.chdir(repo / "postmortems" / "2026")
    report = ingest_json("..")
    assert [(f["path"], f["status"]) for f in report["files"] if f["status"] != "unchanged"] == [
        ("postmortems/cache.md", "removed")
    ]


def test_without_pmt_toml_the_git_root_is_the_project_root(
    repo: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "pmt.toml").unlink()
    monkeypatch.setenv("PMT_DATABASE_URL", store.url)
    monkeypatch.chdir(repo / "postmortems")
    ingest_json(".")
    assert stored(store) == ROOT_ROWS
    monkeypatch.chdir(repo)
    assert {f["status"] for f in ingest_json("postmortems")["files"]} == {"unchanged"}


def test_config_is_found_from_a_subfolder(
    repo: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "pmt.toml").write_text(
        f'database_url = "{store.url}"\n[ingest]\nroot = "postmortems"\n'
    )
    monkeypatch.chdir(repo / "postmortems" / "2026")
    ingest_json("../cache.md")
    # ingest.root is relative to the folder of pmt.toml, not to the current folder.
    assert stored(store) == [("cache.md", "postmortems/cache.md")]
    monkeypatch.chdir(repo)
    assert ingest_json("postmortems/cache.md")["files"][0]["status"] == "unchanged"


def test_a_relative_sqlite_file_is_beside_pmt_toml(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "pmt.toml").write_text('database_url = "sqlite:///state/pmt.db"\n')
    (repo / "state").mkdir()  # a configured database's folder is never created (a typo would)
    monkeypatch.chdir(repo / "postmortems" / "2026")
    assert ingest_json(".")["totals"]["new"] == 1
    assert (repo / "state" / "pmt.db").is_file()
    assert not (repo / "postmortems" / "2026" / "state").exists()
    monkeypatch.chdir(repo)
    assert ingest_json("postmortems")["totals"] == {
        "files": 2,
        "new": 1,
        "updated": 0,
        "unchanged": 1,
        "failed": 0,
        "removed": 0,
    }


def test_show_takes_a_path_from_the_current_folder(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_json("postmortems")
    monkeypatch.chdir(repo / "postmortems")
    code, out, err = pmt("show", "cache.md", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["key"], data["path"]) == ("postmortems/cache.md", "postmortems/cache.md")


def test_sync_from_a_subfolder_writes_back_into_the_file(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "pmt.toml").write_text(
        (repo / "pmt.toml").read_text() + '[github]\nrepo = "acme/ops"\n'
    )
    path = repo / "postmortems" / "db.md"
    path.write_text(document(), encoding="utf-8")
    backend = FakeBackend()
    monkeypatch.setitem(registry.BACKENDS, "github", lambda settings, secrets: backend)
    monkeypatch.chdir(repo / "postmortems" / "2026")
    code, _out, err = pmt("sync", "../db.md", "--yes")
    assert code == 0, err
    assert path.read_text().count("](https://github.com/acme/ops/issues/") == len(ITEMS)
    urls = {t.draft.postmortem_url for t in backend.tickets.values() if t.draft is not None}
    assert urls == {"https://github.com/acme/ops/blob/main/postmortems/db.md"}
    # From the root: nothing to do, the same postmortem.
    monkeypatch.chdir(repo)
    code, _out, err = pmt("sync", "postmortems/db.md", "--yes")
    assert code == 0 and "nothing to write" in err, err


# -- tracker.paths --------------------------------------------------------------------------


def test_find_config_walks_up_and_stops_at_the_repository(tmp_path: Path) -> None:
    (tmp_path / "pmt.toml").write_text("")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == tmp_path / "pmt.toml"
    (tmp_path / "a" / ".git").write_text("gitdir: elsewhere\n")  # a worktree's .git is a file
    assert find_config(deep) is None
    assert repository_root(deep) == tmp_path / "a"
    (tmp_path / "a" / "pmt.toml").write_text("")
    assert find_config(deep) == tmp_path / "a" / "pmt.toml"


def test_load_settings_from_a_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pmt.toml").write_text('[parsing]\ndate_order = "dmy"\n')
    (tmp_path / "x" / "y").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "x" / "y")
    settings = load_settings()
    assert settings.parsing.date_order == "dmy"
    assert settings.project_root == str(tmp_path)
    assert settings.ingest_root() == str(tmp_path)


@pytest.mark.parametrize(
    ("given", "root", "expected"),
    [
        ("/r/postmortems/a.md", "/r", "postmortems/a.md"),
        ("/r/a.md", "/r/", "a.md"),
        ("/elsewhere/a.md", "/r", "/elsewhere/a.md"),
        ("/r2/a.md", "/r", "/r2/a.md"),
    ],
)
def test_stored_paths(given: str, root: str, expected: str) -> None:
    assert stored_path(given, root) == expected
    assert on_disk(expected, root) == given


def test_shown_is_relative_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert shown("postmortems/a.md", str(tmp_path)) == "../postmortems/a.md"
    monkeypatch.chdir(tmp_path)
    assert shown("postmortems/a.md", str(tmp_path)) == "postmortems/a.md"
    assert shown("/abs/a.md", str(tmp_path)) == "/abs/a.md"


def test_with_config_the_git_root_is_the_project_root(
    repo: Path, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file named by --config may live anywhere (CI keeps one outside the checkout): paths
    stay relative to the repository."""
    elsewhere = tmp_path / "ci" / "pmt.toml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(f'database_url = "{store.url}"\n')
    (repo / "pmt.toml").unlink()
    monkeypatch.chdir(repo / "postmortems")
    code, _out, err = pmt("--config", str(elsewhere), "ingest", ".")
    assert code == 0, err
    assert stored(store) == ROOT_ROWS


def test_a_bad_setting_names_the_file_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pmt.toml").write_text('[githib]\nrepo = "a/b"\n')
    monkeypatch.chdir(tmp_path)
    code, _out, err = pmt("list")
    assert code == 2 and err.strip() == "pmt: error: pmt.toml: unknown setting 'githib'"
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    code, _out, err = pmt("list")
    assert code == 2 and err.strip() == "pmt: error: ../pmt.toml: unknown setting 'githib'"
