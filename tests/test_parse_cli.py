"""`pmt parse` as users run it, and the files it must refuse cleanly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from tracker.config import ParsingSettings
from tracker.errors import InputError, ParseError
from tracker.parsing import parse_file

LAYOUTS = Path(__file__).resolve().parent / "fixtures" / "layouts"

GOOD = """# Disk full on the build server

## Summary

The build server ran out of disk on 2026-03-02 for 40 minutes.

## Action items

- [ ] Add a disk usage alert (@sam, due 2026-03-09)
"""


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def test_one_file_gives_one_json_object(runner: CliRunner, tmp_path: Path) -> None:
    path = _write(tmp_path, "pm.md", GOOD)
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["title"] == "Disk full on the build server"
    assert data["path"] == str(path)
    assert data["action_items"] == [
        {
            "text": "Add a disk usage alert",
            "owner": "sam",
            "owner_handle": True,  # written "@sam"
            "due": "2026-03-09",
            "priority": None,
            "kind": None,
            "done": False,
            "ticket": None,
            "related": None,
            "line": 9,
            "section": "Action items",
        }
    ]
    for key in ("started", "ended", "timezone", "duration_minutes", "impact", "severity", "root_cause",
                "resolution", "takeaways", "timeline", "sections"):  # fmt: skip
        assert key in data


def test_several_files_give_a_list(runner: CliRunner) -> None:
    files = [str(LAYOUTS / "01-canonical-template.md"), str(LAYOUTS / "06-table-all-columns.md")]
    result = runner.invoke(app, ["parse", *files])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [d["title"] for d in data] == [
        "Checkout latency incident",
        "DNS resolution failures in eu-west",
    ]


def test_table_format_shows_metadata_and_items(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["parse", str(LAYOUTS / "01-canonical-template.md"), "--format", "table"]
    )
    assert result.exit_code == 0
    out = result.stdout
    assert "Checkout latency incident" in out
    assert "Action items (3)" in out
    assert "maria" in out and "2026-03-20" in out
    assert "Takeaways" in out and "Timeline" in out


def test_date_order_setting_changes_ambiguous_dates(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, "pm.md", "# X\n\n## Action items\n\n- Review limits before 4/5/2026\n")
    mdy = json.loads(runner.invoke(app, ["parse", str(path)]).stdout)
    monkeypatch.setenv("PMT_PARSING_DATE_ORDER", "dmy")
    dmy = json.loads(runner.invoke(app, ["parse", str(path)]).stdout)
    assert mdy["action_items"][0]["due"] == "2026-04-05"
    assert dmy["action_items"][0]["due"] == "2026-05-04"


BAD_FILES = [
    ("empty.md", b"", "is empty"),
    ("blank.md", b"  \n\n \n", "is empty"),
    ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("latin1.md", "# R\xe9sum\xe9\n\n## Summary\n\nCaf\xe9 down.\n".encode("latin-1"), "not UTF-8"),
    ("readme.md", b"# Install\n\nRun make.\n\n## Usage\n\nRun it.\n", "no postmortem sections"),
]


@pytest.mark.parametrize(("name", "data", "reason"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_is_one_line_error_and_the_others_still_parse(
    runner: CliRunner, tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    bad = _write(tmp_path, name, data)
    good = _write(tmp_path, "good.md", GOOD)
    result = runner.invoke(app, ["parse", str(bad), str(good)])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line]
    assert len(errors) == 1
    assert str(bad) in errors[0] and reason in errors[0]
    assert "Traceback" not in result.output
    parsed = json.loads(result.stdout)
    assert [p["path"] for p in parsed] == [str(good)]


def test_a_file_over_the_size_limit_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_bytes(b"# Postmortem\n\n## Summary\n\n" + b"All fine. " * 1_100_000)  # ~11 MB
    result = runner.invoke(app, ["parse", str(big)])
    assert result.exit_code == 1
    assert "too large" in result.stderr and str(big) in result.stderr
    assert result.stdout == ""


def test_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["parse", str(tmp_path / "nope.md")])
    assert result.exit_code == 1
    assert "no such file" in result.stderr


def test_parse_file_errors_name_the_file_and_line(tmp_path: Path) -> None:
    latin = _write(tmp_path, "l.md", "# Title\n\n## Summary\n\nCaf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError) as exc:
        parse_file(latin)
    assert str(exc.value).startswith(f"{latin}:5: is not UTF-8")
    nothing = _write(tmp_path, "n.md", "Just some words.\n")
    with pytest.raises(ParseError) as perr:
        parse_file(nothing)
    assert str(perr.value).startswith(f"{nothing}:1: no postmortem sections")


def test_parse_file_accepts_a_bom_and_crlf(tmp_path: Path) -> None:
    path = _write(tmp_path, "bom.md", b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode())
    pm = parse_file(path)
    assert pm.title == "Disk full on the build server"
    assert pm.action_items[0].line == 9


def test_size_limit_is_a_setting(tmp_path: Path) -> None:
    path = _write(tmp_path, "pm.md", GOOD)
    with pytest.raises(InputError, match="too large"):
        parse_file(path, ParsingSettings(max_file_bytes=100))


def test_parse_help_has_an_example(runner: CliRunner) -> None:
    result = runner.invoke(app, ["parse", "--help"])
    assert result.exit_code == 0
    assert "pmt parse " in result.stdout
