"""Sensors: a new or changed export under data/raw/surveys launches one ingest run for
its partition; a successful ingest run asked to be followed by a build gets one.

The file sensor's cursor maps each export (path relative to the raw folder) to its
modification time, size and SHA-256, so a file is hashed again only when its time or
size moves, and a run is requested only when its content changed. Run keys are the
path, content hash and modification time: a lost cursor never launches a second run for
the same file, while a file put back to an earlier version is loaded again."""


import json
from pathlib import Path

import dagster as dg

from assets.jobs import BUILD, INGEST, build_assets, build_job, ingest_job
from assets.partitions import delivered, new_waves, partition_key, wave_partitions
from assets.resources import ObservatoryResource
from observatory.ingest.discover import survey_files, unreadable
from observatory.ingest.provenance import sha256_of

THEN_BUILD = {"observatory/then": "build"}  # tag: rebuild the warehouse after this ingest
WITH_REPORT = {"observatory/report": "yes"}  # tag: ... and the report of the latest wave


def changed_exports(raw_dir: Path, cursor: dict[str, list]) -> tuple[dict, dict[str, list]]:
    """({(wave, country): ["<relative path>@<sha256>@<mtime ns>", ...]} of new or changed
    exports, the new cursor)."""
    changes: dict[tuple[int, str], list[str]] = {}
    seen: dict[str, list] = {}
    for survey in survey_files(raw_dir):
        path, stat = survey.path.relative_to(raw_dir).as_posix(), survey.path.stat()
        before = cursor.get(path)
        if before and before[:2] == [stat.st_mtime_ns, stat.st_size]:
            seen[path] = before
            continue
        sha = sha256_of(survey.path.read_bytes())
        seen[path] = [stat.st_mtime_ns, stat.st_size, sha]
        if not before or before[2] != sha:
            changes.setdefault((survey.wave, survey.country), []).append(
                f"{path}@{sha}@{stat.st_mtime_ns}")
    return changes, seen


@dg.sensor(job=ingest_job, minimum_interval_seconds=30,
           description="Watches data/raw/surveys: each new or changed export (by SHA-256) "
                       "launches one ingest run of its wave x country partition, then the "
                       "warehouse and report are rebuilt; a new wave becomes a partition.")
def survey_files_sensor(context: dg.SensorEvaluationContext,
                        observatory: ObservatoryResource) -> dg.SensorResult:
    raw_dir = observatory.paths.raw_dir
    for problem in unreadable(raw_dir).values():
        context.log.warning(problem)
    changes, cursor = changed_exports(raw_dir, json.loads(context.cursor or "{}"))
    requests = [
        dg.RunRequest(run_key=" ".join(sorted(files)),
                      partition_key=str(partition_key(wave, country)), tags=THEN_BUILD)
        for (wave, country), files in sorted(changes.items())
    ]
    waves = new_waves(context.instance, sorted(changes))
    return dg.SensorResult(
        run_requests=requests, cursor=json.dumps(cursor, sort_keys=True),
        dynamic_partitions_requests=[wave_partitions.build_add_request(waves)] if waves else [],
        skip_reason=None if requests else "no new or changed export",
    )


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[ingest_job],
                      request_job=build_job, default_status=dg.DefaultSensorStatus.RUNNING,
                      description="After a successful ingest run tagged observatory/then=build "
                                  "(file sensor, annual refresh), rebuild the warehouse once no "
                                  "such ingest run is pending, with the latest wave's report "
                                  "if the run is also tagged observatory/report=yes (annual "
                                  "refresh).")
def build_after_ingest(context: dg.RunStatusSensorContext,
                       observatory: ObservatoryResource) -> dg.RunRequest | dg.SkipReason:
    run = context.dagster_run
    if run.tags.get("observatory/then") != "build":
        return dg.SkipReason(f"run {run.run_id} did not ask for a build")
    pending = context.instance.get_run_records(dg.RunsFilter(
        job_name=INGEST, tags=THEN_BUILD,
        statuses=[dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED,
                  dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]))
    if pending:
        return dg.SkipReason(f"{len(pending)} ingest run(s) pending: the last one builds")
    latest = max(wave for wave, _ in delivered(observatory.paths.raw_dir))
    report = run.tags.get("observatory/report") == WITH_REPORT["observatory/report"]
    return dg.RunRequest(run_key=f"{BUILD}-after-{run.run_id}", partition_key=str(latest),
                         asset_selection=build_assets(context.repository_def.asset_graph,
                                                      report))
