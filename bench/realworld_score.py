"""Score the parser against hand-labelled real postmortems (``labels.json`` beside them).

    .venv/bin/python bench/realworld_score.py [FOLDER]     # default /work/shared/realworld

Skips, saying so, when the folder is absent. Per file and overall: action-item precision and
recall, takeaway precision and recall, done / owner / ticket accuracy on matched items, whether
start, end and time zone were found (and agree), and root-cause similarity.

Item texts are matched fuzzily: the labels keep owner prefixes and status suffixes in the text
while pmt's ``text`` is cleaned, so both sides are normalised (Markdown, link targets, the
extracted owner and punctuation removed) and paired greedily when difflib's ratio is at least
0.75 or one contains the other.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.parsing import parse_text
from tracker.parsing.dates import find_moments

DEFAULT = Path("/work/shared/realworld")
THRESHOLD = 0.75


def norm(text: str | None, owner: str | None = None) -> str:
    if not text:
        return ""
    s = re.sub(r"\]\([^)]*\)|\]\[[^\]]*\]", "]", text)
    s = re.sub(r"https?://\S+", " ", s)
    if owner:
        s = re.sub(rf"^\s*\[?{re.escape(owner)}\]?\s*(?::|\bto\b)?", " ", s, flags=re.IGNORECASE)
    s = re.sub(r"[^a-z0-9]+", " ", s.lower())
    return " ".join(s.split())


def similar(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if (a in b or b in a) and min(len(a), len(b)) / max(len(a), len(b)) >= 0.5:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def match(labels: list[str], preds: list[str]) -> list[tuple[int, int]]:
    """Greedy one-to-one pairing of label and prediction indices by similarity."""
    scored = sorted(
        ((similar(l, p), i, j) for i, l in enumerate(labels) for j, p in enumerate(preds)),
        reverse=True,
    )
    used_l: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for score, i, j in scored:
        if score < THRESHOLD:
            break
        if i in used_l or j in used_p:
            continue
        used_l.add(i)
        used_p.add(j)
        pairs.append((i, j))
    return pairs


@dataclass
class Tally:
    label: int = 0
    pred: int = 0
    hit: int = 0

    def add(self, label: int, pred: int, hit: int) -> None:
        self.label += label
        self.pred += pred
        self.hit += hit

    @property
    def precision(self) -> float:
        return self.hit / self.pred if self.pred else (1.0 if not self.label else 0.0)

    @property
    def recall(self) -> float:
        return self.hit / self.label if self.label else (1.0 if not self.pred else 0.0)


@dataclass
class Ratio:
    ok: int = 0
    n: int = 0

    def add(self, good: bool) -> None:
        self.n += 1
        self.ok += bool(good)

    def __str__(self) -> str:
        return f"{self.ok}/{self.n}" if self.n else "-"

    @property
    def value(self) -> float:
        return self.ok / self.n if self.n else 1.0


@dataclass
class Totals:
    items: Tally = field(default_factory=Tally)
    takeaways: Tally = field(default_factory=Tally)
    done: Ratio = field(default_factory=Ratio)
    owner: Ratio = field(default_factory=Ratio)
    ticket: Ratio = field(default_factory=Ratio)
    started: Ratio = field(default_factory=Ratio)
    ended: Ratio = field(default_factory=Ratio)
    zone: Ratio = field(default_factory=Ratio)
    root_cause: list[float] = field(default_factory=list)


def _same_owner(a: str | None, b: str | None) -> bool:
    return (a or "").strip().lower().lstrip("@") == (b or "").strip().lower().lstrip("@")


def _tickets(value: str | None) -> set[str]:
    return {t.strip().lower() for t in (value or "").split(",") if t.strip()}


def _clock(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    for m in find_moments(text):
        if m.clock is not None:
            return (m.clock.hour, m.clock.minute)
    return None


def _time_agrees(label: str | None, ours_text: str | None, ours_iso: str | None) -> bool:
    if label is None:
        return ours_text is None and ours_iso is None
    want = _clock(label)
    got = _clock(ours_text) or _clock((ours_iso or "").replace("T", " ")[:16])
    return want is not None and want == got


def score_file(path: Path, label: dict[str, Any], totals: Totals) -> dict[str, Any]:
    pm = parse_text(path.read_text(encoding="utf-8"), str(path))
    preds = pm.action_items
    want = label["action_items"]
    l_norm = [norm(i["text"], i.get("owner")) for i in want]
    p_norm = [norm(i.text) for i in preds]
    pairs = match(l_norm, p_norm)
    totals.items.add(len(want), len(preds), len(pairs))
    done, owner, ticket = Ratio(), Ratio(), Ratio()
    for i, j in pairs:
        done.add(want[i].get("done") == preds[j].done)
        if want[i].get("owner") or preds[j].owner:
            owner.add(_same_owner(want[i].get("owner"), preds[j].owner))
        if want[i].get("ticket") or preds[j].ticket:
            ticket.add(_tickets(want[i].get("ticket")) == _tickets(preds[j].ticket))
    for mine, total in ((done, totals.done), (owner, totals.owner), (ticket, totals.ticket)):
        total.ok += mine.ok
        total.n += mine.n

    t_pairs = match([norm(t) for t in label["takeaways"]], [norm(t) for t in pm.takeaways])
    totals.takeaways.add(len(label["takeaways"]), len(pm.takeaways), len(t_pairs))

    started_ok = _time_agrees(
        label["started"], pm.started_text, pm.started.isoformat() if pm.started else None
    )
    ended_ok = _time_agrees(
        label["ended"], pm.ended_text, pm.ended.isoformat() if pm.ended else None
    )
    zone_ok = (label["timezone"] or "").lower() == (pm.timezone or "").lower()
    totals.started.add(started_ok)
    totals.ended.add(ended_ok)
    totals.zone.add(zone_ok)
    rc = None
    if label["root_cause"]:
        rc = difflib.SequenceMatcher(None, norm(label["root_cause"]), norm(pm.root_cause)).ratio()
        totals.root_cause.append(rc)
    return {
        "file": path.name,
        "items": f"{len(pairs)}/{len(want)}/{len(preds)}",
        "takeaways": f"{len(t_pairs)}/{len(label['takeaways'])}/{len(pm.takeaways)}",
        "done": str(done),
        "owner": str(owner),
        "ticket": str(ticket),
        "start": "ok" if started_ok else f"want {label['started']!r} got {pm.started_text!r}",
        "end": "ok" if ended_ok else f"want {label['ended']!r} got {pm.ended_text!r}",
        "zone": "ok" if zone_ok else f"want {label['timezone']!r} got {pm.timezone!r}",
        "root_cause": f"{rc:.2f}" if rc is not None else ("-" if not pm.root_cause else "extra"),
    }


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else DEFAULT
    labels_file = folder / "labels.json"
    if not labels_file.exists():
        print(
            f"realworld_score: skipped: {labels_file} not found (pass the folder holding labels.json)"
        )
        return 0
    labels = json.loads(labels_file.read_text(encoding="utf-8"))
    totals = Totals()
    rows = [score_file(folder / label["file"], label, totals) for label in labels]

    print("per file (items and takeaways: matched/labelled/found)")
    cols = [
        "file",
        "items",
        "takeaways",
        "done",
        "owner",
        "ticket",
        "root_cause",
        "start",
        "end",
        "zone",
    ]
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols[:7]}
    print("  ".join(c.ljust(widths.get(c, 0)) for c in cols[:7]) + "  start / end / zone")
    for r in rows:
        tail = " | ".join(r[c] for c in ("start", "end", "zone"))
        print("  ".join(str(r[c]).ljust(widths[c]) for c in cols[:7]) + "  " + tail)

    rc = sum(totals.root_cause) / len(totals.root_cause) if totals.root_cause else 0.0
    print()
    print("overall")
    print(
        f"  action items   precision {totals.items.precision:.2f}  recall {totals.items.recall:.2f}"
        f"  ({totals.items.hit} matched, {totals.items.label} labelled, {totals.items.pred} found)"
    )
    print(
        f"  takeaways      precision {totals.takeaways.precision:.2f}  recall {totals.takeaways.recall:.2f}"
        f"  ({totals.takeaways.hit} matched, {totals.takeaways.label} labelled, {totals.takeaways.pred} found)"
    )
    print(f"  done state     {totals.done.value:.2f} ({totals.done} matched items)")
    print(
        f"  owner          {totals.owner.value:.2f} ({totals.owner} items with an owner on either side)"
    )
    print(
        f"  ticket         {totals.ticket.value:.2f} ({totals.ticket} items with a ticket on either side)"
    )
    print(f"  started        {totals.started.value:.2f} ({totals.started} files)")
    print(f"  ended          {totals.ended.value:.2f} ({totals.ended} files)")
    print(f"  time zone      {totals.zone.value:.2f} ({totals.zone} files)")
    print(f"  root cause     mean similarity {rc:.2f} over {len(totals.root_cause)} labelled files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
