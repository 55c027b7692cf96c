"""Runs whose process died (kill -9, out of memory, a reboot) never block the next one.

A run that dies stays STARTED in the instance and keeps its `warehouse` pool slot, so
every later run would wait for it forever. Before `observatory refresh` starts a run,
and every minute in the daemon (sensor `recover_dead_runs`), each unfinished run started
on this machine whose process is gone is marked failed and its pool slots are freed.
A run's process is known from its tags (`observatory/pid`, set by the CLI) or from the
engine event "Started process for run (pid: N)" that a daemon- or UI-launched run
writes; runs of other machines (tag `observatory/host`) are left to them."""

import os
import socket
from dataclasses import dataclass

import dagster as dg

PID, HOST = "observatory/pid", "observatory/host"
IN_PROGRESS = [
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


def this_process() -> dict[str, str]:
    """Tags of a run executed in this process (the CLI's in-process runs)."""
    return {PID: str(os.getpid()), HOST: socket.gethostname()}


def _pid(instance: dg.DagsterInstance, run: dg.DagsterRun) -> int | None:
    if PID in run.tags:
        return int(run.tags[PID])
    for entry in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        event = entry.dagster_event
        pid = event.engine_event_data.metadata.get("pid") if event else None
        if pid is not None:
            return int(str(pid.value))  # a text value (Dagster writes str(os.getpid()))
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class LiveRun:
    run_id: str
    job_name: str
    pid: int | None


def sweep(instance: dg.DagsterInstance) -> tuple[list[str], list[LiveRun]]:
    """Fail the dead runs of this machine and free their slots; returns (one line per
    recovered run, the runs still in progress)."""
    recovered, live = [], []
    statuses = [*IN_PROGRESS, dg.DagsterRunStatus.NOT_STARTED]
    for record in instance.get_run_records(dg.RunsFilter(statuses=statuses)):
        run = record.dagster_run
        if run.tags.get(HOST, socket.gethostname()) != socket.gethostname():
            continue
        if run.status == dg.DagsterRunStatus.NOT_STARTED and PID not in run.tags:
            continue  # created by a UI or a daemon, not by a CLI that died before starting it
        pid = _pid(instance, run)
        if pid is not None and not _alive(pid):
            why = f"its process {pid} is gone"
            instance.report_run_failed(
                run,
                f"run {run.run_id} failed: {why} "
                "(killed or out of memory); its pool slots are freed",
            )
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
            recovered.append(
                f"recovered run {run.run_id[:8]} ({run.job_name}): {why}; "
                "marked failed, its warehouse slot freed"
            )
        else:
            live.append(LiveRun(run.run_id, run.job_name, pid))
    return recovered, live


def cancel_own_runs(instance: dg.DagsterInstance, why: str) -> list[str]:
    """Mark this process's unfinished runs canceled and free their slots (a refresh
    stopped by SIGINT or SIGTERM); returns the ids of the runs canceled."""
    mine = this_process()
    canceled = []
    for record in instance.get_run_records(dg.RunsFilter(statuses=IN_PROGRESS, tags=mine)):
        instance.report_run_canceled(record.dagster_run, f"run canceled: {why}")
        instance.event_log_storage.free_concurrency_slots_for_run(record.dagster_run.run_id)
        canceled.append(record.dagster_run.run_id)
    return canceled


@dg.sensor(
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Every minute: a run of this machine whose process is gone (killed, "
    "out of memory) is marked failed and its warehouse pool slot freed, "
    "so the next refresh never waits for it.",
)
def recover_dead_runs(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    recovered, live = sweep(context.instance)
    for line in recovered:
        context.log.warning(line)
    return dg.SkipReason(f"{len(recovered)} dead run(s) recovered, {len(live)} in progress")
