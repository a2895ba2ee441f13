"""The labelled root-cause set (``tests/data/causes/*.jsonl``) as test input."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).parent / "data" / "causes"


def labelled_texts() -> list[str]:
    """Every string value of every labelled record (sentences, pair sides, notes)."""
    texts = []
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts += [v for v in json.loads(line).values() if isinstance(v, str)]
    return texts
