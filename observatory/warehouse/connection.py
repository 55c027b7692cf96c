"""Connections to the warehouse: the observatory's SQL functions and settings
registered, the schemas and ingest tables created (sql/schema.sql)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from duckdb.func import FunctionNullHandling, PythonUDFType

from observatory import stats
from observatory.config import load_settings
from observatory.stats.distributions import normal_sf
from observatory.warehouse.sqlfiles import SQL_DIR, read_sql


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
    con.execute(read_sql(SQL_DIR / "schema.sql"))


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
    return 2 * normal_sf(np.abs(z))
