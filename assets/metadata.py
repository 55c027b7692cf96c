"""What a materialisation shows of a table in the UI: its first rows as a Markdown
table and its column schema, from a DuckDB result (no DataFrame: the preview of every
SQL model and staged partition is built on each refresh)."""

from collections.abc import Sequence

import dagster as dg


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


def preview(names: Sequence[str], rows: Sequence[Sequence[object]]) -> dg.MetadataValue:
    """The rows as a Markdown table with a header of `names`."""
    lines = [
        "| " + " | ".join(map(_cell, names)) + " |",
        "|" + "---|" * len(names),
        *("| " + " | ".join(map(_cell, row)) + " |" for row in rows),
    ]
    return dg.MetadataValue.md("\n".join(lines))


def column_schema(columns: Sequence[tuple[str, str, str | None]]) -> dg.TableSchema:
    """The schema of (name, type, description) columns."""
    return dg.TableSchema(columns=[dg.TableColumn(c, t, description=d) for c, t, d in columns])
