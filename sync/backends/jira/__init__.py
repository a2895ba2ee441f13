"""Jira Cloud and Data Center: ``backend.JiraBackend`` (the TicketBackend), its HTTP client,
fault translation, ticket JSON, links and assignees, and its ``registration`` in
``sync.registry``. ``sync.backends.jira.backend`` re-exports the backend under its old name.

Nothing is imported here, so that the registry's import of ``registration`` (``pmt --help``)
does not load the HTTP stack."""
