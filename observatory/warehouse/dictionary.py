"""The data dictionary analysts read, generated from the COMMENT ON documentation of
the warehouse itself (so it cannot drift from what the tables say)."""

import duckdb

from observatory.warehouse import ANALYST_SCHEMAS

HEADER = """# Data dictionary of the analyst warehouse

Generated from the `COMMENT ON` documentation of `data/warehouse/observatory.duckdb` by
`observatory.warehouse.dictionary`; regenerate with `make dictionary`. Schema changes are
listed in `docs/WAREHOUSE_CHANGELOG.md`.
"""


def render(con: duckdb.DuckDBPyConnection, database: str | None = None) -> str:
    """Markdown: one section per table of the analyst schemas, its columns in order."""
    db = database or con.execute("SELECT current_database()").fetchall()[0][0]
    schemas = ", ".join(f"'{s}'" for s in ANALYST_SCHEMAS)
    tables = con.execute(
        "SELECT schema_name, table_name, comment FROM duckdb_tables() "
        f"WHERE database_name = ? AND schema_name IN ({schemas}) ORDER BY ALL",
        [db],
    ).fetchall()
    lines = [HEADER]
    for schema in ANALYST_SCHEMAS:
        lines.append(f"## Schema `{schema}`\n")
        for table_schema, table, comment in tables:
            if table_schema != schema:
                continue
            lines += [
                f"### `{schema}.{table}`\n",
                (comment or "(undocumented)") + "\n",
                "| column | type | description |",
                "|---|---|---|",
            ]
            columns = con.execute(
                "SELECT column_name, data_type, comment FROM duckdb_columns() "
                "WHERE database_name = ? AND schema_name = ? AND table_name = ? "
                "ORDER BY column_index",
                [db, schema, table],
            ).fetchall()
            lines += [f"| `{c}` | {t} | {_cell(d)} |" for c, t, d in columns]
            lines.append("")
    return "\n".join(lines)


def _cell(text: str | None) -> str:
    """A description as a table cell: a bare | would end the cell."""
    return (text or "").replace("|", r"\|")


if __name__ == "__main__":
    import sys

    connection = duckdb.connect(sys.argv[1], read_only=True)
    sys.stdout.write(render(connection))
