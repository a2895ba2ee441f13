"""Help that reads like other command-line tools: ``--owner TEXT``, ``PATH...``, ``[table|json]``.

typer shows a parameter's Python type (``<list[str]>``, ``{paths}...``, ``<%Y-%m-%d>``); pmt
gives every parameter a conventional placeholder instead, in one place, so that commands
need not spell one out each.
"""

from __future__ import annotations

from typing import Any

_SCALARS = {int: "INTEGER", float: "NUMBER", bool: "BOOLEAN"}


def tidy(command: Any) -> None:
    """Give each parameter of ``command`` and of its subcommands a placeholder."""
    for param in getattr(command, "params", []):
        if getattr(param, "param_type_name", "") == "argument":
            _argument(param)
        elif (
            param.metavar is None
            and not getattr(param, "is_flag", False)
            and not getattr(param, "count", False)
        ):
            param.metavar = option_metavar(param)
    for sub in getattr(command, "commands", {}).values():
        tidy(sub)


def option_metavar(param: Any) -> str:
    desc = getattr(param, "type_descriptor", None)
    if desc is None:
        return "TEXT"
    if desc.is_choice:
        values = [str(getattr(c, "value", c)) for c in desc.choices or ()]
        return "[" + "|".join(values) + "]"
    if desc.is_datetime:
        return "DATE"
    if desc.is_path:
        return str(desc.path_type).upper()  # FILE, DIR or PATH
    annotation = desc.annotation
    args = getattr(annotation, "__args__", None)
    element = args[0] if desc.is_list and args else annotation
    return _SCALARS.get(element, "TEXT")


def argument_metavar(param: Any) -> str:
    name = (param.name or "value").upper()
    if param.nargs != 1 and name.endswith("S"):
        name = name[:-1]
    return name


def _argument(param: Any) -> None:
    if param.metavar is None:
        param.metavar = argument_metavar(param)
    many = "..." if param.nargs != 1 else ""
    shown = param.metavar + many
    usage = shown if param.required else f"[{param.metavar}]{many}"
    # typer would add the Python type after the name and brace it in the usage line.
    param.display_type_rich = lambda ctx: None
    param._rich_display_name = lambda: shown
    param._usage_display_name = lambda: usage
