"""Run the pipeline without the UI, in process, with the same jobs, assets and checks as
the UI: the delivered wave x country partitions through the ingest job as key ranges
(the whole sample in one run, as a single-run backfill), then the build job, with the
report of the refreshed waves when asked. Used by `observatory refresh` and `demo`."""

import logging
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import yaml

from assets.defs.orchestration.jobs import BUILD, INGEST, build_assets
from assets.defs.orchestration.recovery import cancel_own_runs, sweep, this_process
from assets.defs.orchestration.schedules import range_tags
from assets.keys import STAGED
from assets.partitions import (
    WAVES,
    delivered,
    key_ranges,
    register_waves,
    survey_partitions,
    wave_country,
)
from observatory.ingest.discover import unreadable
from observatory.paths import REPO, Paths
from observatory.warehouse import damage


@dataclass
class RefreshSummary:
    partitions: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


# Dagster's console log stays quiet: failures are reported once, one line per problem,
# from the run's events (`_record`), never as Dagster's tracebacks.
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


class Interrupted(Exception):
    """A refresh stopped by SIGINT or SIGTERM."""

    def __init__(self, signal_name: str, canceled: list[str]) -> None:
        super().__init__(f"stopped by {signal_name}")
        self.signal_name, self.canceled = signal_name, canceled


@contextmanager
def _stop_on_signals(instance: dg.DagsterInstance) -> Iterator[Callable[[], None]]:
    """SIGTERM stops a refresh as Ctrl-C does: Dagster interrupts the step in flight (its
    DuckDB transaction rolls back; publishing is an atomic rename), then this process's
    unfinished runs are marked canceled, their pool slots freed, and Interrupted raised.
    While a run executes Dagster handles both signals itself and only fails the run, so
    which signal arrived is read from a wake-up file descriptor, which every handler
    feeds; the context yields the check to call after each run."""
    read, write = os.pipe()
    os.set_blocking(read, False)
    os.set_blocking(write, False)
    previous_fd = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
    previous_term = signal.signal(signal.SIGTERM, signal.default_int_handler)

    def received() -> str | None:
        try:
            numbers = [n for n in os.read(read, 512) if n in (signal.SIGINT, signal.SIGTERM)]
        except BlockingIOError:
            return None
        return signal.Signals(numbers[-1]).name if numbers else None

    def check() -> None:
        if name := received():
            raise Interrupted(name, [])

    try:
        yield check
    except (KeyboardInterrupt, dg.DagsterExecutionInterruptedError, Interrupted) as stop:
        name = stop.signal_name if isinstance(stop, Interrupted) else received() or "SIGINT"
        raise Interrupted(name, cancel_own_runs(instance, f"stopped by {name}")) from None
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        signal.set_wakeup_fd(previous_fd)
        os.close(read)
        os.close(write)


# CLI runs capture no compute logs: our steps print nothing (they log through context.log,
# kept in the event log), and capturing starts a `tail` and a watcher process per step,
# which also print tracebacks when Ctrl-C reaches the process group.
NO_COMPUTE_LOGS = {
    "module": "dagster._core.storage.noop_compute_log_manager",
    "class": "NoOpComputeLogManager",
}
CLI_SETTINGS = "dagster-cli.yaml"
STORAGE_KEYS = {"storage", "run_storage", "event_log_storage", "schedule_storage"}


def cli_settings(settings: dict, home: Path) -> dict:
    """The instance's settings for a CLI run: no compute logs, and on the default SQLite
    storage under `home` an event log that keeps one engine per file (assets/storage.py;
    the run and schedule storage stay Dagster's defaults). A configured storage (the
    team's PostgreSQL) is left as it is."""
    cli = {**settings, "compute_logs": NO_COMPUTE_LOGS}
    if not STORAGE_KEYS & settings.keys():
        cli["event_log_storage"] = {
            "module": "assets.storage",
            "class": "PooledSqliteEventLogStorage",
            "config": {"base_dir": str((home / "history" / "runs").resolve())},
        }
    return cli


