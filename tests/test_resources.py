"""ObservatoryResource: the steps of a run share one warehouse connection, a failed step
leaves no transaction open on it, and the run closes it."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.resources import ObservatoryResource


def test_a_run_shares_one_connection_and_closes_it(tmp_path: Path):
    seen: list[duckdb.DuckDBPyConnection] = []

    @dg.asset
    def first(observatory: ObservatoryResource) -> None:
        with observatory.connect() as con:
            con.execute("CREATE TABLE kept AS SELECT 1 AS x")
            seen.append(con)
        with pytest.raises(ValueError), observatory.connect() as con:
            con.execute("BEGIN TRANSACTION")
            con.execute("CREATE TABLE torn AS SELECT 1 AS x")
            raise ValueError("a step fails inside its transaction")

    @dg.asset(deps=[first])
    def second(observatory: ObservatoryResource) -> None:
        with observatory.connect() as con:
            seen.append(con)
            tables = con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()
            assert ("kept",) in tables and ("torn",) not in tables  # rolled back

    resource = ObservatoryResource(
        raw_dir=str(tmp_path / "raw"),
        warehouse_dir=str(tmp_path / "warehouse"),
        reports_dir=str(tmp_path / "reports"),
    )
    assert dg.materialize([first, second], resources={"observatory": resource}).success
    assert len(seen) == 2 and seen[0] is seen[1]
    # closed with the run: another connection may open the file, read-only
    con = duckdb.connect(str(resource.paths.pipeline_db), read_only=True)
    assert con.execute("SELECT x FROM kept").fetchall() == [(1,)]
    con.close()
    with resource.connect() as outside:  # outside a run: a connection of its own
        assert outside.execute("SELECT x FROM kept").fetchall() == [(1,)]
    with pytest.raises(duckdb.ConnectionException):
        outside.execute("SELECT 1")  # closed with its block
