"""A repository's labels and milestones, listed once per backend and only when a write needs
them: the label a ticket needs is created when the repository lacks it, and a ticket's due date
picks the open milestone due soonest on or after it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sync.backends.github import render
from sync.backends.github.client import GitHubClient
from sync.backends.github.issues import parse_time
from sync.base import RequestError
from tracker.config import GitHubSettings


class RepositoryCatalogue:
    def __init__(self, http: GitHubClient, repo_name: str, settings: GitHubSettings) -> None:
        self._http = http
        self._repo = repo_name
        self._settings = settings
        # Lower-cased label name -> name, listed once, when a write first needs labels.
        self._labels: dict[str, str] | None = None
        self._milestones: list[tuple[date, int]] | None = None

    def ensure_labels(self, names: Iterable[str], postmortem_key: str | None) -> None:
        """Create each label the repository does not have yet."""
        labels_path = f"/repos/{self._repo}/labels"
        if self._labels is None:
            listed = self._http.pages(labels_path, f"listing the labels of {self._repo}", {})
            self._labels = {str(label["name"]).lower(): str(label["name"]) for label in listed}
        for name in names:
            if name.lower() in self._labels:
                continue
            colour, description = render.label_style(
                name, postmortem_key, self._settings.priority_label, self._settings.removed_label
            )
            try:
                self._http.json(
                    "POST",
                    labels_path,
                    f"creating the label {name!r} in {self._repo}",
                    body={"name": name, "color": colour, "description": description},
                    write=True,
                )
            except RequestError:
                # 422 "already_exists": another run made it since we listed. Fine.
                pass
            self._labels[name.lower()] = name

    def milestone(self, due: date | None) -> int | None:
        """The number of the open milestone due soonest on or after ``due``."""
        if not self._settings.milestones or due is None:
            return None
        if self._milestones is None:
            listed = self._http.pages(
                f"/repos/{self._repo}/milestones",
                f"listing the open milestones of {self._repo}",
                {"state": "open", "sort": "due_on", "direction": "asc"},
            )
            dated = []
            for milestone in listed:
                when = parse_time(milestone.get("due_on"))
                if when is not None:
                    dated.append((when.date(), int(milestone["number"])))
            self._milestones = sorted(dated, key=lambda pair: pair[0])
        for due_on, number in self._milestones:
            if due_on >= due:
                return number
        return None
