"""The documentation analysts see through COMMENT ON: every column of the analyst
schemas described once in sql/columns.yaml, wherever it occurs (tables get theirs from
their own .sql file)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable

import duckdb
import yaml

from observatory.warehouse.sqlfiles import SQL_DIR, read_sql

ANALYST_SCHEMAS = ("core", "marts", "audit")
COLUMNS = SQL_DIR / "columns.yaml"


def quote(text: str) -> str:
    """A SQL string literal (for our own text: documentation, paths, constants)."""
    return "'" + text.replace("'", "''") + "'"


@functools.cache
def column_docs() -> dict[str, str]:
    """Column name -> its description (read once per process; do not modify)."""
    return yaml.safe_load(read_sql(COLUMNS))


def document(con: duckdb.DuckDBPyConnection) -> None:
    """Comment every undocumented column of the analyst schemas from columns.yaml.
    (Only our own documentation text is ever spliced into SQL here.)"""
    docs = column_docs()
    missing = con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE schema_name IN ('core', 'marts', 'audit', 'staging') AND comment IS NULL"
    ).fetchall()
    comment_on(
        con,
        (
            f'COMMENT ON COLUMN {schema}."{table}"."{column}" IS {quote(docs[column])}'
            for schema, table, column in missing
            if column in docs
        ),
    )


def comment_on(con: duckdb.DuckDBPyConnection, statements: Iterable[str]) -> None:
    """Run COMMENT ON statements in one transaction (rolled back if one fails): on its
    own each one commits, and a commit per column was most of what documenting cost."""
    statements = list(statements)
    if not statements:
        return
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in statements:
            con.execute(statement)
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # the error to report is the first one
            con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
