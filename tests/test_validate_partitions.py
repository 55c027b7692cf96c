"""The staged suites run once over all the partitions a run staged (Great Expectations
paid once, not per partition), while each partition's results, in
audit.validation_results, stay its own: a failure is recorded against the partition
that has it, with that partition's counts."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from assets.defs.raw.assets import raw_survey_files
from assets.defs.staged import checks as staged_checks
from assets.defs.staged.assets import staged_survey_responses
from assets.defs.staged.checks import validate_staged
from assets.partitions import WAVES
from observatory import warehouse
from observatory.ingest.discover import SurveyFile
from observatory.ingest.stage import file_chunks, staging
from observatory.quality import Spec, SuiteResult, batches, partitions, run_suite, suites
from observatory.quality.batches import run_suite_on_table
from tests.conftest import make_resource
from tests.corpus.make_corpus import table, text
from tests.test_orchestration import _raw

LABELS = {"FR|2024": (2024, "FR"), "FR|2025": (2025, "FR"), "HR|2024": (2024, "HR")}
EMPTY = {"HR|2025": (2025, "HR")}  # staged, every row quarantined: no row
SPECS = len(suites.staged_respondents()) + len(suites.answer_codes())


@pytest.fixture(scope="module")
def con(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    """FR and HR 2024 staged from valid exports; FR 2025 the same respondents a year on
    (the same keys: keys are unique per partition, not across them)."""
    root: Path = tmp_path_factory.mktemp("partitions")
    con = warehouse.connect(root / "w.duckdb")
    for country in ("FR", "HR"):
        path = root / f"{country}.csv"
        path.write_text(text(table(country, n=20)), encoding="utf-8")
        with staging(con, 2024, country, "run") as loader:
            loader.add(file_chunks(SurveyFile(2024, country, path), None))
    for t in ("staging.responses", "staging.answers"):
        con.execute(
            f"INSERT INTO {t} SELECT * REPLACE (2025 AS wave) FROM {t} WHERE country = 'FR'"
        )
    return con


@pytest.fixture
def validations(monkeypatch) -> list[str]:
    """The suites Great Expectations validates, one name per validation."""
    done: list[str] = []

    def counted(name: str, frame: pd.DataFrame, specs: list[Spec], *weights) -> SuiteResult:
        done.append(name)
        return run_suite(name, frame, specs, *weights)

    for module in (partitions, batches):
        monkeypatch.setattr(module, "run_suite", counted)
    return done


def _rows(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple]:
    return con.execute(
        "SELECT partition, suite, expectation, success, unexpected_count "
        "FROM audit.validation_results WHERE run_id = ? ORDER BY ALL",
        [run_id],
    ).fetchall()


def test_passing_partitions_are_validated_once_and_recorded_each(con, validations):
    results = validate_staged(con, LABELS, "pass")
    # the respondents: their values, their keys, their row counts; the answers' values
    assert validations == ["staged_respondents"] * 3 + ["staged_answers"]
    rows = _rows(con, "pass")  # rows, then row counts, of the respondents; the answers
    assert len(rows) == len(LABELS) * SPECS
    assert {r[0] for r in rows} == set(LABELS)
    assert all(success and unexpected == 0 for *_, success, unexpected in rows)
    assert all(r.passed for rs in results.values() for r in rs)


def test_a_failure_is_recorded_against_its_partition_only_with_its_own_counts(con):
    con.execute("BEGIN")  # rolled back: the module's partitions stay valid
    (key,) = con.execute(
        "SELECT min(respondent_key) FROM staging.responses WHERE wave = 2024 AND country = 'HR'"
    ).fetchone()
    con.execute(
        "UPDATE staging.responses SET respondent_key = ? WHERE respondent_key IN ("
        "SELECT respondent_key FROM staging.responses WHERE wave = 2024 AND country = 'HR' "
        "ORDER BY 1 LIMIT 3)",
        [key],
    )  # three rows of one key in HR 2024
    con.execute(
        "UPDATE staging.answers SET code = 'nonsense' WHERE wave = 2025 AND country = 'FR' "
        "AND dimension = 'lever'"
    )
    (bad,) = con.execute("SELECT count(*) FROM staging.answers WHERE code = 'nonsense'").fetchone()
    results = validate_staged(con, LABELS | EMPTY, "fail")
    alone = {
        label: partitions.validate_partitions(con, [p]) for label, p in (LABELS | EMPTY).items()
    }
    failed = {(p, s, u) for p, s, _, ok, u in _rows(con, "fail") if not ok}
    con.execute("ROLLBACK")
    assert failed == {
        ("HR|2024", "staged_respondents", 3),
        ("FR|2025", "staged_answers", bad),
        ("HR|2025", "staged_respondents", 0),  # the row-count warning: no row
    }
    assert bad > 0
    assert {label: [r.passed for r in rs] for label, rs in results.items()} == {
        "FR|2024": [True, True],
        "FR|2025": [True, False],
        "HR|2024": [False, True],
        "HR|2025": [True, True],  # a warning does not block
    }
    for label, (wave, country) in (LABELS | EMPTY).items():  # the counts of each alone
        mine = [(o.success, o.unexpected_count) for r in results[label] for o in r.outcomes]
        assert mine == [
            (o.success, o.unexpected_count)
            for r in alone[label][(wave, country)]
            for o in r.outcomes
        ]


def test_a_row_count_is_not_validated_in_batches():
    specs = [Spec("ExpectTableRowCountToBeBetween", {"min_value": 1})]
    with pytest.raises(ValueError, match="t: cannot be validated in batches: ExpectTableRowCount"):
        run_suite_on_table(duckdb.connect(), "t", "SELECT 1 AS respondent_key", specs)


def test_a_validation_that_fails_to_run_fails_the_suite_check_naming_the_partitions(
    tmp_path, monkeypatch
):
    def broken(*_: object) -> None:
        raise RuntimeError("engine down\nmore")

    monkeypatch.setattr(staged_checks, "validate_partitions", broken)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(WAVES, ["2024"])
    result = dg.materialize(
        [raw_survey_files, staged_survey_responses],
        partition_key="AT|2024",
        instance=instance,
        resources={"observatory": make_resource(tmp_path, _raw(tmp_path, "2024/AT"))},
        raise_on_error=False,
    )
    assert not result.success
    [failure] = [e for e in result.get_step_failure_events() if "staged" in e.step_key]
    assert failure.step_failure_data.user_failure_data.description == (
        "validation of 1 partition(s): unexpected RuntimeError: engine down "
        "(staged, not validated: the staged_suite check fails)"
    )
    records = instance.get_records_for_run(
        result.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    [suite] = [
        e
        for e in (r.event_log_entry.dagster_event.event_specific_data for r in records)
        if e.check_name == "staged_suite"
    ]
    assert not suite.passed
    assert suite.description.startswith("AT|2024: not validated (see the step's log)")
