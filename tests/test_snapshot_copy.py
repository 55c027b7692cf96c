"""observatory.warehouse.snapshot: a snapshot after the first starts as a copy of the
last one and writes again only what changed (core.answers by partition), with the same
content and documentation as one written whole."""

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


def test_a_snapshot_rewrites_only_what_changed(tmp_path: Path):
    con = warehouse.connect(tmp_path / "pipeline.duckdb")
    con.execute(ANSWERS)
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
    counts, written = snapshot.write_snapshot(con, snapshots / "second.duckdb", snapshots)
    assert sorted(written) == ["core.answers", "marts.changed"]
    assert counts["core.answers"] == 50

    whole = tmp_path / "whole"
    whole.mkdir()
    snapshot.write_snapshot(con, whole / "whole.duckdb", whole)  # nothing to copy there
    con.close()
    assert _contents(snapshots / "second.duckdb") == _contents(whole / "whole.duckdb")
    assert _contents(snapshots / "first.duckdb") != _contents(whole / "whole.duckdb")
