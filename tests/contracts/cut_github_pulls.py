"""Cut GitHub's pull-request operations out of its published API description.

    python tests/contracts/cut_github_pulls.py path/to/api.github.com.json

The input is ``generated/api.github.com.json`` of npm ``@octokit/openapi@23.0.2`` (the copy the
shared issues contract was cut from; sha256 829b4beb...a7da2a), whose source is GitHub's own
``github/rest-api-description`` (MIT). The output keeps only the operations write-back as a
pull request uses, with every component they reference (followed transitively), unchanged
apart from the ``x-octokit`` keys removed, and ``info`` naming the source.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

OPERATIONS = {
    "/repos/{owner}/{repo}/pulls": ("get", "post"),
    "/repos/{owner}/{repo}/pulls/{pull_number}": ("patch",),
}
OUT = Path(__file__).resolve().parent / "github-pulls.openapi.json"


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k != "x-octokit"}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            found.add(ref)
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def main(source: Path) -> None:
    raw = source.read_bytes()
    spec = json.loads(raw)
    paths: dict[str, Any] = {}
    for path, methods in OPERATIONS.items():
        item = spec["paths"][path]
        paths[path] = {m: _strip(item[m]) for m in methods}
        if "parameters" in item:
            paths[path]["parameters"] = _strip(item["parameters"])
    components: dict[str, dict[str, Any]] = {}
    todo = _refs(paths)
    seen: set[str] = set()
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        _, _, kind, name = ref.split("/", 3)
        value = _strip(spec["components"][kind][name])
        components.setdefault(kind, {})[name] = value
        todo |= _refs(value) - seen
    out = {
        "openapi": spec["openapi"],
        "info": {
            "title": "GitHub pull requests (cut-down)",
            "version": spec["info"]["version"],
            "x-source": {
                "upstream": "github/rest-api-description, descriptions/api.github.com",
                "copy": "npm @octokit/openapi@23.0.2, generated/api.github.com.json",
                "sha256": hashlib.sha256(raw).hexdigest(),
                "licence": "MIT (github/rest-api-description)",
                "operations": sorted(
                    spec["paths"][p][m]["operationId"] for p, ms in OPERATIONS.items() for m in ms
                ),
            },
        },
        "paths": paths,
        "components": {k: dict(sorted(v.items())) for k, v in sorted(components.items())},
    }
    OUT.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(seen)} components, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
