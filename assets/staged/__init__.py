"""Asset group: staged."""
