"""Write-back keeps every byte but the link, is atomic, and refuses a changed file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sync import writeback
from sync.writeback import (
    CheckEdit,
    LinkEdit,
    WritebackRefused,
    apply_edits,
    content_hash,
    link_markdown,
    write_back,
)

URL = "https://github.com/acme/ops/issues/12"
LINK = link_markdown("acme/ops#12", URL)


def edit(line: int, text: str = "Add alerting") -> LinkEdit:
    return LinkEdit(line=line, link=LINK, url=URL, text=text)


def test_link_markdown_for_both_trackers() -> None:
    assert link_markdown("acme/ops#12", URL) == f"[#12]({URL})"
    assert link_markdown("OPS-7", "https://j/browse/OPS-7") == "[OPS-7](https://j/browse/OPS-7)"


CASES = [
    ("plain bullet", b"- Add alerting\n", 1, b"- Add alerting [#12](URL)\n"),
    (
        "CRLF kept",
        b"# A\r\n- Add alerting\r\n- b\r\n",
        2,
        b"# A\r\n- Add alerting [#12](URL)\r\n- b\r\n",
    ),
    ("lone CR kept", b"# A\r- Add alerting\r", 2, b"# A\r- Add alerting [#12](URL)\r"),
    ("no trailing newline", b"x\n- Add alerting", 2, b"x\n- Add alerting [#12](URL)"),
    (
        "hard break spaces stay last",
        b"- Add alerting  \nmore\n",
        1,
        b"- Add alerting [#12](URL)  \nmore\n",
    ),
    (
        "backslash hard break stays last",
        b"- Add alerting\\\nmore\n",
        1,
        b"- Add alerting [#12](URL)\\\nmore\n",
    ),
    ("checkbox", b"- [ ] Add alerting (@bob)\n", 1, b"- [ ] Add alerting (@bob) [#12](URL)\n"),
    (
        "BOM and front matter untouched",
        b"\xef\xbb\xbf---\nid: x\n---\n# T\n- Add alerting\n",
        5,
        b"\xef\xbb\xbf---\nid: x\n---\n# T\n- Add alerting [#12](URL)\n",
    ),
    (
        "multi-line item: the first line gets it",
        b"1. Add alerting on the\n   queue depth\n",
        1,
        b"1. Add alerting on the [#12](URL)\n   queue depth\n",
    ),
    (
        "non-ASCII line",
        "- Add alerting für café ✓\n".encode(),
        1,
        "- Add alerting für café ✓ [#12](URL)\n".encode(),
    ),
    (
        "table with an empty ticket column",
        b"| Action | Owner | Ticket |\n|---|---|---|\n| Add alerting | bob |  |\n",
        3,
        b"| Action | Owner | Ticket |\n|---|---|---|\n| Add alerting | bob | [#12](URL) |\n",
    ),
    (
        "table ticket column holding text",
        b"| Task | Issue |\n|:--|:-:|\n| Add alerting | TBD |\n",
        3,
        b"| Task | Issue |\n|:--|:-:|\n| Add alerting | TBD [#12](URL) |\n",
    ),
    (
        "table without a ticket column: end of the action cell",
        b"| Owner | Action item | Due |\n| --- | --- | --- |\n| bob | Add alerting  | 2026-03-01 |\n",
        3,
        b"| Owner | Action item | Due |\n| --- | --- | --- |\n| bob | Add alerting [#12](URL)  | 2026-03-01 |\n",
    ),
    (
        "table without outer pipes",
        b"Action | Ticket\nAdd alerting | |\n".replace(b"\nAdd", b"\n--- | ---\nAdd"),
        3,
        b"Action | Ticket\n--- | ---\nAdd alerting | [#12](URL) |\n",
    ),
    (
        "row shorter than the header: the action cell",
        b"Action | Ticket\n--- | ---\nAdd alerting |\n",
        3,
        b"Action | Ticket\n--- | ---\nAdd alerting [#12](URL) |\n",
    ),
    (
        "escaped pipe inside a cell",
        b"| Action | Ticket |\n|---|---|\n| Add alerting a \\| b |  |\n",
        3,
        b"| Action | Ticket |\n|---|---|\n| Add alerting a \\| b | [#12](URL) |\n",
    ),
    (
        "a pipe in a list item is no table",
        b"- Add alerting a | b\n",
        1,
        b"- Add alerting a | b [#12](URL)\n",
    ),
]


@pytest.mark.parametrize("before,line,after", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_only_the_link_is_added(before: bytes, line: int, after: bytes) -> None:
    new, outcomes = apply_edits(before, [edit(line)])
    assert outcomes[0].applied, outcomes[0]
    assert new == after.replace(b"URL", URL.encode())


def test_link_already_there_changes_nothing() -> None:
    data = f"- Add alerting [#12]({URL})\n".encode()
    new, outcomes = apply_edits(data, [edit(1)])
    assert new == data and not outcomes[0].applied and outcomes[0].problem is None


def test_wrong_or_missing_line_is_reported_not_written() -> None:
    data = b"# Title\n\n- Add alerting\n"
    new, outcomes = apply_edits(data, [edit(1), edit(2), edit(9)])
    assert new == data
    assert [o.applied for o in outcomes] == [False, False, False]
    assert "does not hold the item" in (outcomes[0].problem or "")
    assert "past the end" in (outcomes[2].problem or "")


CHECKS = [
    (b"- [ ] Add alerting\n", b"- [x] Add alerting\n"),
    (b"  * [ ] Add alerting\r\n", b"  * [x] Add alerting\r\n"),
    (b"3. [ ] Add alerting\n", b"3. [x] Add alerting\n"),
    (b"| Add alerting | [ ] |\n", b"| Add alerting | [x] |\n"),
]


@pytest.mark.parametrize("before,after", CHECKS)
def test_check_box(before: bytes, after: bytes) -> None:
    new, outcomes = apply_edits(before, [CheckEdit(line=1, text="Add alerting")])
    assert new == after and outcomes[0].applied


def test_check_box_without_a_box_is_reported() -> None:
    new, outcomes = apply_edits(b"- Add alerting\n", [CheckEdit(line=1, text="Add alerting")])
    assert new == b"- Add alerting\n" and "no box" in (outcomes[0].problem or "")


def _doc(tmp_path: Path, data: bytes, mode: int = 0o640) -> Path:
    path = tmp_path / "pm.md"
    path.write_bytes(data)
    os.chmod(path, mode)
    return path


def test_write_back_is_atomic_and_keeps_permissions(tmp_path: Path) -> None:
    data = b"# T\r\n- Add alerting\r\n"
    path = _doc(tmp_path, data)
    result = write_back(path, [edit(2)], content_hash(data))
    assert result.written
    assert path.read_bytes() == f"# T\r\n- Add alerting {LINK}\r\n".encode()
    # The new bytes come back: the caller records them without reading the file again.
    assert result.data == path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["pm.md"]


def test_write_back_with_nothing_to_change_writes_nothing(tmp_path: Path) -> None:
    data = f"- Add alerting {LINK}\n".encode()
    path = _doc(tmp_path, data)
    result = write_back(path, [edit(1)], content_hash(data))
    assert not result.written and result.data is None
    assert path.read_bytes() == data


def test_write_back_follows_a_symlink(tmp_path: Path) -> None:
    data = b"- Add alerting\n"
    real = _doc(tmp_path, data)
    link = tmp_path / "alias.md"
    link.symlink_to(real)
    write_back(link, [edit(1)], content_hash(data))
    assert link.is_symlink()
    assert real.read_bytes() == f"- Add alerting {LINK}\n".encode()


def test_write_back_refuses_a_changed_file(tmp_path: Path) -> None:
    data = b"- Add alerting\n"
    path = _doc(tmp_path, b"- Add alerting\n- edited meanwhile\n")
    with pytest.raises(WritebackRefused) as err:
        write_back(path, [edit(1)], content_hash(data))
    assert str(path) in str(err.value) and "changed since" in str(err.value)
    assert path.read_bytes() == b"- Add alerting\n- edited meanwhile\n"


def test_write_back_refuses_a_change_made_while_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = b"- Add alerting\n"
    path = _doc(tmp_path, data)
    real_fsync = os.fsync

    def editor_saves_meanwhile(fd: int) -> None:
        real_fsync(fd)
        path.write_bytes(b"- Add alerting\n- typed by a person\n")

    monkeypatch.setattr(writeback.os, "fsync", editor_saves_meanwhile)
    with pytest.raises(WritebackRefused):
        write_back(path, [edit(1)], content_hash(data))
    assert path.read_bytes() == b"- Add alerting\n- typed by a person\n"
    assert [p.name for p in tmp_path.iterdir()] == ["pm.md"]


@pytest.mark.parametrize("failing", ["write", "fsync", "replace", "fchmod"])
def test_a_failed_write_back_loses_no_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    data = "".join(f"- [ ] Add alerting step {i}\n" for i in range(200)).encode()
    path = _doc(tmp_path, data)

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writeback.os, failing, fail)
    with pytest.raises(WritebackRefused) as err:
        write_back(path, [edit(i + 1) for i in range(200)], content_hash(data))
    assert "the file is unchanged" in str(err.value)
    assert path.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == ["pm.md"]


def test_unchanged_document_is_not_rewritten(tmp_path: Path) -> None:
    data = f"- Add alerting {LINK}\n".encode()
    path = _doc(tmp_path, data)
    before = path.stat().st_mtime_ns
    result = write_back(path, [edit(1)], content_hash(data))
    assert not result.written and path.stat().st_mtime_ns == before


def test_write_back_keeps_owner_and_group(tmp_path: Path) -> None:
    data = b"- Add alerting\n"
    path = _doc(tmp_path, data)
    if os.geteuid() == 0:
        os.chown(path, 4321, 8765)
    before = path.stat()
    write_back(path, [edit(1)], content_hash(data))
    after = path.stat()
    assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == (
        before.st_uid,
        before.st_gid,
        0o640,
    )


def test_write_back_keeps_hard_links(tmp_path: Path) -> None:
    """A file with two names is written in place: both names see the link (issue 15, item 5)."""
    data = b"# T\n- Add alerting\n"
    path = _doc(tmp_path, data)
    twin = tmp_path / "twin.md"
    os.link(path, twin)
    result = write_back(path, [edit(2)], content_hash(data))
    assert result.written
    assert twin.read_bytes() == path.read_bytes() == f"# T\n- Add alerting {LINK}\n".encode()
    assert path.stat().st_ino == twin.stat().st_ino and path.stat().st_nlink == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pm.md", "twin.md"]


def test_write_back_refuses_a_hard_linked_file_changed_meanwhile(tmp_path: Path) -> None:
    data = b"- Add alerting\n"
    path = _doc(tmp_path, b"- Add alerting\n- typed by a person\n")
    os.link(path, tmp_path / "twin.md")
    with pytest.raises(WritebackRefused, match="changed since"):
        write_back(path, [edit(1)], content_hash(data))
    assert path.read_bytes() == b"- Add alerting\n- typed by a person\n"


def test_write_back_removes_a_temp_file_a_killed_run_left(tmp_path: Path) -> None:
    data = b"- Add alerting\n"
    path = _doc(tmp_path, data)
    leftover = tmp_path / ".pm.md.q1w2e3r4.pmt-tmp"
    leftover.write_bytes(b"- Add alerting [#12](")
    os.utime(leftover, (1_700_000_000, 1_700_000_000))
    write_back(path, [edit(1)], content_hash(data))
    assert [p.name for p in tmp_path.iterdir()] == ["pm.md"]


def test_a_crash_before_the_rename_leaves_the_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between writing the temporary file and renaming it: the document is untouched
    and the temporary file, unlocked once its process is gone, is removed by the next run."""
    data = b"- Add alerting\n"
    path = _doc(tmp_path, data)

    class Killed(BaseException):
        pass

    def killed(*args: object) -> None:
        raise Killed

    # The temporary file survives only a real kill; simulate one by keeping unlink away too.
    monkeypatch.setattr(writeback.os, "replace", killed)
    monkeypatch.setattr(writeback.os, "unlink", lambda *a, **k: None)
    with pytest.raises(Killed):
        write_back(path, [edit(1)], content_hash(data))
    monkeypatch.undo()
    [leftover] = [p for p in tmp_path.iterdir() if p.name != "pm.md"]
    assert leftover.name.startswith(".pm.md.") and leftover.name.endswith(".pmt-tmp")
    assert path.read_bytes() == data
    os.utime(leftover, (1_700_000_000, 1_700_000_000))  # made by an earlier run
    write_back(path, [edit(1)], content_hash(data))
    assert [p.name for p in tmp_path.iterdir()] == ["pm.md"]
    assert path.read_bytes() == f"- Add alerting {LINK}\n".encode()
