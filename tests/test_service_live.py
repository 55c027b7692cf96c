"""The Dagster service as research staff run it: `scripts/serve start` (PostgreSQL on a
loopback port, `dagster-daemon` and `dagster-webserver` as processes), the file sensor
turned on with `dagster sensor start`, exports dropped in, and everything observed from
outside: through the webserver's GraphQL API and the instance's storage. Every wait is
bounded; the processes are stopped by PID with `scripts/serve stop`."""

from __future__ import annotations

import shutil
import time

import dagster as dg
import duckdb
import pytest

from tests.service import SAMPLE, running_service, wait_for

BASELINE = ["2025/FR", "2025/GR", "2025/IT"]  # published before the sensor is turned on
INTERVAL_S = 5  # sensor interval in this test
FAILURE = """query($id: ID!) { runOrError(runId: $id) { ... on Run { eventConnection {
  events { __typename ... on ExecutionStepFailureEvent { stepKey
    failureMetadata { description } error { message } } } } } } }"""


@pytest.fixture(scope="module")
def service():
    with running_service(BASELINE, INTERVAL_S) as svc:
        yield svc


def _pooled_steps(instance: dg.DagsterInstance, run_ids: list[str]) -> list[tuple]:
    """(start, end, run id, step) of every step in the warehouse pool."""
    from assets.definitions import defs

    graph = defs.resolve_asset_graph()
    pooled = {
        graph.get(k).assets_def.op.name
        for k in graph.get_all_asset_keys()
        if graph.get(k).pools == {"warehouse"}
    }
    steps = []
    for run_id in run_ids:
        started = {}
        for entry in instance.all_logs(run_id):
            event = entry.dagster_event
            if event is None or event.step_key not in pooled:
                continue
            if event.event_type == dg.DagsterEventType.STEP_START:
                started[event.step_key] = entry.timestamp
            elif event.event_type in (
                dg.DagsterEventType.STEP_SUCCESS,
                dg.DagsterEventType.STEP_FAILURE,
            ):
                steps.append((started[event.step_key], entry.timestamp, run_id, event.step_key))
    return sorted(steps)


def test_the_service_ingests_dropped_exports_once_and_builds_once(service):
    svc = service
    baseline = svc.cli("refresh")  # as after `make demo`, on the service's instance
    out, err = baseline.communicate(timeout=600)
    assert baseline.returncode == 0, out + err
    published = svc.published()

    svc.start_sensor("survey_files_sensor")
    [first] = wait_for(
        "the file sensor's first tick",
        lambda: [t for t in svc.ticks("survey_files_sensor") if t["status"] != "STARTED"],
        120,
    )
    assert first["runIds"] == [] and "no new or changed export" in first["skipReason"], first

    # (a) one export changed, one added; (c) a refresh started as their runs are requested
    # (started earlier, it may publish the new export before the sensor's next tick: the
    # sensor then rightly finds nothing new in it, and launches one ingest run, not two)
    changed = svc.raw / "surveys" / "2025" / "FR" / "survey_fr_2025.csv"
    changed.write_bytes(changed.read_bytes() + b"\n")
    shutil.copytree(SAMPLE / "surveys" / "2025" / "AT", svc.raw / "surveys" / "2025" / "AT")
    wait_for(
        "the ingest runs of both exports",
        lambda: len([r for r in svc.runs() if "observatory/exports" in r["tags"]]) == 2,
        120,
    )
    concurrent = svc.cli("refresh", "--wave", "2025")

    def settled() -> list[dict] | None:
        runs = svc.runs()
        ingests = [r for r in runs if "observatory/exports" in r["tags"]]
        builds = [r for r in runs if "observatory/after" in r["tags"]]
        done = (
            len(ingests) == 2
            and builds
            and all(r["status"] in ("SUCCESS", "FAILURE", "CANCELED") for r in ingests + builds)
        )
        return runs if done and concurrent.poll() is not None else None

    runs = wait_for("two ingest runs, a build and the concurrent refresh", settled, 600)
    out, err = concurrent.communicate()
    assert concurrent.returncode == 0, out + err
    time.sleep(3 * INTERVAL_S)  # a second build would be requested by now
    runs = svc.runs()
    ingests = {
        r["tags"]["observatory/exports"]: r for r in runs if "observatory/exports" in r["tags"]
    }
    assert set(ingests) == {
        "surveys/2025/FR/survey_fr_2025.csv",
        "surveys/2025/AT/survey_at_2025.xlsx",
    }  # each once
    [build] = [r for r in runs if "observatory/after" in r["tags"]]  # exactly one build
    assert {r["status"] for r in [*ingests.values(), build]} == {"SUCCESS"}
    assert svc.published() != published  # replaced ...
    con = duckdb.connect(str(svc.root / "warehouse" / "observatory.duckdb"), read_only=True)
    countries = {
        c for (c,) in con.execute("SELECT DISTINCT country FROM core.respondents").fetchall()
    }
    con.close()
    assert countries == {"FR", "GR", "IT", "AT"}  # ... and holds the new rows

    # (b) the history is the instance's, seen by a second process: the CLI's runs too
    cli_runs = [r for r in runs if "observatory/pid" in r["tags"]]
    assert [r["jobName"] for r in cli_runs].count("build_warehouse_and_report") == 2
    assert {r["status"] for r in cli_runs} == {"SUCCESS"}
    instance = svc.instance()
    steps = _pooled_steps(instance, [r["runId"] for r in runs])
    assert {s[2] for s in steps} == {r["runId"] for r in runs}
    for before, after in zip(steps, steps[1:], strict=False):
        assert after[0] >= before[1], f"warehouse steps overlap: {before} and {after}"

    # (d) a bad export fails only its partition, its reason readable; nothing published
    published = svc.published()
    (svc.raw / "surveys" / "2025" / "GR" / "broken.csv").write_bytes(b"\x00\x01\x02" * 400)
    failed = wait_for(
        "the failed ingest run",
        lambda: [
            r
            for r in svc.runs()
            if "broken.csv" in r["tags"].get("observatory/exports", "") and r["status"] == "FAILURE"
        ],
        300,
    )
    events = svc.gql(FAILURE, id=failed[0]["runId"])["runOrError"]["eventConnection"]["events"]
    reasons = [
        e["failureMetadata"]["description"]
        for e in events
        if e["__typename"] == "ExecutionStepFailureEvent" and e["failureMetadata"]
    ]
    assert any("broken.csv" in r and "\n" not in r.strip() for r in reasons), events
    time.sleep(3 * INTERVAL_S)
    assert len([r for r in svc.runs() if "observatory/after" in r["tags"]]) == 1
    assert svc.published() == published
    for sensor in ("survey_files_sensor", "build_after_ingest", "recover_dead_runs"):
        assert [t for t in svc.ticks(sensor) if t["status"] == "FAILURE"] == []
