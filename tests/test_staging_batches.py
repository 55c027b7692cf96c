"""A partition's staging in few statements writes what it wrote before: the shipped
sample's raw and staged tables, every row of them, hashed as main's code staged them
before the statements were batched (commit f12b711); nothing left of the tables the
chunks waited in."""

from __future__ import annotations

from pathlib import Path

import duckdb

from observatory import warehouse
from observatory.ingest.discover import survey_files
from observatory.ingest.stage import (
    file_chunks,
    record_provenance,
    recorded_sha256,
    staging,
    survey_provenance,
)
from tests.conftest import SAMPLE
from tests.hashing import table_hash

# What differs from run to run (the run, the clock, the file's mtime) is left out.
VOLATILE = {"run_id", "loaded_at", "recorded_at", "arrived_at"}
# The sample's tables as f12b711 staged them (development key, paths relative to the
# raw folder). A change to the codebook, the sample or the harmonisation changes them:
# check that the change is meant, then write the new values here.
BEFORE = {
    "audit.quarantine": "669664145335820918859:76",
    "audit.raw_files": "125015404262388766552:15",
    "audit.row_accounting": "140157766257730943649:15",
    "staging.answers": "1249273857445095403026187:135060",
    "staging.responses": "61419829093942508636385:6666",
}


def stage_sample(db: Path) -> duckdb.DuckDBPyConnection:
    """The raw and staged steps of every partition of the sample, as the assets take
    them: provenance of all the files, then each partition in its transaction."""
    con = warehouse.connect(db)
    partitions: dict[tuple[int, str], list] = {}
    for survey in survey_files(SAMPLE):
        partitions.setdefault((survey.wave, survey.country), []).append(survey)
    record_provenance(con, [survey_provenance(s) for s in survey_files(SAMPLE)], "run")
    for (wave, country), surveys in sorted(partitions.items()):
        with staging(con, wave, country, "run") as loader:
            for survey in surveys:
                loader.add(file_chunks(survey, recorded_sha256(con, survey)))
    return con


def hashes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Content hash of each table of BEFORE, its volatile columns left out and its
    paths made relative to the sample's folder."""
    found = {}
    for table in BEFORE:
        schema, name = table.split(".")
        columns = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() "
            "WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
            [schema, name],
        ).fetchall()
        picks = ", ".join(
            f"replace(\"{c}\", '{SAMPLE}/', '') AS \"{c}\"" if kind == "VARCHAR" else f'"{c}"'
            for c, kind in columns
            if c not in VOLATILE
        )
        con.execute(f"CREATE OR REPLACE TEMP VIEW hashed AS SELECT {picks} FROM {table}")
        found[table] = table_hash(con, "hashed")
    return found


def test_the_sample_is_staged_row_for_row_as_before(tmp_path):
    con = stage_sample(tmp_path / "w.duckdb")
    assert hashes(con) == BEFORE
    assert con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '%incoming%' "
        "OR table_name LIKE 'ingest%'"
    ).fetchall() == [(0,)]
