"""observatory.warehouse.snapshot: a snapshot after the first starts as a copy of the
last one and writes again only what changed (core.answers by partition, a table with a
wave column by wave), with the same content and documentation as one written whole."""

from __future__ import annotations

from pathlib import Path

import duckdb

from observatory import warehouse
from observatory.warehouse import snapshot
from tests.hashing import table_hash

ANSWERS = """
INSERT INTO staging.answers
SELECT 'k' || i, 2024 + i % 2, CASE WHEN i % 3 = 0 THEN 'FR' ELSE 'HR' END, 'levers',
       'lever', CASE WHEN i % 4 = 0 THEN 'clear_ownership' ELSE 'early_alignment' END
FROM range(60) r(i)
"""


def _contents(path: Path) -> dict[str, tuple]:
    con = duckdb.connect(str(path), read_only=True)
    tables = con.execute(
        "SELECT schema_name || '.' || table_name, comment FROM duckdb_tables() ORDER BY 1"
    ).fetchall()
    found = {
        name: (
            comment,
            table_hash(con, name),
            con.execute(
                "SELECT list(column_name || ':' || coalesce(comment, '') ORDER BY column_index) "
                "FROM duckdb_columns() WHERE schema_name || '.' || table_name = ?",
                [name],
            ).fetchone(),
        )
        for name, comment in tables
    }
    con.close()
    return found


def test_a_snapshot_rewrites_only_what_changed(tmp_path: Path, monkeypatch):
    con = warehouse.connect(tmp_path / "pipeline.duckdb")
    con.execute(ANSWERS)
    con.execute(
        "CREATE TABLE core.respondents AS SELECT 'k' || i AS respondent_key, 2024 + i % 3 "
        "AS wave, 'FR' AS country FROM range(30) r(i)"
    )
    con.execute("COMMENT ON COLUMN core.respondents.wave IS 'the wave'")
    warehouse.run_model(con, "core", "answers")
    con.execute("CREATE TABLE marts.kept AS SELECT 1 AS x")
    con.execute("CREATE TABLE marts.changed AS SELECT 1 AS x")
    con.execute("COMMENT ON TABLE marts.changed IS 'documented'")
    snapshots = tmp_path / "snapshots"
    snapshots.mkdir()
    counts, written = snapshot.write_snapshot(con, snapshots / "first.duckdb", snapshots)
    assert "marts.kept" in written and counts["core.answers"] == 60  # the first: whole
    snapshot.record(con, "first.duckdb")

    con.execute("DELETE FROM staging.answers WHERE wave = 2025 AND country = 'FR'")
    con.execute("UPDATE staging.answers SET code = 'clear_ownership' WHERE wave = 2024")
    warehouse.run_model(con, "core", "answers")
    con.execute("CREATE OR REPLACE TABLE marts.changed AS SELECT 2 AS x")
    con.execute("DELETE FROM core.respondents WHERE wave = 2024")  # a wave gone,
    con.execute("UPDATE core.respondents SET country = 'IT' WHERE wave = 2025")  # changed,
    con.execute("INSERT INTO core.respondents VALUES ('k99', 2027, 'AT')")  # and new
    whole_tables: list[str] = []
    write = snapshot._write
    monkeypatch.setattr(
        snapshot,
        "_write",
        lambda con, name, *rest: whole_tables.append(name) or write(con, name, *rest),
    )
    counts, written = snapshot.write_snapshot(con, snapshots / "second.duckdb", snapshots)
    assert sorted(written) == ["core.answers", "core.respondents", "marts.changed"]
    assert whole_tables == ['marts."changed"']  # core.respondents by wave
    assert counts["core.answers"] == 50 and counts["core.respondents"] == 21

    whole = tmp_path / "whole"
    whole.mkdir()
    snapshot.write_snapshot(con, whole / "whole.duckdb", whole)  # nothing to copy there
    con.close()
    assert _contents(snapshots / "second.duckdb") == _contents(whole / "whole.duckdb")
    assert _contents(snapshots / "first.duckdb") != _contents(whole / "whole.duckdb")
