"""tracker: the domain. Postmortems, their action items, the store, queries, reports and root causes. Knows no HTTP and no command line."""
