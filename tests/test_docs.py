"""The documentation keeps up with the code: every module is on the map, every link resolves.

``docs/architecture.md`` has a "Module map" section with one line per source module,
``- `path/to/module.py` — what it is for``. Every ``.py`` file under ``tracker/``, ``sync/`` and
``cli/`` must have its line, except a package's ``__init__.py`` that only re-exports (a
docstring, imports and ``__all__``): such a package is described by its modules. An
``__init__.py`` that defines anything (a function, a class, a constant) is a module like any
other and is on the map. A line whose file no longer exists fails too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import REPO

PACKAGES = ("tracker", "sync", "cli")
ARCHITECTURE = REPO / "docs" / "architecture.md"
ENTRY = re.compile(r"^- `([^`]+\.py)` — \S", re.MULTILINE)


def _only_reexports(path: Path) -> bool:
    """A docstring, imports and ``__all__``, nothing else."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if all(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                continue
        return False
    return True


def _summary(path: Path) -> str:
    """The first sentence of a module's docstring: a starting point for its map line."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "(no docstring)"
    return re.split(r"(?<=[a-z)`])\.\s", " ".join(doc.split()), maxsplit=1)[0].rstrip(".") + "."


def source_modules() -> set[str]:
    found = set()
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            if "__pycache__" in path.parts:
                continue
            if path.name == "__init__.py" and _only_reexports(path):
                continue
            found.add(path.relative_to(REPO).as_posix())
    return found


def module_map() -> list[str]:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("\n## Module map\n", 1)[1].split("\n## ", 1)[0]
    return ENTRY.findall(section)


def test_the_module_map_lists_every_module_once() -> None:
    entries = module_map()
    doubled = sorted({e for e in entries if entries.count(e) > 1})
    assert not doubled, f"listed more than once in docs/architecture.md: {doubled}"
    missing = sorted(source_modules() - set(entries))
    suggested = "\n".join(f"- `{m}` — {_summary(REPO / m)}" for m in missing)
    assert not missing, f"add to the module map in docs/architecture.md:\n{suggested}"


def test_every_module_map_entry_exists() -> None:
    gone = sorted(e for e in module_map() if not (REPO / e).is_file())
    assert not gone, f"docs/architecture.md maps modules that no longer exist: {gone}"


def test_a_trivial_package_init_is_not_required() -> None:
    # The rule above, on real files: re-exports only vs. definitions of its own.
    assert _only_reexports(REPO / "cli" / "__init__.py")
    assert not _only_reexports(REPO / "tracker" / "parsing" / "__init__.py")


FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+).+?\1", re.DOTALL)
LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def pages() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def relative_links(page: Path) -> list[str]:
    text = CODE_SPAN.sub("", FENCE.sub("", page.read_text(encoding="utf-8")))
    return [
        target
        for target in LINK.findall(text)
        if not re.match(r"[a-z][a-z0-9+.-]*:", target) and not target.startswith("#")
    ]


def test_every_relative_link_points_to_an_existing_file() -> None:
    broken = []
    for page in pages():
        for target in relative_links(page):
            path = (page.parent / target.split("#", 1)[0]).resolve()
            if not path.exists():
                broken.append(f"{page.relative_to(REPO)}: {target}")
    assert not broken, broken


def test_the_link_check_sees_the_links() -> None:
    # Guard against a pattern that silently matches nothing.
    assert "docs/configuration.md" in relative_links(REPO / "README.md")


SOURCE_PATH = re.compile(r"`((?:tracker|sync|cli|bench|tests)/[\w./-]*)`")


def test_every_source_path_named_in_the_docs_exists() -> None:
    # Paths in code spans (`sync/transport.py`, `tracker/causes/lexicon/`) go stale when a
    # module moves; links are checked above.
    stale = []
    for page in pages():
        text = FENCE.sub("", page.read_text(encoding="utf-8"))
        for path in SOURCE_PATH.findall(text):
            if not (REPO / path.rstrip("/")).exists():
                stale.append(f"{page.relative_to(REPO)}: {path}")
    assert not stale, stale
