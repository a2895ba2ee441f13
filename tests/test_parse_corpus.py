"""The layout corpus: postmortems written by the project, each with its exact expected JSON.

Each ``tests/fixtures/layouts/NN-name.md`` is parsed (with ``NN-name.settings.json`` as the
``[parsing]`` settings when present) and its ``to_dict()`` must equal ``NN-name.json``. The
``path`` is relative to ``tests/fixtures``.

After an intended change to the parser, rewrite the expectations and read the diff before
committing it:  .venv/bin/python tests/test_parse_corpus.py --update && git diff tests/fixtures
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LAYOUTS = FIXTURES / "layouts"
DOCUMENTS = sorted(LAYOUTS.glob("[0-9][0-9]-*.md"))


def _parse(doc: Path) -> dict[str, Any]:
    from tracker.config import ParsingSettings
    from tracker.parsing import parse_text

    settings_file = doc.with_suffix(".settings.json")
    settings = (
        ParsingSettings(**json.loads(settings_file.read_text())) if settings_file.exists() else None
    )
    path = doc.relative_to(FIXTURES).as_posix()
    return parse_text(doc.read_text(encoding="utf-8"), path, settings).to_dict()


def test_corpus_covers_at_least_25_distinct_layouts() -> None:
    assert len(DOCUMENTS) >= 25
    assert len(
        {
            d.read_text(encoding="utf-8")
            for d in DOCUMENTS
            if not d.with_suffix(".settings.json").exists()
        }
    ) == len([d for d in DOCUMENTS if not d.with_suffix(".settings.json").exists()])


@pytest.mark.parametrize("doc", DOCUMENTS, ids=[d.stem for d in DOCUMENTS])
def test_layout_parses_to_its_expected_json(doc: Path) -> None:
    expected = json.loads(doc.with_suffix(".json").read_text(encoding="utf-8"))
    assert _parse(doc) == expected


def _update() -> None:
    for doc in DOCUMENTS:
        out = json.dumps(_parse(doc), indent=2, ensure_ascii=False) + "\n"
        doc.with_suffix(".json").write_text(out, encoding="utf-8")
        print(f"wrote {doc.with_suffix('.json').relative_to(FIXTURES.parent.parent)}")


if __name__ == "__main__":
    sys.path.insert(0, str(FIXTURES.parent.parent))
    if "--update" in sys.argv:
        _update()
    else:
        print(__doc__)
