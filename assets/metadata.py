"""What a materialisation shows of a table in the UI: its first rows as a Markdown
table and its column schema, from a DuckDB result (no DataFrame: the preview of every
SQL model and staged partition is built on each refresh)."""

from collections.abc import Mapping, Sequence

import dagster as dg

Column = tuple[str, str, str | None]  # name, SQL type, description


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


def columns(description: Sequence[tuple], docs: Mapping[str, str] | None = None) -> list[Column]:
    """The columns of a DuckDB result (its `description`), described by `docs`."""
    return [(d[0], str(d[1]), (docs or {}).get(d[0])) for d in description]


def column_schema(columns: Sequence[Column]) -> dg.TableSchema:
    """The schema of (name, type, description) columns."""
    return dg.TableSchema(columns=[dg.TableColumn(c, t, description=d) for c, t, d in columns])
