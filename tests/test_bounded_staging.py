"""A partition staged in bounded memory: each export harmonised and written a chunk at a
time, then moved in one transaction, duplicated ids found over the whole
partition, the suites run by Great Expectations in batches; and a refresh's staged step
within the memory budget whatever the export's size."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from observatory import warehouse
from observatory.config import load_countries
from observatory.ingest.discover import SurveyFile
from observatory.ingest.load import DUCKDB_MIN_MIB, within_budget
from observatory.ingest.readers import ReadError
from observatory.ingest.stage import file_chunks, staging, survey_chunks
from observatory.quality import Spec, run_suite
from observatory.quality.batches import run_suite_on_table
from tests.conftest import REPO
from tests.corpus.make_corpus import table, text

ROWS = 400  # about 240 kB: eight chunks at a budget of 1 MiB (32 k characters each)


def _export(root: Path, name: str, ids: list[str], long_row: int | None = None) -> SurveyFile:
    """A valid FR 2024 export with these respondent ids (row `long_row` 6,000 characters
    long)."""
    header, sample = table("FR", n=50)
    rows = [[i, *sample[n % 50][1:]] for n, i in enumerate(ids)]
    if long_row is not None:
        rows[long_row][header.index("Commentaire libre")] = "x" * 6_000
    path = root / "surveys" / "2024" / "FR" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text((header, rows)), encoding="utf-8")
    return SurveyFile(2024, "FR", path)


def _ids(n: int, start: int = 0) -> list[str]:
    return [f"FR-2024-{i:05d}" for i in range(start, start + n)]


def _stage(con: duckdb.DuckDBPyConnection, *surveys: SurveyFile) -> None:
    with staging(con, 2024, "FR", "run") as loader:
        for survey in surveys:
            loader.add(file_chunks(survey, None))


def test_a_partition_is_staged_within_the_budget_its_caller_may_hold_over_several(tmp_path, budget):
    budget()  # 1 MiB: DuckDB held to DUCKDB_MIN_MIB
    con = warehouse.connect(tmp_path / "pipeline.duckdb")

    def limit() -> float:  # MiB; DuckDB shows it to 0.1 MiB, truncated
        value, unit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0].split()
        return float(value) * {"MiB": 1, "GiB": 1024}[unit]

    before = limit()
    with staging(con, 2024, "FR", "run"):
        assert limit() == DUCKDB_MIN_MIB
    assert 0 <= before - limit() < 0.15  # restored (a round trip may lose 0.1 MiB)
    before = limit()
    with within_budget(con):  # as the staged step holds it over all its partitions
        for _ in range(2):
            with staging(con, 2024, "FR", "run", budget=False):
                assert limit() == DUCKDB_MIN_MIB
            assert limit() == DUCKDB_MIN_MIB  # not restored between them
    assert 0 <= before - limit() < 0.15


def test_duplicated_ids_are_quarantined_across_chunks_and_files(tmp_path, budget):
    budget()
    ids = _ids(ROWS)
    ids[350] = ids[10]  # lines 12 and 352, chunks apart
    first = _export(tmp_path, "a.csv", ids)
    second = _export(tmp_path, "b.csv", [ids[20], *_ids(9, start=1000)])  # line 2 = a's 22
    assert len(list(survey_chunks(first.path, 2024, load_countries()["FR"]))) > 4
    con = warehouse.connect(tmp_path / "w.duckdb")
    _stage(con, first, second)
    quarantine = con.execute(
        'SELECT file, "row", reason FROM audit.quarantine ORDER BY file, "row"'
    ).fetchall()
    a, b = str(first.path), str(second.path)
    assert quarantine == [
        (a, 12, "duplicate respondent id in rows 12, 352"),
        (a, 22, f"duplicate respondent id in rows 22; also in {b}"),
        (a, 352, "duplicate respondent id in rows 12, 352"),
        (b, 2, f"duplicate respondent id in rows 2; also in {a}"),
    ]
    assert con.execute(
        "SELECT file, rows_read, rows_loaded, rows_quarantined FROM audit.row_accounting "
        "ORDER BY file"
    ).fetchall() == [(a, ROWS, ROWS - 3, 3), (b, 10, 9, 1)]
    keys = con.execute("SELECT respondent_key FROM staging.responses").df()["respondent_key"]
    assert len(keys) == ROWS + 10 - 4 and keys.is_unique
    assert con.execute(
        "SELECT count(*) FROM staging.answers WHERE respondent_key NOT IN "
        "(SELECT respondent_key FROM staging.responses)"
    ).fetchall() == [(0,)]


def _partition(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return [
        con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
        for t in ("staging.responses", "staging.answers", "audit.quarantine")
    ]


def test_an_export_failing_after_chunks_were_written_leaves_the_partition_as_it_was(
    tmp_path, budget
):
    budget(max_line_chars=5_000)
    survey = _export(tmp_path, "a.csv", _ids(ROWS))
    con = warehouse.connect(tmp_path / "w.duckdb")
    _stage(con, survey)
    before = _partition(con)
    assert len(before[0]) == ROWS
    _export(tmp_path, "a.csv", _ids(ROWS, start=5000), long_row=ROWS - 10)
    chunks = survey_chunks(survey.path, 2024, load_countries()["FR"])
    assert next(chunks) and next(chunks)  # written before the reader fails
    with pytest.raises(ReadError, match=r"a\.csv: cannot read: line \d+ is longer than 5,000"):
        _stage(con, survey)
    assert _partition(con) == before


def test_a_suite_in_batches_finds_what_it_finds_on_the_whole_table(budget):
    """Values validated as distinct values standing for their rows, keys in batches:
    the same outcomes and counts as GX on the whole table, over several frames of each
    (1 MiB: frames of 256 distinct values of four columns, batches of 2,048 keys)."""
    budget()
    n = 30_000
    frame = pd.DataFrame(
        {
            "respondent_key": [f"k{i}" for i in range(n)],
            "country": ["FR", "HR", "XX"] * (n // 3),
            "score": pd.array([i % 7 for i in range(n)], dtype="Int32"),
            "fte": [i % 3000 / 4 for i in range(n)],  # 3,000 distinct values: 12 frames
        }
    )
    frame.loc[[7, 20_000], "respondent_key"] = "k5"
    frame.loc[[11], "respondent_key"] = None
    frame.loc[[3, 4], "country"] = None
    frame.loc[[5, 6, 9], "score"] = None
    specs = [
        Spec("ExpectColumnValuesToBeUnique", {"column": "respondent_key"}),
        Spec("ExpectColumnValuesToNotBeNull", {"column": "respondent_key"}),
        Spec("ExpectColumnValuesToBeInSet", {"column": "country", "value_set": ["FR", "HR"]}),
        Spec("ExpectColumnValuesToNotBeNull", {"column": "country"}),
        Spec("ExpectColumnValuesToBeBetween", {"column": "score", "min_value": 1, "max_value": 5}),
        Spec("ExpectColumnValuesToNotBeNull", {"column": "score"}),
        Spec("ExpectColumnValuesToBeBetween", {"column": "fte", "max_value": 700}),
    ]
    con = duckdb.connect()
    con.register("frame", frame)
    batched, rows = run_suite_on_table(con, "t", "FROM frame", specs)
    whole = run_suite("t", frame, specs)
    assert rows == n
    assert [(o.success, o.unexpected_count) for o in batched.outcomes] == [
        (o.success, o.unexpected_count) for o in whole.outcomes
    ]
    # score 0 or 6: 8,571 rows, one of them (row 6) now null; fte above 700: 199 in 3,000
    assert [o.unexpected_count for o in whole.outcomes] == [3, 1, n // 3, 2, 8570, 3, 1990]


STAGE = """
import sys
from pathlib import Path
from observatory import warehouse
from observatory.ingest.discover import SurveyFile
from observatory.ingest.load import DUCKDB_MIN_MIB, within_budget
from observatory.ingest.stage import file_chunks, staging
export, db, peak = map(Path, sys.argv[1:])
con = warehouse.connect(db)
with staging(con, 2024, "FR", "run") as loader:
    loader.add(file_chunks(SurveyFile(2024, "FR", export), None))
peak.write_text(open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
"""


def test_a_partition_ten_times_larger_is_staged_within_the_budget(tmp_path):
    """Staging (read, harmonise, write) ten times the rows takes less than the budget
    more, and DuckDB's floor (before: about 14 times the export's size, 60 MiB more
    here). The suites' batches: test_a_suite_in_batches_finds_what_it_finds_on_the_whole_table."""
    settings, peaks = tmp_path / "settings.yaml", []
    settings.write_text(yaml.safe_dump({"memory_budget_mib": 6}))
    env = {**os.environ, "OBSERVATORY_SETTINGS": str(settings)}
    for rows in (800, 8_000):  # about 0.5 and 5 MiB, in 3 and 25 chunks
        survey = _export(tmp_path / str(rows), "export.csv", _ids(rows))
        files = [str(survey.path), str(tmp_path / f"{rows}.duckdb"), str(tmp_path / f"{rows}.kb")]
        done = subprocess.run(
            [sys.executable, "-c", STAGE, *files],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        peaks.append(int(Path(files[2]).read_text()) / 1024)
    assert peaks[1] - peaks[0] < 6 + DUCKDB_MIN_MIB, peaks
