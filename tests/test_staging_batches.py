"""A partition's staging in few statements writes what it wrote before: the shipped
sample's raw and staged tables, every row of them, hashed as main's code staged them
before the statements were batched (commit f12b711), whether its partitions are moved
one by one or all at once; nothing left of the tables the chunks waited in. In a batch
of partitions, a failed partition leaves nothing and the others are moved, and ids are
duplicates within a partition, not across them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from observatory import warehouse
from observatory.config import load_countries
from observatory.ingest.discover import SurveyFile, survey_files
from observatory.ingest.load import Loader
from observatory.ingest.stage import (
    file_chunks,
    move,
    record_provenance,
    recorded_sha256,
    staging,
    survey_provenance,
)
from observatory.privacy import pseudonym_key
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


def stage_sample(db: Path, together: bool = False) -> duckdb.DuckDBPyConnection:
    """The raw and staged steps of every partition of the sample: provenance of all the
    files, then each partition moved in its transaction, or (`together`) all of them in
    one, as the staged asset moves them."""
    con = warehouse.connect(db)
    partitions: dict[tuple[int, str], list] = {}
    for survey in survey_files(SAMPLE):
        partitions.setdefault((survey.wave, survey.country), []).append(survey)
    record_provenance(con, [survey_provenance(s) for s in survey_files(SAMPLE)], "run")
    if together:
        loader = Loader(con, pseudonym_key(), "run")
        for (wave, country), surveys in sorted(partitions.items()):
            with loader.partition(wave, load_countries()[country]):
                for survey in surveys:
                    loader.add(file_chunks(survey, recorded_sha256(con, survey)))
        moved = move(con, loader, "run")
        loader.close()
        assert sorted(moved) == sorted(partitions)
        return con
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


@pytest.mark.parametrize("together", [False, True], ids=["one by one", "in one move"])
def test_the_sample_is_staged_row_for_row_as_before(tmp_path, together):
    con = stage_sample(tmp_path / "w.duckdb", together)
    assert hashes(con) == BEFORE
    assert con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '%incoming%' "
        "OR table_name LIKE 'ingest%'"
    ).fetchall() == [(0,)]


def _stage(con: duckdb.DuckDBPyConnection, loader: Loader, survey: SurveyFile) -> None:
    with loader.partition(survey.wave, load_countries()[survey.country]):
        loader.add(file_chunks(survey, None))


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Rows of each partition in each staged and audit table."""
    return {
        table: con.execute(
            f"SELECT wave, country, count(*) FROM {table} GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        for table in ("staging.responses", "staging.answers", "audit.quarantine")
        + ("audit.row_accounting",)
    }


def test_a_partition_failing_in_a_batch_leaves_nothing_and_the_others_are_moved(tmp_path):
    surveys = {(s.wave, s.country): s for s in survey_files(SAMPLE)}
    alone = warehouse.connect(tmp_path / "alone.duckdb")  # the two good ones, one by one
    for key in ((2024, "FR"), (2025, "HR")):
        with staging(alone, *key, "run") as loader:
            loader.add(file_chunks(surveys[key], None))
    con = warehouse.connect(tmp_path / "batch.duckdb")
    loader = Loader(con, pseudonym_key(), "run")
    _stage(con, loader, surveys[2024, "FR"])
    with pytest.raises(ZeroDivisionError), loader.partition(2024, load_countries()["GR"]):
        loader.add(file_chunks(surveys[2024, "GR"], None))
        raise ZeroDivisionError  # after its export was written
    _stage(con, loader, surveys[2025, "HR"])
    assert sorted(move(con, loader, "run")) == [(2024, "FR"), (2025, "HR")]
    counts = _counts(con)
    assert counts == _counts(alone)
    assert {(wave, country) for wave, country, _ in counts["staging.responses"]} == {
        (2024, "FR"),
        (2025, "HR"),
    }
    assert move(con, loader, "run") == {}  # nothing left waiting
    for table in ("ingest_responses", "ingest_answers", "ingest_quarantine", "ingest_ids"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchall() == [(0,)]
    loader.close()


def test_ids_are_duplicates_within_a_partition_of_a_batch_not_across_them(tmp_path):
    """FR's 2025 export with 2024's ids (a key is the id's within a country), one of its
    records twice: quarantined as when each partition is staged alone, that record's
    two copies with them."""
    surveys = {(s.wave, s.country): s for s in survey_files(SAMPLE)}
    lines = surveys[2025, "FR"].path.read_text(encoding="utf-8-sig").splitlines()
    lines = [line.replace("FR-2025-", "FR-2024-") for line in [*lines, lines[1]]]
    path = tmp_path / "survey_fr_2025.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    both = [surveys[2024, "FR"], SurveyFile(2025, "FR", path)]
    alone = warehouse.connect(tmp_path / "alone.duckdb")
    for survey in both:
        with staging(alone, survey.wave, survey.country, "run") as loader:
            loader.add(file_chunks(survey, None))
    con = warehouse.connect(tmp_path / "batch.duckdb")
    loader = Loader(con, pseudonym_key(), "run")
    for survey in both:
        _stage(con, loader, survey)
    move(con, loader, "run")
    loader.close()
    shared = con.execute(
        "SELECT count(*) FROM staging.responses a JOIN staging.responses b "
        "USING (respondent_key) WHERE a.wave = 2024 AND b.wave = 2025"
    ).fetchall()[0][0]
    assert shared > 50  # the same keys, loaded in both waves
    duplicates = {
        db: db.execute(
            'SELECT wave, country, file, "row", reason FROM audit.quarantine '
            "WHERE reason LIKE 'duplicate%' ORDER BY ALL"
        ).fetchall()
        for db in (con, alone)
    }
    assert duplicates[con] == duplicates[alone]
    reason = f"duplicate respondent id in rows 2, {len(lines)}"  # the header is line 1
    assert {(2025, "FR", str(path), n, reason) for n in (2, len(lines))} <= set(duplicates[con])
