"""Action-item identity across edits: anchors, exact text, fuzzy matching, new uids."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.identity import (
    FUZZY_THRESHOLD,
    KnownItem,
    item_uid,
    match_items,
    normalise_text,
    path_key,
    postmortem_key,
    similarity,
    ticket_anchor,
    unmatched,
)
from tracker.models import ActionItem, Postmortem


def items(*texts: str, tickets: dict[int, str] | None = None) -> list[ActionItem]:
    tickets = tickets or {}
    return [ActionItem(text=t, line=i + 10, ticket=tickets.get(i)) for i, t in enumerate(texts)]


def known(*texts: str, **kw: object) -> list[KnownItem]:
    return [KnownItem(uid=f"u{i}", text=t, position=i, **kw) for i, t in enumerate(texts)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Add **alerting** on `disk` usage.", "add alerting on disk usage"),
        ("Add [alerting](https://wiki/x) on disk  usage", "add alerting on disk usage"),
        ("Add alerting on disk usage (OPS-123)", "add alerting on disk usage"),
        ("Add alerting on disk usage #45", "add alerting on disk usage"),
        (
            "Add alerting on disk usage https://github.com/a/b/issues/4",
            "add alerting on disk usage",
        ),
        ("ADD ALERTING  ON DISK_USAGE!", "add alerting on disk usage"),
    ],
)
def test_normalise_text(text: str, expected: str) -> None:
    assert normalise_text(text) == expected


@pytest.mark.parametrize(
    ("ref", "anchor"),
    [
        ("#12", "#12"),
        ("acme/ops#12", "#12"),
        ("https://github.com/acme/ops/issues/12", "#12"),
        ("OPS-12", "OPS-12"),
        ("ops-12", "OPS-12"),
        ("https://acme.atlassian.net/browse/OPS-12", "OPS-12"),
        ("see the wiki", None),
        (None, None),
    ],
)
def test_ticket_anchor(ref: str | None, anchor: str | None) -> None:
    assert ticket_anchor(ref) == anchor


def test_postmortem_key_prefers_front_matter_id(tmp_path: Path) -> None:
    doc = tmp_path / "pms" / "2026" / "db.md"
    assert postmortem_key(Postmortem(path=str(doc), id="INC-7"), tmp_path) == "INC-7"
    assert postmortem_key(Postmortem(path=str(doc)), tmp_path) == "pms/2026/db.md"
    assert postmortem_key(Postmortem(path=str(doc)), tmp_path / "pms") == "2026/db.md"


def test_path_key_outside_root_is_absolute(tmp_path: Path) -> None:
    assert (
        path_key(tmp_path / "x.md", tmp_path / "elsewhere")
        == (tmp_path / "x.md").resolve().as_posix()
    )


def test_unchanged_document_keeps_every_uid() -> None:
    old = known("Add alerting", "Fix the runbook", "Rotate keys")
    assert match_items("pm", old, items("Add alerting", "Fix the runbook", "Rotate keys")) == [
        "u0",
        "u1",
        "u2",
    ]


def test_reordering_keeps_identity() -> None:
    old = known("Add alerting", "Fix the runbook", "Rotate keys")
    assert match_items("pm", old, items("Rotate keys", "Add alerting", "Fix the runbook")) == [
        "u2",
        "u0",
        "u1",
    ]


def test_light_rewording_keeps_identity() -> None:
    old = known("Add alerting on disk usage for the database hosts", "Fix the failover runbook")
    new = items("Fix the fail-over runbook.", "Add alerts on disk usage for database hosts")
    assert match_items("pm", old, new) == ["u1", "u0"]


def test_ticket_reference_anchors_a_rewritten_item() -> None:
    old = [KnownItem(uid="u0", text="Add alerting", tickets=("acme/ops#12",))]
    new = items(
        "Completely different words now", tickets={0: "https://github.com/acme/ops/issues/12"}
    )
    assert match_items("pm", old, new) == ["u0"]


def test_unrelated_new_item_gets_a_new_uid_and_old_one_is_unmatched() -> None:
    old = known("Add alerting", "Fix the runbook")
    uids = match_items("pm", old, items("Add alerting", "Migrate billing to Kafka"))
    assert uids[0] == "u0"
    assert uids[1] not in {"u0", "u1"}
    assert [k.uid for k in unmatched(old, uids)] == ["u1"]


def test_removed_item_that_comes_back_is_restored() -> None:
    old = [
        KnownItem(uid="gone", text="Rotate keys", active=False, position=3),
        *known("Add alerting"),
    ]
    assert match_items("pm", old, items("Add alerting", "Rotate keys")) == ["u0", "gone"]


def test_active_item_wins_over_removed_twin() -> None:
    old = [
        KnownItem(uid="removed", text="Rotate keys", active=False),
        KnownItem(uid="active", text="Rotate keys", position=1),
    ]
    assert match_items("pm", old, items("Rotate keys")) == ["active"]


def test_duplicate_texts_pair_in_order() -> None:
    old = known("Update docs", "Update docs")
    assert match_items("pm", old, items("Update docs", "Update docs")) == ["u0", "u1"]


def test_new_uids_are_deterministic_and_distinct() -> None:
    new = items("Update docs", "Update docs", "Add alerting")
    first = match_items("pm", [], new)
    assert first == match_items("pm", [], new)
    assert len(set(first)) == 3
    assert first[0] == item_uid("pm", "update docs", 0)
    assert first[1] == item_uid("pm", "update docs", 1)
    assert match_items("other", [], new) != first


def test_new_uid_never_collides_with_a_stored_one() -> None:
    taken = item_uid("pm", "add alerting", 0)
    # A stored item holding that uid but rewritten beyond recognition.
    old = [KnownItem(uid=taken, text="Something else entirely about billing")]
    uids = match_items("pm", old, items("Add alerting"))
    assert uids[0] != taken


def test_greedy_best_first_fuzzy_assignment() -> None:
    old = known("Add alerting on disk usage", "Add alerting on memory usage")
    new = items("Add alerting on memory use", "Add alerting on disk use")
    assert match_items("pm", old, new) == ["u1", "u0"]


def test_threshold_separates_edits_from_new_items() -> None:
    assert FUZZY_THRESHOLD == 0.6
    assert (
        similarity("add alerting on disk usage", "add alerting on disk usage for db")
        >= FUZZY_THRESHOLD
    )
    assert similarity("add alerting on disk usage", "write a postmortem template") < FUZZY_THRESHOLD


def _normalise_reference(text: str) -> str:
    """normalise_text as it was before its plain-words shortcut: uids hash its result, so the
    shortcut must agree with it on every text."""
    import re

    from tracker.identity import _LINK, _NOT_WORDS

    if "](" in text:
        text = _LINK.sub(r"\1", text)
    text = _NOT_WORDS.sub(" ", text)
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).replace("_", " ").split())


def test_normalise_shortcut_gives_the_same_text_and_uids(tmp_path: Path) -> None:
    import random
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from generate import generate  # the bench's postmortems: the texts a first ingest hashes

    from tracker.parsing import parse_text

    rng = random.Random(7)
    alphabet = "abcXYZ019 _-#/:.()[]\téü\u00a0ÄK"
    texts = [
        "",
        " ",
        "  Plain  words  ",
        "OPS-12 fix",
        "see #4",
        "ABC_1 x",
        "Ünïcode Wörds",
        "a\tb",
    ]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24))) for _ in range(3000)]
    generate(tmp_path, 60, seed=3)
    generated = [
        i.text
        for file in sorted(tmp_path.glob("*.md"))
        for i in parse_text(file.read_text(encoding="utf-8")).action_items
    ]
    assert len(generated) > 100
    for text in texts + generated:
        assert normalise_text(text) == _normalise_reference(text), text
    distinct = list(dict.fromkeys(generated))
    expected = [item_uid("INC-9", _normalise_reference(t), 0) for t in distinct]
    assert match_items("INC-9", [], items(*distinct)) == expected
