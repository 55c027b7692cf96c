"""Orchestration: the file sensor, the schedules, key ranges, partitioned runs, a failed
partition re-run alone, the delivery freshness check."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.definitions import build_defs
from assets.defs.orchestration.jobs import BUILD, INGEST
from assets.defs.orchestration.schedules import (
    ANNUAL_CRON,
    MONTHLY_CRON,
    annual_refresh,
    monthly_revalidation,
)
from assets.defs.orchestration.sensors import build_after_ingest, survey_files_sensor
from assets.defs.raw.assets import raw_survey_files
from assets.defs.staged.assets import staged_survey_responses
from assets.defs.staged.freshness import latest_wave_delivered
from assets.keys import REPORT
from assets.partitions import WAVES, key_ranges, partition_key, register_waves, survey_partitions
from assets.runner import QUIET
from observatory.config import load_countries
from observatory.ingest.discover import unreadable
from tests.conftest import SAMPLE, make_resource

RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def _raw(tmp_path: Path, *exports: str) -> Path:
    """A raw folder with the reference files and only these exports ('2024/FR', ...)."""
    raw = tmp_path / "raw"
    for folder in ("frames", "cases"):
        shutil.copytree(SAMPLE / folder, raw / folder)
    for export in exports:
        shutil.copytree(SAMPLE / "surveys" / export, raw / "surveys" / export)
    return raw


def _evaluate(instance: dg.DagsterInstance, raw: Path, cursor: str | None) -> dg.SensorResult:
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"observatory": make_resource(raw.parent, raw)}
    )
    return survey_files_sensor(context)


def _staged(root: Path) -> dict[tuple[int, str], int]:
    con = duckdb.connect(str(root / "warehouse" / "pipeline.duckdb"), read_only=True)
    rows = dict(
        ((w, c), n)
        for w, c, n in con.execute(
            "SELECT wave, country, count(*) FROM staging.responses GROUP BY ALL"
        ).fetchall()
    )
    con.close()
    return rows


def test_sensor_new_file_one_request_same_file_none_changed_file_one(tmp_path):
    raw, instance = _raw(tmp_path, "2024/FR"), dg.DagsterInstance.ephemeral()
    first = _evaluate(instance, raw, None)
    assert [r.partition_key for r in first.run_requests] == ["FR|2024"]
    assert first.run_requests[0].run_key.startswith("surveys/2024/FR/survey_fr_2024.csv@")
    assert first.dynamic_partitions_requests[0].partition_keys == ["2024"]

    export = raw / "surveys" / "2024" / "FR" / "survey_fr_2024.csv"
    os.utime(export)  # touched, same bytes
    again = _evaluate(instance, raw, first.cursor)
    assert again.run_requests == [] and again.skip_reason is not None

    export.write_bytes(export.read_bytes() + b"\n")
    changed = _evaluate(instance, raw, again.cursor)
    assert [r.partition_key for r in changed.run_requests] == ["FR|2024"]
    assert changed.run_requests[0].run_key != first.run_requests[0].run_key
    assert json.loads(changed.cursor)["files"].keys() == {"surveys/2024/FR/survey_fr_2024.csv"}


def _tick(
    sensor: dg.SensorDefinition,
    instance: dg.DagsterInstance,
    defs: dg.Definitions,
    raw: Path,
    cursor: str | None = None,
):
    """Evaluate a sensor as the daemon's code server does (dagster/_grpc/impl.py): a
    context on the instance's ref, and `evaluate_tick`, which resolves the requests
    against the repository (partition keys and asset selections checked) where calling
    the function does not."""
    repository = defs.get_repository_def()
    with dg.SensorEvaluationContext(
        instance_ref=instance.get_ref(),
        last_tick_completion_time=None,
        last_run_key=None,
        cursor=cursor,
        log_key=None,
        repository_name=repository.name,
        repository_def=repository,
        sensor_name=sensor.name,
        resources={"observatory": make_resource(raw.parent, raw)},
    ) as context:
        return sensor.evaluate_tick(context)


def test_every_sensor_resolves_its_requests_as_the_daemon_does(tmp_path):
    """A batch of exports -> one ingest run each -> exactly one build, whose request
    resolves (a partition key only with the partitioned report) and runs."""
    raw = _raw(tmp_path, "2024/FR")
    defs = build_defs(make_resource(tmp_path, raw))
    with dg.instance_for_test() as instance:
        for sensor in defs.sensors:  # only the file sensor has something to do
            ticked = _tick(sensor, instance, defs, raw)
            assert [r.partition_key for r in ticked.run_requests] == (
                ["FR|2024"] if sensor.name == "survey_files_sensor" else []
            )
        cursor = _tick(survey_files_sensor, instance, defs, raw).cursor
        for export in ("2025/GR", "2025/FR"):
            shutil.copytree(SAMPLE / "surveys" / export, raw / "surveys" / export)
        files = _tick(survey_files_sensor, instance, defs, raw, cursor)
        assert [r.partition_key for r in files.run_requests] == ["FR|2025", "GR|2025"]
        assert (
            files.run_requests[1].tags["observatory/exports"]
            == "surveys/2025/GR/survey_gr_2025.csv"
        )
        for request in files.dynamic_partitions_requests:
            instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
        ingest = defs.resolve_job_def(INGEST)
        for request in files.run_requests:
            assert ingest.execute_in_process(
                partition_key=request.partition_key,
                tags=request.tags,
                instance=instance,
                run_config=QUIET,
            ).success
        assert sorted(_staged(tmp_path)) == [(2025, "FR"), (2025, "GR")]

        tick = _tick(build_after_ingest, instance, defs, raw)
        [build] = tick.run_requests  # one build for the two ingest runs
        assert build.partition_key is None  # mid-year: no report, nothing partitioned
        selected = set(build.asset_selection)
        assert REPORT not in selected
        assert {
            dg.AssetKey(["published", "analyst_snapshot"]),
            dg.AssetKey(["published", "data_quality_page"]),
        } <= selected
        assert selected | {REPORT} == set(
            defs.resolve_job_def(BUILD).asset_layer.executable_asset_keys
        )
        assert (
            _tick(build_after_ingest, instance, defs, raw, tick.cursor).run_requests == []
        )  # once
        again = files.run_requests[0]  # a later delivery: one more build
        assert ingest.execute_in_process(
            partition_key=again.partition_key, tags=again.tags, instance=instance, run_config=QUIET
        ).success
        later = _tick(build_after_ingest, instance, defs, raw, tick.cursor)
        assert len(later.run_requests) == 1 and later.run_requests[0].run_key != build.run_key
        run = defs.resolve_job_def(BUILD).execute_in_process(
            instance=instance,
            asset_selection=build.asset_selection,
            tags=build.tags,
            run_config=QUIET,
        )
        assert run.success
        assert (tmp_path / "warehouse" / "observatory.duckdb").exists()


def test_the_annual_refresh_builds_the_report_too(tmp_path):
    raw = _raw(tmp_path, "2024/FR")
    defs = build_defs(make_resource(tmp_path, raw))
    with dg.instance_for_test() as instance:
        tags = {"observatory/then": "build", "observatory/report": "yes"}
        register_waves(instance, [(2024, "FR")])
        defs.resolve_job_def(INGEST).execute_in_process(
            partition_key="FR|2024", tags=tags, instance=instance, run_config=QUIET
        )
        [build] = _tick(build_after_ingest, instance, defs, raw).run_requests
    assert REPORT in build.asset_selection and build.partition_key == "2024"


def test_the_file_sensor_starts_from_what_the_warehouse_holds(pipeline_run):
    """After a refresh, turning the sensor on ingests nothing again; a changed export is
    ingested once."""
    raw = pipeline_run.raw_dir
    resources = {"observatory": make_resource(pipeline_run.root, raw)}
    context = dg.build_sensor_context(instance=dg.DagsterInstance.ephemeral(), resources=resources)
    first = survey_files_sensor(context)
    assert first.run_requests == [] and first.skip_reason.skip_message.startswith(
        "no new or changed export"
    )
    assert len(json.loads(first.cursor)["files"]) == 15

    export = next((raw / "surveys" / "2026" / "IT").iterdir())
    original = export.read_bytes()
    try:
        export.write_bytes(original + b"\n")
        changed = survey_files_sensor(
            dg.build_sensor_context(
                instance=dg.DagsterInstance.ephemeral(), cursor=first.cursor, resources=resources
            )
        )
    finally:
        export.write_bytes(original)
    assert [r.partition_key for r in changed.run_requests] == ["IT|2026"]


def test_unknown_wave_or_country_folder_is_reported_once_not_requested(tmp_path):
    raw, instance = _raw(tmp_path, "2024/FR"), dg.DagsterInstance.ephemeral()
    for folder in ("2031/FR", "2024/DE"):
        shutil.copytree(SAMPLE / "surveys" / "2024" / "FR", raw / "surveys" / folder)
    result = _evaluate(instance, raw, None)
    assert [r.partition_key for r in result.run_requests] == ["FR|2024"]
    assert json.loads(result.cursor)["reported"] == sorted(unreadable(raw).values())
    again = _evaluate(instance, raw, result.cursor)
    assert "2 folder(s) not read" in again.skip_reason.skip_message
    assert "wave 2031" in again.skip_reason.skip_message
    check = latest_wave_delivered(observatory=make_resource(tmp_path, raw))
    folders = check.metadata["unreadable_folders"].value
    assert check.description.startswith(
        "latest wave 2024: not delivered by HR, AT, GR, IT; 2 folder(s) not read: "
    )
    assert "wave 2031 is not in the codebook" in folders
    assert "unknown country 'DE'" in folders


def test_schedules_cron_and_job(tmp_path):
    assert (
        (annual_refresh.cron_schedule, monthly_revalidation.cron_schedule)
        == (ANNUAL_CRON, MONTHLY_CRON)
        == ("0 6 1 11 *", "0 5 1 * *")
    )
    assert annual_refresh.job_name == monthly_revalidation.job_name == INGEST
    defs = build_defs(make_resource(tmp_path, SAMPLE))
    assert {s.name for s in defs.schedules} == {"annual_refresh", "monthly_revalidation"}
    assert set(defs.resolve_job_def(INGEST).asset_layer.executable_asset_keys) == {
        dg.AssetKey(["raw", "survey_files"]),
        dg.AssetKey(["staged", "survey_responses"]),
    }
    assert (
        dg.AssetKey(["published", "annual_report"])
        in defs.resolve_job_def(BUILD).asset_layer.executable_asset_keys
    )

    countries = list(load_countries())
    resources = {"observatory": make_resource(tmp_path, SAMPLE)}
    # schedules need a persistent instance; close the context before the instance
    with (
        dg.instance_for_test() as instance,
        dg.build_schedule_context(instance=instance, resources=resources) as context,
    ):
        for schedule, builds in ((annual_refresh, True), (monthly_revalidation, False)):
            [request] = schedule.evaluate_tick(context).run_requests
            assert (request.tags[RANGE_START], request.tags[RANGE_END]) == (
                f"{countries[0]}|2024",
                f"{countries[-1]}|2026",
            )  # all 15 in one run
            assert (request.tags.get("observatory/then") == "build") is builds
            assert (request.tags.get("observatory/report") == "yes") is builds
        assert instance.get_dynamic_partitions(WAVES) == ["2024", "2025", "2026"]


def test_key_ranges_cover_exactly_the_delivered_partitions():
    instance = dg.DagsterInstance.ephemeral()
    every = [(w, c) for w in (2024, 2025, 2026) for c in load_countries()]
    for pairs in (
        every,
        [p for p in every if p != (2025, "AT")],
        [(2024, "FR"), (2026, "FR")],
        [(2026, "IT"), (2024, "HR")],
    ):
        register_waves(instance, pairs)
        covered = [
            str(k)
            for r in key_ranges(instance, pairs)
            for k in survey_partitions.get_partition_keys_in_range(
                r, dynamic_partitions_store=instance
            )
        ]
        assert sorted(covered) == sorted(str(partition_key(w, c)) for w, c in pairs)
    assert len(key_ranges(instance, every)) == 1


def test_partitioned_materialisation(tmp_path):
    raw, instance = _raw(tmp_path, "2024/AT", "2024/FR"), dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(WAVES, ["2024"])
    result = dg.materialize(
        [raw_survey_files, staged_survey_responses],
        partition_key="AT|2024",
        instance=instance,
        resources={"observatory": make_resource(tmp_path, raw)},
    )
    assert result.success
    [staged] = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey(["staged", "survey_responses"])
    ]
    meta = staged.materialization.metadata
    assert staged.partition == "AT|2024"
    assert meta["rows_read"].value == meta["rows_loaded"].value + meta["rows_quarantined"].value
    assert "expectations passed" in meta["validation"].value
    assert _staged(tmp_path) == {(2024, "AT"): meta["rows_loaded"].value}


def test_failed_partition_leaves_the_others_and_is_rerun_alone(tmp_path):
    raw = _raw(tmp_path, "2024/HR", "2024/FR")  # adjacent in countries.yaml: one range
    instance, defs = dg.DagsterInstance.ephemeral(), build_defs(make_resource(tmp_path, raw))
    instance.add_dynamic_partitions(WAVES, ["2024"])
    export = raw / "surveys" / "2024" / "FR" / "survey_fr_2024.csv"
    good = export.read_bytes()
    lines = good.decode("utf-8-sig").splitlines()
    export.write_text(
        "\n".join([lines[0] + ";Colonne inconnue", *lines[1:]]) + "\n", encoding="utf-8-sig"
    )
    ingest = defs.resolve_job_def(INGEST)
    both = ingest.execute_in_process(
        instance=instance, raise_on_error=False, tags={RANGE_START: "HR|2024", RANGE_END: "FR|2024"}
    )
    assert not both.success
    [failure] = both.get_step_failure_events()
    assert "2024 FR: " in failure.step_failure_data.user_failure_data.description
    assert "Colonne inconnue" in failure.step_failure_data.user_failure_data.description
    assert list(_staged(tmp_path)) == [(2024, "HR")]  # the good partition is staged ...
    materialised = instance.get_materialized_partitions(dg.AssetKey(["staged", "survey_responses"]))
    assert materialised == {"HR|2024"}  # ... and recorded as such
    # the checks ran on the staged partition and say which one they did not see: the UI
    # shows them as run, not as "execution failed"
    records = instance.get_records_for_run(
        both.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    evaluations = {
        e.check_name: e
        for e in (r.event_log_entry.dagster_event.event_specific_data for r in records)
    }
    assert set(evaluations) == {"row_accounting", "staged_suite"}
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [
            dg.AssetCheckKey(dg.AssetKey(["staged", "survey_responses"]), name)
            for name in evaluations
        ]
    )
    assert {r.status.value for r in latest.values()} == {"SUCCEEDED"}
    assert all(
        e.passed and e.description.endswith("not staged, so not checked: 2024 FR")
        for e in evaluations.values()
    )

    export.write_bytes(good)
    croatian = _staged(tmp_path)[(2024, "HR")]
    alone = ingest.execute_in_process(instance=instance, partition_key="FR|2024")
    assert alone.success
    assert {str(e.partition) for e in alone.get_asset_materialization_events()} == {"FR|2024"}
    staged = _staged(tmp_path)
    assert staged[(2024, "HR")] == croatian and staged[(2024, "FR")] > 0


def test_a_header_only_export_fails_only_its_partition_naming_its_file(tmp_path):
    raw = _raw(tmp_path, "2024/HR", "2024/FR")  # adjacent: one run stages both
    instance, defs = dg.DagsterInstance.ephemeral(), build_defs(make_resource(tmp_path, raw))
    instance.add_dynamic_partitions(WAVES, ["2024"])
    export = raw / "surveys" / "2024" / "FR" / "survey_fr_2024.csv"
    export.write_bytes(export.read_bytes().splitlines(keepends=True)[0])
    run = defs.resolve_job_def(INGEST).execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config=QUIET,
        tags={RANGE_START: "HR|2024", RANGE_END: "FR|2024"},
    )
    [failure] = run.get_step_failure_events()
    assert failure.step_failure_data.user_failure_data.description == (
        f"2024 FR: {export}: no data rows (only the header): nothing to load"
    )
    assert list(_staged(tmp_path)) == [(2024, "HR")]


@pytest.mark.parametrize(
    "exports, passed, missing",
    [
        (("2024/FR", "2025/FR", "2025/GR"), False, "HR, AT, IT"),
        ((f"2024/{c}" for c in ("HR", "FR", "AT", "GR", "IT")), True, "none"),
    ],
)
def test_freshness_check_names_countries_missing_the_latest_wave(
    tmp_path, exports, passed, missing
):
    raw = _raw(tmp_path, *exports)
    check = latest_wave_delivered(observatory=make_resource(tmp_path, raw))
    assert check.passed is passed
    assert check.metadata["missing_countries"].value == missing


def test_the_range_tags_are_the_ones_dagster_reads():
    """assets/defs/orchestration/schedules.py spells Dagster's range tags out (no public
    constant): an upgrade that renames them fails here, not as runs that ignore their range."""
    from dagster._core.storage import tags

    from assets.defs.orchestration.schedules import RANGE_END, RANGE_START

    assert (RANGE_START, RANGE_END) == (
        tags.ASSET_PARTITION_RANGE_START_TAG,
        tags.ASSET_PARTITION_RANGE_END_TAG,
    )