def project_instance(home: Path | None = None) -> dg.DagsterInstance:
    """The Dagster instance the UI and the daemon use: $DAGSTER_HOME, by default the
    project's .dagster_home (created with the project's dagster.yaml), so that CLI runs
    appear in the UI's run history and obey the same pools. Its settings are the
    instance's dagster.yaml as `cli_settings` changes them (written beside it as
    dagster-cli.yaml)."""
    home = Path(home or os.environ.get("DAGSTER_HOME") or REPO / ".dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(REPO / "dagster.yaml", home / "dagster.yaml")
    settings = yaml.safe_load((home / "dagster.yaml").read_text(encoding="utf-8")) or {}
    (home / CLI_SETTINGS).write_text(yaml.safe_dump(cli_settings(settings, home)), "utf-8")
    return dg.DagsterInstance.from_config(str(home), config_filename=CLI_SETTINGS)


def _before_run(instance: dg.DagsterInstance, progress: Callable[[str], None]) -> None:
    """Recover runs whose process died; say which live run this one may wait for."""
    recovered, live = sweep(instance)
    for line in recovered:
        progress(line)
    for run in live:
        progress(
            f"waiting for run {run.run_id[:8]} ({run.job_name}"
            + (f", process {run.pid}" if run.pid else "")
            + ") to release the warehouse"
        )


def _record(result: dg.ExecuteInProcessResult, label: str, summary: RefreshSummary) -> None:
    """Step failures and failed blocking checks are problems; other failed checks warnings."""
    for event in result.get_step_failure_events():
        data = event.step_failure_data
        if data.user_failure_data and data.user_failure_data.description:
            summary.problems += data.user_failure_data.description.splitlines()
            continue
        error = data.error
        while error is not None and error.cause is not None:
            error = error.cause  # the innermost error says what went wrong
        message = error.message.strip() if error else "failed"
        summary.problems.append(f"{label}: step {event.step_key} failed: {message}")
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            failures = evaluation.metadata.get("failures")
            detail = getattr(failures, "value", "") or evaluation.description or ""
            line = f"{label}: check {evaluation.check_name} failed {detail}".strip()
            (summary.problems if evaluation.blocking else summary.warnings).append(line)


def _logged_warnings(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """What the run's assets logged as warnings (e.g. the report published without its
    PDF), one line each, the console logger being quiet."""
    return [
        entry.user_message
        for entry in instance.all_logs(run_id)
        if entry.dagster_event is None
        and isinstance(entry.level, int)
        and entry.level >= logging.WARNING
    ]


def _staged_counts(instance: dg.DagsterInstance, run_id: str) -> dict[str, str]:
    """{partition key: 'n read, n loaded, n quarantined'} from the run's staged
    materialisations, read from the instance: the in-process result leaves out those of
    a step that went on to fail, although its other partitions were staged."""
    counts = {}
    for record in instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
    ).records:
        event = record.event_log_entry.dagster_event
        if event is not None and event.asset_key == STAGED:
            meta = event.step_materialization_data.materialization.metadata
            counts[str(event.partition)] = ", ".join(
                f"{meta[k].value} {k.split('_')[1]}"
                for k in ("rows_read", "rows_loaded", "rows_quarantined")
                if k in meta
            )
    return counts


def _ingest(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    pairs: list[tuple[int, str]],
    summary: RefreshSummary,
    progress: Callable[[str], None],
    check: Callable[[], None],
) -> None:
    ingest, done = defs.resolve_job_def(INGEST), 0
    ranges = key_ranges(instance, pairs)
    progress(f"ingesting {len(pairs)} partition(s) in {len(ranges)} run(s) ...")
    for key_range in ranges:
        t0 = time.monotonic()
        _before_run(instance, progress)
        result = ingest.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config=QUIET,
            tags={**range_tags(key_range), **this_process()},
        )
        check()
        _record(result, f"{key_range.start}..{key_range.end}", summary)
        counts = _staged_counts(instance, result.run_id)
        with dg.partition_loading_context(dynamic_partitions_store=instance):
            keys = [str(k) for k in survey_partitions.get_partition_keys_in_range(key_range)]
        for key in keys:
            done += 1
            wave, country = wave_country(key)
            summary.partitions.append(f"{wave} {country}")
            progress(f"[{done}/{len(pairs)}] {wave} {country}: {counts.get(key) or 'FAILED'}")
        progress(f"  {len(keys)} partition(s) in one run: {time.monotonic() - t0:.1f} s")


