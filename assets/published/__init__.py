"""Asset group: published."""
