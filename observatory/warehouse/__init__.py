"""The DuckDB warehouse: connections, SQL models (one table per .sql file) and the
documentation analysts see through COMMENT ON."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import yaml
from duckdb.func import FunctionNullHandling, PythonUDFType
from scipy.stats import norm

from observatory import stats
from observatory.config import load_settings

SQL_DIR = Path(__file__).parent / "sql"
ANALYST_SCHEMAS = ("core", "marts", "audit")


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse with the observatory's functions and settings registered."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    if not read_only:
        prepare(con)
    return con


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    settings = load_settings()
    for name, fn, arity in (
        ("kg_low", stats.kg_low, 5),
        ("kg_high", stats.kg_high, 5),
        ("two_sided_p", _two_sided_p, 1),
    ):
        con.create_function(
            name,
            _vectorised(fn),
            ["DOUBLE"] * arity,
            "DOUBLE",
            type=PythonUDFType.ARROW,
            null_handling=FunctionNullHandling.SPECIAL,
        )
    con.execute("SET enable_progress_bar = false")  # refresh logs are read, not watched
    con.execute("SET memory_limit = ?", [settings.warehouse_memory_limit])
    con.execute("SET VARIABLE confidence_level = ?", [settings.confidence_level])
    con.execute("SET VARIABLE suppress_below_n = ?", [settings.suppress_below_n])
    con.execute("SET VARIABLE unreliable_below_n_eff = ?", [settings.unreliable_below_n_eff])
    con.execute("SET VARIABLE unreliable_below_df = ?", [settings.unreliable_below_df])
    con.execute((SQL_DIR / "schema.sql").read_text(encoding="utf-8"))


def _vectorised(fn: Callable[..., np.ndarray]) -> Callable[..., pa.Array]:
    """A DuckDB arrow UDF from a numpy function: one call per vector of rows, not per
    row; NULL in any argument gives NULL (NaN results stay NaN)."""

    @functools.wraps(fn)  # DuckDB reads the number of arguments from fn's signature
    def udf(*columns: pa.Array) -> pa.Array:
        nulls = np.zeros(len(columns[0]), dtype=bool)
        for column in columns:
            nulls |= column.is_null().to_numpy(zero_copy_only=False)
        values = fn(*(c.to_numpy(zero_copy_only=False) for c in columns))
        return pa.array(np.asarray(values, dtype=float), mask=nulls, type=pa.float64())

    return udf


def _two_sided_p(z: np.ndarray) -> np.ndarray:
    """Two-sided p-values of standard normal test statistics."""
    return 2 * norm.sf(np.abs(z))


def models(folder: str) -> list[str]:
    """Names of the SQL models of a folder (core, marts), in file order."""
    return sorted(p.stem for p in (SQL_DIR / folder).glob("*.sql"))


TABLE_REF = re.compile(r"\b(core|marts|staging)\.(\w+)\b")
INPUT_REF = re.compile(r"\b(ref|raw)_(\w+)\b")
# table macros and the model that defines them
MACROS = {"share_mart": "marts.shares", "waves_changed": "marts.shares"}


def model_inputs(folder: str, name: str) -> set[str]:
    """What a model reads, from its SQL: tables (`core.x`, `marts.x`, `staging.x`),
    registered inputs (`raw_x`, `ref_x`) and the models defining the macros it calls."""
    sql = (SQL_DIR / folder / f"{name}.sql").read_text(encoding="utf-8")
    body = "\n".join(
        line for line in sql.splitlines() if not line.lstrip().startswith(("--", "COMMENT ON"))
    )
    found = {f"{schema}.{table}" for schema, table in TABLE_REF.findall(body)}
    found |= {f"{kind}_{what}" for kind, what in INPUT_REF.findall(body)}
    found |= {model for macro, model in MACROS.items() if f"{macro}(" in body}
    return found - {f"{folder}.{name}"}


def run_model(con: duckdb.DuckDBPyConnection, folder: str, name: str) -> int:
    """Build table `<folder>.<name>` from its .sql file; returns its row count."""
    con.execute((SQL_DIR / folder / f"{name}.sql").read_text(encoding="utf-8"))
    document(con)
    (rows,) = con.execute(f'SELECT count(*) FROM {folder}."{name}"').fetchall()[0]
    return int(rows)


def column_docs() -> dict[str, str]:
    return yaml.safe_load((SQL_DIR / "columns.yaml").read_text(encoding="utf-8"))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def document(con: duckdb.DuckDBPyConnection) -> None:
    """Comment every undocumented column of the analyst schemas from columns.yaml.
    (Only our own documentation text is ever spliced into SQL here.)"""
    docs = column_docs()
    missing = con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE schema_name IN ('core', 'marts', 'audit', 'staging') AND comment IS NULL"
    ).fetchall()
    for schema, table, column in missing:
        if column in docs:
            con.execute(
                f'COMMENT ON COLUMN {schema}."{table}"."{column}" IS {_quote(docs[column])}'
            )


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
    ).fetchall()[0]
    return str(value)
