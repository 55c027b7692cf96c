"""A run whose process died is failed and frees its `warehouse` slot before the next run
(the CLI's sweep, and the daemon's sensor recover_dead_runs); a live run is waited for."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import dagster as dg

from assets.defs.orchestration.recovery import HOST, PID, sweep
from assets.runner import project_instance


def _started_run(instance: dg.DagsterInstance, pid: int, host: str) -> dg.DagsterRun:
    run = dg.DagsterRun(
        job_name="ingest_survey_partition",
        status=dg.DagsterRunStatus.STARTED,
        tags={PID: str(pid), HOST: host},
    )
    instance.add_run(run)
    instance.event_log_storage.claim_concurrency_slot("warehouse", run.run_id, "a_step")
    return run


def test_a_dead_run_is_failed_and_its_slot_freed_a_live_one_is_not(tmp_path):
    instance = project_instance(tmp_path / "home")  # the project's dagster.yaml: pools
    instance.event_log_storage.initialize_concurrency_limit_to_default("warehouse")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    here = socket.gethostname()
    dead = _started_run(instance, gone.pid, here)
    live = _started_run(instance, os.getpid(), here)
    elsewhere = _started_run(instance, gone.pid, "another-machine")  # not ours to judge
    storage = instance.event_log_storage
    pool = storage.get_concurrency_info("warehouse")
    assert pool.slot_count == 1  # the dead run holds the one slot, the others wait for it
    assert [s.run_id for s in pool.claimed_slots] == [dead.run_id]

    recovered, running = sweep(instance)

    assert len(recovered) == 1 and dead.run_id[:8] in recovered[0]
    assert f"its process {gone.pid} is gone" in recovered[0]
    assert {r.run_id for r in running} == {live.run_id}
    assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
    assert instance.get_run_by_id(live.run_id).status == dg.DagsterRunStatus.STARTED
    assert instance.get_run_by_id(elsewhere.run_id).status == dg.DagsterRunStatus.STARTED
    assert dead.run_id not in storage.get_concurrency_run_ids()  # slot freed
    assert dead.run_id not in [
        s.run_id for s in storage.get_concurrency_info("warehouse").claimed_slots
    ]
    assert sweep(instance)[0] == []  # once
