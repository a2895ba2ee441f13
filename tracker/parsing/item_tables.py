"""Action items in tables: columns recognised by their headers (owner, due, priority, status,
kind, ticket), each row one item."""

from __future__ import annotations

import re

from tracker.models import Problem
from tracker.parsing.blocks import Table
from tracker.parsing.dates import date_problem, parse_due
from tracker.parsing.fields import read_fields
from tracker.parsing.headings import normalise, plain
from tracker.parsing.item_walk import DIGIT, PLACEHOLDER, Candidate, Group, Walk, has_words
from tracker.parsing.owners import written_as_handles
from tracker.parsing.priority import priority_of
from tracker.parsing.status import done_of
from tracker.parsing.tickets import WHOLE_REF
from tracker.parsing.vocabulary import KIND_WORDS

_PARENTHESES = re.compile(r"\(.*?\)")

# Table columns, recognised by header words.
_COLUMN_ROLES: list[tuple[str, re.Pattern[str]]] = [
    (
        "ticket",
        re.compile(
            r"^(?:tickets?|issues?|bugs?|bug ?#|links?|jira|github|pr|prs|tracking|tracker|reference|ref|url|issue link)\b"
        ),
    ),
    (
        "owner",
        re.compile(
            r"^(?:owners?|assignees?|assigned(?: to)?|who|responsible|dri|team|person|lead)\b"
        ),
    ),
    (
        "due",
        re.compile(
            r"^(?:due|deadline|eta|target|by when|when|date|due date|target date|completion date)\b"
        ),
    ),
    ("priority", re.compile(r"^(?:priority|prio|pri|urgency|importance|severity|p)\b")),
    ("status", re.compile(r"^(?:status|state|done|complete|completed|progress|resolved)\b")),
    ("kind", re.compile(r"^(?:type|kind|category|class|classification)\b")),
    (
        "text",
        re.compile(
            r"^(?:action(?: item)?s?|items?|tasks?|todo|to do|description|what|follow ?-?ups?|remediation|work|title|summary|details|next steps?|step|change)\b"
        ),
    ),
    ("ignore", re.compile(r"^(?:notes?|comments?|source|origin|from|#|no|id|number)$")),
]


def column_roles(header: list[str]) -> list[str | None]:
    roles: list[str | None] = []
    for cell in header:
        norm = normalise(_PARENTHESES.sub("", cell))
        role = _role(norm.rsplit(" ", 1)[-1]) if " " in norm else None
        # The header's last word names the column ("Priority action", "Task owner");
        # else its first words do ("Due date", "Bug #").
        if role is None or role == "ignore":
            role = _role(norm)
        roles.append(role if role not in [r for r in roles if r != "ignore"] else None)
    if "text" not in roles:
        for i, role in enumerate(roles):
            if role is None:
                roles[i] = "text"
                break
    return roles


def _role(norm: str) -> str | None:
    for name, pattern in _COLUMN_ROLES:
        if pattern.match(norm):
            return name
    return None


def walk_table(table: Table, group: Group, walk: Walk, section: str) -> bool:
    roles = column_roles(table.header)
    if "text" not in roles:
        return False
    ti = roles.index("text")
    found = False
    ctx = walk.ctx
    for line, cells in table.rows:
        if ti >= len(cells) or not has_words(cells[ti]):
            continue
        o: dict[str, object] = {}
        for role, cell in zip(roles, cells):
            value = cell.strip()
            if (
                not value
                or role in (None, "text", "ignore")
                or value.strip("-–—_*? ").lower() in ("", "n/a", "na", "tbd", "none")
            ):
                continue
            if role == "owner":
                o["owner"] = plain(value).lstrip("@")
                o["owner_handle"] = written_as_handles(plain(value))
            elif role == "due":
                due = parse_due(plain(value), ctx.date_order, ctx.year)
                problem = date_problem(plain(value), ctx.date_order)
                if problem is not None:
                    ctx.problems.append(Problem(line, f"due date {problem[1]}", problem[0]))
                if due is not None:
                    o["due"] = due
            elif role == "priority":
                prio = priority_of(plain(value))
                if prio:
                    o["priority"] = prio
            elif role == "status":
                status = done_of(plain(value))
                if status is not None:
                    o["done"] = status
            elif role == "kind":
                words = normalise(value).split(" ")
                if words[0] in KIND_WORDS:
                    o["kind"] = KIND_WORDS[words[0]]
            elif role == "ticket":
                if WHOLE_REF.match(value):
                    o["tickets"] = [value]  # "#12", "OPS-7", "acme/api#3": the common case
                    continue
                cell_fields = read_fields(value, ctx)
                if cell_fields.tickets:
                    o["tickets"] = cell_fields.tickets
                elif DIGIT.search(cell_fields.text) and not PLACEHOLDER.match(cell_fields.text):
                    o["tickets"] = [plain(cell_fields.text)]  # "Bug 5554823": as written
                if cell_fields.done is not None and "done" not in o:
                    o["done"] = cell_fields.done  # "n/a **DONE**" in a bug column
        walk.candidates.append(Candidate(cells[ti], line, group, section, overrides=o))
        found = True
    return found
