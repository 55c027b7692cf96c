"""How problems are told, whatever the file: a long value cut with its length said, and
the problems of one file capped at max_problems_per_file, the rest counted in one line."""

from __future__ import annotations

from observatory.config import load_settings


def shorten(text: str, limit: int = 80) -> str:
    """The text, cut after `limit` characters with its length said when longer."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def capped(lines: list[str], file: object, total: int | None = None) -> list[str]:
    """The first max_problems_per_file problem lines of a file, then one line counting
    the others (`total`: how many there are, when `lines` holds only the first)."""
    limit = load_settings().max_problems_per_file
    more = (len(lines) if total is None else total) - limit
    if more <= 0:
        return lines
    return [*lines[:limit], f"… and {more:,} more problems in {file}"]
