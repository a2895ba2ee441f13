"""The Jira backend's old address: it lives in ``sync.backends.jira`` (backend, HTTP client,
faults, ticket JSON). Kept so that ``from sync.jira_backend import JiraBackend`` still works."""

from sync.backends.jira.backend import JiraBackend
from sync.backends.jira.tickets import MARKER_PROPERTY, SEARCH_FIELDS, STATE_BY_CATEGORY

__all__ = ["MARKER_PROPERTY", "SEARCH_FIELDS", "STATE_BY_CATEGORY", "JiraBackend"]
