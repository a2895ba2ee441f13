"""Action items and takeaways from an action section.

An action section holds lists, tables, sub-headings, group labels ("**Tasks:**", "Monitoring and
Alerts:") and sometimes only prose or bare lines. This module walks it once and decides, for
each piece, whether it is a concrete next step (an item), a broad takeaway, a note, or a label
that gives the items under it a kind or a done state.

Rules that matter (and why):
- Takeaways are split off only when the section itself separates broad points from tasks
  ("Improvements" beside "Tasks"), or under a heading that can only mean lessons; otherwise an
  "Improvements" list is the to-do list.
- A nested child is its own item when it is a to-do itself (checkbox, imperative, owner);
  links under an item are its tickets; other children are notes and are left out.
- A list item that is a short title ending in ":" with a single detail child is one item
  ("Add monitoring: integrate ..."); with several children it is a group label.
- Bare lines and prose count only when the section has no list or table at all.
"""

from __future__ import annotations

import re
from datetime import date

from tracker.models import ActionItem, Problem
from tracker.parsing.blocks import ListBlock
from tracker.parsing.fields import Context, Fields, read_fields
from tracker.parsing.headings import GroupHint, group_hint, normalise, plain
from tracker.parsing.item_lists import walk_node
from tracker.parsing.item_prose import read_prose
from tracker.parsing.item_walk import EMPTY_KEYS, PLACEHOLDER, Candidate, Group, Walk, has_words
from tracker.parsing.owners import written_as_handles
from tracker.parsing.sections import Node
from tracker.parsing.tense import looks_done
from tracker.parsing.vocabulary import (
    TEMPLATE_BLANK,
    TEMPLATE_INSTRUCTION,
)


def extract(sections: list[Node], ctx: Context) -> tuple[list[ActionItem], list[str]]:
    """Items and takeaways of the document's action sections (with their subsections)."""
    candidates: list[Candidate] = []
    for section in sections:
        walk = Walk(ctx)
        top = Group(_section_hint(section, len(sections) > 1))
        walk.groups.append(top)
        walk_node(section, top, walk, top_level=True)
        if not walk.structured:
            read_prose(walk)
        candidates.extend(walk.candidates)

    # Where a task group ("Tasks:", "To-Do List", a "Tasks to address the issue" section) holds
    # items, the points beside it (unlabelled, or under "Improvements", "Preventative
    # measures") are the broad takeaways the section separates from its tasks.
    has_tasks = any(any(h.tasks for h in c.group.chain()) for c in candidates)

    items: list[ActionItem] = []
    takeaways: list[str] = []
    per_group: dict[int, tuple[list[GroupHint], bool]] = {}
    for cand in candidates:
        known = per_group.get(id(cand.group))
        if known is None:
            chain = cand.group.chain()
            beside_tasks = has_tasks and not any(h.tasks or h.done is not None for h in chain)
            known = chain, beside_tasks or any(h.takeaway == "strong" for h in chain)
            per_group[id(cand.group)] = known
        chain, in_takeaways = known
        is_takeaway = cand.takeaway_only or in_takeaways
        fields = read_fields(cand.raw, ctx)
        ctx.problems.extend(
            Problem(cand.line, message, severity) for severity, message in fields.problems
        )
        if not has_words(fields.text):
            if not fields.tickets:
                continue
            # An item that is only a link to its ticket: the link is its text.
            fields.text = plain(cand.raw).strip("[]() ")
            if not has_words(fields.text):
                continue
        elif (
            PLACEHOLDER.match(fields.text)
            or TEMPLATE_INSTRUCTION.match(fields.text)
            or (
                ("{" in fields.text or "<" in fields.text or "[" in fields.text)
                and not has_words(EMPTY_KEYS.sub("", TEMPLATE_BLANK.sub("", fields.text)))
            )
        ):
            continue  # a template's blank or instruction: "<action item>", "TBD", "List the tasks here"
        if is_takeaway:
            takeaways.append(fields.text)
            continue
        items.append(_item(cand, fields, chain))
    return items, takeaways


def takeaway_texts(section: Node, ctx: Context) -> list[str]:
    """A "What needs to change" / "Takeaways" section standing on its own: its points."""
    out: list[str] = []
    for node in section.walk():
        for block in node.blocks:
            if isinstance(block, ListBlock):
                for item in block.items:
                    if item.text:
                        text = read_fields(item.text, ctx).text
                        if has_words(text):
                            out.append(text)
    return out


def _section_hint(section: Node, among_others: bool) -> GroupHint:
    hint = group_hint(section.title)
    # The section's own name ("Action Items") says "tasks" but separates nothing by itself;
    # beside another action section ("Tasks to address the issue" after "Measures") it does.
    tasks = among_others and hint.tasks and bool(_TASKS_ONLY.search(normalise(section.title)))
    return GroupHint(
        hint.kind, hint.done, tasks, None if section.kind == "actions" else hint.takeaway
    )


_TASKS_ONLY = re.compile(r"\b(?:tasks?|to ?dos?|action ?items?)\b")

_NO_OVERRIDES: dict[str, object] = {}


def _item(cand: Candidate, fields: Fields, chain: list[GroupHint]) -> ActionItem:
    o = cand.overrides or _NO_OVERRIDES
    tickets = fields.tickets
    if o.get("tickets") or cand.extra_tickets:
        tickets = list(
            dict.fromkeys([*(o.get("tickets") or []), *tickets, *(cand.extra_tickets or [])])  # type: ignore[misc]
        )
    elif len(tickets) > 1:
        tickets = list(dict.fromkeys(tickets))
    kind = o.get("kind") or fields.kind or next((h.kind for h in chain if h.kind), None)
    done = o.get("done") if o.get("done") is not None else fields.done
    if done is None:
        done = next((h.done for h in chain if h.done is not None), None)
    if done is None and looks_done(fields.text):
        done = True
    due = o.get("due") or fields.due
    owner, handle = _owner(o, fields, cand)
    return ActionItem(
        text=fields.text,
        line=cand.line,
        owner=owner,
        owner_handle=handle,
        due=due if isinstance(due, date) else None,
        priority=(o.get("priority") or fields.priority),  # type: ignore[arg-type]
        kind=kind,  # type: ignore[arg-type]
        done=done,  # type: ignore[arg-type]
        ticket=", ".join(tickets) if tickets else None,
        related=", ".join(dict.fromkeys(r for r in fields.related if r not in tickets)) or None,
        section=cand.section,
    )


def _owner(o: dict[str, object], fields: Fields, cand: Candidate) -> tuple[str | None, bool]:
    """The item's owner and whether it was written as a handle: a table's or a detail line's,
    the text's own, else the group's ("- @lena-k" over items keeps its "@", as written)."""
    if o.get("owner"):
        return str(o["owner"]), bool(o.get("owner_handle"))
    if fields.owner:
        return fields.owner, fields.owner_handle
    owner = cand.group.owner_of_items()
    return owner, bool(owner and written_as_handles(owner))
