"""Asset group: raw."""
