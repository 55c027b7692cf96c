"""Content hashes of tables, for idempotence checks (tests) and the floor's equality
proof (bench/equality.py)."""

from __future__ import annotations

import duckdb


def table_hash(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Order-independent content hash of a table (for idempotence checks). Floating
    point values are rounded to 9 decimals, one fewer per power of ten above 10 (about
    9 significant digits): DuckDB's parallel sums may differ in the last bits from run
    to run and with the order rows were loaded in, which shows in large values too."""
    columns = con.execute(f"SELECT * FROM {table} LIMIT 0").description
    exprs = [
        f'CASE WHEN isfinite("{name}") THEN round("{name}", '
        f'9 - floor(log10(abs("{name}") + 1))::INT) ELSE "{name}" END'
        if str(kind) in ("DOUBLE", "FLOAT")
        else f'"{name}"'
        for name, kind, *_ in columns
    ]
    (value,) = con.execute(
        f"SELECT coalesce(sum(hash({', '.join(exprs)})::HUGEINT), 0)::VARCHAR || ':' "
        f"|| count(*) FROM {table}"
    ).fetchone()
    return str(value)
