"""GitHub Issues: ``backend.GitHubBackend`` (the TicketBackend), its requests (``client``), fault
translation (``faults``), issue JSON and references (``issues``), what an issue says
(``render``), the repository's labels and milestones (``catalogue``) and its ``registration`` in
``sync.registry``. ``sync.backends.github.backend`` re-exports the backend under its old name.

Nothing is imported here, so that the registry's import of ``registration`` (``pmt --help``)
does not load PyGithub."""
