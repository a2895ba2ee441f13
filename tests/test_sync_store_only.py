"""`pmt sync --dry-run` without credentials (issue 17): a plan from the store only.

The tracker is not asked: an item the store links is planned from the store (``unchanged``,
"not checked", or ``update`` when its draft changed), one without a link as ``create``, a
missing link in the Markdown as ``writeback``; stderr says what was not checked and JSON has
``"checked": false``. Without --dry-run, missing credentials stay an error (exit 2), and so does
any other configuration error, dry run or not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.app import app
from sync import registry
from sync.plan import NOT_CHECKED, PlanInput, PlanItem, build_plan
from sync.service import apply_sync, plan_sync
from sync.store_only import StoreOnlyBackend
from tests.fakes import FakeBackend
from tests.sync_scene import ITEMS, document
from tracker.config import Settings
from tracker.store import Store

N = len(ITEMS)
LINE = "this plan is from the store only; ticket states and markers were not checked"
REASON = {"github": "no GitHub token", "jira": "no Jira token"}
# The real registrations: what runs when no test replaces a factory.
REAL = dict(registry.BACKENDS)


def write_config(tmp_path: Path, store: Store, tracker: str, **sections: str) -> None:
    github = sections.get("github", 'repo = "acme/ops"\n')
    jira = sections.get("jira", 'url = "https://jira.example.com"\nproject = "OPS"\n')
    (tmp_path / "pmt.toml").write_text(
        f'database_url = "{store.url}"\n[sync]\ntracker = "{tracker}"\n'
        f"[github]\n{github}[jira]\n{jira}"
    )


@pytest.fixture(params=["github", "jira"])
def tracker(
    request: pytest.FixtureRequest, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """A postmortem in the working directory, the store, and no credentials for the tracker."""
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, store, request.param)
    path = tmp_path / "postmortems" / "db.md"
    path.parent.mkdir()
    path.write_text(document(), encoding="utf-8")
    return str(request.param)


def pmt(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def actions(rows: list[dict[str, Any]]) -> list[str]:
    return [row["action"] for row in rows]


def tracking(name: str) -> int:
    """GitHub has a tracking issue per postmortem (a create, then an attach); Jira none."""
    return 1 if name == "github" else 0


def test_dry_run_without_credentials_plans_from_the_store(tracker: str) -> None:
    path = Path("postmortems/db.md")
    before = path.read_bytes()
    code, out, err = pmt("sync", "postmortems", "--dry-run")
    assert code == 0, err
    assert out.count("create") == N + tracking(tracker) and out.count("writeback") == N
    assert f"pmt sync: {REASON[tracker]}: {LINE}\n" in err
    assert err.count(LINE) == 1 and "error" not in err
    assert path.read_bytes() == before

    code, out, err = pmt("sync", "postmortems", "--dry-run", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["checked"] is False and data["result"] == [] and data["stopped"] is None
    first, last = (["create"], ["attach"]) if tracking(tracker) else ([], [])
    assert actions(data["plan"]) == [*first, *["create", "writeback"] * N, *last]
    assert {r["tracker"] for r in data["plan"]} == {tracker}
    assert LINE in err


def test_without_dry_run_missing_credentials_stay_an_error(tracker: str) -> None:
    for args in ([], ["--yes"], ["--format", "json"]):
        code, out, err = pmt("sync", "postmortems", *args)
        assert code == 2 and out == ""
        if tracker == "github":
            assert "pmt: error: no GitHub token: set PMT_GITHUB_TOKEN (or GITHUB_TOKEN)" in err
        else:
            assert "pmt: error: Jira is not configured: set PMT_JIRA_TOKEN" in err
        assert LINE not in err and "Traceback" not in err


def test_a_file_that_failed_still_exits_1(tracker: str) -> None:
    code, out, err = pmt("sync", "postmortems", "nowhere.md", "--dry-run")
    assert code == 1 and "nowhere.md" in err and LINE in err
    assert out.count("create") == N + tracking(tracker)


def test_the_store_only_plan_is_the_checked_plan_without_the_tracker(
    tracker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Synced without write-back through the fake, then planned again without credentials:
    the same actions (nothing created again, the links the Markdown lacks written back), only
    the details say what was not checked."""
    fake = FakeBackend(tracker)
    monkeypatch.setitem(registry.BACKENDS, tracker, lambda settings, secrets: fake)
    assert pmt("sync", "postmortems", "--yes", "--no-writeback")[0] == 0
    code, out, err = pmt("sync", "postmortems", "--dry-run", "--format", "json")
    assert code == 0, err
    checked = json.loads(out)
    assert checked["checked"] is True and LINE not in err
    calls = len(fake.calls)

    monkeypatch.setitem(registry.BACKENDS, tracker, REAL[tracker])
    code, out, err = pmt("sync", "postmortems", "--dry-run", "--format", "json")
    assert code == 0, err
    store_only = json.loads(out)
    assert store_only["checked"] is False and LINE in err
    assert actions(store_only["plan"]) == actions(checked["plan"])
    assert "create" not in actions(store_only["plan"])
    assert actions(store_only["plan"]).count("writeback") == N
    same = ("item", "line", "action", "ticket", "url")
    assert [{k: r[k] for k in same} for r in store_only["plan"]] == [
        {k: r[k] for k in same} for r in checked["plan"]
    ]
    items = [r for r in store_only["plan"] if r["action"] == "unchanged" and r["item"]]
    assert len(items) == N and {r["detail"] for r in items} == {NOT_CHECKED}
    assert len(fake.calls) == calls  # the fake was not asked


