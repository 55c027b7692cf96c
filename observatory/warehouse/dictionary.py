"""The data dictionary analysts read, generated from the COMMENT ON documentation of
the warehouse itself (so it cannot drift from what the tables say)."""

import duckdb

from observatory.warehouse.documentation import ANALYST_SCHEMAS
from observatory.warehouse.queries import query

HEADER = """# Data dictionary of the analyst warehouse

Generated from the `COMMENT ON` documentation of `data/warehouse/observatory.duckdb` by
`observatory.warehouse.dictionary`; regenerate with `make dictionary`. Schema changes are
listed in `docs/WAREHOUSE_CHANGELOG.md`.
"""


def render(con: duckdb.DuckDBPyConnection, database: str | None = None) -> str:
    """Markdown: one section per table of the analyst schemas, its columns in order."""
    db = database or con.execute("SELECT current_database()").fetchall()[0][0]
    tables = con.execute(query("dictionary/tables"), [db, list(ANALYST_SCHEMAS)]).fetchall()
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
            columns = con.execute(query("dictionary/columns"), [db, schema, table]).fetchall()
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
