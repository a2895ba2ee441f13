"""Issue 14 at the command line: pmt neither loses nor invents what a postmortem says.

Wrapped fields, mentions that are not the item's ticket, bad front matter, bad due dates and
hostile YAML, each as a user meets it through ``pmt parse`` and ``pmt ingest``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def _parse(
    runner: CliRunner, tmp_path: Path, text: str, name: str = "pm.md"
) -> tuple[int, dict, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["parse", str(path)])
    data = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, data, result.stderr


WRAPPED = """# Search served stale results

## Summary

**Start:** 2026-04-07 02:40 UTC
**Impact:** For three hours search served results from the previous night's index:
new products were missing for all users.
**Root cause:** The nightly reindex wrote a second copy of the index before deleting the old
one, and the disks had no room for both.
**Severity:** SEV2

## Action items

- [ ] Alert on free disk space below twice the index size
"""


def test_a_wrapped_field_runs_to_the_end_of_its_paragraph(
    runner: CliRunner, tmp_path: Path
) -> None:
    code, data, _ = _parse(runner, tmp_path, WRAPPED)
    assert code == 0
    assert data["root_cause"] == (
        "The nightly reindex wrote a second copy of the index before deleting the old one, "
        "and the disks had no room for both."
    )
    assert data["impact"].endswith("new products were missing for all users.")
    # The next key ends the value before it.
    assert data["severity"] == "SEV2"
    assert "SEV2" not in data["root_cause"]


def test_every_wrapped_field_of_the_examples_is_whole() -> None:
    from tracker.parsing import parse_file

    examples = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.md"))
    examples = [e for e in examples if e.name != "README.md"]
    assert examples
    for path in examples:
        pm = parse_file(path)
        for value in (pm.root_cause, pm.impact):
            if value:
                # A cut value ends mid-sentence, without its full stop.
                assert value.rstrip().endswith((".", ")", '"')), (path.name, value)


MENTIONS = """# Retry storm

## Action items

- Fix the retry loop (see OPS-1420) before the next release
- Cap client retries at three (OPS-1500)
- OPS-1501: add jitter to the backoff
- Ticket: OPS-1502 budget retries per tenant
"""


def test_a_mention_is_a_related_reference_not_the_items_ticket(
    runner: CliRunner, tmp_path: Path
) -> None:
    code, data, _ = _parse(runner, tmp_path, MENTIONS)
    assert code == 0
    items = data["action_items"]
    assert [(i["ticket"], i["related"]) for i in items] == [
        (None, "OPS-1420"),
        ("OPS-1500", None),
        ("OPS-1501", None),
        ("OPS-1502", None),
    ]
    # The mention stays in the text, as written.
    assert items[0]["text"] == "Fix the retry loop (see OPS-1420) before the next release"
    assert items[3]["owner"] is None


def test_an_item_that_only_mentions_a_ticket_is_stored_without_one(
    runner: CliRunner, tmp_path: Path
) -> None:
    """The item has no ticket of its own, so it is tracked (and sync would create one)."""
    (tmp_path / "pm.md").write_text(MENTIONS, encoding="utf-8")
    env = {"PMT_DATABASE_URL": f"sqlite:///{tmp_path / 'pmt.db'}"}
    result = runner.invoke(app, ["ingest", str(tmp_path / "pm.md")], env=env)
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["show", str(tmp_path / "pm.md"), "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)["items"]
    assert [i["ticket"] for i in items] == [None, "OPS-1500", "OPS-1501", "OPS-1502"]


BAD_DATE = """---
id: pm-2026-007
date: 2026-02-30
severity: SEV2
---
# Queue backlog

## Action items

