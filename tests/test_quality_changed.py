"""observatory.quality.changed: a suite runs again on the waves whose rows (or whose
suite) changed since it passed, and only on those."""

from __future__ import annotations

import duckdb

from observatory.quality import Spec, changed

SPECS = [Spec("ExpectCompoundColumnsToBeUnique", {"column_list": ["respondent_key", "wave"]})]


def _to_check(con: duckdb.DuckDBPyConnection, specs: list[Spec]) -> list[int]:
    return changed.waves_to_check(con, "t", changed.fingerprints(con, "t", specs))


def test_only_the_changed_waves_are_checked_again():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging")
    con.execute(
        "CREATE TABLE t AS SELECT 'k' || i AS respondent_key, 2024 + i % 3 AS wave, i AS other "
        "FROM range(30) r(i)"
    )
    assert _to_check(con, SPECS) == [2024, 2025, 2026]
    changed.record_passed(con, "t", changed.fingerprints(con, "t", SPECS))
    assert _to_check(con, SPECS) == []
    con.execute("UPDATE t SET other = -1")  # a column the suite does not read
    assert _to_check(con, SPECS) == []
    con.execute("UPDATE t SET respondent_key = 'k1' WHERE respondent_key = 'k4'")  # wave 2025
    con.execute("INSERT INTO t VALUES ('new', 2027, 0)")
    assert _to_check(con, SPECS) == [2025, 2027]
    other_suite = [*SPECS, Spec("ExpectColumnValuesToNotBeNull", {"column": "wave"})]
    assert _to_check(con, other_suite) == [2024, 2025, 2026, 2027]
