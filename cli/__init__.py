"""cli: the thin typer app behind the ``pmt`` command."""
