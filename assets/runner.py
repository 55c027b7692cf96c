"""Run the pipeline without the UI: every delivered wave x country partition through
the ingest job, then the build job, in process (the same assets and checks as in the
UI). Used by `observatory refresh` and `observatory demo`."""


import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import dagster as dg

from assets.partitions import partition_key
from observatory.ingest.discover import survey_files


@dataclass
class RefreshSummary:
    partitions: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def _instance() -> dg.DagsterInstance:
    return dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else \
        dg.DagsterInstance.ephemeral()


def _problems(result: dg.ExecuteInProcessResult, label: str) -> list[str]:
    problems = []
    for event in result.get_step_failure_events():
        data = event.step_failure_data
        if data.user_failure_data and data.user_failure_data.description:
            problems += data.user_failure_data.description.splitlines()
            continue
        error = data.error
        while error is not None and error.cause is not None:
            error = error.cause  # the innermost error says what went wrong
        message = error.message.strip() if error else "failed"
        problems.append(f"{label}: step {event.step_key} failed: {message}")
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            failures = evaluation.metadata.get("failures")
            detail = getattr(failures, "value", "") if failures else ""
            problems.append(f"{label}: check {evaluation.check_name} failed {detail}".strip())
    return problems


def refresh(defs: dg.Definitions, raw_dir, waves: list[int] | None = None,
            countries: list[str] | None = None,
            progress: Callable[[str], None] = print) -> RefreshSummary:
    """Ingest the delivered partitions (optionally only some waves / countries), then
    rebuild the warehouse, snapshot and report unless a partition failed."""
    start, summary, instance = time.monotonic(), RefreshSummary(), _instance()
    delivered = sorted({(f.wave, f.country) for f in survey_files(raw_dir)
                        if (not waves or f.wave in waves)
                        and (not countries or f.country in countries)})
    ingest = defs.resolve_job_def("ingest_survey_partition")
    for i, (wave, country) in enumerate(delivered, start=1):
        label, t0 = f"{wave} {country}", time.monotonic()
        result = ingest.execute_in_process(partition_key=partition_key(wave, country),
                                           instance=instance, raise_on_error=False,
                                           run_config=QUIET)
        summary.partitions.append(label)
        summary.problems += _problems(result, label)
        meta = next((e.materialization.metadata for e in result.get_asset_materialization_events()
                     if e.asset_key == dg.AssetKey(["staged", "survey_responses"])), {})
        counts = ", ".join(f"{meta[k].value} {k.split('_')[1]}" for k in
                           ("rows_read", "rows_loaded", "rows_quarantined") if k in meta)
        progress(f"[{i}/{len(delivered)}] {label}: {counts or 'FAILED'} "
                 f"({time.monotonic() - t0:.1f} s)")
    if summary.ok:
        progress("building core tables, weights, marts, snapshot and report ...")
        t0 = time.monotonic()
        build = defs.resolve_job_def("build_warehouse_and_report")
        result = build.execute_in_process(instance=instance, raise_on_error=False,
                                          run_config=QUIET)
        summary.problems += _problems(result, "build")
        progress(f"build {'done' if result.success else 'FAILED'} "
                 f"({time.monotonic() - t0:.1f} s)")
    summary.seconds = time.monotonic() - start
    return summary
