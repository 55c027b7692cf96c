"""Sensors: a new or changed export under data/raw/surveys launches one ingest run for
its partition; once a batch of such ingest runs has finished, one build follows.

The file sensor's cursor maps each export (path relative to the raw folder) to its
modification time, size and SHA-256, so a file is hashed again only when its time or
size moves, and a run is requested only when its content changed. A file the sensor
has not seen yet is compared with what the published warehouse was built from
(`audit.raw_files`): turning the sensor on after `make demo` ingests nothing again. Run
keys are the path, content hash and modification time: a lost cursor never launches a
second run for the same file, while a file put back to an earlier version is loaded
again. A folder of an unknown wave or country is logged once, when it appears, and
never blocks the known partitions."""

import functools
import json
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from assets.defs.orchestration import jobs
from assets.partitions import delivered, new_waves, partition_key, wave_partitions
from assets.resources import ObservatoryResource
from observatory.ingest.discover import survey_files, unreadable
from observatory.ingest.provenance import file_sha256, published_hashes

THEN_BUILD = {"observatory/then": "build"}  # tag: rebuild the warehouse after this ingest
WITH_REPORT = {"observatory/report": "yes"}  # tag: ... and the report of the latest wave
EXPORTS = "observatory/exports"  # tag: the exports a sensor-launched run ingests
AFTER = "observatory/after"  # tag: the ingest runs a build follows
# The machine whose daemon launches the run (its run worker runs there): a run whose
# process is gone from that machine is failed by `recover_dead_runs`.
HOST = {"observatory/host": socket.gethostname()}
# Seconds between ticks of the file sensor (hashes only what moved); the build sensor,
# two run queries a tick, ticks as often as the daemon's sensor loop allows (5 s).
INTERVAL_S = int(os.environ.get("OBSERVATORY_SENSOR_INTERVAL_S", "10"))
BUILD_INTERVAL_S = min(INTERVAL_S, 5)
PENDING = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def changed_exports(
    raw_dir: Path, cursor: dict[str, list], recorded: Callable[[], dict[str, str]]
) -> tuple[dict, dict[str, list]]:
    """({(wave, country): ["<relative path>@<sha256>@<mtime ns>", ...]} of new or changed
    exports, the new cursor). `recorded()` ({absolute path: sha256}, read only when a
    file is not in the cursor) is what the published warehouse already holds: such a
    file recorded with the same hash is not a change."""
    changes: dict[tuple[int, str], list[str]] = {}
    seen: dict[str, list] = {}
    for survey in survey_files(raw_dir):
        path, stat = survey.path.relative_to(raw_dir).as_posix(), survey.path.stat()
        before = cursor.get(path)
        if before and before[:2] == [stat.st_mtime_ns, stat.st_size]:
            seen[path] = before
            continue
        sha = file_sha256(survey.path)
        seen[path] = [stat.st_mtime_ns, stat.st_size, sha]
        known = before[2] if before else recorded().get(str(survey.path))
        if known != sha:
            changes.setdefault((survey.wave, survey.country), []).append(
                f"{path}@{sha}@{stat.st_mtime_ns}"
            )
    return changes, seen


@dg.sensor(
    job=jobs.ingest_job,
    minimum_interval_seconds=INTERVAL_S,
    description="Watches data/raw/surveys: each new or changed export (by SHA-256, "
    "starting from what the published warehouse holds) launches one "
    "ingest run of its wave x country partition; the sensor "
    "build_after_ingest then rebuilds the warehouse once; a new wave "
    "becomes a partition; a folder of an unknown wave or country is "
    "logged once.",
)
def survey_files_sensor(
    context: dg.SensorEvaluationContext, observatory: ObservatoryResource
) -> dg.SensorResult:
    raw_dir, state = observatory.paths.raw_dir, json.loads(context.cursor or "{}")
    problems = sorted(unreadable(raw_dir).values())
    for problem in sorted(set(problems) - set(state.get("reported", []))):
        context.log.warning(f"not read: {problem}")
    changes, files = changed_exports(
        raw_dir,
        state.get("files", {}),
        functools.cache(lambda: published_hashes(observatory.paths.published_db)),
    )
    requests = [
        dg.RunRequest(
            run_key=" ".join(sorted(found)),
            partition_key=str(partition_key(wave, country)),
            tags={**THEN_BUILD, **HOST, EXPORTS: ", ".join(f.split("@")[0] for f in sorted(found))},
        )
        for (wave, country), found in sorted(changes.items())
    ]
    waves = new_waves(context.instance, sorted(changes))
    return dg.SensorResult(
        run_requests=requests,
        cursor=json.dumps({"files": files, "reported": problems}, sort_keys=True),
        dynamic_partitions_requests=[wave_partitions.build_add_request(waves)] if waves else [],
        skip_reason=None
        if requests
        else "no new or changed export"
        + (f"; {len(problems)} folder(s) not read: {'; '.join(problems)}" if problems else ""),
    )


@dg.sensor(
    job=jobs.build_job,
    minimum_interval_seconds=BUILD_INTERVAL_S,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Once every ingest run tagged observatory/then=build (file sensor, "
    "annual refresh) has finished and at least one of them succeeded "
    "since the last build, launches exactly one build of the warehouse "
    "(core, weights, marts, snapshot, data-quality page), with the "
    "latest wave's report when one of them is tagged "
    "observatory/report=yes (annual refresh).",
)
def build_after_ingest(
    context: dg.SensorEvaluationContext, observatory: ObservatoryResource
) -> dg.SensorResult | dg.SkipReason:
    instance, repository = context.instance, context.repository_def
    assert repository is not None  # the daemon evaluates a sensor within its code location
    if pending := instance.get_run_records(
        dg.RunsFilter(job_name=jobs.INGEST, tags=THEN_BUILD, statuses=PENDING)
    ):
        return dg.SkipReason(f"{len(pending)} ingest run(s) pending: the build waits for all")
    since = float(context.cursor or 0)
    finished = [
        r
        for r in instance.get_run_records(
            dg.RunsFilter(
                job_name=jobs.INGEST,
                tags=THEN_BUILD,
                statuses=[
                    dg.DagsterRunStatus.SUCCESS,
                    dg.DagsterRunStatus.FAILURE,
                    dg.DagsterRunStatus.CANCELED,
                ],
                updated_after=datetime.fromtimestamp(since, tz=UTC),
            )
        )  # only what the cursor lacks
        if r.update_timestamp.timestamp() > since
    ]
    cursor = str(max([since, *(r.update_timestamp.timestamp() for r in finished)]))
    runs = [r.dagster_run for r in finished if r.dagster_run.status == dg.DagsterRunStatus.SUCCESS]
    if not runs:
        return dg.SensorResult(
            cursor=cursor,
            skip_reason=(
                f"{len(finished)} ingest run(s) finished, none succeeded: nothing to build"
                if finished
                else "no ingest run finished since the last build"
            ),
        )
    report = any(WITH_REPORT.items() <= run.tags.items() for run in runs)
    latest = max(wave for wave, _ in delivered(observatory.paths.raw_dir))
    ids = sorted(run.run_id for run in runs)
    return dg.SensorResult(
        cursor=cursor,
        run_requests=[
            dg.RunRequest(
                run_key=f"build-after-{ids[-1]}",
                partition_key=str(latest) if report else None,
                asset_selection=jobs.build_assets(repository.assets_defs_by_key.values(), report),
                tags={**HOST, AFTER: ", ".join(run.run_id[:8] for run in runs)},
            )
        ],
    )
