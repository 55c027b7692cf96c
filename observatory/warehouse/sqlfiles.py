"""Where the warehouse's SQL lives: `sql/` beside this module (schema.sql, the models of
core/ and marts/, the table macros of macros/, the read-side queries of queries/)."""

from __future__ import annotations

from pathlib import Path

SQL_DIR = Path(__file__).parent / "sql"
REPO_ROOT = Path(__file__).parents[2]


def read_sql(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def shown(path: Path) -> str:
    """A path of the package as a newcomer types it (observatory/warehouse/sql/...)."""
    return (path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path).as_posix()
