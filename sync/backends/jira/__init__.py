"""Jira Cloud and Data Center: ``JiraBackend`` (the TicketBackend), its HTTP client, fault
translation and ticket JSON. ``sync.jira_backend`` re-exports it under its old name."""

from sync.backends.jira.backend import JiraBackend

__all__ = ["JiraBackend"]
