"""Asset group: marts."""