- Alert on queue age
"""


def test_bad_front_matter_is_an_error_naming_file_line_and_key(
    runner: CliRunner, tmp_path: Path
) -> None:
    code, data, err = _parse(runner, tmp_path, BAD_DATE)
    assert code == 1
    assert f"{tmp_path / 'pm.md'}:3:" in err and "'date'" in err and "2026-02-30" in err
    # The valid keys are kept: the id above all.
    assert data["id"] == "pm-2026-007"
    assert data["front_matter"] == {"id": "pm-2026-007", "severity": "SEV2"}
    assert data["problems"] == [
        {
            "line": 3,
            "severity": "error",
            "message": "key 'date': 2026-02-30 is not a date that exists",
        }
    ]


def test_a_front_matter_typo_never_changes_a_stored_postmortems_identity(
    runner: CliRunner, tmp_path: Path
) -> None:
    env = {"PMT_DATABASE_URL": f"sqlite:///{tmp_path / 'pmt.db'}"}
    path = tmp_path / "pm.md"
    path.write_text(BAD_DATE.replace("2026-02-30", "2026-02-28"), encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(path)], env=env).exit_code == 0
    before = runner.invoke(app, ["list", "--format", "json"], env=env).stdout

    path.write_text(BAD_DATE, encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(path)], env=env)
    assert result.exit_code == 1
    assert "line 3" in result.stderr and "'date'" in result.stderr
    # The store is as it was: same key, same postmortem, nothing new.
    assert runner.invoke(app, ["list", "--format", "json"], env=env).stdout == before
    assert json.loads(before)[0]["key"] == "pm-2026-007"


def test_toml_front_matter_is_read(runner: CliRunner, tmp_path: Path) -> None:
    code, data, _ = _parse(
        runner,
        tmp_path,
        '+++\nid = "pm-9"\ndate = 2024-03-01\n+++\n# Hugo post\n\n## Summary\n\nx\n',
    )
    assert code == 0
    assert (data["id"], data["date"]) == ("pm-9", "2024-03-01")


def test_an_invalid_due_date_is_reported_and_stripped_cleanly(
    runner: CliRunner, tmp_path: Path
) -> None:
    text = "# Disk full\n\n## Action items\n\n- Add a disk alert (owner: bob, due: 2026-02-30)\n"
    code, data, err = _parse(runner, tmp_path, text)
    assert code == 1
    assert f"{tmp_path / 'pm.md'}:5: due date 2026-02-30 is not a date that exists" in err
    item = data["action_items"][0]
    assert (item["text"], item["owner"], item["due"]) == ("Add a disk alert", "bob", None)


def test_an_ambiguous_due_date_is_flagged_with_a_hint_not_guessed_silently(
    runner: CliRunner, tmp_path: Path
) -> None:
    text = "# Disk full\n\n## Action items\n\n- Add a disk alert (due 03/04/2026)\n"
    code, data, err = _parse(runner, tmp_path, text)
    assert code == 0  # a warning: the date is read by [parsing] date_order, and said so
    assert "warning" in err and ":5:" in err and "write 2026-03-04" in err
    assert data["action_items"][0]["due"] == "2026-03-04"
    (tmp_path / "pmt.toml").write_text('[parsing]\ndate_order = "dmy"\n', encoding="utf-8")
    result = runner.invoke(
        app, ["--config", str(tmp_path / "pmt.toml"), "parse", str(tmp_path / "pm.md")]
    )
    assert json.loads(result.stdout)["action_items"][0]["due"] == "2026-04-03"
    assert "write 2026-04-03" in result.stderr


ALIAS_BOMB = (
    "---\n"
    + 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    + "---\n# Title\n\n## Action items\n\n- Fix it\n"
)


def test_a_yaml_alias_bomb_is_an_error_not_a_hang(tmp_path: Path) -> None:
    import subprocess
    import sys

    assert len(ALIAS_BOMB.encode()) < 1200
    path = tmp_path / "bomb.md"
    path.write_text(ALIAS_BOMB, encoding="utf-8")
    pmt = [str(Path(sys.executable).with_name("pmt")), "parse", str(path)]
    # A hang would reach the timeout (the bound is 1 s; this only guards CI).
    result = subprocess.run(pmt, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"{path}:3: front matter uses a YAML alias" in result.stderr
