"""core.respondents and core.weights are brought up to date by wave x country partition
(core/respondents.sql, core/weights.sql): a partition whose inputs changed is written
again, one that did not keeps its rows as they were, one no longer staged goes, and the
tables hold what a build from scratch holds."""

from __future__ import annotations

from pathlib import Path

import duckdb

from observatory import warehouse
from tests.hashing import table_hash

TABLES = ("core.respondents", "core.weights")
FRAMES = """
CREATE OR REPLACE TABLE core.frames AS
SELECT w AS wave, c AS country, o AS org_type, 100 AS population
FROM (VALUES (2024), (2025), (2026)) v(w), (VALUES ('FR'), ('HR')) k(c),
     (VALUES ('ngo'), ('company')) t(o)
"""


def _stage(con: duckdb.DuckDBPyConnection, wave: int, country: str, n: int, org: str) -> None:
    con.execute(
        "INSERT INTO staging.responses (respondent_key, wave, country, source_file, "
        "source_row, org_type, satisfaction) "
        "SELECT ? || i, ?, ?, 'f.csv', i, CASE WHEN i % 3 = 0 THEN ? ELSE 'ngo' END, i % 5 + 1 "
        "FROM range(?) r(i)",
        [f"{country}{wave}-", wave, country, org, n],
    )


def _build(con: duckdb.DuckDBPyConnection) -> None:
    for table in TABLES:
        warehouse.run_model(con, *table.split("."))


def _rowids(con: duckdb.DuckDBPyConnection, table: str) -> dict[tuple[int, str], set[int]]:
    found = con.execute(f"SELECT wave, country, list(rowid) FROM {table} GROUP BY ALL")
    return {(wave, country): set(ids) for wave, country, ids in found.fetchall()}


def test_only_the_partitions_that_changed_are_written_again(tmp_path: Path):
    con = warehouse.connect(tmp_path / "incremental.duckdb")
    con.execute(FRAMES)
    for wave, country in ((2023, "FR"), (2024, "FR"), (2024, "HR"), (2025, "FR")):
        _stage(con, wave, country, 30, "company")
    _build(con)
    before = {t: _rowids(con, t) for t in TABLES}
    # HR 2024 staged again with other answers, 2023 and 2025 gone, FR 2026 new, and a
    # new frame for FR 2024 (a build from scratch would give its rows other rowids)
    con.execute("DELETE FROM staging.responses WHERE wave = 2024 AND country = 'HR'")
    _stage(con, 2024, "HR", 30, "public_body")
    con.execute("DELETE FROM staging.responses WHERE wave IN (2023, 2025)")
    _stage(con, 2026, "FR", 12, "company")
    con.execute("UPDATE core.frames SET population = 250 WHERE wave = 2024 AND country = 'FR'")
    _build(con)
    after = {t: _rowids(con, t) for t in TABLES}

    assert set(after["core.respondents"]) == {(2024, "FR"), (2024, "HR"), (2026, "FR")}
    assert after["core.respondents"][2024, "FR"] == before["core.respondents"][2024, "FR"]
    assert not after["core.respondents"][2024, "HR"] & before["core.respondents"][2024, "HR"]
    # the weights of FR 2024 (its frame) and HR 2024 (its organisation types) are new
    assert not after["core.weights"][2024, "FR"] & before["core.weights"][2024, "FR"]
    assert not after["core.weights"][2024, "HR"] & before["core.weights"][2024, "HR"]
    (weight,) = con.execute(
        "SELECT DISTINCT weight FROM core.weights "
        "WHERE wave = 2024 AND country = 'FR' AND org_type = 'company'"
    ).fetchone()
    assert weight == 250 / 10  # 10 of the 30 respondents are companies

    con.close()
    whole = warehouse.connect(tmp_path / "whole.duckdb")
    whole.execute(FRAMES)
    whole.execute("UPDATE core.frames SET population = 250 WHERE wave = 2024 AND country = 'FR'")
    whole.execute(f"ATTACH '{tmp_path / 'incremental.duckdb'}' AS other (READ_ONLY)")
    whole.execute("INSERT INTO staging.responses SELECT * FROM other.staging.responses")
    _build(whole)
    for table in TABLES:
        assert table_hash(whole, table) == table_hash(whole, f"other.{table}")


def test_a_table_dropped_by_hand_is_built_whole_again(tmp_path: Path):
    con = warehouse.connect(tmp_path / "w.duckdb")
    con.execute(FRAMES)
    _stage(con, 2024, "FR", 30, "company")
    _build(con)
    expected = {t: table_hash(con, t) for t in TABLES}
    for table in TABLES:
        con.execute(f"DROP TABLE {table}")
    _build(con)
    assert {t: table_hash(con, t) for t in TABLES} == expected
