"""Checks of what changed: a table's suite runs on the waves whose rows changed since
the suite last passed on them (or whose suite changed), not on every row each build.
A suite that checks one wave's rows together (keys unique per wave) sees all the rows
of each wave it checks. Fingerprints of what passed are in staging.checks_passed."""

from __future__ import annotations

import hashlib

import duckdb
import pandas as pd

from observatory.quality.engine import Spec, suite_columns

PASSED = """
CREATE TABLE IF NOT EXISTS staging.checks_passed (
    target VARCHAR, wave INTEGER, fingerprint VARCHAR, PRIMARY KEY (target, wave)
)
"""


def fingerprints(con: duckdb.DuckDBPyConnection, table: str, specs: list[Spec]) -> pd.DataFrame:
    """(wave, fingerprint) of each wave of `table`: a content hash of the columns the
    suite reads, and of the suite itself. (`table` and the columns come from the code.)"""
    columns = ", ".join(f'"{c}"' for c in suite_columns(specs))
    suite = hashlib.sha256(repr(specs).encode()).hexdigest()[:16]
    return con.execute(
        f"SELECT wave, ? || ':' || sum(hash({columns}))::HUGEINT || ':' || count(*) "
        f"AS fingerprint FROM {table} GROUP BY wave ORDER BY wave",
        [suite],
    ).df()


def waves_to_check(con: duckdb.DuckDBPyConnection, table: str, current: pd.DataFrame) -> list[int]:
    """The waves of `current` (fingerprints) the suite has not passed on as they are."""
    con.execute(PASSED)
    passed = con.execute(
        "SELECT wave, fingerprint FROM staging.checks_passed WHERE target = ?", [table]
    ).fetchall()
    now = {(int(wave), fingerprint) for wave, fingerprint in current.itertuples(index=False)}
    return sorted(wave for wave, _ in now - set(passed))


def record_passed(con: duckdb.DuckDBPyConnection, table: str, current: pd.DataFrame) -> None:
    """The suite passed on `table` as it is now: remember each wave's fingerprint."""
    con.execute(PASSED)
    con.register("passed_now", current)
    con.execute("DELETE FROM staging.checks_passed WHERE target = ?", [table])
    con.execute(
        "INSERT INTO staging.checks_passed SELECT ?, wave, fingerprint FROM passed_now", [table]
    )
    con.unregister("passed_now")
