"""Score ``pmt parse`` on real postmortems, per split: the shared sample, the raw dev split and
the frozen raw test split (``bench/labels/``).

    .venv/bin/python bench/parse_score.py [--files dev|test|shared] [REALWORLD_FOLDER]

Default folder: ../shared/realworld (beside the project). Skips, saying so, when it is absent.
The raw documents are labelled by line (``bench/labels/README.md``): a found item matches a
labelled one when its line lies within the labelled item's lines. The 13 shared documents are
labelled by text and scored as ``bench/realworld_score.py`` does. Each file goes through
``parse_file`` as ``pmt parse`` does, so a rejected file counts as finding nothing.

``--files dev`` prints the per-file rows of the dev split (what to look at while tuning);
the test split's rows are printed only when asked for (``--files test``), to score, not to tune.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from realworld_score import (
    Ratio,
    Totals,
    _same_owner,
    _time_agrees,
    match,
    norm,
    score_file,
    similar,
)

from tracker.errors import InputError
from tracker.parsing import parse_file
from tracker.parsing.dates import find_moments, zone_info

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels"
DEFAULT = HERE.parent.parent / "shared" / "realworld"


@dataclass
class Split(Totals):
    """``realworld_score.Totals`` and what the line labels add."""

    name: str = ""
    files: int = 0
    section: Ratio = field(default_factory=Ratio)
    times: Ratio = field(default_factory=Ratio)  # start, end and zone all right
    cause: Ratio = field(default_factory=Ratio)  # the root cause found on its labelled lines
    rejected: list[str] = field(default_factory=list)

    @property
    def f1(self) -> float:
        p, r = self.items.precision, self.items.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _day(text: str | None) -> Any:
    for m in find_moments(text or ""):
        if m.day is not None:
            return m.day
    return None


def _time_ok(label: str | None, text: str | None, at: Any) -> bool:
    if label is not None and not any(m.clock for m in find_moments(label)):
        # A date without a time of day: the day must agree; a day written without its year
        # ("September 28th") is read as written.
        if _day(label) is None:
            return text is not None and " ".join(text.split()) == " ".join(label.split())
        return _day(label) in (_day(text), at.date() if at else None)
    return _time_agrees(label, text, at.isoformat() if at else None)


def _zone_ok(label: str | None, got: str | None) -> bool:
    """The same zone: as written, or with the same offset ("PST" and "Pacific Standard Time")."""
    a, b = (label or "").strip("() ").lower(), (got or "").strip("() ").lower()
    if a == b or bool(a and b and (a in b or b in a)):
        return True
    za, zb = zone_info(label or ""), zone_info(got or "")
    when = datetime(2024, 1, 15, 12)
    return za is not None and zb is not None and za.utcoffset(when) == zb.utcoffset(when)


def _span_text(lines: list[str], span: list[int]) -> str:
    return norm(" ".join(lines[span[0] - 1 : span[1]]))


def score_raw(path: Path, label: dict[str, Any], split: Split) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n").split("\n")
    split.files += 1
    try:
        pm = parse_file(path)
    except InputError as exc:
        pm = None
        if label["postmortem"]:
            split.rejected.append(f"{path.name}: {exc.reason}")
    preds = pm.action_items if pm else []
    want = label["items"]
    used: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for i, item in enumerate(want):
        j = next(
            (
                j
                for j, p in enumerate(preds)
                if j not in used and item["line"] <= p.line <= item["last"]
            ),
            None,
        )
        if j is not None:
            used.add(j)
            pairs.append((i, j))
    split.items.add(len(want), len(preds), len(pairs))
    for i, j in pairs:
        w, p = want[i], preds[j]
        split.done.add(w["done"] == p.done)
        if w["owner"] or p.owner:
            split.owner.add(_same_owner(w["owner"], p.owner))
        if w["ticket"] or p.ticket:
            got = {t.strip().lower() for t in (p.ticket or "").split(",") if t.strip()}
            split.ticket.add(bool(w["ticket"]) and w["ticket"].strip().lower() in got)

    found_sections = {s.line for s in pm.sections if s.kind == "actions"} if pm else set()
    want_section = label["section_line"]
    split.section.add(
        want_section in found_sections if want_section else not (pm and pm.action_items)
    )

    spans = [_span_text(lines, t) for t in label["takeaways"]]
    t_pairs = match(spans, [norm(t) for t in (pm.takeaways if pm else [])])
    split.takeaways.add(len(spans), len(pm.takeaways) if pm else 0, len(t_pairs))

    s_ok = _time_ok(label["started"], pm and pm.started_text, pm and pm.started)
    e_ok = _time_ok(label["ended"], pm and pm.ended_text, pm and pm.ended)
    z_ok = _zone_ok(label["timezone"], pm and pm.timezone)
    for ratio, ok in (
        (split.started, s_ok),
        (split.ended, e_ok),
        (split.zone, z_ok),
        (split.times, s_ok and e_ok and z_ok),
    ):
        ratio.add(ok)
    rc = "-"
    if label["root_cause"]:
        got = norm(pm.root_cause) if pm else ""
        span = _span_text(lines, label["root_cause"])
        ok = bool(got) and (got[:60] in span or span[:60] in got or similar(got, span) >= 0.6)
        split.cause.add(ok)
        rc = "ok" if ok else "miss"
    missed = [w["line"] for i, w in enumerate(want) if i not in {a for a, _ in pairs}]
    extra = [p.line for j, p in enumerate(preds) if j not in used]
    return {
        "file": path.name,
        "items": f"{len(pairs)}/{len(want)}/{len(preds)}",
        "missed": ",".join(map(str, missed)) or "-",
        "extra": ",".join(map(str, extra)) or "-",
        "section": f"{want_section}->{sorted(found_sections)}",
        "times": "".join("ok "[0:2] if ok else "x " for ok in (s_ok, e_ok, z_ok)),
        "rc": rc,
    }


def score_shared(folder: Path, split: Split) -> None:
    """The 13 shared documents, labelled by text: scored as ``bench/realworld_score.py`` does."""
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    for label in labels:
        path = folder / label["file"]
        split.files += 1
        try:
            parse_file(path)
        except InputError as exc:
            split.rejected.append(f"{path.name}: {exc.reason}")
        score_file(path, label, split)
    split.times = Ratio(min(split.started.ok, split.ended.ok, split.zone.ok), len(labels))


def report(splits: list[Split]) -> None:
    head = f"{'split':<16}{'files':>6}  {'items P':>7} {'R':>5} {'F1':>5}  {'section':>7}  {'done':>5} {'owner':>5} {'ticket':>6}  {'start':>5} {'end':>5} {'zone':>5} {'all3':>5}  {'cause':>5}  rejected"
    print(head)
    for s in splits:

        def v(r: Ratio) -> str:
            return f"{r.value:.2f}" if r.n else "  -"

        print(
            f"{s.name:<16}{s.files:>6}  {s.items.precision:>7.3f} {s.items.recall:>5.3f} {s.f1:>5.3f}  {v(s.section):>7}  "
            f"{v(s.done):>5} {v(s.owner):>5} {v(s.ticket):>6}  {v(s.started):>5} {v(s.ended):>5} {v(s.zone):>5} {v(s.times):>5}  "
            f"{v(s.cause):>5}  {len(s.rejected)}"
        )
    for s in splits:
        for r in s.rejected:
            print(f"  rejected ({s.name}): {r}")
    print(
        "items: matched/labelled/found over",
        ", ".join(f"{s.name} {s.items.hit}/{s.items.label}/{s.items.pred}" for s in splits),
    )


def main(argv: list[str]) -> int:
    show = None
    if "--files" in argv:
        k = argv.index("--files")
        show = argv[k + 1]
        argv = argv[:k] + argv[k + 2 :]
    folder = Path(argv[0]) if argv else DEFAULT
    if not (folder / "raw").is_dir() or not (folder / "labels.json").exists():
        print(
            f"parse_score: skipped: {folder} with labels.json and raw/ not found (the real documents stay in ../shared)"
        )
        return 0
    split_of = json.loads((LABELS / "split.json").read_text())
    shared = Split(name="shared sample")
    score_shared(folder, shared)
    splits = [shared]
    rows: dict[str, list[dict[str, str]]] = {}
    for name in ("dev", "test"):
        s = Split(name=f"raw {name}")
        rows[name] = [
            score_raw(
                folder / "raw" / f,
                json.loads((LABELS / "raw" / f.replace(".md", ".json")).read_text()),
                s,
            )
            for f in split_of[name]
        ]
        splits.append(s)
    report(splits)
    if show in rows:
        print(
            f"\nper file ({show}): items matched/labelled/found, missed and extra lines, action section label->found, start end zone, root cause"
        )
        for r in rows[show]:
            if (
                r["missed"] != "-"
                or r["extra"] != "-"
                or "x" in r["times"]
                or r["rc"] == "miss"
                or not re.search(r"->\[.*\b" + r["section"].split("->")[0] + r"\b", r["section"])
            ):
                print("  ".join(r.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
