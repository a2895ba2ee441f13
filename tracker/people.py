"""Who an owner is on each tracker: the owner as written in a postmortem -> a GitHub login, a
Jira user (an accountId, an e-mail or a name).

- ``[github] owners`` and ``[jira] owners`` map an owner to the tracker's user. The lookup
  ignores case and a leading ``@``: "Lena", "lena" and "@Lena" are one person, as
  ``pmt overdue`` groups them.
- An owner written as a GitHub handle (``@lena-k``) is that login when the table does not name
  them and ``[github] handles`` is on (the default): nobody has to list every engineer.
  A plain name ("Lena") is never taken for a login: it may be somebody else's.

``[teams]`` groups owners into teams (``team_of``) for the dashboard of ``pmt serve``.

The sync backends and reminders are to ask here (``github_login``, ``jira_user``), so that
every command assigns and mentions the same people; ``pmt owners`` shows the result. The parser
keeps an owner without its ``@`` (``@lena-k`` is stored as ``lena-k``) and says whether it had
one (``ActionItem.owner_handle``, stored with the item): callers pass that as ``handle``. An
owner that still begins with ``@`` is a handle too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.config import GitHubSettings, JiraSettings

# GitHub's rule for a user name: letters, digits and single hyphens, at most 39, no edge hyphen.
_GITHUB_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")


def person_key(owner: str) -> str:
    """One person however written: no case, no leading ``@``, no surrounding space."""
    return owner.strip().lstrip("@").casefold()


def lookup(table: Mapping[str, str], owner: str | None) -> str | None:
    """``owner`` in an owner table, by ``person_key``; None when it is not there."""
    if not owner:
        return None
    wanted = person_key(owner)
    for name, value in table.items():
        if person_key(name) == wanted and value:
            return value
    return None


def team_of(owner: str | None, teams: Mapping[str, list[str]]) -> str | None:
    """The team (``[teams]``: team -> its members, written as owners are) ``owner`` is in, by
    ``person_key``; the first listed when several name them; None when none does."""
    if not owner:
        return None
    wanted = person_key(owner)
    return next(
        (team for team, members in teams.items() if any(person_key(m) == wanted for m in members)),
        None,
    )


def github_login(
    owner: str | None, settings: GitHubSettings, *, handle: bool = False
) -> str | None:
    """The GitHub login of ``owner``: ``[github] owners``, else the handle itself.

    ``handle`` says whether the owner was written as ``@handle`` (``ActionItem.owner_handle``);
    an ``owner`` that begins with ``@`` is one whatever it says."""
    if not owner:
        return None
    mapped = lookup(settings.owners, owner)
    if mapped:
        return mapped.lstrip("@")
    written_as_handle = handle or owner.strip().startswith("@")
    name = owner.strip().lstrip("@")
    if settings.handles and written_as_handle and _GITHUB_LOGIN.match(name):
        return name
    return None


def jira_user(owner: str | None, settings: JiraSettings) -> str | None:
    """The Jira user of ``owner`` from ``[jira] owners``: an accountId (Cloud), an e-mail or a
    name to search (Cloud), or a user name (Data Center)."""
    return lookup(settings.owners, owner)
