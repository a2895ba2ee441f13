"""Ticket tracker backends, one package per tracker (``github``, ``jira``): its backend, HTTP
client, fault translation, rendering, and a ``registration`` module listed in ``sync.registry``."""
