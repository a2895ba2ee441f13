"""YAML front matter: read it, and blank it out so that line numbers stay those of the file."""

from __future__ import annotations

from typing import Any

_OPEN = "---"
_CLOSE = ("---", "...")
# Front matter longer than this is not front matter but a document that starts with a rule.
_MAX_LINES = 200


def split(text: str) -> tuple[dict[str, Any], str]:
    """``(front_matter, body)``; the body keeps the front matter's lines as empty lines."""
    if not text.startswith(_OPEN) or text[3:4] not in ("\n", " ", "\t"):
        return {}, text
    lines = text.split("\n", _MAX_LINES + 1)
    if lines[0].strip() != _OPEN:
        return {}, text
    for end in range(1, min(len(lines), _MAX_LINES + 1)):
        if lines[end].rstrip() in _CLOSE:
            break
    else:
        return {}, text
    data = _load("\n".join(lines[1:end]))
    if data is None:
        return {}, text
    blank = "\n" * (end + 1)
    rest = text.split("\n", end + 1)
    body = blank + (rest[end + 1] if len(rest) > end + 1 else "")
    return data, body


def _load(source: str) -> dict[str, Any] | None:
    import yaml  # type: ignore[import-untyped]

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(source, Loader=loader)
    except yaml.YAMLError:
        return None
    except (ValueError, TypeError, OverflowError, RecursionError):
        return None
    if data is None:
        return {}
    if not isinstance(data, dict):
        return None
    return {str(k).strip().lower(): v for k, v in data.items()}
