"""Asset group: core."""
