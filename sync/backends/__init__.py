"""Ticket tracker backends, one package per tracker: settings checks, HTTP client, fault
translation and JSON mapping for that tracker. Jira lives here (``sync.backends.jira``);
GitHub's modules are still ``sync/github_*.py``. The registry stays ``sync.registry``."""
