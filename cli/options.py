"""Options that several commands share, declared once: ``--format``, a day (YYYY-MM-DD), and
how many rows a listing shows (``--limit N``, ``--all``).

A command names the formats it offers as a ``Literal`` of format names (its first one is the
default) and declares ``fmt: ItsFormats = format_option(ItsFormats)``: the choices, the
``[a|b]`` placeholder in ``--help`` and the message for a format it does not offer
("'nope' is not one of 'table', 'json'.") all come from that one type. The value a command
gets is the format's name, a plain ``str``.

A listing declares ``limit: int | None = limit_option()`` and ``every: bool = all_option()``
and asks ``rows_to_show(limit, every, fmt)`` how many rows to print: a table stops at
``DEFAULT_LIMIT`` (the first screenful: the command says how many more there are), the other
formats print every row unless ``--limit`` is given.

Kept light (typer and typing only): ``pmt --help`` imports it.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

import typer

# Every format a listing offers (overdue, show, list, owners; rendered by cli.output.render).
ListingFormat = Literal["table", "json", "csv", "markdown"]
# A table for people or the same data as JSON for scripts.
TableOrJson = Literal["table", "json"]
# Lines of text for people or the same data as JSON for scripts.
TextOrJson = Literal["text", "json"]
# A table for people, the same data as JSON, or Markdown to paste.
TableJsonOrMarkdown = Literal["table", "json", "markdown"]

DAY_FORMATS = ["%Y-%m-%d"]

# The rows a table shows when neither --limit nor --all is given.
DEFAULT_LIMIT = 20


def format_names(formats: Any) -> tuple[str, ...]:
    """The names in a ``Literal`` of formats, in order (the first is the default)."""
    return tuple(get_args(formats))


def listed(names: tuple[str, ...]) -> str:
    """``a, b or c``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def format_option(formats: Any, help: str | None = None) -> Any:
    """``--format``/``-f`` choosing one of ``formats`` (a ``Literal``), the first by default.

    ``help`` defaults to the names listed: "table, json or markdown."
    """
    names = format_names(formats)
    return typer.Option(names[0], "--format", "-f", help=help or f"{listed(names)}.")


def output_option(help: str) -> Any:
    """``--output``/``-o FILE``: a file the command writes (``cli.files.output_target``)."""
    return typer.Option(None, "--output", "-o", dir_okay=False, help=help)


def day_option(flag: str, help: str) -> Any:
    """An optional day given as YYYY-MM-DD (a ``datetime`` at midnight, or None)."""
    return typer.Option(None, flag, formats=DAY_FORMATS, help=help)


def limit_option() -> Any:
    """``--limit N``: show at most N rows (see ``rows_to_show``)."""
    return typer.Option(
        None,
        "--limit",
        metavar="N",
        help=f"Show at most N rows (default: {DEFAULT_LIMIT} in a table, every row otherwise).",
    )


def all_option() -> Any:
    """``--all``: show every row, in a table too (see ``rows_to_show``)."""
    return typer.Option(
        False, "--all", help=f"Show every row (a table stops at {DEFAULT_LIMIT} without it)."
    )


def rows_to_show(limit: int | None, every: bool, fmt: str) -> int | None:
    """How many rows a listing prints in ``fmt`` (None: all of them).

    ``--limit N`` wins in every format; ``--all`` (or any format but a table) prints every
    row; a table otherwise stops at ``DEFAULT_LIMIT``. ``--limit`` with ``--all``, or a limit
    under 1, is a usage error (exit 2).
    """
    if limit is not None and every:
        raise typer.BadParameter("give --limit N or --all, not both", param_hint="--limit/--all")
    if limit is not None and limit < 1:
        raise typer.BadParameter(
            f"expected 1 or more, not {limit} (--all shows every row)", param_hint="--limit"
        )
    if limit is not None:
        return limit
    return DEFAULT_LIMIT if fmt == "table" and not every else None