def _build(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    report_waves: list[str],
    report: bool,
    summary: RefreshSummary,
    progress: Callable[[str], None],
    check: Callable[[], None],
) -> None:
    progress(
        "building core tables, weights, marts, snapshot"
        + (f" and report(s) {', '.join(report_waves)}" if report else "")
        + " ..."
    )
    t0 = time.monotonic()
    _before_run(instance, progress)
    result = defs.resolve_job_def(BUILD).execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config=QUIET,
        asset_selection=build_assets(
            [a for a in defs.assets or [] if isinstance(a, dg.AssetsDefinition)], report
        ),
        tags={
            **this_process(),
            **(
                range_tags(dg.PartitionKeyRange(report_waves[0], report_waves[-1]))
                if report
                else {}
            ),
        },
    )
    check()
    _record(result, "build", summary)
    summary.warnings += _logged_warnings(instance, result.run_id)
    progress(f"build {'done' if result.success else 'FAILED'} ({time.monotonic() - t0:.1f} s)")


def _restage(
    paths: Paths,
    raw_dir: Path,
    pairs: list[tuple[int, str]],
    why: str,
    progress: Callable[[str], None],
) -> list[tuple[int, str]]:
    """Move a damaged pipeline file aside; the partitions to stage become those asked
    for and those the published snapshot holds (see observatory.warehouse.damage)."""
    moved = damage.move_aside(paths.pipeline_db)
    wanted = set(pairs) | damage.published_partitions(paths.published_db)
    again = [pair for pair in delivered(raw_dir) if pair in wanted]
    progress(
        f"{paths.pipeline_db} is damaged ({why[:200]}): moved to {moved.name}; staging "
        f"again the {len(again)} partition(s) asked for or published"
    )
    return again


def refresh(
    defs: dg.Definitions,
    raw_dir: Path,
    waves: list[int] | None = None,
    countries: list[str] | None = None,
    progress: Callable[[str], None] = print,
    report: bool = False,
    instance: dg.DagsterInstance | None = None,
) -> RefreshSummary:
    """Ingest the delivered partitions (optionally only some waves / countries), then
    rebuild the warehouse, the snapshot, the data-quality page and, with `report`, the
    report of the latest wave (of each wave asked for, with `waves`), unless a partition
    failed. A folder of an unknown wave or country is a warning: it never blocks the
    known partitions. A pipeline file a crash damaged is moved aside and what was
    published staged again (`_restage`), before the runs or once after them. Runs go to
    `instance`, by default the project's (`project_instance`). SIGINT or SIGTERM raise
    Interrupted (`_stop_on_signals`)."""
    start = time.monotonic()
    instance = instance or project_instance()
    paths: Paths = (defs.resources or {})["observatory"].paths
    warnings = [
        f"not read: {problem}"
        for folder, problem in unreadable(Path(raw_dir)).items()
        if (not waves or folder.parent.name in map(str, waves)) and not countries
    ]
    with _stop_on_signals(instance) as check:
        pairs = delivered(raw_dir, waves, countries)
        # the report of the latest wave, or of each wave asked for (a range of partitions)
        report_waves = sorted(
            {str(w) for w, _ in pairs} if waves else {str(pairs[-1][0])} if pairs else set()
        )
        if why := damage.damaged(paths.pipeline_db):
            pairs = _restage(paths, raw_dir, pairs, why, progress)
        for attempt in (1, 2):
            summary = RefreshSummary(warnings=list(warnings))
            if not pairs:
                summary.problems.append(f"no export to refresh under {Path(raw_dir) / 'surveys'}")
                break
            register_waves(instance, pairs)
            _ingest(defs, instance, pairs, summary, progress, check)
            if summary.ok:
                order = instance.get_dynamic_partitions(WAVES).index
                _build(
                    defs,
                    instance,
                    sorted(report_waves, key=order),
                    report,
                    summary,
                    progress,
                    check,
                )
            damaged = [p for p in summary.problems if damage.is_damage(p)]
            if attempt == 2 or not damaged or not paths.pipeline_db.exists():
                break
            pairs = _restage(paths, raw_dir, pairs, damaged[0], progress)
    summary.seconds = time.monotonic() - start
    return summary