def test_an_item_changed_since_its_ticket_was_written_is_an_update(
    tracker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store knows what was last pushed: a changed due date is an update, tracker or not."""
    fake = FakeBackend(tracker)
    monkeypatch.setitem(registry.BACKENDS, tracker, lambda settings, secrets: fake)
    assert pmt("sync", "postmortems", "--yes")[0] == 0
    path = Path("postmortems/db.md")
    path.write_text(path.read_text().replace("due 2026-03-20", "due 2026-03-21"))
    monkeypatch.setitem(registry.BACKENDS, tracker, REAL[tracker])
    code, out, err = pmt("sync", "postmortems", "--dry-run", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["checked"] is False
    changed = [r for r in data["plan"] if r["item"] and r["action"] != "unchanged"]
    assert [(r["action"], r["detail"]) for r in changed] == [("update", "item changed")]
    assert "Add a timeout" in changed[0]["text"]


@pytest.mark.parametrize(
    ("name", "sections", "message"),
    [
        ("github", {"github": ""}, "no GitHub repository configured"),
        ("github", {"github": 'repo = "acme"\n'}, "github.repo must be 'owner/name'"),
        (
            "github",
            {"github": 'repo = "acme/ops"\napi_url = "htp:/bad url"\n'},
            "api_url",
        ),
        ("jira", {"jira": 'url = "https://jira.example.com"\n'}, "jira.project (PMT_JIRA_PROJECT)"),
        ("jira", {"jira": 'project = "OPS"\n'}, "jira.url (PMT_JIRA_URL)"),
    ],
)
def test_other_configuration_errors_stay_errors_in_a_dry_run(
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    sections: dict[str, str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, store, name, **sections)
    (tmp_path / "db.md").write_text(document(), encoding="utf-8")
    code, out, err = pmt("sync", "db.md", "--dry-run")
    assert code == 2 and out == "" and message in err, err
    assert LINE not in err and "Traceback" not in err


def test_a_store_only_backend_is_never_asked(store: Store, tmp_path: Path) -> None:
    (tmp_path / "db.md").write_text(document(), encoding="utf-8")
    settings = Settings(database_url=store.url, github={"repo": "acme/ops"})
    backend = registry.get_backend("github", settings, allow_store_only=True)
    assert isinstance(backend, StoreOnlyBackend) and backend.name == "github"
    assert backend.url_for("acme/ops#7") == "https://github.com/acme/ops/issues/7"
    assert backend.parse_ref("#7") == "acme/ops#7"
    with pytest.raises(RuntimeError, match="not asked"):
        backend.list_postmortem("x")
    planned = plan_sync(store, backend, settings, [tmp_path / "db.md"])
    assert not planned.checked and planned.unchecked == "no GitHub token"
    with pytest.raises(ValueError, match="never applied"):
        apply_sync(store, backend, settings, planned)
    with pytest.raises(Exception, match="no GitHub token: set PMT_GITHUB_TOKEN"):
        registry.get_backend("github", settings)


def test_a_reference_is_linked_unverified_when_the_tracker_was_not_asked() -> None:
    """The planner's one store-only rule: a ticket the document names cannot be looked up."""
    item = PlanItem(uid="a1", text="Fix it", status="open", ticket="#12", line=3)
    data = PlanInput(postmortem_key="pm", path="pm.md", tracker="github", items=[item], drafts={})

    def parse_ref(ref: str) -> str | None:
        return "acme/ops#12" if ref == "#12" else None

    def url_for(key: str) -> str:
        return f"https://github.com/acme/ops/issues/{key.rsplit('#', 1)[1]}"

    checked = build_plan(data, parse_ref, url_for).actions
    assert [a.kind for a in checked] == ["skip"]  # asked, and the tracker does not know it
    store_only = build_plan(
        PlanInput(
            postmortem_key="pm",
            path="pm.md",
            tracker="github",
            items=[item],
            drafts={},
            checked=False,
        ),
        parse_ref,
        url_for,
    ).actions
    assert [(a.kind, a.key, a.url) for a in store_only] == [
        ("link_existing", "acme/ops#12", "https://github.com/acme/ops/issues/12")
    ]
    assert store_only[0].detail == f"the document names #12; {NOT_CHECKED}"
