"""sync: turns action items into tickets (GitHub Issues, Jira) and pulls their state back."""
