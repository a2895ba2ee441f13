"""Front matter (YAML between ``---`` lines, or TOML between ``+++`` lines): read it, and blank
it out so that line numbers stay those of the file.

A typo must not cost the document its identity: each top-level key is read on its own when the
whole block does not load, so the valid keys (``id`` first of all) are kept and every bad one is
a problem naming its line and key. Hostile YAML is refused before it is built: aliases (the
"billion laughs" expansion) and blocks over ``_MAX_BYTES``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from tracker.models import Problem
from tracker.parsing.vocabulary import words

_FENCES = {"---": ("---", "..."), "+++": ("+++",)}
# Front matter longer than this is not front matter but a document that starts with a rule.
_MAX_LINES = 200
_MAX_BYTES = 32_000
# A top-level "key: value" (YAML) or "key = value" (TOML) line: what makes a block front matter.
_TOP_KEY = re.compile(r"^([A-Za-z_][\w.-]*)\s*[:=]")
# Keys pmt reads as dates or instants: a value that is not one is a problem, not a silent string.
_DATE_KEYS = words(
    """
    date started start start_time began ended end end_time resolved resolved_at
    """
)


def split(text: str) -> tuple[dict[str, Any], str, list[Problem]]:
    """``(front_matter, body, problems)``; the body keeps the front matter's lines as empty lines."""
    fence = text[:3]
    if fence not in _FENCES or text[3:4] not in ("\n", " ", "\t"):
        return {}, text, []
    lines = text.split("\n", _MAX_LINES + 1)
    if lines[0].strip() != fence:
        return {}, text, []
    for end in range(1, min(len(lines), _MAX_LINES + 1)):
        if lines[end].rstrip() in _FENCES[fence]:
            break
    else:
        return {}, text, []
    source = lines[1:end]
    if not any(_TOP_KEY.match(line) for line in source) and any(line.strip() for line in source):
        return {}, text, []  # a rule, some prose and a rule: not front matter
    problems: list[Problem] = []
    size = sum(len(line) + 1 for line in source)
    if size > _MAX_BYTES:
        problems.append(Problem(2, f"front matter is {size:,} bytes; the limit is {_MAX_BYTES:,}"))
        data: dict[str, Any] = {}
    elif fence == "+++":
        data = _load_toml(source, problems)
    else:
        data = _load_yaml(source, problems)
    rest = text.split("\n", end + 1)
    body = "\n" * (end + 1) + (rest[end + 1] if len(rest) > end + 1 else "")
    return data, body, problems


def _chunks(source: list[str]) -> list[tuple[int, str]]:
    """Each top-level key with the lines under it, and the file line where it starts."""
    out: list[tuple[int, list[str]]] = []
    for i, line in enumerate(source):
        if _TOP_KEY.match(line) or not out:
            out.append((i + 2, [line]))
        else:
            out[-1][1].append(line)
    return [(line, "\n".join(chunk)) for line, chunk in out]


def _load_yaml(source: list[str], problems: list[Problem]) -> dict[str, Any]:
    import yaml  # type: ignore[import-untyped]

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    block = "\n".join(source)
    if "*" in block and "&" in block and _alias_line(block, loader, yaml):
        problems.append(
            Problem(
                _alias_line(block, loader, yaml),
                "front matter uses a YAML alias (*name); pmt does not expand aliases",
            )
        )
        return {}
    data: dict[str, Any] = {}
    try:
        whole = yaml.load(block, Loader=loader)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError):
        whole = None  # read key by key below, to keep the good keys and name the bad one
    else:
        if whole is None:
            return data
        if isinstance(whole, dict):
            for key, v in whole.items():
                _keep(data, str(key).strip().lower(), v, _line_of(source, str(key)), problems)
            return data
    for line, chunk in _chunks(source):
        try:
            value = yaml.load(chunk, Loader=loader)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
            value = _retry_as_text(chunk, yaml)
            if value is None:
                key = _key_of(chunk)
                where = f"key {key!r}" if key else "front matter"
                problems.append(Problem(line, f"{where}: not valid YAML ({_reason(exc)})"))
                continue
        if value is None:
            continue
        if not isinstance(value, dict):
            problems.append(Problem(line, "front matter is not a list of 'key: value' lines"))
            continue
        for key, v in value.items():
            _keep(data, str(key).strip().lower(), v, line, problems)
    return data


def _alias_line(block: str, loader: Any, yaml: Any) -> int:
    """The file line of the first YAML alias in ``block``, or 0 (events only: nothing is built)."""
    try:
        for event in yaml.parse(block, Loader=loader):
            if isinstance(event, yaml.AliasEvent):
                return event.start_mark.line + 2 if event.start_mark else 2
    except yaml.YAMLError:
        pass
    return 0


def _retry_as_text(chunk: str, yaml: Any) -> dict[str, Any] | None:
    """``date: 2026-02-30`` fails in the timestamp constructor: read the value as text, so that
    ``_keep`` can say what is wrong with it."""
    key = _key_of(chunk)
    if key is None or "\n" in chunk.strip():
        return None
    raw = chunk.split(":", 1)[1].strip() if ":" in chunk else ""
    try:
        value = yaml.load(raw, Loader=yaml.BaseLoader)
    except yaml.YAMLError:
        return None
    return {key: value} if isinstance(value, str) else None


def _load_toml(source: list[str], problems: list[Problem]) -> dict[str, Any]:
    import tomllib

    data: dict[str, Any] = {}
    try:
        loaded = tomllib.loads("\n".join(source))
    except tomllib.TOMLDecodeError:
        loaded = None
    chunks = _chunks(source) if loaded is None else [(2, None)]
    for line, chunk in chunks:
        if chunk is not None:
            try:
                loaded = tomllib.loads(chunk)
            except tomllib.TOMLDecodeError as exc:
                key = _key_of(chunk)
                problems.append(
                    Problem(
                        line,
                        f"key {key!r}: not valid TOML ({exc})"
                        if key
                        else f"front matter: not valid TOML ({exc})",
                    )
                )
                continue
        for key, v in (loaded or {}).items():
            _keep(
                data,
                str(key).strip().lower(),
                v,
                line if chunk is not None else _line_of(source, key),
                problems,
            )
    return data


def _keep(data: dict[str, Any], key: str, value: Any, line: int, problems: list[Problem]) -> None:
    if key in _DATE_KEYS and isinstance(value, str) and value.strip():
        from tracker.parsing.dates import date_problem, find_moments

        problem = date_problem(value)
        if problem is not None and problem[0] == "error":
            problems.append(Problem(line, f"key {key!r}: {problem[1]}"))
            return
        if not find_moments(value):
            problems.append(
                Problem(
                    line,
                    f"key {key!r}: {value.strip()!r} is not a date or time pmt can read",
                    "warning",
                )
            )
    if key in _DATE_KEYS and not isinstance(value, (str, date, datetime)) and value is not None:
        problems.append(Problem(line, f"key {key!r}: {value!r} is not a date or time"))
        return
    data[key] = value


def _key_of(chunk: str) -> str | None:
    m = _TOP_KEY.match(chunk)
    return m.group(1) if m else None


def _line_of(source: list[str], key: str) -> int:
    for i, line in enumerate(source):
        m = _TOP_KEY.match(line)
        if m and m.group(1) == key:
            return i + 2
    return 2


def _reason(exc: BaseException) -> str:
    problem = getattr(exc, "problem", None)
    return str(problem or exc).strip().split("\n", 1)[0]
