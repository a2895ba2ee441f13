"""``pmt serve``: the service."""
